"""Compare two sets of results: what a data change does to the figures, as a Markdown table."""

from __future__ import annotations

import contextlib
import json
import math
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.data import ARCH_FILE, DATA_FILES, load_catalog
from generator.i18n import L10n
from generator.results import compute_all

# The figures a reviewer cares about, per kind of entry (dotted paths into results.json).
GPU_FIGURES = (
    "peak_flops",
    "best_year_flops",
    "realistic_year_flops",
    "question_year_flops",
    "memory_bytes",
    "energy_kwh_year",
    "cloud_cost_usd_year",
    "chinchilla_params",
)
MODEL_FIGURES = (
    "compute.flops",
    "compute.low",
    "compute.high",
    "memory.training",
    "memory.inference.fp16",
    "implied_mfu",
)
PAIR_FIGURES = ("years_best", "years_realistic")
RESULT_KEYS = ("headline", "gpus", "models", "pairs")  # the top level of results.json


class DiffError(Exception):
    """Results could not be read or computed."""


def load(source: str | Path) -> dict[str, Any]:
    """Results from a results.json file or computed from a data directory."""
    path = Path(source)
    if path.is_dir():
        return compute_all(load_catalog(path)).to_json()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise DiffError(f"cannot read results from {path}: {e}") from None
    except RecursionError:
        raise DiffError(f"cannot read results from {path}: nested too deeply") from None
    _check_results(doc, path)
    return doc


def _check_results(doc: Any, path: Path) -> None:
    """Refuse JSON that is not a results file: comparing it would report "no figure changed"."""
    hint = "give the results.json of a build (or a data directory)"
    if not isinstance(doc, dict):
        raise DiffError(f"{path} is not a gpu-year results file ({hint})")
    missing = [k for k in RESULT_KEYS if not isinstance(doc.get(k), dict)]
    if missing:
        raise DiffError(f"{path} is not a gpu-year results file: no {', '.join(missing)} ({hint})")
    for kind in ("gpus", "models"):
        if not doc[kind] or not all(isinstance(e, dict) for e in doc[kind].values()):
            raise DiffError(f"{path}: `{kind}` must map each id to its figures ({hint})")
    for gid, row in doc["pairs"].items():
        if not isinstance(row, dict) or not all(isinstance(p, dict) for p in row.values()):
            raise DiffError(f"{path}: pairs.{gid} must map each model id to figures ({hint})")


@contextlib.contextmanager
def data_at_revision(rev: str, data_dir: Path) -> Iterator[Path]:
    """A temporary copy of ``data_dir`` as it was at git revision ``rev``, removed afterwards."""
    top = _git("-C", str(data_dir), "rev-parse", "--show-toplevel")
    if top.returncode:
        raise DiffError(f"{data_dir} is not in a git checkout: {top.stderr.decode().strip()}")
    root = Path(top.stdout.decode().strip())
    rel = data_dir.resolve().relative_to(root.resolve())
    commit = _commit(root, rev)
    with tempfile.TemporaryDirectory(prefix="gpu-year-data-") as tmp:
        out = Path(tmp)
        for name in (*DATA_FILES, ARCH_FILE):
            spec = f"{commit}:{(rel / name).as_posix()}"
            show = _git("-C", str(root), "show", "--end-of-options", spec)
            if show.returncode and name == ARCH_FILE:
                continue  # optional, and absent before peaks were derived
            if show.returncode:
                raise DiffError(
                    f"cannot read {rel / name} at {rev}: {show.stderr.decode().strip()}"
                )
            (out / name).write_bytes(show.stdout)
        yield out


def _commit(root: Path, rev: str) -> str:
    """The commit id that ``rev`` names in ``root``; a revision is data, never an option."""
    shown = rev if len(rev) <= 60 else rev[:59] + "…"
    hint = "give a branch, tag or commit, e.g. --against HEAD or --against main"
    if rev.startswith("-"):
        raise DiffError(f"--against {shown!r} is not a revision (it starts with '-'); {hint}")
    parsed = _git(
        "-C", str(root), "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"
    )
    if parsed.returncode:
        raise DiffError(f"--against {shown!r}: no such commit in {root}; {hint}")
    return parsed.stdout.decode().strip()


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], capture_output=True, check=False)


