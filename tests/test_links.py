"""Links into the calculator carry every assumption the page shows (issue 21.4): the question a
link asks, answered by the engine the calculator mirrors, gives the page's own years. And the way
in to the fine-tune and run answers: home page, nav, run page, presets (issue 21.5)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from generator import charts, downloads, pages, paths
from generator.data import load_catalog
from generator.results import Setup, compare, compute_all

FIXTURE = paths.ROOT / "tests" / "fixtures" / "catalog"


@pytest.fixture(scope="module")
def site():
    catalog = load_catalog(FIXTURE)
    results = compute_all(catalog)
    specs = charts.build_charts(catalog, results)
    sizes = {c.path: charts.size_px(c.kind, c.payload) for c in specs}
    by_path = {p.path: p for p in pages.build_pages(catalog, results, sizes)}
    env = pages.make_env(paths.TEMPLATES)
    return catalog, results, lambda path, lang: pages.render_page(env, by_path[path], lang)


def answer(catalog, query: str):
    q = {k: v[0] for k, v in parse_qs(query).items()}
    setup = Setup.from_scenario(
        catalog, precision=q["precision"], utilization=float(q["utilization"]), mfu=float(q["mfu"])
    )
    return compare(catalog, q["gpu"], q["model"], setup)


def calculator_links(page: str) -> list[str]:
    return [urlsplit(u).query for u in re.findall(r"\]\(([^)]*calculator\.md\?[^)]*)\)", page)]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_gpu_page_links_open_the_calculator_with_the_pages_years(site, lang):
    catalog, results, render = site
    queries = calculator_links(render("gpus/rtx-4070-ti.md", lang))
    pairs = [q for q in queries if "model=" in q]
    assert pairs
    for query in pairs:
        c = answer(catalog, query)
        pair = results.pairs[c.gpu][c.model]
        if pair.years_best is None:
            continue
        assert c.gpu_years_needed.value == pytest.approx(pair.years_best.value, rel=1e-12)
        assert c.realistic_gpu_years_needed.value == pytest.approx(pair.years_realistic, rel=1e-12)


def test_model_page_links_carry_each_gpus_precision(site):
    catalog, results, render = site
    for query in calculator_links(render("models/gpt-3.5.md", "en")):
        if "gpu=" not in query:
            continue
        c = answer(catalog, query)
        assert c.gpu_years_needed.value == pytest.approx(
            results.pairs[c.gpu]["gpt-3.5"].years_best.value
        )


def test_matrix_data_carries_the_assumptions_of_its_years(site):
    """4070 Ti × GPT-3.5: the cell's years at BF16 × 90 % are what the calculator answers with
    the precision, duty cycle and MFU of matrix.json (not at the question's FP32: twice as long)."""
    import json

    catalog, results, _ = site
    data = json.loads(downloads.matrix_json(catalog, results))
    gid, mid = "rtx-4070-ti", "gpt-3.5"
    query = (
        f"gpu={gid}&model={mid}&precision={data['precision'][gid]}"
        f"&utilization={data['utilization']}&mfu={data['mfu']}"
    )
    best, realistic = data["years"][gid][mid]
    c = answer(catalog, query)
    assert c.gpu_years_needed.value == pytest.approx(best, rel=1e-12)
    assert c.realistic_gpu_years_needed.value == pytest.approx(realistic, rel=1e-12)
    fp32 = compare(catalog, gid, mid)
    assert fp32.gpu_years_needed.value == pytest.approx(2 * best, rel=0.01)


# ---------------------------------------------------------------- a way in (issue 21.5)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_home_page_leads_to_the_fine_tune_and_run_answers(site, lang):
    _, _, render = site
    home = render("index.md", lang)
    assert "](run.md)" in home
    heading = {"en": "## Fine-tune or run a model on your card", "de": "## Ein Modell auf der"}
    assert heading[lang] in home


def test_nav_has_the_run_page_in_both_languages():
    text = (paths.ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "  - Fine-tune or run: run.md\n" in text
    assert "            Fine-tune or run: Feinabstimmen oder ausführen\n" in text


@pytest.mark.parametrize("lang", ["en", "de"])
def test_run_page_lists_the_cards_with_the_gpu_pages_figures(site, lang):
    """The fixture has no formats.yaml: the rows lead to the GPU pages' "what fits" section and
    give the same largest models, e.g. (24 GiB) / 0.74 = 34.8 B for QLoRA on the RTX 4090."""
    _, _, render = site
    page = render("run.md", lang)
    row = next(line for line in page.splitlines() if "gpus/rtx-4090.md#fits" in line)
    assert {"en": "34.8 billion", "de": "34,8 Mrd."}[lang] in row.replace("\xa0", " ")


def test_gpu_and_model_pages_link_to_the_calculator_preset(site):
    _, _, render = site
    gpu = render("gpus/rtx-4090.md", "en")
    assert "(../calculator.md?gpu=rtx-4090&precision=bf16&utilization=0.9&mfu=0.4)" in gpu
    model = render("models/gpt-3.5.md", "en")
    assert "(../calculator.md?model=gpt-3.5&utilization=0.9&mfu=0.4)" in model
