"""The built site: both languages complete, numbers localized, links, images and alt texts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from generator.i18n import strings
from generator.pages import href
from tests.conftest import BASE_PATH
from tests.sitecheck import html_pages, parse, resolve

ENGLISH_WORDS = ("the", "and", "with", "which", "years", "memory", "from", "this", "that", "are")


@pytest.fixture(scope="module")
def pages(built):
    return {rel: parse(p) for rel, p in html_pages(built.out).items()}


@pytest.fixture(scope="module")
def pages_de(built):
    return {rel: parse(built.out / "de" / rel) for rel in html_pages(built.out)}


def test_strict_build_has_no_warnings(built):
    assert built.warnings == []
    assert built.stats.pages_rendered + built.stats.pages_reused > 100


def test_both_languages_have_the_same_pages(built):
    en = set(html_pages(built.out))
    de = {p.relative_to(built.out / "de").as_posix() for p in (built.out / "de").rglob("*.html")}
    assert en == de
    for name in (
        "index.html",
        "method/index.html",
        "question/index.html",
        "gpus/index.html",
        "models/index.html",
        "matrix/index.html",
        "instead/index.html",
        "sources/index.html",
        "data/index.html",
        "gpus/rtx-4070-ti/index.html",
        "models/gpt-3.5/index.html",
    ):
        assert name in en


def test_pages_declare_their_language(pages, pages_de):
    assert {p.lang for p in pages.values()} == {"en"}
    assert {p.lang for p in pages_de.values()} == {"de"}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                "1.14\u00a0×\u00a010²¹",
                "3.14\u00a0×\u00a010²³",
                "0.36%",
                "276",
                "No, not by a long way",
            ],
        ),
        (
            "de",
            [
                "1,14\u00a0×\u00a010²¹",
                "3,14\u00a0×\u00a010²³",
                "0,36\u00a0%",
                "276",
                "Nein, bei Weitem nicht",
            ],
        ),
    ],
)
def test_home_page_states_the_headline_numbers(built, lang, expected):
    page = parse(built.out / ("de/index.html" if lang == "de" else "index.html"))
    for piece in expected:
        assert piece in page.content_text, piece


def test_every_markdown_table_became_a_table(pages, pages_de):
    broken = [rel for rel, p in [*pages.items(), *pages_de.items()] if "|---" in p.content_text]
    assert broken == []


def test_german_pages_carry_no_english_text(pages_de):
    offenders = {}
    for rel, page in pages_de.items():
        words = set(re.findall(r"[A-Za-zÄÖÜäöüß]+", page.content_text.lower()))
        found = words & set(ENGLISH_WORDS)
        if found:
            offenders[rel] = sorted(found)
    assert offenders == {}


def test_every_image_exists_and_has_alt_text_in_the_page_language(built, pages, pages_de):
    checked = 0
    for rel, page in [*pages.items(), *(("de/" + r, p) for r, p in pages_de.items())]:
        for img in page.images:
            target, _ = resolve(built.out, page.path, img["src"], BASE_PATH)
            assert target is not None, (rel, img["src"])
            assert target.is_file(), (rel, img["src"])
            assert len(img.get("alt", "")) > 40, (rel, img["src"])
            checked += 1
            if rel.startswith("de/"):
                words = set(re.findall(r"[a-zäöüß]+", img["alt"].lower()))
                assert not words & set(ENGLISH_WORDS), (rel, img["alt"])
    assert checked >= 2 * 50  # every GPU and model page has a chart, plus the overviews


# A phone 390 px wide shows a chart across Material's content column: the window less 0.8 rem
# (16 px) of margin on each side. Text renders at font size × column width / drawing width.
PHONE_COLUMN_PX = 390 - 2 * 16


def test_phone_chart_text_renders_at_12_px_or_more_on_a_390_px_phone(built, pages, pages_de):
    css = (built.out / "assets" / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    assert re.search(r"figure\.chart img \{[^}]*width: 100%", css)  # charts fill the column
    # a phone loads a chart's <img> (a <picture>'s fallback; its <source> is for wide screens)
    served = {
        resolve(built.out, page.path, img["src"], BASE_PATH)[0]
        for page in [*pages.values(), *pages_de.values()]
        for img in page.images
        if img["src"].endswith(".svg")
    }
    assert any("/phone/" in str(svg) for svg in served)
    smallest = {}
    for svg in sorted(served):
        text = svg.read_text(encoding="utf-8")
        view_width = float(re.search(r'viewBox="0 0 ([\d.]+) ', text).group(1))
        sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", text)]
        smallest[svg.relative_to(built.out).as_posix()] = min(sizes) * PHONE_COLUMN_PX / view_width
    assert len(smallest) > 2 * 50
    assert {svg: round(px, 1) for svg, px in smallest.items() if px < 12} == {}


def test_german_charts_are_german(built):
    en = (built.out / "img" / "headline.svg").read_text(encoding="utf-8")
    de = (built.out / "de" / "img" / "headline.svg").read_text(encoding="utf-8")
    assert "Training compute" in en
    assert "Rechenaufwand" in de
    assert "1.14\u00a0×\u00a010²¹" in en
    assert "1,14\u00a0×\u00a010²¹" in de


def test_every_internal_link_and_anchor_resolves(built, pages, pages_de):
    cache: dict = {}
    broken = []
    for page in [*pages.values(), *pages_de.values()]:
        for link in page.links:
            target, fragment = resolve(built.out, page.path, link, BASE_PATH)
            if target is None:
                continue
            if not target.is_file():
                broken.append((page.path.relative_to(built.out).as_posix(), link))
                continue
            if fragment and target.suffix == ".html":
                ids = cache.setdefault(target, parse(target).ids)
                if fragment not in ids:
                    broken.append((page.path.relative_to(built.out).as_posix(), link))
    assert broken == []


def test_language_alternates_and_canonical_links_are_absolute(built, pages, pages_de):
    site_url = built.site_url
    for page in [pages["gpus/rtx-4090/index.html"], pages_de["gpus/rtx-4090/index.html"]]:
        assert page.alternates["en"] == site_url + "gpus/rtx-4090/"
        assert page.alternates["de"] == site_url + "de/gpus/rtx-4090/"
        assert page.alternates["x-default"] == site_url + "gpus/rtx-4090/"
        assert page.canonical.startswith(site_url)
        assert page.description


def test_sitemaps(built):
    site_url = built.site_url
    sitemap = (built.out / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{site_url}models/gpt-3/</loc>" in sitemap
    assert 'hreflang="de"' in sitemap
    de_map = (built.out / "de" / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{site_url}de/models/gpt-3/</loc>" in de_map
    assert f"<loc>{site_url}models/gpt-3/</loc>" not in de_map
    # Material fetches sitemap.xml next to each hreflang alternate: one per page folder
    page_map = (built.out / "de" / "models" / "gpt-3" / "sitemap.xml").read_text(encoding="utf-8")
    assert page_map.count("<url>") == 1
    assert f"<loc>{site_url}de/models/gpt-3/</loc>" in page_map


SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">
    <url>
         <loc>https://x.org/s/</loc>
         <xhtml:link rel="alternate" hreflang="de" href="https://x.org/s/de/"/>
    </url>
    <url><loc>https://x.org/s/a&amp;b/</loc></url>
    <url><loc>https://x.org/s/gone/</loc></url>
    <url><loc>https://x.org/s/de/</loc></url>
    <url><loc>https://x.org/s/de/a&amp;b/</loc></url>
    <url><loc>https://elsewhere.org/s/de/a&amp;b/</loc></url>
</urlset>
"""