def _get(d: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(d, dict) or part not in d:
            return None
        d = d[part]
    return d


def _leaves(prefix: str, value: Any) -> Iterator[tuple[str, float]]:
    if isinstance(value, dict):
        for k in sorted(value):
            yield from _leaves(f"{prefix}.{k}", value[k])
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield prefix, float(value)


def figures(results: dict[str, Any]) -> dict[str, float]:
    """The reviewed figures of a results document, flattened to ``kind.id.figure`` keys."""
    out: dict[str, float] = {}
    for key, value in _leaves("headline", results.get("headline", {})):
        out[key] = value
    for kind, wanted in (("gpus", GPU_FIGURES), ("models", MODEL_FIGURES)):
        for eid, entry in results.get(kind, {}).items():
            for fig in wanted:
                out.update(_leaves(f"{kind}.{eid}.{fig}", _get(entry, fig)))
    for gid, row in results.get("pairs", {}).items():
        for mid, pair in row.items():
            for fig in PAIR_FIGURES:
                out.update(_leaves(f"pairs.{gid}.{mid}.{fig}", pair.get(fig)))
    return out


@dataclass(frozen=True)
class Diff:
    added: list[str]  # "gpus.rtx-5090"
    removed: list[str]
    changed: list[tuple[str, float | None, float | None]]  # figure, old, new

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def compare(old: dict[str, Any], new: dict[str, Any], rel_tol: float = 1e-9) -> Diff:
    """Entries added or removed, and every reviewed figure that moved by more than ``rel_tol``."""
    added, removed, new_or_gone = [], [], set()
    for kind in ("gpus", "models"):
        a, b = set(old.get(kind, {})), set(new.get(kind, {}))
        added += [f"{kind}.{e}" for e in sorted(b - a)]
        removed += [f"{kind}.{e}" for e in sorted(a - b)]
        new_or_gone |= {(kind, e) for e in a ^ b}
    f_old, f_new = figures(old), figures(new)
    changed = []
    for key in sorted(f_old.keys() | f_new.keys()):
        parts = key.split(".")
        if parts[0] == "pairs":  # a pair of an added or removed entry is listed with the entry
            if ("gpus", parts[1]) in new_or_gone or ("models", parts[2]) in new_or_gone:
                continue
        elif (parts[0], parts[1]) in new_or_gone:
            continue
        o, n = f_old.get(key), f_new.get(key)
        if o is None or n is None or not math.isclose(o, n, rel_tol=rel_tol, abs_tol=0.0):
            changed.append((key, o, n))
    return Diff(added, removed, changed)


def markdown(d: Diff) -> str:
    """The diff as Markdown: entries added and removed, then a table of moved figures."""
    if not d:
        return "No figure changed.\n"
    f = L10n("en")
    lines: list[str] = []
    if d.added:
        lines += ["**Added:** " + ", ".join(f"`{e}`" for e in d.added), ""]
    if d.removed:
        lines += ["**Removed:** " + ", ".join(f"`{e}`" for e in d.removed), ""]
    if d.changed:
        lines += [
            f"**{len(d.changed)} figures changed:**",
            "",
            "| Figure | Old | New | Change |",
            "|---|---:|---:|---:|",
        ]
        for key, o, n in d.changed:
            show = lambda v: "–" if v is None else f.value(v, 4)  # noqa: E731
            change = "–" if not o or n is None else f"{(n - o) / abs(o):+.2%}"
            lines.append(f"| `{key}` | {show(o)} | {show(n)} | {change} |")
    return "\n".join(lines).replace("\u00a0", " ") + "\n"
