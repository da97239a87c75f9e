"""Adding a language means a catalog and a prose folder, never a copied template.

A throw-away French is made from the English strings (every message translated as itself) and
the English prose; every page of the site must then render in it with the shipped templates.
"""

from __future__ import annotations

import shutil

from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.pofile import write_po

from generator import charts, messages, pages, paths, schema
from generator.results import compute_all


def _with_french(value):
    """Data texts given per language get a French text (the English one) for the test."""
    if isinstance(value, dict):
        value = {k: _with_french(v) for k, v in value.items()}
        # recipes and claims name their texts name_en/name_de, text_en/text_de
        value |= {k[:-3] + "_fr": v for k, v in value.items() if k.endswith("_en")}
        return {**value, "fr": value["en"]} if {"en", "de"} <= set(value) else value
    if isinstance(value, list):
        return [_with_french(v) for v in value]
    return value


def test_a_third_language_needs_only_a_catalog_and_prose(tmp_path, catalog, monkeypatch):
    templates = tmp_path / "templates"
    shutil.copytree(paths.TEMPLATES, templates)
    shutil.copytree(templates / "prose" / "en", templates / "prose" / "fr")
    catalogs = tmp_path / "locale"
    po = PoCatalog(locale="fr")
    for context, message in messages.extracted():
        string = message
        if isinstance(message, tuple):  # counted: French has its own number of plural forms
            string = (message[0], *[message[1]] * (po.num_plurals - 1))
        po.add(message, string=string, context=context)
    target = messages.catalog_path("fr", catalogs)
    target.parent.mkdir(parents=True)
    with target.open("wb") as f:
        write_po(f, po)

    results = compute_all(catalog)
    sizes = {
        c.path: charts.size_px(c.kind, c.payload) for c in charts.build_charts(catalog, results)
    }
    env = pages.make_env(templates)
    specs = [
        pages.PageSpec(s.path, type(s.view)(**_with_french(s.context)))
        for s in pages.build_pages(catalog, results, sizes)
    ]
    monkeypatch.setattr(schema, "LANGS", ("en", "de", "fr"))  # the data's texts got a "fr" too
    rendered = {spec.path: pages.render_page(env, spec, "fr", catalogs) for spec in specs}
    assert len(rendered) == len(specs) > 50
    assert "1,14 × 10²¹" in rendered["index.md"].replace("\u00a0", " ")  # French: decimal comma
    assert not [p for p in templates.rglob("*") if ".fr." in p.name]  # no template copied


def test_no_page_template_exists_twice():
    names = [p.name for p in (paths.TEMPLATES / "pages").glob("*.md.j2")]
    per_language = sorted(n for n in names if n.count(".") == 3)  # name.lang.md.j2
    assert per_language == []
