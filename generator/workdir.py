"""Each run owns its working directory; locks and temporary files live outside the output.

Every ``gpu-year build``, ``gpu-year serve`` and plain ``mkdocs build``/``mkdocs serve`` works in
a directory of its own under ``runs_root()`` (in the system temp directory): the generated Markdown
(``docs/``) and the site being built (``site/``). Two runs never see each other's files. The run
holds an exclusive lock on its directory while it lives; a directory whose lock is free belongs to
a run that was killed (SIGKILL, power loss), and the next run removes it.

The lock that keeps two builds from writing one output directory lives there too (``locks/``), so
a read-only or full output directory cannot turn locking into a traceback. Locks are ``filelock``
locks (``flock`` underneath: a killed process holds none); an output's lock file, empty, stays.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import hashlib
import os
import shutil
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from filelock import FileLock

RUNS_ENV = "GPU_YEAR_RUNS"  # where run directories go; default: <temp dir>/gpu-year-<uid>
STALE_AFTER = 5.0  # seconds: younger unlocked directories may belong to a run still starting


class WorkdirError(Exception):
    """A run directory or lock could not be created, or another run holds the lock."""


def runs_root() -> Path:
    """The directory holding every run's working directory and the locks (created, private)."""
    default = Path(tempfile.gettempdir()) / f"gpu-year-{os.getuid()}"
    root = Path(os.environ.get(RUNS_ENV) or default)
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        (root / "locks").mkdir(mode=0o700, exist_ok=True)
        st = root.lstat()
    except OSError as e:
        raise WorkdirError(
            f"cannot create {root} for this run's files: {e.strerror}; "
            f"set TMPDIR (or {RUNS_ENV}) to a writable directory"
        ) from None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        raise WorkdirError(f"{root} is not a directory of yours; remove it or set {RUNS_ENV}")
    return root


def _lock(path: Path) -> FileLock | None:
    """``path`` locked exclusively (created if needed), or None while another process holds it.

    ``filelock`` keeps a lock file on release, so that every contender locks the same inode;
    so the sweeper removes only a dead run's directory (nobody else opens its lock), never a
    file in ``locks/``. The hold ends with ``release()``, or when the process ends.
    """
    from filelock import FileLock, Timeout

    lock = FileLock(path, mode=0o600, thread_local=False, fallback_to_soft=False)
    try:
        lock.acquire(blocking=False)
    except Timeout:
        return None
    return lock


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def sweep(root: Path) -> None:
    """Remove the directories that killed runs left behind (their locks are free)."""
    for run in root.glob("run-*"):
        lock = run / ".lock"
        if not lock.exists():
            if _age(run) > STALE_AFTER:  # killed before it could take its lock
                shutil.rmtree(run, ignore_errors=True)
            continue
        if _age(lock) <= STALE_AFTER:
            continue
        with contextlib.suppress(OSError):
            held = _lock(lock)
            if held is not None:  # nobody holds it: the run is gone
                shutil.rmtree(run, ignore_errors=True)
                held.release()


class RunDir:
    """A fresh, private, locked directory for one run; ``close()`` removes it."""

    def __init__(self) -> None:
        root = runs_root()
        sweep(root)
        try:
            self.path = Path(tempfile.mkdtemp(prefix="run-", dir=root))
            lock = _lock(self.path / ".lock")
        except OSError as e:
            raise WorkdirError(
                f"cannot create a working directory in {root}: {e.strerror}"
            ) from None
        assert lock is not None  # a directory nobody else knows yet
        self._lock: FileLock | None = lock

    @property
    def docs(self) -> Path:
        """The generated Markdown, charts and downloads (MkDocs' docs_dir)."""
        return self.path / "docs"

    @property
    def site(self) -> Path:
        """The site MkDocs builds, before it replaces the output."""
        return self.path / "site"

    def close(self) -> None:
        if self._lock is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            self._lock.release()
            self._lock = None

    def __enter__(self) -> RunDir:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_process_run: RunDir | None = None
_claims: dict[Path, FileLock] = {}
_guard = threading.Lock()


def process_run() -> RunDir:
    """The run directory of this process (plain ``mkdocs build``/``serve``), removed at exit."""
    global _process_run  # noqa: PLW0603 - one per process, created on first use
    with _guard:
        if _process_run is None:
            _process_run = RunDir()
            atexit.register(_process_run.close)
        return _process_run


def is_private(path: Path) -> bool:
    """Whether ``path`` is inside a run directory (which its run owns already)."""
    with contextlib.suppress(WorkdirError):
        return path.resolve().is_relative_to(runs_root().resolve())
    return False


def _lock_file(kind: str, path: Path) -> Path:
    key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:20]
    return runs_root() / "locks" / f"{kind}-{key}.lock"


def claim(path: Path) -> None:
    """Hold ``path`` (a shared docs directory) for the rest of this process, or fail at once."""
    path = path.resolve()
    with _guard:
        if path in _claims:
            return
        lock = _lock(_lock_file("docs", path))
        if lock is None:
            raise WorkdirError(
                f"another gpu-year run is generating into {path}; wait for it, or leave "
                "build_dir unset so that each run gets a directory of its own"
            )
        _claims[path] = lock


