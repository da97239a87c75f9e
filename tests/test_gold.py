"""Rendered Markdown of key pages, in both languages, against reviewed golden copies.

The pages are rendered from the small catalog in tests/fixtures/catalog/, not from data/: an edit
of the shipped data changes no golden file, a change of templates, strings or code does.
"""

from __future__ import annotations

import pytest

from generator import charts, pages, paths
from generator.data import load_catalog
from generator.results import compute_all
from tests.goldtest import compare

FIXTURE = paths.ROOT / "tests" / "fixtures" / "catalog"

GOLDEN = [
    ("index.md", "en"),
    ("index.md", "de"),
    ("question.md", "de"),
    ("gpus/rtx-4070-ti.md", "de"),
    ("models/gpt-3.5.md", "en"),
    ("instead.md", "en"),
]


@pytest.fixture(scope="module")
def rendered():
    catalog = load_catalog(FIXTURE)
    results = compute_all(catalog)
    specs = charts.build_charts(catalog, results)
    sizes = {c.path: charts.size_px(c.kind, c.payload) for c in specs}
    by_path = {p.path: p for p in pages.build_pages(catalog, results, sizes)}
    env = pages.make_env(paths.TEMPLATES)
    return lambda path, lang: pages.render_page(env, by_path[path], lang)


@pytest.mark.parametrize(("path", "lang"), GOLDEN)
def test_page_matches_its_golden_copy(rendered, request, path, lang):
    name = f"{path.removesuffix('.md')}.{lang}.md"
    compare(name, rendered(path, lang), request.config.getoption("--update-gold"))
