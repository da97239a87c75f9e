"""Each page template reads only what its view model and the template helpers define."""

from __future__ import annotations

import re
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


def used_templates(env, name: str) -> list[str]:
    """A template and every template it imports or includes, the per-language prose included
    (``'prose/' ~ lang ~ '/gpu/answer.md.j2'``) in every language."""
    seen: list[str] = []
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.append(current)
        source = env.loader.get_source(env, current)[0]
        todo += [t for t in meta.find_referenced_templates(env.parse(source)) if t]
        prose = re.findall(r"'prose/' ~ lang ~ '([^']+)'", source)
        todo += [f"prose/{lang}{rest}" for rest in prose for lang in LANGS]
    return seen


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
        for t in used_templates(env, pages.template_name(env, spec, LANGS[0]))
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
