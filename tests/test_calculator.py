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
    -0.0,  # --price-kwh -0.0: never "-€0.00"
    9.99e14,
    5.48e19,  # beyond the last scale word: scientific, never "€54800000T"
    8.33e21,
]
FUNCTIONS = ["sci", "num", "value", "pct", "bytes", "flops", "years", "count"]
COUNTS = [0, 1, 8, 218, 1399, 4196, 29_780, 1_000_000, 123_456_789, -0.0]
COUNTS += [999_999_999_999_999, 1e15, 3_170_979_198_380_000_256]  # float noise from 10¹⁵


def python_formats(lang: str) -> dict[str, list[str]]:
    from generator.i18n import L10n

    f = L10n(lang)
    out = {name: [getattr(f, name)(v) for v in VALUES] for name in FUNCTIONS if name != "integer"}
    out["integer"] = [f.integer(n) for n in COUNTS]
    out["money_usd"] = [f.money(v, "USD") for v in VALUES]
    out["money_eur"] = [f.money(v, "EUR") for v in VALUES]
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
            out.money_usd = values.map((v) => f.money(v, 'USD'));
            out.money_eur = values.map((v) => f.money(v, 'EUR'));
            return out;
        }""",
        [lang, VALUES, FUNCTIONS, COUNTS],
    )
    expected = python_formats(lang)
    wrong = [
        f"{name}({v!r}): Python {p!r}, JavaScript {j!r}"
        for name in expected
        for v, p, j in zip(
            COUNTS if name == "integer" else VALUES, expected[name], js[name], strict=False
        )  # the lengths are checked below
        if p != j
    ]
    assert {name: len(v) for name, v in js.items()} == {n: len(v) for n, v in expected.items()}
    assert not wrong, "\n".join(wrong)


def cli_json(*args: str) -> dict:
    from click.testing import CliRunner

    from generator.cli import cli

    r = CliRunner().invoke(cli, ["compare", *args, "--json"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def shown_values(page) -> dict[str, str]:
    page.wait_for_function("window.gpuYearCalculator && window.gpuYearCalculator.ready")
    return page.eval_on_selector_all(
        "[data-result][data-kind]",
        "cells => Object.fromEntries(cells.map(c => [c.dataset.result, c.dataset.value]))",
    )


def agree(shown: dict[str, str], expected: dict) -> list[str]:
    wrong = []
    for key, value in shown.items():
        want = expected
        for part in key.split("."):
            want = want[part] if want is not None else None
        got = None if value == "" else float(value)
        if (got is None) != (want is None) or (
            got is not None and not math.isclose(got, want, rel_tol=TOLERANCE)
        ):
            wrong.append(f"{key}: page {got!r}, CLI {want!r}")
    return wrong


@pytest.fixture
def calc(built, browser):  # noqa: F811  (the imported fixture)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    yield page, built.site_url
    context.close()
    assert not errors, errors


@pytest.mark.parametrize("lang", ["en", "de"])
def test_calculator_answers_the_headline_question_like_the_cli(calc, lang):
    page, url = calc
    page.goto(url + ("de/" if lang == "de" else "") + "calculator/")
    assert not agree(shown_values(page), cli_json("rtx-4070-ti", "gpt-3.5"))
    verdict = page.get_attribute('[data-result="verdict"]', "data-value")
    assert verdict == "far_both"
    text = page.inner_text(".calc-answer")
    assert ("1,14 × 10²¹" if lang == "de" else "1.14 × 10²¹") in text.replace("\u00a0", " ")


def test_shared_url_gives_the_same_answer_and_keeps_the_question(calc):
    page, url = calc
    query = "gpu=rtx-4090&model=gpt-2&gpus=8&years=0.5&precision=bf16&utilization=1&mfu=0.35"
    page.goto(url + "calculator/?" + query)
    shown = shown_values(page)
    expected = cli_json(
        "rtx-4090", "gpt-2", "--gpus", "8", "--years", "0.5", "--precision", "bf16",
        "--utilization", "1", "--mfu", "0.35",
    )  # fmt: skip
    assert not agree(shown, expected)
    assert page.input_value('[name="gpus"]') == "8"
    assert page.input_value('[name="precision"]') == "bf16"
    kept = dict(p.split("=") for p in page.evaluate("location.search")[1:].split("&"))
    assert {k: kept[k] for k in ("gpu", "model", "gpus", "years", "precision", "mfu")} == {
        "gpu": "rtx-4090", "model": "gpt-2", "gpus": "8", "years": "0.5", "precision": "bf16",
        "mfu": "0.35",
    }  # fmt: skip
    share = page.get_attribute(".calc-share", "href")
    assert share == page.evaluate("location.search")


def test_custom_question_by_keyboard(calc):
    """Only the keyboard: choose a custom GPU and model, type their figures, read the answer."""
    page, url = calc
    page.goto(url + "calculator/")
    shown_values(page)
    page.focus('[name="gpu"]')
    page.keyboard.press("End")  # the last option: your own GPU
    for name, value in (("tflops", "100"), ("memory", "32")):
        page.keyboard.press("Tab") if name != "tflops" else page.focus('[name="tflops"]')
        page.keyboard.type(value)
    page.focus('[name="model"]')
    page.keyboard.press("End")
    page.focus('[name="params"]')
    page.keyboard.type("7e9")
    page.keyboard.press("Tab")  # skip active parameters
    page.keyboard.press("Tab")
    page.keyboard.type("2e12")
    page.focus('[name="precision"]')
    page.select_option('[name="precision"]', "bf16")
    expected = cli_json(
        "custom", "custom", "--tflops", "100", "--memory", "32", "--precision", "bf16",
        "--params", "7e9", "--tokens", "2e12",
    )  # fmt: skip
    assert not agree(shown_values(page), expected)
    assert page.is_hidden(".calc-error")


def test_invalid_input_says_which_and_keeps_no_wrong_answer(calc):
    page, url = calc
    page.goto(url + "calculator/")
    shown_values(page)
    page.fill('[name="mfu"]', "1.5")
    assert page.get_attribute('[name="mfu"]', "aria-invalid") == "true"
    assert page.is_visible(".calc-error")
    assert "Model FLOPs utilization" in page.inner_text(".calc-error")
    page.fill('[name="mfu"]', "0.3")
    assert page.is_hidden(".calc-error")
    assert not agree(shown_values(page), cli_json("rtx-4070-ti", "gpt-3.5", "--mfu", "0.3"))
