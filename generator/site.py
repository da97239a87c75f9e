"""Generate the Markdown, charts and downloads, and build the HTML site safely.

``generate`` writes the MkDocs source tree (incrementally, through the cache); ``build`` runs MkDocs
in a working directory of its own and swaps the site in only when everything succeeded.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import importlib.metadata
import io
import json
import multiprocessing
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from generator import charts, logs, pages, paths, workdir
from generator.cache import Cache, digest, files_digest
from generator.data import DATA_FILES, LOCAL_FILES, Catalog, json_schemas, text_in
from generator.i18n import LANGS, LOCALES
from generator.messages import CATALOGS
from generator.results import Results, compute_all, dumps

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
    target = (root / rel).resolve()
    if not target.is_relative_to(root.resolve()):
        raise BuildError(f"refusing to write {relative!r}: it leaves {root}")
    return target


def sync_tree(root: Path, files: dict[str, bytes]) -> tuple[int, int]:
    """Make ``root`` hold exactly ``files``: write what changed, delete what is gone."""
    root.mkdir(parents=True, exist_ok=True)
    written = removed = 0
    for rel, data in sorted(files.items()):
        path = safe_join(root, rel)
        if path.is_file() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        written += 1
    wanted = {safe_join(root, rel) for rel in files}
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file() and path not in wanted:
            path.unlink()
            removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return written, removed


# ---------------------------------------------------------------- downloads


def calculator_json(catalog: Catalog) -> bytes:
    """The catalog as the browser calculator reads it (compact: every page may load it)."""
    from generator import calculator

    text = json.dumps(calculator.data(catalog), ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode()


def matrix_json(catalog: Catalog, results: Results) -> bytes:
    """What the matrix page's table reads: display names (a string, or one per language) and,
    for every GPU and every model whose training compute is known, the years in the best case
    and at the realistic rate, unrounded. Grows with GPUs × models, so it is a file the page
    loads, not HTML."""
    known = [mid for mid, r in results.models.items() if r.compute]
    data = {
        "gpus": {gid: g.name for gid, g in catalog.gpus.items()},
        "models": {mid: catalog.models[mid].name for mid in known},
        "years": {
            gid: {mid: [row[mid].years_best, row[mid].years_realistic] for mid in known}
            for gid, row in results.pairs.items()
        },
    }
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def _csv(rows: list[dict[str, Any]]) -> bytes:
    def cell(v: Any) -> Any:
        # A text cell starting with = + - @ is run as a formula by spreadsheets: quote it.
        if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + v
        return "" if v is None else v

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: cell(v) for k, v in r.items()} for r in rows)
    return buf.getvalue().encode()


def downloads(catalog: Catalog, results: Results) -> dict[str, bytes]:
    """results.json/.csv, the catalog as JSON and CSV, and the JSON Schema of the data files."""
    gpus = [
        {
            "id": g.id,
            "name": g.label("en"),  # the downloads are in English, like their column names
            "vendor": g.vendor,
            "class": g.class_,
            "release_date": g.release_date.isoformat(),
            "memory_gib": g.memory_gib,
            "memory_bandwidth_gbs": g.memory_bandwidth_gbs,
            "board_power_w": g.board_power_w,
            **{f"{p}_tflops": g.peak(p) for p in ("fp32", "tf32", "fp16", "bf16", "fp8")},
            "launch_price_usd": g.launch_price_usd,
            "cloud_usd_per_hour": g.cloud_price.usd_per_hour if g.cloud_price else None,
            "sources": " ".join(str(s.url) for s in g.sources),
        }
        for g in catalog.gpus.values()
    ]
    models = []
    for m in catalog.models.values():
        c = results.models[m.id].compute
        hw = m.training_hardware
        models.append(
            {
                "id": m.id,
                "name": m.label("en"),
                "organization": text_in(m.organization, "en"),
                "release_date": m.release_date.isoformat(),
                "parameters": m.parameters,
                "active_parameters": m.active_parameters,
                "training_tokens": m.training_tokens,
                "training_flops": c and c.flops,
                "training_flops_low": c and c.low,
                "training_flops_high": c and c.high,
                "training_flops_method": c.method if c else "unknown",
                "training_hardware": text_in(hw.name, "en") if hw else None,
                "gpu_hours": hw.gpu_hours if hw else None,
                "sources": " ".join(str(s.url) for s in m.sources),
            }
        )
    pairs = []
    for gid, row in results.pairs.items():
        for mid, p in row.items():
            pairs.append(
                {
                    "gpu": gid,
                    "model": mid,
                    "years_best": p.years_best,
                    "years_best_low": p.years_best_low,
                    "years_best_high": p.years_best_high,
                    "years_realistic": p.years_realistic,
                    **{
                        f"gpus_for_{d}_days": (p.gpus_needed or {}).get(d)
                        for d in (f"{t:g}" for t in catalog.scenario.target_days)
                    },
                    "min_gpus_for_memory": p.min_gpus_for_memory,
                    "fits_training": p.fits_training,
                    **{f"fits_inference_{k}": v for k, v in p.fits_inference.items()},
                    "run_gpu_hours": p.run_gpu_hours,
                    "run_energy_kwh": p.run_energy_kwh,
                    "run_electricity_cost": p.run_electricity_cost,
                    "run_cloud_cost_usd": p.run_cloud_cost_usd,
                }
            )
    catalog_json = {
        "gpus": [g.model_dump(mode="json", by_alias=True) for g in catalog.gpus.values()],
        "models": [m.model_dump(mode="json") for m in catalog.models.values()],
        "scenario": catalog.scenario.model_dump(mode="json"),
    }
    out = {
        "results.json": dumps(results).encode(),
        "calculator.json": calculator_json(catalog),
        "matrix.json": matrix_json(catalog, results),
        "results.csv": _csv(pairs),
        "catalog.json": (json.dumps(catalog_json, indent=1, ensure_ascii=False) + "\n").encode(),
        "gpus.csv": _csv(gpus),
        "models.csv": _csv(models),
    }
    out.update({f"schema/{name}": text.encode() for name, text in json_schemas().items()})
    return out


# ---------------------------------------------------------------- generation


def _chart_job(job: tuple[str, dict[str, Any], str, str]) -> bytes:
    kind, _, lang, path = job
    try:
        return charts.render(*job)
    except Exception as e:  # reported as a build error naming the chart, in any process
        raise BuildError(f"chart {path} ({lang}, {kind}) failed: {type(e).__name__}: {e}") from None


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
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(
        ["generator.charts", "matplotlib.figure", "matplotlib.backends.backend_svg"]
    )
    try:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=ctx) as pool:
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

    def render_pages() -> None:  # while the chart workers draw
        started = time.perf_counter()
        page_files.update(_page_files(page_specs, templates, cache, code["pages"], stats))
        stats.timings["pages"] = time.perf_counter() - started

    chart_specs = charts.build_charts(catalog, results)
    sizes = {c.path: charts.size_px(c.kind, c.payload) for c in chart_specs}
    page_specs = pages.build_pages(catalog, results, sizes)
    charts_and_pages = _chart_files(
        chart_specs, cache, code["charts"], stats, jobs, progress, render_pages
    )
    lap("charts")
    stats.timings["charts"] -= stats.timings["pages"]  # the two overlap: charts = the rest
    files.update(page_files)
    files.update(charts_and_pages)
    files.update(downloads(catalog, results))
    stats.files_written, stats.files_removed = sync_tree(out, files)
    lap("write")
    stats.generate_seconds = sum(stats.timings.values())
    return stats


def inputs_digest(data: Path, templates: Path) -> str:
    """Fingerprint of everything generation reads: data, templates, code, strings."""
    files = [
        data / f for f in (*DATA_FILES, *LOCAL_FILES) if (data / f).is_file()
    ]  # the loader reports the rest
    files += [p for p in sorted(templates.rglob("*")) if p.is_file()]
    files += sorted(GENERATOR.rglob("*.py")) + string_files()
    return digest(
        str(data.resolve()),
        str(templates.resolve()),
        package_versions(),
        *[p.as_posix().encode() + p.read_bytes() for p in files],
    )


def _stamp_path(out: Path) -> Path:
    return out.parent / f".{out.name}.stamp.json"


def write_stamp(out: Path, inputs: str, stats: Stats) -> None:
    """Record which inputs produced ``out``, what it holds, and the checksum of every file."""
    manifest = {rel: hashlib.sha256(data).hexdigest() for rel, data in tree_bytes(out).items()}
    counts = {
        "pages": stats.pages_rendered + stats.pages_reused,
        "charts": stats.charts_rendered + stats.charts_reused,
    }
    stamp = {"inputs": inputs, "counts": counts, "files": manifest}
    _stamp_path(out).write_text(json.dumps(stamp), encoding="utf-8")


def current_stats(out: Path, inputs: str) -> Stats | None:
    """Stats of a still-current generation (same inputs, files untouched since), else None."""
    try:
        stamp = json.loads(_stamp_path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if stamp.get("inputs") != inputs:
        return None
    current = {rel: hashlib.sha256(data).hexdigest() for rel, data in tree_bytes(out).items()}
    if current != stamp.get("files"):
        return None
    counts = stamp.get("counts", {})
    return Stats(pages_reused=counts.get("pages", 0), charts_reused=counts.get("charts", 0))


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` with its content."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# ---------------------------------------------------------------- the whole build


def source_date_epoch(root: Path) -> str | None:
    """The last commit's time in a git checkout (for reproducible dates), else None."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--pretty=%ct"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def output_lock(out: Path) -> contextlib.AbstractContextManager[None]:
    """Hold an exclusive lock on ``out``; a second build at the same time fails at once."""
    return _errors_as_build_errors(workdir.output_lock(out))