def test_sitemaps_are_split_per_page_folder_and_language(tmp_path):
    from generator.plugin import NS, write_sitemaps

    root = tmp_path / "sitemap.xml"
    root.write_text(SITEMAP, encoding="utf-8")
    for folder in ("a&b", "de/a&b"):  # no folder gone/: its page was not built
        (tmp_path / folder).mkdir(parents=True)
    write_sitemaps(tmp_path, root, "https://x.org/s/", ["de"])

    def locs(path):
        tree = ET.parse(path).getroot()
        assert tree.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
        return [u.findtext("sm:loc", None, NS) for u in tree.iterfind("sm:url", NS)]

    assert root.read_text(encoding="utf-8") == SITEMAP  # the root map stays as MkDocs wrote it
    assert locs(tmp_path / "a&b" / "sitemap.xml") == ["https://x.org/s/a&b/"]
    assert locs(tmp_path / "de" / "a&b" / "sitemap.xml") == ["https://x.org/s/de/a&b/"]
    assert locs(tmp_path / "de" / "sitemap.xml") == [
        "https://x.org/s/de/",
        "https://x.org/s/de/a&b/",
    ]
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.xml")) == [
        "a&b/sitemap.xml",
        "de/a&b/sitemap.xml",
        "de/sitemap.xml",
        "sitemap.xml",
    ]


def test_downloads_match_the_data_page(built):
    for name in (
        "results.json",
        "results.csv",
        "gpus.csv",
        "models.csv",
        "catalog.json",
        "schema/gpus.schema.json",
    ):
        assert (built.out / name).is_file(), name


def test_every_source_is_listed_once_in_the_bibliography(built, catalog):
    links = parse(built.out / "sources" / "index.html").links
    urls = {
        str(s.url) for e in [*catalog.gpus.values(), *catalog.models.values()] for s in e.sources
    }
    for url in urls:
        assert links.count(href(url)) == 1, url


def test_strings_used_in_templates_exist_in_both_languages():
    from generator import paths

    used = set()
    for tpl in (paths.TEMPLATES).rglob("*.j2"):
        used |= set(re.findall(r"""t\('([a-z_.]+[a-z_])'""", tpl.read_text(encoding="utf-8")))
    for lang in ("en", "de"):
        missing = {k for k in used if k not in strings(lang)}
        assert missing == set(), (lang, missing)


