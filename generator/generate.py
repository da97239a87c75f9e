"""Generate the MkDocs source tree: pages and charts through the content cache, and downloads.

``generate`` renders what changed (charts in worker processes, pages meanwhile) and writes the
docs folder so that only changed files are touched; the cache keys say what each output depends on.
"""

from __future__ import annotations

import importlib.metadata
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from generator import charts, pages
from generator.cache import Cache, digest, files_digest
from generator.data import ARCH_FILE, DATA_FILES, Catalog
from generator.downloads import downloads
from generator.i18n import LANGS, LOCALES
from generator.localdata import LOCAL_FILES
from generator.messages import CATALOGS
from generator.results import compute_all

GENERATOR = Path(__file__).parent


class BuildError(Exception):
    """The site could not be built; the previous output is untouched."""


@dataclass
class Stats:
    """What a generation or build did."""

    pages_rendered: int = 0
    pages_reused: int = 0
    charts_rendered: int = 0
    charts_reused: int = 0
    files_written: int = 0
    files_removed: int = 0
    rendered: list[str] = field(default_factory=list)  # names of the charts and pages rendered
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step of generation
    site_url: str = ""
    generate_seconds: float = 0.0
    total_seconds: float = 0.0

    def summary(self) -> str:
        pages_total = self.pages_rendered + self.pages_reused
        charts_total = self.charts_rendered + self.charts_reused
        return (
            f"{pages_total} pages ({self.pages_rendered} rendered, {self.pages_reused} reused), "
            f"{charts_total} charts ({self.charts_rendered} rendered, {self.charts_reused} reused) "
            f"in {self.total_seconds or self.generate_seconds:.1f} s"
        )


# ---------------------------------------------------------------- writing files safely


def safe_join(root: Path, relative: str) -> Path:
    """``root / relative``, refusing anything that would land outside ``root``."""
    rel = Path(relative)
    if rel.is_absolute() or ".." in rel.parts or not relative:
        raise BuildError(f"refusing to write {relative!r}: not a path inside the output")
    target = (root / rel).resolve()  # a symlink inside root must not lead out of it either
    if not target.is_relative_to(root.resolve()):
        raise BuildError(f"refusing to write {relative!r}: it leaves {root}")
    return target


def sync_tree(root: Path, files: dict[str, bytes]) -> tuple[int, int]:
    """Make ``root`` hold exactly ``files``: write what changed, delete what is gone."""
    root.mkdir(parents=True, exist_ok=True)
    base = root.resolve()
    targets = {rel: safe_join(base, rel) for rel in sorted(files)}
    folders: set[Path] = set()
    written = removed = 0
    for rel, path in targets.items():
        data = files[rel]
        if path.is_file() and path.read_bytes() == data:
            continue
        if path.parent not in folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            folders.add(path.parent)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        written += 1
    wanted = set(targets.values())
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file() and path not in wanted:
            path.unlink()
            removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return written, removed


# ---------------------------------------------------------------- rendering


def _chart_job(job: tuple[str, dict[str, Any], str, str]) -> bytes:
    kind, _, lang, path = job
    try:
        return charts.render(*job)
    except Exception as e:  # reported as a build error naming the chart, in any process
        raise BuildError(f"chart {path} ({lang}, {kind}) failed: {type(e).__name__}: {e}") from None


def _chart_workers() -> Any:
    """The context chart workers start from: a fork server that has imported matplotlib once.

    Started early (``warm_up_chart_workers``), it imports while this process computes.
    """
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(
        ["generator.charts", "matplotlib.figure", "matplotlib.backends.backend_svg"]
    )
    return ctx


def warm_up_chart_workers() -> None:
    """Start the chart workers' fork server now, so that its imports overlap other work."""
    from multiprocessing import forkserver

    _chart_workers()
    forkserver.ensure_running()


def _render_charts(
    jobs: list[tuple[str, dict, str, str]],
    workers: int,
    progress: Callable[[int], None] | None,
    meanwhile: Callable[[], None] = lambda: None,
) -> list[bytes]:
    """Render charts, in worker processes when there are enough of them to pay for the start.

    ``meanwhile`` runs in this process while the workers draw (the pages are rendered then).
    """
    if workers <= 1 or len(jobs) < 4:
        meanwhile()
        out = []
        for job in jobs:
            out.append(_chart_job(job))
            if progress:
                progress(1)
        return out
    try:
        with ProcessPoolExecutor(
            max_workers=min(workers, len(jobs)), mp_context=_chart_workers()
        ) as pool:
            results = pool.map(_chart_job, jobs, chunksize=2)  # submits every job now
            meanwhile()
            out = []
            for svg in results:
                out.append(svg)
                if progress:
                    progress(1)
            return out
    except BrokenProcessPool as e:  # a worker died (out of memory, killed)
        raise BuildError(f"chart rendering stopped: {e}") from None


RENDERING_PACKAGES = ("matplotlib", "babel", "jinja2", "latex2mathml", "markupsafe")


def package_versions() -> str:
    """Versions of the libraries that shape the output (read without importing them)."""
    return " ".join(f"{p}={importlib.metadata.version(p)}" for p in RENDERING_PACKAGES)


def string_files() -> list[Path]:
    """The English source strings and every language's catalog."""
    return sorted(LOCALES.glob("*.yaml")) + sorted(CATALOGS.rglob("*.po"))


