"""The calculator's JavaScript against the Python engine, without a browser: V8 from PyPI.

tests/test_calculator.py replays the Python engine's answers and number formats through
engine.js and format.js in Chromium. The same checks run here in mini-racer (V8 with ICU, so
``Intl.NumberFormat`` formats as in a browser), so a machine without Chromium still checks
Python = JavaScript to 1e-9 relative.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from py_mini_racer import MiniRacer

from generator import downloads, paths
from generator.i18n import L10n
from tests.test_calculator import COUNTS, FUNCTIONS, VALUES, differences

SCRIPTS = paths.ROOT / "templates" / "static" / "assets" / "javascripts"
EXPORT = re.compile(r"^export (?=(?:async )?(?:function\*?|class|const|let|var) +([\w$]+))", re.M)


def as_script(module: str) -> str:
    """An ES module without imports as one expression: an object holding its exports.

    V8 here evaluates scripts, not modules; only ``export`` before a declaration is removed.
    """
    names = EXPORT.findall(module)
    body = EXPORT.sub("", module)
    other = re.search(r"^\s*(?:export|import)\b.*", body, re.M)
    if other:
        raise ValueError(f"a module form the harness does not handle: {other.group().strip()}")
    return f"(() => {{\n{body}\nreturn {{ {', '.join(names)} }};\n}})()"


def test_as_script_keeps_the_exports_and_refuses_other_forms():
    with MiniRacer() as js:
        js.eval("var m = " + as_script("const X = 2;\nexport function f(a) { return a * X; }\n"))
        assert js.eval("m.f(21)") == 42
        assert js.eval("typeof m.X") == "undefined"  # not exported
    with pytest.raises(ValueError, match="export default"):
        as_script("export default 1;\n")
    with pytest.raises(ValueError, match="import"):
        as_script('import { f } from "./f.js";\n')


def v8(catalog, engine: str) -> MiniRacer:
    """V8 with ``engine`` (engine.js), format.js and the site's calculator.json loaded.

    Close it (``with``): a context still open when Python exits can hang the interpreter.
    """
    ctx = MiniRacer()
    ctx.eval(f"var engine = {as_script(engine)};")
    ctx.eval(f"var format = {as_script((SCRIPTS / 'format.js').read_text(encoding='utf-8'))};")
    ctx.eval(f"var data = {downloads.calculator_json(catalog).decode('utf-8')};")
    return ctx


@pytest.fixture(scope="module")
def js(catalog) -> Iterator[MiniRacer]:
    with v8(catalog, (SCRIPTS / "engine.js").read_text(encoding="utf-8")) as ctx:
        yield ctx


def run(js: MiniRacer, expression: str, value: object) -> object:
    """``expression`` applied to ``value`` (JSON both ways: a result is data, not a JS proxy)."""
    return json.loads(js.eval(f"JSON.stringify(({expression})({json.dumps(value)}))"))


def mismatches(js: MiniRacer, vectors: list[dict]) -> list[tuple[dict, list[str]]]:
    """Each question whose JavaScript answer differs from Python's, with the differences."""
    ask = "engine.answer || engine.compare"  # answer: an engine for several kinds of question
    answers = run(js, f"(qs) => qs.map((q) => ({ask})(data, q))", [v["input"] for v in vectors])
    found = [
        (v["input"], differences(v["output"], answer))
        for v, answer in zip(vectors, answers, strict=True)
    ]
    return [(q, d) for q, d in found if d]


def test_engine_agrees_with_python_on_every_vector(js, vectors):
    assert len(vectors) >= 1000
    problems = mismatches(js, vectors)
    assert not problems, f"{len(problems)} questions differ, first: {problems[:3]}"


def test_a_changed_engine_is_caught(vectors, catalog):
    """The harness runs the file's code: peaks read 1 ppm high show in every training answer."""
    source = (SCRIPTS / "engine.js").read_text(encoding="utf-8")
    changed = source.replace("* 1e12", "* 1.000001e12")
    assert changed != source
    train = [v for v in vectors if v["input"].get("mode", "train") == "train"]
    sample = train[:: len(train) // 50]
    with v8(catalog, changed) as js:
        problems = mismatches(js, sample)
    assert len(problems) == len(sample)
    assert all(any(d.startswith(".peak_flops: ") for d in diffs) for _, diffs in problems)


MONEY = [v for v in VALUES if v < 1e12]


def python_formats(lang: str) -> dict[str, list[str]]:
    f = L10n(lang)
    out = {name: [getattr(f, name)(v) for v in VALUES] for name in FUNCTIONS}
    out["integer"] = [f.integer(n) for n in COUNTS]
    out |= {f"money_{c}": [f.money(v, c.upper()) for v in MONEY] for c in ("usd", "eur")}
    return out


@pytest.mark.parametrize("lang", ["en", "de"])
def test_javascript_formats_numbers_like_python(js, lang):
    got = run(
        js,
        """([lang, values, functions, counts, money]) => {
            const f = new format.Format(lang);
            const out = {};
            for (const name of functions) out[name] = values.map((v) => f[name](v));
            out.integer = counts.map((n) => f.integer(n));
            out.money_usd = money.map((v) => f.money(v, 'USD'));
            out.money_eur = money.map((v) => f.money(v, 'EUR'));
            return out;
        }""",
        [lang, VALUES, FUNCTIONS, COUNTS, MONEY],
    )
    expected = python_formats(lang)
    assert {name: len(v) for name, v in got.items()} == {n: len(v) for n, v in expected.items()}
    wrong = [
        f"{name}[{i}]: Python {p!r}, JavaScript {j!r}"
        for name in expected
        for i, (p, j) in enumerate(zip(expected[name], got[name], strict=True))
        if p != j
    ]
    assert not wrong, "\n".join(wrong)
