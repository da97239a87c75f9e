"""German follows the glossary at the top of the German catalog (generator/locale/de/…/messages.po):
none of the calques it bans appears in the catalog, the German prose, the data's German texts or
the built German pages."""

from __future__ import annotations

import re

import yaml

from generator import messages, paths
from tests.sitecheck import html_pages, parse

EXPLAINED = "Trainingszustand (Gewichte, Gradienten, Optimiererzustand)"
BANNED = {
    "weit entfernt": re.compile(r"weit entfernt", re.I),  # far off: „reicht bei Weitem nicht“
    "Trainingsspitze": re.compile(r"Trainings-?[Ss]pitze"),  # „Spitzenleistung beim Training“
    # tensor or BF16 peak: „Tensor-Spitzenleistung“, „BF16-Spitzenleistung“ ("}-": a placeholder)
    "bare Spitze": re.compile(r"(?:Tensor|[BT]F\d+|FP\d+|\})-Spitze(?!nleistung)"),
    # dense: „ohne Sparsity“; only dense matrices are „dicht besetzt“ or „dichte Matrizen“
    "dicht": re.compile(r"\b[Dd]icht(?:e[mnrs]?)?\b(?! besetzt| Matri)"),
}


def calques(text: str, whole_page: bool = True) -> list[str]:
    """The banned calques in ``text``, and a first „Trainingszustand“ without its explanation
    (``whole_page``: the first one of the text; else every one must carry it)."""
    found = [f"{name}: {m.group(0)!r}" for name, rx in BANNED.items() for m in rx.finditer(text)]
    uses = [m.start() for m in re.finditer("Trainingszustand", text)]
    for start in uses[:1] if whole_page else uses:
        if not text.startswith(EXPLAINED, start):
            found.append(f"unexplained: {text[start : start + 60]!r}")
    return found


def test_the_check_finds_each_calque():
    text = (
        "Die Rechenleistung ist weit entfernt; die Trainingsspitze und die Tensor-Spitze sind "
        "dicht, der {precision}-Spitze fehlt es. Der Trainingszustand passt."
    )
    assert calques(text) == [
        "weit entfernt: 'weit entfernt'",
        "Trainingsspitze: 'Trainingsspitze'",
        "bare Spitze: 'Tensor-Spitze'",
        "bare Spitze: '}-Spitze'",
        "dicht: 'dicht'",
        "unexplained: 'Trainingszustand passt.'",
    ]
    allowed = (
        f"dicht besetzte Matrizen, dichte Matrizen; der {EXPLAINED} passt, der Trainingszustand "
        "auch; die Tensor-Spitzenleistung, die {precision}-Spitzenleistung."
    )
    assert calques(allowed) == []
    assert calques(f"{EXPLAINED}, dann der Trainingszustand", whole_page=False) != []


def _catalog_texts() -> dict[str, str]:
    out = {}
    for (context, english), german in messages.translations("de").items():
        for i, form in enumerate((german,) if isinstance(german, str) else german):
            out[f"{context or english!r}[{i}]"] = form
    return out


def _data_texts(value, where: str = "data"):
    """Every German text of the data files: ``de:`` entries and ``*_de`` fields."""
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, str) and (k == "de" or str(k).endswith("_de")):
                yield f"{where}.{k}", v
            else:
                yield from _data_texts(v, f"{where}.{value.get('id', k)}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _data_texts(v, f"{where}[{i}]")


def test_the_german_catalog_has_no_calque():
    # each message stands alone: every „Trainingszustand“ in it is explained
    found = {k: c for k, text in _catalog_texts().items() if (c := calques(text, False))}
    assert found == {}


def test_the_german_prose_and_data_have_no_calque():
    found = {}
    for path in sorted((paths.TEMPLATES / "prose" / "de").rglob("*.j2")):
        text = path.read_text(encoding="utf-8")
        # which „Trainingszustand“ comes first is a matter of the page: checked on the pages
        if c := [p for p in calques(text) if not p.startswith("unexplained")]:
            found[path.name] = c
    for path in sorted(paths.DATA.glob("*.yaml")):
        for where, text in _data_texts(yaml.safe_load(path.read_text(encoding="utf-8"))):
            if c := calques(text):
                found[f"{path.name}: {where}"] = c
    assert found == {}


def test_built_german_pages_have_no_calque(built):
    found = {}
    for rel in html_pages(built.out):
        page = parse(built.out / "de" / rel)
        if c := calques(page.content_text):
            found[rel] = c
    assert found == {}