@contextlib.contextmanager
def _errors_as_build_errors(cm: contextlib.AbstractContextManager[Any]) -> Iterator[Any]:
    try:
        with cm as value:
            yield value
    except workdir.WorkdirError as e:
        raise BuildError(str(e)) from None


def _os_error(e: OSError, out: Path) -> BuildError:
    """A build error naming the file and the cause of ``e`` (a full disk, a read-only folder)."""
    return BuildError(workdir.describe(e, out))


def build(
    out: Path,
    *,
    config_file: Path = paths.MKDOCS_YML,
    data: Path | None = None,
    site_url: str | None = None,
    strict: bool = True,
    use_cache: bool = True,
    templates: Path | None = None,
    build_dir: Path | None = None,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], Any] | None = None,
) -> Stats:
    """Build the site into ``out``: all or nothing, the previous ``out`` survives any failure.

    The run works in a directory of its own (``workdir.RunDir``): the generated Markdown and the
    site being built never meet another run's. Only the finished site is moved to ``out``.
    """
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    start = time.perf_counter()
    out = out.resolve()
    with output_lock(out):
        try:
            run = workdir.RunDir()
        except workdir.WorkdirError as e:
            raise BuildError(str(e)) from None
        with run:
            workdir.remove_leftovers(out)
            try:  # fail before the work, not after it, when the site cannot be put in place
                workdir.check_writable(out, run.path.name)
            except OSError as e:
                raise _os_error(e, out) from None
            overrides: dict[str, Any] = {"site_dir": str(run.site), "strict": strict}
            if site_url:
                overrides["site_url"] = site_url
            try:
                cfg = load_config(config_file=str(config_file), **overrides)
                plugin = cfg.plugins["gpu-year"]
                for key, value in (
                    ("data_dir", data),
                    ("templates_dir", templates),
                    ("build_dir", build_dir or run.docs),
                    ("cache_dir", cache_dir),
                ):
                    if value is not None:
                        plugin.config[key] = str(Path(value).resolve())
                plugin.use_cache = use_cache
                plugin.progress = progress
                cfg.plugins.on_startup(command="build", dirty=False)
                with logs.build_errors() as errors:
                    try:
                        mkdocs_build(cfg)
                    finally:
                        cfg.plugins.on_shutdown()
            except Abort as e:  # MkDocs logs a BuildError (ours included), then aborts
                raise BuildError("\n".join(errors) or e.format_message()) from None
            except MkDocsException as e:
                raise BuildError(e.format_message()) from None
            except OSError as e:  # the run's directory: a full or broken temp disk
                raise _os_error(e, run.site) from None
            try:
                workdir.publish(run.site, out, run.path.name)
            except OSError as e:
                raise _os_error(e, out) from None
    stats = plugin.stats
    stats.total_seconds = time.perf_counter() - start
    stats.site_url = cfg.site_url or ""
    return stats
