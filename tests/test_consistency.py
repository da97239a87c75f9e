"""One figure, one value: the headline pair's figures read the same on every page.

Each figure is rounded once (three significant digits, whole numbers for counts). This test reads
every page that shows the headline pair, in both languages (text, table cells, image alt texts and
the text inside the SVG charts), and fails when a figure appears rounded another way: 340 where
345 is meant, 280 for 276, 217 for 218, 16,700 for 17,000.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.i18n import L10n, round_sig
from generator.results import compute_all

# Where each page shows the headline pair: all of it (prose, alt texts, charts), the table row of
# the pair, or the one cell of the matrix. Other rows hold other pairs, whose figures may be close.
# The matrix page's table is filled in the browser from matrix.json by matrix.js, which formats
# like the Python formatter (tests/test_matrix.py checks the filled cell against it): its "cell"
# is the pair's years in matrix.json as the formatter shows them, and the page's own text counts
# too (prose, alt text, heat map).
PAGES = {
    "index.html": "all",
    "question/index.html": "all",
    "gpus/index.html": "gpu row",
    "models/index.html": "model row",
    "gpus/rtx-4070-ti/index.html": "model row",
    "models/gpt-3.5/index.html": "gpu row",
    "matrix/index.html": "cell",
}
SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
NUMBER = {
    "en": r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?",
    "de": r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?",
}


class _Page(HTMLParser):
    """A page's text, its alt attributes, its SVG images and its table rows (cell texts)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.svgs: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.parts.append(a.get("alt") or "")
            if (a.get("src") or "").endswith(".svg"):
                self.svgs.append(a["src"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._skip:
            return
        self.parts.append(data)
        if self._cell is not None:
            self._cell.append(data)


def matrix_cell(site: Path, lang: str, gpu: str, model: str) -> str:
    """The matrix table's cell for ``gpu`` × ``model`` (display names) as matrix.js fills it."""
    root = site.parent if lang == "de" else site
    data = json.loads((root / "matrix.json").read_text(encoding="utf-8"))
    gid = next(k for k, n in data["gpus"].items() if gpu in (n, *getattr(n, "values", list)()))
    mid = next(k for k, n in data["models"].items() if model in (n, *getattr(n, "values", list)()))
    return L10n(lang).value(data["years"][gid][mid][0])


def shown(site: Path, rel: str, where: str, gpu: str, model: str, lang: str = "en") -> str:
    """The text of page ``rel`` where it shows the pair ``gpu`` × ``model`` (display names)."""
    path = site / rel
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    if where == "all":
        texts = page.parts
        for src in page.svgs:
            svg = (path.parent / src).resolve().read_text(encoding="utf-8")
            texts += re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    elif where == "cell":
        texts = [*page.parts, matrix_cell(site, lang, gpu, model)]
    else:
        name = gpu if where == "gpu row" else model
        texts = [" | ".join(r) for r in page.rows if r and r[0] == name]
    assert texts, f"{rel}: the pair {gpu} × {model} is not shown"
    return " \n ".join(texts).replace("\u00a0", " ")


def numbers(text: str, lang: str) -> list[float]:
    """Every number in ``text``: ``1.14 × 10²¹`` as one value, grouping and decimal mark per
    language."""
    pattern = rf"({NUMBER[lang]})(?: × 10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+))?"
    out = []
    for mantissa, exponent in re.findall(pattern, text):
        plain = mantissa.replace(",", "") if lang == "en" else mantissa.replace(".", "")
        plain = plain.replace(",", ".")
        value = float(plain)
        if exponent:
            value *= 10 ** int(exponent.translate(SUPERSCRIPT))
        out.append(value)
    return out


def variants(value: float, canonical: float) -> set[float]:
    """Other ways to round ``value``: 2, 4 and 5 significant digits, floor and ceiling."""
    other = {float(round_sig(value, sig)) for sig in (2, 4, 5)}
    other |= {float(math.floor(value)), float(math.ceil(value))} if value >= 10 else set()
    return {v for v in other if not math.isclose(v, canonical, rel_tol=1e-9)}


def figures(catalog) -> dict[str, tuple[float, float]]:
    """The headline pair's figures: name -> (exact value, value as the site rounds it)."""
    h = compute_all(catalog).headline
    three = lambda x: float(round_sig(x, 3))  # noqa: E731
    share, real = h.ratio.value * 100, h.realistic_gpu_years_needed.value
    return {
        "budget": (h.budget_flops, three(h.budget_flops)),
        "training compute": (h.training_flops.value, three(h.training_flops.value)),
        "share (%)": (share, float(round(Decimal(repr(share)), 2))),
        "GPU-years": (h.gpu_years_needed.value, three(h.gpu_years_needed.value)),
        "GPU-years, high estimate": (h.gpu_years_needed.high, three(h.gpu_years_needed.high)),
        "realistic years": (real, three(real)),
        "cards for the memory": (h.min_gpus_for_memory, h.min_gpus_for_memory),
        **{f"GPUs for {d} days": (n, n) for d, n in h.gpus_needed.items()},
        "run energy (kWh)": (h.run_energy_kwh, three(h.run_energy_kwh)),
    }


def test_figures_are_not_trivially_consistent(catalog):
    """The check has teeth: the headline's years have other roundings that could appear."""
    f = figures(catalog)
    assert 340.0 in variants(*f["realistic years"])  # 344.86 to two digits
    assert 217.0 in variants(f["cards for the memory"][1] - 0.7, 218)  # the ratio 217.3, floored


@pytest.mark.parametrize("lang", ["en", "de"])
def test_headline_figures_have_one_value_on_every_page(built, catalog, lang):
    root = built.out / "de" if lang == "de" else built.out
    # The question page quotes the popular answer's figure on purpose: the training compute over
    # the budget rounded to 1.14 × 10²¹ is 275, and the page says so.
    h = compute_all(catalog).headline
    allowed = {"question/index.html": {float(round_sig(h.training_flops.value / 1.14e21, 3))}}
    gpu, model = catalog.gpus[h.gpu].name, catalog.models[h.model].name
    problems = []
    for rel, where in PAGES.items():
        found = numbers(shown(root, rel, where, gpu, model, lang), lang)
        for name, (exact, canonical) in figures(catalog).items():
            wrong = variants(exact, canonical) - allowed.get(rel, set())
            for n in found:
                if any(math.isclose(n, w, rel_tol=1e-9) for w in wrong):
                    problems.append(f"{lang}/{rel}: {name} shown as {n:g}, elsewhere {canonical:g}")
    assert not problems, "\n".join(sorted(set(problems)))
