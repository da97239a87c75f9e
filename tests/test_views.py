"""Each page template reads only what its view model and the template helpers define."""

from __future__ import annotations

from dataclasses import fields

import pytest
from jinja2 import meta, nodes

from generator import charts, pages, paths, views
from generator.i18n import LANGS
from generator.results import compute_all

KINDS = [
    cls
    for cls in vars(views).values()
    if isinstance(cls, type) and cls.__bases__ == (views.PageView,)
]


@pytest.fixture(scope="module")
def specs(catalog):
    results = compute_all(catalog)
    chart_specs = charts.build_charts(catalog, results)
    return pages.build_pages(
        catalog, results, {c.path: charts.size_px(c.kind, c.payload) for c in chart_specs}
    )


def test_every_page_kind_has_a_view_and_a_template(specs):
    env = pages.make_env(paths.TEMPLATES)
    assert {type(s.view) for s in specs} == set(KINDS)
    for cls in KINDS:
        assert f"pages/{cls.template}.md.j2" in env.list_templates(), cls


@pytest.mark.parametrize("cls", KINDS, ids=lambda c: c.__name__)
def test_a_template_reads_only_its_view_and_the_helpers(specs, cls):
    env = pages.make_env(paths.TEMPLATES)
    spec = next(s for s in specs if isinstance(s.view, cls))
    helpers = pages.PageHelpers(spec, LANGS[0]).names()
    allowed = {f.name for f in fields(cls)} | set(helpers) | set(env.globals)
    used = {
        t: env.parse(env.loader.get_source(env, t)[0])
        for t in pages.template_files(env, pages.template_name(env, spec, LANGS[0]))
    }
    # an included template also sees what the templates around it set ({% set h = headline %}),
    # their macros and the names they import macros as
    for tree in used.values():
        allowed |= {n.name for n in tree.find_all(nodes.Name) if n.ctx == "store"}
        allowed |= {n.name for n in tree.find_all(nodes.Macro)}
        allowed |= {n.target for n in tree.find_all(nodes.Import)}
    unknown = {
        t: sorted(meta.find_undeclared_variables(tree) - allowed) for t, tree in used.items()
    }
    assert {t: names for t, names in unknown.items() if names} == {}


def test_a_view_is_its_templates_whole_context(specs):
    """The view's fields are the names the template gets: nothing is passed beside them."""
    for spec in specs:
        assert set(spec.context) == {f.name for f in fields(spec.view)}


def test_a_page_depends_on_its_own_prose_only():
    """The page cache keys a page by the templates it uses: the prose of its own kind, in
    every language, and not every template (an edit re-renders the pages that show it)."""
    env = pages.make_env(paths.TEMPLATES)
    used = pages.template_files(env, "pages/gpu.md.j2")
    assert {"prose/en/gpu/answer.md.j2", "prose/de/gpu/answer.md.j2", "macros.md.j2"} <= set(used)
    assert not [t for t in used if t.startswith(("prose/en/method/", "prose/de/model/"))]
