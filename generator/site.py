"""Build the HTML site safely: MkDocs in a working directory of the run's own, then the swap.

``build`` generates the docs (``generate.generate``), runs MkDocs in a directory no other run
sees and moves the finished site into place only when everything succeeded; the previous site
survives any failure.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from generator import logs, paths, workdir
from generator.generate import BuildError, Stats, generate

__all__ = ["BuildError", "Stats", "build", "generate"]


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


def check_output(out: Path, cfg: Any, plugin: Any) -> None:
    """Refuse an ``out`` whose replacement would lose more than a previous site."""
    inputs = {
        "the data directory": plugin.config.data_dir,
        "the templates": plugin.config.templates_dir,
        "the content cache": plugin.config.cache_dir,
    }
    root = Path(cfg.config_file_path).parent
    try:
        workdir.check_output(out, {k: root / v for k, v in inputs.items()}, root)
    except workdir.WorkdirError as e:
        raise BuildError(str(e)) from None


def _configure(cfg: Any, **dirs: Path | None) -> Any:
    """The gpu-year plugin of ``cfg`` with the folders given (data, templates, build, cache)."""
    plugin = cfg.plugins["gpu-year"]
    for key, value in dirs.items():
        if value is not None:
            plugin.config[f"{key}_dir"] = str(Path(value).resolve())
    return plugin


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
            errors: list[str] = []  # MkDocs' error messages, once the build has started
            overrides: dict[str, Any] = {"site_dir": str(run.site), "strict": strict}
            if site_url:
                overrides["site_url"] = site_url
            try:
                cfg = load_config(config_file=str(config_file), **overrides)
                if site_url:  # an address given: absolute hreflang links (overrides/main.html)
                    cfg.extra["published"] = True
                plugin = _configure(
                    cfg,
                    data=data,
                    templates=templates,
                    build=build_dir or run.docs,
                    cache=cache_dir,
                )
                # fail before the work, not after it, when the site cannot be put in place
                check_output(out, cfg, plugin)
                workdir.remove_leftovers(out)
                try:
                    workdir.check_writable(out, run.path.name)
                except OSError as e:
                    raise _os_error(e, out) from None
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
