"""The MkDocs plugin: ``mkdocs build``/``serve`` regenerate the pages from data/ and templates/.

Declared in mkdocs.yml as ``gpu-year``. On every build it loads the data (a problem aborts the
build with the same message as ``gpu-year validate``), renders pages and charts into the run's
own directory (or ``build_dir`` when set) through the cache, and points ``docs_dir`` there.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority

from generator import workdir
from generator.cache import Cache, CacheError
from generator.data import load_catalog
from generator.generate import BuildError, Stats, generate, inputs_digest
from generator.site import current_stats, source_date_epoch, write_stamp
from generator.yamlio import DataError

log = logging.getLogger("mkdocs.plugins.gpu-year")

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
for _prefix, _uri in (("", NS["sm"]), ("xhtml", NS["xhtml"])):
    ET.register_namespace(_prefix, _uri)  # the split maps keep MkDocs' prefixes


class GpuYearConfig(Config):
    # not "data": Config is a UserDict, whose storage attribute is called data
    data_dir = c.Type(str, default="data")
    templates_dir = c.Type(str, default="templates")
    # Where the Markdown is generated. Unset: a directory of this run's own (workdir.RunDir), so
    # that two runs never mix their files; set: shared, and held by one process at a time.
    build_dir = c.Type(str, default="")
    cache_dir = c.Type(str, default=".cache/gpu-year")
    jobs = c.Type(int, default=0)  # chart worker processes; 0: one per core


class GpuYearPlugin(BasePlugin[GpuYearConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.stats = Stats()
        self.use_cache = True
        self.progress: Any = None
        self._generated: str | None = None  # inputs digest of the last generation
        self._not_found: dict[str, str] = {}  # language -> rendered 404 page

    def _path(self, config: Any, value: str) -> Path:
        return (Path(config.config_file_path).parent / value).resolve()

    def on_config(self, config: Any) -> Any:
        root = Path(config.config_file_path).parent
        if "SOURCE_DATE_EPOCH" not in os.environ and (epoch := source_date_epoch(root)):
            os.environ["SOURCE_DATE_EPOCH"] = epoch  # dates in the sitemap follow the commit
        data = self._path(config, self.config.data_dir)
        templates = self._path(config, self.config.templates_dir)
        try:
            if self.config.build_dir:
                docs = self._path(config, self.config.build_dir)
                if not workdir.is_private(docs):
                    workdir.claim(docs)
            else:
                docs = workdir.process_run().docs
        except workdir.WorkdirError as e:
            raise PluginError(str(e)) from None
        started = time.perf_counter()
        fingerprint = inputs_digest(data, templates)
        # i18n builds each language with the same config, and a rebuild with nothing changed
        # finds the generated tree current: generate only when an input changed.
        fresh = fingerprint == self._generated and docs.is_dir()
        if not fresh and self.use_cache and (current := current_stats(docs, fingerprint)):
            fresh, self.stats = True, current
            self.stats.timings["check"] = self.stats.generate_seconds = (
                time.perf_counter() - started
            )
        if not fresh:
            try:
                catalog = load_catalog(data)
                loaded = time.perf_counter() - started
                cache = Cache(self._path(config, self.config.cache_dir) if self.use_cache else None)
                self.stats = generate(
                    catalog, templates, docs, cache, jobs=self.config.jobs, progress=self.progress
                )
                write_stamp(docs, fingerprint, self.stats)
            except (DataError, BuildError, CacheError) as e:
                raise PluginError(str(e)) from None
            except OSError as e:  # writing the generated tree: a full or broken disk
                raise PluginError(workdir.describe(e, docs)) from None
            self.stats.timings = {"data": loaded, **self.stats.timings}
            self.stats.generate_seconds += loaded
            log.info(self.stats.summary())
        self._generated = fingerprint
        config.docs_dir = str(docs)
        return config

    def on_serve(self, server: Any, config: Any, builder: Any) -> Any:
        # The generated tree changes on every regeneration; watch its inputs instead.
        with contextlib.suppress(KeyError):  # `mkdocs serve` watches docs_dir, `gpu-year serve` not
            server.unwatch(config.docs_dir)
        server.watch(str(self._path(config, self.config.data_dir)))
        server.watch(str(self._path(config, self.config.templates_dir)))
        return server

    def on_nav(self, nav: Any, config: Any, files: Any) -> Any:
        """A GPU or model page is kept out of the nav (mkdocs.yml ``not_in_nav``); it gets its
        index page (GPUs, Models) as parent, so that the nav marks that item active while the
        page is shown and the breadcrumb (``navigation.path``) links back to it."""
        in_nav = {page.url: page for page in nav.pages}
        for file in files.documentation_pages():
            page = file.page
            if page is None or page.url in in_nav:
                continue
            parent = in_nav.get(page.url.rstrip("/").rpartition("/")[0] + "/")  # de/gpus/x/
            if parent is not None and "/" in parent.file.src_uri:  # a folder's index, not home
                page.parent = parent
        return nav

    def on_post_template(self, output: str, template_name: str, config: Any) -> str:
        if template_name == "404.html":
            self._not_found[config.theme["language"]] = output
        return output

    @event_priority(-200)  # after the i18n plugin has built every language
    def on_post_build(self, config: Any) -> None:
        """Mark the site as gpu-year's; put each language's 404 page and sitemaps in place.

        The i18n plugin writes every language's 404.html to the site root (the last language
        built wins). Material's language selector fetches ``sitemap.xml`` next to every hreflang
        alternate of a page; each page folder gets one listing that page, each language folder
        one listing the language, so these requests succeed instead of logging 404s.
        """
        site = Path(config.site_dir)
        workdir.write_marker(site)  # the next build may replace this folder
        default = getattr(config.plugins.get("i18n"), "default_language", None)
        for lang, html in self._not_found.items():
            target = site / "404.html" if lang == default else site / lang / "404.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(html, encoding="utf-8")

        root_map, base = site / "sitemap.xml", config.site_url
        if root_map.is_file() and base:
            write_sitemaps(
                site, root_map, base, [lang for lang in self._not_found if lang != default]
            )


def write_sitemaps(site: Path, root_map: Path, base: str, langs: list[str]) -> None:
    """Split MkDocs' ``sitemap.xml`` into one per page folder and one per other language.

    A page folder's map lists that page; ``<lang>/sitemap.xml`` every page of the language. The
    root map (every page of every language) stays as MkDocs wrote it.
    """
    urls = {}
    for url in ET.parse(root_map).getroot().iterfind("sm:url", NS):
        loc = (url.findtext("sm:loc", "", NS) or "").strip()
        if loc.startswith(base):
            urls[loc[len(base) :]] = url
    maps = {path: [url] for path, url in urls.items()}
    maps.update(
        {f"{lang}/": [u for p, u in urls.items() if p.startswith(f"{lang}/")] for lang in langs}
    )
    maps.pop("", None)
    for directory, entries in maps.items():
        target = site / directory / "sitemap.xml"
        if target.parent.is_dir():
            urlset = ET.Element(f"{{{NS['sm']}}}urlset")
            urlset.extend(entries)
            ET.indent(urlset, space="    ")
            ET.ElementTree(urlset).write(target, encoding="UTF-8", xml_declaration=True)
