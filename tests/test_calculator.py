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