@contextlib.contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``out``; a second build of it at the same time fails at once."""
    try:
        lock = _lock(_lock_file("out", out))
    except OSError as e:
        raise WorkdirError(f"cannot lock {out}: {e.strerror}") from None
    if lock is None:
        raise WorkdirError(f"another build is writing {out} right now; wait for it to finish")
    try:
        yield
    finally:
        lock.release()


def remove_leftovers(out: Path) -> None:
    """Remove staging copies of ``out`` that a killed build left next to it (hold its lock)."""
    with contextlib.suppress(OSError):
        for p in out.parent.glob(f".{out.name}.*-*"):
            if p.name.startswith((f".{out.name}.tmp-", f".{out.name}.old-")) and p.is_dir():
                shutil.rmtree(p, ignore_errors=True)


def describe(e: OSError, where: Path) -> str:
    """One line naming the file of ``e`` (or ``where``), the cause and what to do about it."""
    hint = {
        errno.ENOSPC: "free some space",
        errno.EDQUOT: "free some space",
        errno.EROFS: "choose a writable --out",
        errno.EACCES: "choose a writable --out",
        errno.EPERM: "choose a writable --out",
    }.get(e.errno or 0, "")
    cause = e.strerror or str(e)
    if e.errno in (errno.EEXIST, errno.ENOTDIR):
        cause, hint = "a file is in the way", "expected a folder there"
    return f"cannot write {e.filename or where}: {cause}" + (f"; {hint}" if hint else "")


MARKER = ".gpu-year-site"  # written into every site; marks a folder a build may replace
MARKER_TEXT = "Built by gpu-year. `gpu-year build` replaces this folder as a whole.\n"
OLD_SITE = ("index.html", "sitemap.xml", "results.json")  # a site built before the marker


def write_marker(site: Path) -> None:
    """Mark ``site`` as a folder that the next build may replace."""
    (site / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def is_site(folder: Path) -> bool:
    """Whether ``folder`` holds a site built by gpu-year (the marker, or an older site's files)."""
    return (folder / MARKER).is_file() or all((folder / name).is_file() for name in OLD_SITE)


def check_output(out: Path, inputs: dict[str, Path], checkout: Path) -> None:
    """Raise ``WorkdirError`` unless replacing ``out`` as a whole can lose only a previous site.

    ``out`` may neither be, contain nor lie inside one of the ``inputs`` (what the build reads,
    by name); it may not contain the ``checkout`` or the home directory, be ``/`` or hold a
    project. A folder that exists must be empty or a previous site (``is_site``).
    """
    out = out.resolve()
    if problem := _unsafe_output(out, inputs, checkout):
        why, fix = problem
        raise WorkdirError(
            f"refusing --out {out}: it {why}, and a build replaces --out as a whole; {fix}"
        )


Refusal = tuple[str, str]  # why an --out is refused, and what to do instead


def _unsafe_output(out: Path, inputs: dict[str, Path], checkout: Path) -> Refusal | None:
    """Why replacing ``out`` would lose more than a site, and what to do; None if it is safe."""
    fix = f"choose a new or empty folder, e.g. --out {out / 'site'}"
    if out == Path(out.anchor):
        return "is the root directory", fix
    return _overlap(out, inputs, checkout, fix) or _contents(out, fix)


def _overlap(out: Path, inputs: dict[str, Path], checkout: Path, fix: str) -> Refusal | None:
    kept = {"your home directory": Path.home(), "the gpu-year checkout": checkout, **inputs}
    for what, kept_path in kept.items():
        path = kept_path.resolve()
        outside = f"choose a folder outside it, e.g. --out {path.parent / 'site'}"
        if out == path:
            return f"is {what}", outside if what in inputs else fix
        if path.is_relative_to(out):
            return f"contains {what} {path}", fix
        if what in inputs and out.is_relative_to(path):
            return f"is inside {what} {path}", outside
    return None


def _contents(out: Path, fix: str) -> Refusal | None:
    if not out.is_dir():
        return ("is a file", fix) if out.exists() else None
    if project := next((n for n in (".git", "pyproject.toml") if (out / n).exists()), None):
        return f"holds a project ({project})", fix
    if any(out.iterdir()) and not is_site(out):
        why = f"is not empty and holds no site built by gpu-year (no {MARKER} file)"
        return why, f"{fix}, or empty the folder yourself"
    return None


def check_writable(out: Path, token: str) -> None:
    """Raise ``OSError`` now if ``publish`` could not put a site at ``out`` later."""
    out.parent.mkdir(parents=True, exist_ok=True)
    probe = out.parent / f".{out.name}.tmp-{token}"
    probe.mkdir()
    probe.rmdir()


def publish(new: Path, out: Path, token: str) -> None:
    """Replace ``out`` by ``new``: renames only (after one copy if ``new`` is on another disk).

    Raises ``OSError`` (read-only, full, ...) with ``out`` as it was.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    staged = out.parent / f".{out.name}.tmp-{token}"
    try:
        try:
            new.rename(staged)
        except OSError as e:
            if e.errno != errno.EXDEV:
                raise
            shutil.copytree(new, staged, symlinks=True)
        if out.exists():
            old = out.parent / f".{out.name}.old-{token}"
            out.rename(old)
            try:
                staged.rename(out)
            except BaseException:
                old.rename(out)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            staged.rename(out)
    finally:
        shutil.rmtree(staged, ignore_errors=True)


@contextlib.contextmanager
def terminate_as_exit() -> Iterator[None]:
    """Turn SIGTERM into SystemExit while the block runs, so that it cleans up like Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