def code_digest() -> dict[str, str]:
    """Hashes of the code, strings and libraries that outputs depend on, per kind of output."""
    i18n = [GENERATOR / "i18n.py", GENERATOR / "messages.py", *string_files()]
    versions = package_versions()
    return {
        "pages": files_digest([GENERATOR / "pages.py", *i18n]) + versions,
        "charts": files_digest([GENERATOR / "charts.py", *i18n]) + versions,
    }


def _page_files(
    specs: list[pages.PageSpec], templates: Path, cache: Cache, code: str, stats: Stats
) -> dict[str, bytes]:
    """Every page in every language, from the cache where its key matches."""
    env = pages.make_env(templates)
    template_keys: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for spec in specs:
        for lang in LANGS:
            name = pages.template_name(env, spec, lang)
            try:
                if name not in template_keys:
                    used = pages.template_files(env, name)
                    template_keys[name] = files_digest([templates / t for t in used])
                key = digest("page", spec.path, lang, spec.context, template_keys[name], code)
                content = cache.get(key)
                if content is None:
                    content = pages.render_page(env, spec, lang).encode()
                    cache.put(key, content)
                    stats.pages_rendered += 1
                    stats.rendered.append(f"{spec.path.removesuffix('.md')}.{lang}.md")
                else:
                    stats.pages_reused += 1
            except jinja2.TemplateError as e:
                where = f"{e.filename or name}, line {e.lineno}" if hasattr(e, "lineno") else name
                raise BuildError(
                    f"page {spec.path} ({lang}), template {where}: {e.message}"
                ) from None
            files[f"{spec.path.removesuffix('.md')}.{lang}.md"] = content
    return files


def _chart_files(
    specs: list[charts.ChartSpec],
    cache: Cache,
    code: str,
    stats: Stats,
    jobs: int,
    progress: Callable[[int, int], Any] | None,
    meanwhile: Callable[[], None],
) -> dict[str, bytes]:
    """Every chart in every language: cached ones reused, the rest rendered in parallel."""
    files: dict[str, bytes] = {}
    todo: list[tuple[str, str, tuple[str, dict, str, str]]] = []
    for chart in specs:
        for lang in LANGS:
            key = digest("chart", chart.kind, chart.payload, lang, chart.path, code)
            name = f"{chart.path}.{lang}.svg"
            svg = cache.get(key)
            if svg is None:
                todo.append((key, name, (chart.kind, chart.payload, lang, chart.path)))
            else:
                stats.charts_reused += 1
                files[name] = svg
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, len(todo))

    workers = jobs or os.cpu_count() or 1
    rendered = _render_charts([job for *_, job in todo], workers, tick, meanwhile)
    for (key, name, _), svg in zip(todo, rendered, strict=True):
        cache.put(key, svg)
        files[name] = svg
        stats.rendered.append(name)
    stats.charts_rendered = len(todo)
    return files


def generate(
    catalog: Catalog,
    templates: Path,
    out: Path,
    cache: Cache,
    *,
    jobs: int = 0,
    progress: Callable[[int, int], Any] | None = None,
) -> Stats:
    """Write every page, chart and download for ``catalog`` into ``out`` (the MkDocs docs_dir).

    Nothing is written unless everything rendered: a template error leaves ``out`` as it was.
    """
    stats = Stats()
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stats.timings[step] = now - clock
        clock = now

    if (jobs or os.cpu_count() or 1) > 1:
        warm_up_chart_workers()  # imports matplotlib beside the computing
    results = compute_all(catalog)
    code = code_digest()
    lap("compute")
    static = templates / "static"
    files = {
        p.relative_to(static).as_posix(): p.read_bytes()
        for p in sorted(static.rglob("*"))
        if p.is_file()
    }
    page_files: dict[str, bytes] = {}

    def render_pages() -> None:  # while the chart workers draw: pages, then the downloads
        started = time.perf_counter()
        page_files.update(_page_files(page_specs, templates, cache, code["pages"], stats))
        stats.timings["pages"] = time.perf_counter() - started
        page_files.update(downloads(catalog, results))

    chart_specs = charts.build_charts(catalog, results)
    sizes = {c.path: charts.size_px(c.kind, c.payload) for c in chart_specs}
    page_specs = pages.build_pages(catalog, results, sizes)
    chart_files = _chart_files(
        chart_specs, cache, code["charts"], stats, jobs, progress, render_pages
    )
    lap("charts")
    stats.timings["charts"] -= stats.timings["pages"]  # the two overlap: charts = the rest
    files.update(page_files)
    files.update(chart_files)
    stats.files_written, stats.files_removed = sync_tree(out, files)
    lap("write")
    stats.generate_seconds = sum(stats.timings.values())
    return stats


def inputs_digest(data: Path, templates: Path) -> str:
    """Fingerprint of everything generation reads: data, templates, code, strings."""
    files = [
        data / f for f in (*DATA_FILES, ARCH_FILE, *LOCAL_FILES) if (data / f).is_file()
    ]  # the loader reports the rest
    files += [p for p in sorted(templates.rglob("*")) if p.is_file()]
    files += sorted(GENERATOR.rglob("*.py")) + string_files()
    return digest(
        str(data.resolve()),
        str(templates.resolve()),
        package_versions(),
        *[p.as_posix().encode() + p.read_bytes() for p in files],
    )
