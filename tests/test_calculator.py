"""One engine in two languages: the browser calculator's ES module against the Python engine.

The Python engine answers hundreds of questions (every catalog pair, random settings, custom
GPUs and models, edge cases); Chromium runs the same questions through engine.js as the built
site serves it, and any relative difference above 1e-9 fails.
"""

from __future__ import annotations

import json
import math
from urllib.parse import parse_qsl, quote, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    assert page.is_hidden(".calc-answer"), "the last answer was for another MFU"
    page.fill('[name="mfu"]', "0.3")
    assert page.is_hidden(".calc-error")
    assert page.is_visible(".calc-answer")
    assert not agree(shown_values(page), cli_json("rtx-4070-ti", "gpt-3.5", "--mfu", "0.3"))


# ---------------------------------------------------------------- links the catalog cannot answer

DEFAULT_GPU, DEFAULT_MODEL = "NVIDIA GeForce RTX 4070 Ti", "GPT-3.5"
LONG_ID = "x" * 50_000


@pytest.mark.parametrize(
    ("lang", "query", "notice"),
    [
        (
            "en",
            "gpu=no-such-gpu&gpus=2",
            f"The link names a GPU that is not in the catalog (“no-such-gpu”); the calculator "
            f"shows {DEFAULT_GPU} instead.",
        ),
        (
            "de",
            "model=gpt-9&gpus=2",
            f"Der Link nennt ein Modell, das nicht im Katalog steht („gpt-9“); der Rechner zeigt "
            f"stattdessen {DEFAULT_MODEL}.",
        ),
        (
            "en",
            "gpu=__proto__&model=constructor&gpus=2",
            f"The link names a GPU that is not in the catalog (“__proto__”); the calculator shows "
            f"{DEFAULT_GPU} instead. The link names a model that is not in the catalog "
            f"(“constructor”); the calculator shows {DEFAULT_MODEL} instead.",
        ),
        (
            "en",
            f"gpu={LONG_ID}&gpus=2",
            f"The link names a GPU that is not in the catalog (“{'x' * 59}…”); the calculator "
            f"shows {DEFAULT_GPU} instead.",
        ),
    ],
)
def test_a_link_with_an_unknown_id_says_so_and_answers_the_default(calc, lang, query, notice):
    """A renamed GPU in a shared link used to throw: the form died, another answer stayed up."""
    page, url = calc
    page.goto(url + ("de/" if lang == "de" else "") + "calculator/?" + query)
    shown = shown_values(page)  # the calculator started: no exception (the fixture checks)
    assert page.inner_text(".calc-notice") == notice
    assert page.is_visible(".calc-answer")
    assert page.input_value('[name="gpu"]') == "rtx-4070-ti"
    assert page.input_value('[name="model"]') == "gpt-3.5"
    assert not agree(shown, cli_json("rtx-4070-ti", "gpt-3.5", "--gpus", "2"))  # gpus=2 kept
    page.select_option('[name="gpu"]', "rtx-4090")  # choosing another GPU retires the notice
    assert page.is_hidden(".calc-notice")


def test_a_link_the_form_cannot_answer_hides_the_prebuilt_answer(calc):
    page, url = calc
    page.goto(url + "calculator/?gpu=custom&gpus=2")  # a custom GPU needs its TFLOPS and memory
    shown_values(page)
    assert page.is_visible(".calc-error")
    assert page.is_hidden(".calc-answer"), "the headline answer must not pose as this link's"
    page.fill('[name="tflops"]', "100")
    page.fill('[name="memory"]', "32")
    assert page.is_visible(".calc-answer")
    assert page.is_hidden(".calc-error")


# ---------------------------------------------------------------- any link at all (Hypothesis)

FIELDS = [
    "gpu", "model", "precision", "gpus", "utilization", "years", "mfu", "price_kwh", "cloud_rate",
    "tflops", "memory", "power", "params", "active_params", "tokens", "flops",
]  # fmt: skip
ODD_VALUES = [
    "", "custom", "__proto__", "constructor", "toString", "hasOwnProperty", "rtx-4090", "gpt-2",
    "bf16", "fp8", "FP16", "0", "-0", "-1", "0.5", "1e308", "1e-308", "NaN", "Infinity", "0x10",
    " 2 ", "1,5", "%", "%ZZ", "\u202e", "<b>x</b>", "$&", "x" * 5000,
]  # fmt: skip
VALUE = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.text(max_size=20),
    st.floats().map(repr),
    st.integers(-(10**20), 10**20).map(str),
)
PAIRS = st.lists(
    st.tuples(st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), VALUE), max_size=8
)
QUERY = st.one_of(PAIRS.map(urlencode), st.text(max_size=200).map(lambda s: quote(s, safe="=&%+;")))
VERDICTS = {"enough", "reach", "far_compute", "far_memory", "far_both", "unknown"}
STATE = """() => {
    const shown = (selector) => document.querySelector(selector).checkVisibility();
    const verdict = document.querySelector('[data-result="verdict"]');
    return {
        answer: shown(".calc-answer"), error: shown(".calc-error"), notice: shown(".calc-notice"),
        verdict: verdict.dataset.value, verdictText: verdict.textContent.trim(),
        cells: [...document.querySelectorAll("[data-result][data-kind]")].map((c) => c.textContent),
        share: document.querySelector(".calc-share").getAttribute("href"), search: location.search,
        gpu: document.querySelector('[name="gpu"]').value,
        model: document.querySelector('[name="model"]').value,
    };
}"""


@pytest.fixture(scope="module")
def link_page(built, browser):  # noqa: F811  (the imported fixture)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("console", lambda m: m.type == "error" and errors.append(f"console: {m.text}"))
    yield page, built.site_url + "calculator/", errors
    context.close()


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(query=QUERY)
def test_any_link_gives_an_answer_or_says_what_to_fix(link_page, catalog, query):
    """Whatever a link holds: no exception, and either an answer to the question now in the form
    (with a notice for ids the catalog lacks) or the message naming the input to fix."""
    page, url, errors = link_page
    errors.clear()
    page.goto(f"{url}?{query}", wait_until="load")
    page.wait_for_function("window.gpuYearCalculator && window.gpuYearCalculator.ready")
    state = page.evaluate(STATE)
    assert not errors, errors
    assert state["answer"] != state["error"], state  # one of them, never both or neither
    if state["answer"]:
        assert state["verdict"] in VERDICTS
        assert state["verdictText"]
        assert not [c for c in state["cells"] if "NaN" in c or "undefined" in c], state["cells"]
        assert state["share"] == state["search"]  # the answer is the one to the form's question
    link = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        link.setdefault(key, value)  # URLSearchParams.get: the first value
    known = {"gpu": {*catalog.gpus, "custom"}, "model": {*catalog.models, "custom"}}
    unknown = [kind for kind in known if kind in link and link[kind] not in known[kind]]
    assert state["notice"] == bool(unknown), (link, state)
    for kind in known:
        if kind in link and kind not in unknown:
            assert state[kind] == link[kind]  # a known id of the link is the form's choice
