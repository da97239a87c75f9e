"""One engine in two languages: the browser calculator's ES module against the Python engine.

The Python engine answers hundreds of questions (every catalog pair, random settings, custom
GPUs and models, edge cases); Chromium runs the same questions through engine.js as the built
site serves it, and any relative difference above 1e-9 fails.
"""

from __future__ import annotations

import json
import math

import pytest

from generator import calculator
from tests.test_browser import browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

TOLERANCE = 1e-9


def differences(python: object, js: object, path: str = "") -> list[str]:
    """Where two JSON values differ: numbers beyond the tolerance, anything else not equal."""
    if isinstance(python, dict) and isinstance(js, dict):
        keys = set(python) | set(js)
        return [
            d for k in sorted(keys) for d in differences(python.get(k), js.get(k), f"{path}.{k}")
        ]
    if isinstance(python, bool) or isinstance(js, bool) or python is None or js is None:
        return [] if python == js else [f"{path}: {python!r} != {js!r}"]
    if isinstance(python, int | float) and isinstance(js, int | float):
        ok = math.isclose(python, js, rel_tol=TOLERANCE, abs_tol=0)
        return [] if ok else [f"{path}: {python!r} != {js!r}"]
    return [] if python == js else [f"{path}: {python!r} != {js!r}"]


def test_differences_has_teeth():
    assert differences({"a": 1.0}, {"a": 1.0 + 1e-6}) == [".a: 1.0 != 1.000001"]
    assert differences({"a": None}, {"a": 0}) != []
    assert differences({"a": 1.0}, {"a": 1.0 + 1e-12}) == []


@pytest.fixture(scope="module")
def engine_page(built, browser):  # noqa: F811  (the imported fixture)
    page = browser.new_page()
    page.goto(built.site_url)
    yield page
    page.close()


def test_calculator_json_is_in_the_site(built, catalog):
    data = json.loads((built.out / "calculator.json").read_text(encoding="utf-8"))
    assert set(data["gpus"]) == set(catalog.gpus)
    assert set(data["models"]) == set(catalog.models)


def test_engine_agrees_with_python_on_every_vector(engine_page, catalog):
    vectors = calculator.vectors(catalog)
    assert len(vectors) > 900  # 28 × 23 catalog pairs, 300 random questions, edge cases
    answers = engine_page.evaluate(
        """async (questions) => {
            const engine = await import('./assets/javascripts/engine.js');
            const data = await (await fetch('./calculator.json')).json();
            return questions.map((q) => engine.compare(data, q));
        }""",
        [v["input"] for v in vectors],
    )
    problems = [
        f"{v['input']}: {d}"
        for v, js in zip(vectors, answers, strict=True)
        for d in differences(v["output"], js)
    ]
    assert not problems, f"{len(problems)} differences, first: " + "\n".join(problems[:10])


VALUES = [
    0,
    1,
    0.5,
    2.675,
    0.125,
    1.005,
    12.5,
    99.995,
    100,
    275.89,
    344.86,
    999.5,
    1000,
    1399,
    4196,
    12_345.678,
    305_537.43,
    999_999,
    1e6,
    1.32e6,
    2.72e6,
    9.995e6,
    1.5e9,
    175e9,
    1.5e12,
    2e15,
    1.138e21,
    3.14e23,
    9.996e21,
    2.578e24,
    0.003624,
    0.00044148,
    0.0005,
    1e-3,
    0.36,
    0.545,
    1.22,
    0.06,
    0.0599,
    2.8e12,
    3.5e11,
    12 * 2**30,
    0.08219,
    0.9,
    1 / 365,
    0.0001,
]
FUNCTIONS = ["sci", "num", "value", "pct", "bytes", "flops", "years", "count"]
COUNTS = [0, 1, 8, 218, 1399, 4196, 29_780, 1_000_000, 123_456_789]


def python_formats(lang: str) -> dict[str, list[str]]:
    from generator.i18n import L10n

    f = L10n(lang)
    out = {name: [getattr(f, name)(v) for v in VALUES] for name in FUNCTIONS if name != "integer"}
    out["integer"] = [f.integer(n) for n in COUNTS]
    out["money_usd"] = [f.money(v, "USD") for v in VALUES if v < 1e12]
    out["money_eur"] = [f.money(v, "EUR") for v in VALUES if v < 1e12]
    return out


@pytest.mark.parametrize("lang", ["en", "de"])
def test_javascript_formats_numbers_like_python(engine_page, lang):
    js = engine_page.evaluate(
        """async ([lang, values, functions, counts]) => {
            const { Format } = await import('./assets/javascripts/format.js');
            const f = new Format(lang);
            const out = {};
            for (const name of functions) out[name] = values.map((v) => f[name](v));
            out.integer = counts.map((n) => f.integer(n));
            out.money_usd = values.filter((v) => v < 1e12).map((v) => f.money(v, 'USD'));
            out.money_eur = values.filter((v) => v < 1e12).map((v) => f.money(v, 'EUR'));
            return out;
        }""",
        [lang, VALUES, FUNCTIONS, COUNTS],
    )
    expected = python_formats(lang)
    wrong = [
        f"{name}({v!r}): Python {p!r}, JavaScript {j!r}"
        for name in expected
        # money skips the largest values: zip stops early there; the lengths are checked below
        for v, p, j in zip(
            COUNTS if name == "integer" else VALUES, expected[name], js[name], strict=False
        )
        if p != j
    ]
    assert {name: len(v) for name, v in js.items()} == {n: len(v) for n, v in expected.items()}
    assert not wrong, "\n".join(wrong)
