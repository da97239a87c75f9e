"""The matrix page's table in a real browser: matrix.js fills it from matrix.json, formats the
years like the Python formatter, filters by name and sorts, in both languages."""

from __future__ import annotations

import json

import pytest

from generator.i18n import L10n
from tests.test_browser import Watched, browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

GPU, MODEL = "rtx-4070-ti", "gpt-3.5"


@pytest.fixture
def matrix(built, browser):  # noqa: F811  (the imported fixture)
    """Open the matrix page in a language; the table is filled when it returns."""
    opened: list[Watched] = []

    def open_(lang: str):
        w = Watched(browser)
        opened.append(w)
        w.page.set_viewport_size({"width": 390, "height": 844})  # a phone
        page = w.goto(built.site_url + ("de/" if lang == "de" else "") + "matrix/")
        page.wait_for_function("window.gpuYearMatrix && window.gpuYearMatrix.ready")
        return w, page

    yield open_
    for w in opened:
        w.close()


def cell(page, gpu: str, model: str):
    return page.locator(f'#matrix td[data-gpu="{gpu}"][data-model="{model}"]')


def rows(page) -> list[list[str]]:
    return page.eval_on_selector_all(
        "#matrix tbody tr", "trs => trs.map(tr => [...tr.cells].map(c => c.textContent))"
    )


def shown_pairs(page) -> list[float]:
    """The shown years, as numbers, read back from matrix.json by the cells' ids."""
    return page.eval_on_selector_all(
        "#matrix tbody td[data-gpu]", "tds => tds.map(td => [td.dataset.gpu, td.dataset.model])"
    )


@pytest.mark.parametrize("lang", ["en", "de"])
def test_matrix_fills_the_table_with_the_headline_pair_as_python_formats_it(built, matrix, lang):
    w, page = matrix(lang)
    assert page.locator("#matrix").is_visible()
    assert len(rows(page)) > 10
    results = json.loads((built.out / "results.json").read_text(encoding="utf-8"))
    pair = results["pairs"][GPU][MODEL]
    page.fill("#matrix input[name=q]", "4070 Ti GPT-3.5")
    target = cell(page, GPU, MODEL)
    assert target.text_content() == L10n(lang).value(pair["years_best"])
    link = target.locator("a").get_attribute("href")
    assert link == f"../calculator/?gpu={GPU}&model={MODEL}&precision=bf16&utilization=0.9&mfu=0.4"
    page.check("#matrix input[value=realistic]")
    assert target.text_content() == L10n(lang).value(pair["years_realistic"])
    assert w.problems == []


@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_cell_opens_the_calculator_with_its_years(built, matrix, lang):
    """4070 Ti × GPT-3.5: 138 years in the cell (BF16 at 90 %), not the calculator's FP32 276."""
    w, page = matrix(lang)
    results = json.loads((built.out / "results.json").read_text(encoding="utf-8"))
    pair = results["pairs"][GPU][MODEL]
    page.fill("#matrix input[name=q]", "4070 Ti GPT-3.5")
    cell(page, GPU, MODEL).locator("a").click()
    page.wait_for_function("window.gpuYearCalculator && window.gpuYearCalculator.ready")
    shown = lambda key: float(  # noqa: E731
        page.locator(f'[data-result="{key}"]').get_attribute("data-value")
    )
    assert shown("gpu_years_needed") == pytest.approx(pair["years_best"], rel=1e-9)
    assert shown("realistic_gpu_years_needed") == pytest.approx(pair["years_realistic"], rel=1e-9)
    assert w.problems == []


@pytest.mark.parametrize("lang", ["en", "de"])
def test_matrix_filters_by_gpu_and_model_name(built, matrix, lang):
    w, page = matrix(lang)
    data = json.loads((built.out / "matrix.json").read_text(encoding="utf-8"))
    total = sum(len(row) for row in data["years"].values())
    count = page.locator("#matrix .matrix-count")
    assert count.text_content().startswith(L10n(lang).integer(total))
    page.fill("#matrix input[name=q]", "4070 ti super")  # "4070 ti" is two cards now
    shown = rows(page)
    # one GPU, every model: the first 50 rows until "show all" (matrix.js LIMIT)
    assert len(shown) == min(len(data["models"]), 50)
    assert all("4070 Ti SUPER" in r[0] for r in shown)
    page.fill("#matrix input[name=q]", "gpt-3.5")
    shown = rows(page)
    assert len(shown) == min(len(data["years"]), 50)  # one model, every GPU (50 shown at first)
    assert {r[1] for r in shown} == {"GPT-3.5"}
    assert count.text_content().startswith(L10n(lang).integer(len(data["years"])))
    page.fill("#matrix input[name=q]", "no such card")
    assert rows(page) == []
    assert w.problems == []


@pytest.mark.parametrize("lang", ["en", "de"])
def test_matrix_sorts_by_years_and_by_name(built, matrix, lang):
    w, page = matrix(lang)
    data = json.loads((built.out / "matrix.json").read_text(encoding="utf-8"))
    value = lambda ids: data["years"][ids[0]][ids[1]][0]  # noqa: E731
    page.fill("#matrix input[name=q]", "gpt")
    head = page.locator("#matrix th").nth(2)
    head.locator("button.sort").click()
    assert head.get_attribute("aria-sort") == "ascending"
    up = [value(ids) for ids in shown_pairs(page)]
    assert len(up) > 10
    assert up == sorted(up)
    head.locator("button.sort").click()
    assert head.get_attribute("aria-sort") == "descending"
    down = [value(ids) for ids in shown_pairs(page)]
    assert down == sorted(down, reverse=True)
    gpu_head = page.locator("#matrix th").first
    gpu_head.locator("button.sort").click()
    assert gpu_head.get_attribute("aria-sort") == "ascending"
    assert head.get_attribute("aria-sort") == "none"
    names = [r[0] for r in rows(page)]
    collator = "(a, b) => a.localeCompare(b, document.documentElement.lang, {numeric: true})"
    expected = page.evaluate(f"names => [...names].sort({collator})", names)
    assert names == expected
    assert w.problems == []


def test_matrix_shows_the_first_rows_then_all_on_request(built, matrix):
    w, page = matrix("en")
    data = json.loads((built.out / "matrix.json").read_text(encoding="utf-8"))
    total = sum(len(row) for row in data["years"].values())
    assert len(rows(page)) < total
    page.click("#matrix button.matrix-more")
    assert len(rows(page)) == total
    assert page.locator("#matrix button.matrix-more").is_hidden()
    assert w.problems == []


def test_matrix_page_html_does_not_grow_with_pairs(built):
    """The table is matrix.json; the page's HTML names no pair (the heat map is an image)."""
    html = (built.out / "matrix" / "index.html").read_text(encoding="utf-8")
    assert "<tbody></tbody>" in html
    assert "<noscript>" in html
    assert html.count("<tr>") <= 1
