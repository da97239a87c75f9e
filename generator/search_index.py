"""MkDocs hook: one search index per language, so each language searches its own pages.

The i18n plugin writes one combined ``search/search_index.json`` holding the pages of every
language; Material then offers English pages first on a German page. After the whole build this
hook keeps the default language's documents in ``search/search_index.json`` and writes each other
language's documents, with locations relative to that language's folder, to
``<lang>/search/search_index.json``. ``overrides/main.html`` points those pages' search there
(Material fetches the index relative to the ``base`` of its config block).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority


@event_priority(-300)  # after the i18n plugin (-100) has built every language and merged the index
def on_post_build(config: Any) -> None:
    i18n = config.plugins.get("i18n")
    if i18n is None or getattr(i18n, "building", False):  # a nested build of one language
        return
    index_file = Path(config.site_dir) / "search" / "search_index.json"
    if not index_file.is_file():
        return
    index = json.loads(index_file.read_text(encoding="utf-8"))
    others = [lang.locale for lang in i18n.config.languages if lang.locale != i18n.default_language]
    docs: dict[str, list[dict[str, Any]]] = {lang: [] for lang in ["", *others]}
    for doc in index["docs"]:
        lang = next((lang for lang in others if doc["location"].startswith(f"{lang}/")), "")
        location = doc["location"][len(lang) + 1 :] if lang else doc["location"]
        docs[lang].append({**doc, "location": location})
    for lang, entries in docs.items():
        target = Path(config.site_dir, lang, "search", "search_index.json")
        target.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({**index, "docs": entries}, ensure_ascii=False, separators=(",", ":"))
        target.write_text(text, encoding="utf-8")
