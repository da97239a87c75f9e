"""Reading a built site: pages, links, images, ids and text of the content area."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass
class Page:
    path: Path
    lang: str = ""
    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)  # href of <a> and <link>
    images: list[dict[str, str]] = field(default_factory=list)
    content_text: str = ""  # text of .md-content without elements in another language
    all_text: str = ""  # text of .md-content in any language, and image alt texts (no code)
    alternates: dict[str, str] = field(default_factory=dict)  # hreflang -> href
    canonical: str = ""
    description: str = ""


class _Parser(HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[tuple[str, bool, bool]] = []  # tag, in content, foreign language
        self.text: list[str] = []
        self.all_text: list[str] = []

    def _state(self) -> tuple[bool, bool]:
        return self.stack[-1][1:] if self.stack else (False, False)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        p = self.page
        if tag == "html":
            p.lang = a.get("lang", "")
        if "id" in a:
            p.ids.add(a["id"])
        if tag == "a" and "href" in a:
            p.links.append(a["href"])
        if tag == "link":
            if a.get("rel") == "alternate" and "hreflang" in a:
                p.alternates[a["hreflang"]] = a.get("href", "")
            elif a.get("rel") == "canonical":
                p.canonical = a.get("href", "")
        if tag == "meta" and a.get("name") == "description":
            p.description = a.get("content", "")
        in_content, foreign = self._state()
        in_content = in_content or "md-content" in a.get("class", "").split()
        lang = a.get("lang")
        foreign = foreign or (lang is not None and lang != p.lang and tag != "html")
        foreign = foreign or tag in ("code", "pre", "script", "style", "math")
        if tag == "img" and in_content:
            p.images.append(a)
            self.all_text.append(a.get("alt", ""))
        if tag not in VOID:
            self.stack.append((tag, in_content, foreign))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        in_content, foreign = self._state()
        if in_content and not foreign:
            self.text.append(data)
        code = {"code", "pre", "script", "style", "math"} & {t for t, _, _ in self.stack}
        if in_content and not code:
            self.all_text.append(data)


def parse(path: Path) -> Page:
    page = Page(path)
    parser = _Parser(page)
    parser.feed(path.read_text(encoding="utf-8"))
    page.content_text = re.sub(
        r"[ \t\r\n\f]+", " ", " ".join(parser.text)
    ).strip()  # keep no-break spaces
    page.all_text = re.sub(r"[ \t\r\n\f]+", " ", " ".join(parser.all_text)).strip()
    return page


def html_pages(root: Path) -> dict[str, Path]:
    """Every HTML page below ``root`` (relative path -> file), the German tree excluded."""
    return {
        p.relative_to(root).as_posix(): p
        for p in sorted(root.rglob("*.html"))
        if not p.relative_to(root).as_posix().startswith("de/")
    }


def resolve(site: Path, page: Path, href: str, base_path: str) -> tuple[Path | None, str]:
    """The file a link points to inside ``site`` (None if external) and its fragment."""
    parts = urlsplit(href)
    if parts.scheme in ("http", "https", "mailto", "data") or parts.netloc:
        return None, ""
    if parts.path.startswith("/"):
        if not parts.path.startswith(base_path):
            return site / "__outside_base_path__", parts.fragment
        target = site / unquote(parts.path[len(base_path) :])
    elif parts.path == "":
        target = page
    else:
        rel = posixpath.normpath(
            posixpath.join(
                posixpath.dirname(page.relative_to(site).as_posix()), unquote(parts.path)
            )
        )
        target = site / rel
    if target.is_dir() or parts.path.endswith("/"):
        target = target / "index.html"
    return target, parts.fragment