def test_every_page_and_prose_block_exists_in_every_language():
    """One template per page (or, not yet converted, one per language), and every prose block
    a template includes exists for every language with a catalog."""
    from generator import messages, paths

    langs = messages.languages()
    pages = paths.TEMPLATES / "pages"
    for name in {p.name.split(".")[0] for p in pages.glob("*.md.j2")}:
        if not (pages / f"{name}.md.j2").is_file():
            for lang in langs:
                assert (pages / f"{name}.{lang}.md.j2").is_file(), (name, lang)
    blocks = set()
    for tpl in paths.TEMPLATES.rglob("*.j2"):
        text = tpl.read_text(encoding="utf-8")
        blocks |= set(re.findall(r"'prose/' ~ lang ~ '/([\w./-]+)'", text))
    assert blocks, "no prose blocks found: is the include pattern still 'prose/' ~ lang ~ '/…'?"
    for lang in langs:
        have = {p.relative_to(paths.TEMPLATES / "prose" / lang).as_posix()
                for p in (paths.TEMPLATES / "prose" / lang).rglob("*.j2")}  # fmt: skip
        assert blocks - have == set(), (lang, blocks - have)
        assert have - blocks == set(), (lang, "unused prose", have - blocks)


# One German term per concept (the glossary): the variant on the left must not appear in
# German text (source titles, marked as English, are exempt).
GLOSSARY = {
    "Feintuning": "Feinabstimmung",
    "Finetuning": "Feinabstimmung",
    "Fine-Tuning": "Feinabstimmung",
    "Key-/Value": "KV-Cache, KV-Köpfe",
    "KV Cache": "KV-Cache",
    "KV-Speicher": "KV-Cache",
    "Auslastungsgrad": "Auslastung",
    "Spitzenwert": "Spitzenleistung",
    "Tokenen": "Tokens",
}


def test_german_pages_keep_to_the_glossary(pages_de):
    offenders = {
        rel: sorted(v for v in GLOSSARY if v.lower() in page.content_text.lower())
        for rel, page in pages_de.items()
    }
    assert {rel: found for rel, found in offenders.items() if found} == {}, GLOSSARY


@pytest.mark.parametrize("lang", ["", "de/"])
@pytest.mark.parametrize(
    ("page", "index"), [("gpus/rtx-4070-ti/", "gpus/"), ("models/gpt-3.5/", "models/")]
)
def test_gpu_and_model_pages_mark_their_section_and_open_with_the_answer(built, lang, page, index):
    html = (built.out / lang / page / "index.html").read_text(encoding="utf-8")
    # the nav item of the index page is active, and a breadcrumb leads back to it
    active = re.search(r'<li class="md-nav__item md-nav__item--active">\s*<a href="([^"]+)"', html)
    assert active
    assert active[1] == "../"
    crumbs = re.search(r'<nav class="md-path".*?</nav>', html, re.S)
    assert crumbs
    assert re.findall(r'href="([^"]+)"', crumbs[0]) == ["../"]
    # the answer (an admonition with the verdict) comes before the first table
    article = html[html.index("<article") :]
    assert 0 < article.index('class="admonition') < article.index("<table")


class _Tables(HTMLParser):
    """Each table's column count and whether it sits inside a .sortable or .wide block."""

    def __init__(self):
        super().__init__()
        self.stack: list[bool] = []  # per open div: a sticky-column block?
        self.tables: list[list] = []  # [columns, wrapped]
        self.row = 0

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "div":
            self.stack.append(bool({"sortable", "wide"} & set(classes)))
        elif tag == "table":
            self.tables.append([0, any(self.stack)])
            self.row = 0
        elif tag == "tr":
            self.row += 1
        elif tag == "th" and self.tables and self.row == 1:
            self.tables[-1][0] += 1

    def handle_endtag(self, tag):
        if tag == "div" and self.stack:
            self.stack.pop()


def test_wide_tables_keep_their_first_column_in_view(built):
    """Tables of seven or more columns sit in a .sortable or .wide block (sticky first column)."""
    unwrapped, wide = [], 0
    for rel in html_pages(built.out):
        for lang in ("", "de/"):
            parser = _Tables()
            parser.feed((built.out / lang / rel).read_text(encoding="utf-8"))
            for columns, wrapped in parser.tables:
                wide += columns >= 7
                if columns >= 7 and not wrapped:
                    unwrapped.append(lang + rel)
    css = (built.out / "assets" / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    assert (
        ":is(.sortable, .wide) table:not([class]) tr > :first-child {\n  position: sticky;" in css
    )
    assert wide > 100
    assert unwrapped == []


def test_no_markdown_shows_as_text(pages, pages_de):
    """Emphasis written in prose renders: no literal *N* or **bold** left in a page's text."""
    shown = {
        rel: re.findall(r"\*{1,2}\w[^*\n]{0,40}\*{1,2}", page.content_text)
        for rel, page in [*pages.items(), *(("de/" + r, p) for r, p in pages_de.items())]
    }
    assert {rel: found for rel, found in shown.items() if found} == {}
