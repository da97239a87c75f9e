"""Build benchmark: one run, every figure measured side by side on this machine.

    .venv/bin/python benchmarks/build_bench.py            # shipped data, ×4 and ×16
    .venv/bin/python benchmarks/build_bench.py --scales 1,4

Measures a cold `gpu-year build` (empty cache) against bare MkDocs on the same generated docs,
a no-op rebuild, a rebuild after changing one value, and cold builds of synthetic catalogs with
every GPU and model repeated k times. Prints where the time goes (pages, charts, MkDocs, other)
and the ratios the targets ask for: generator ≤ MkDocs on a cold build, generator ≤ 5 % of MkDocs
on a no-op rebuild, and build time growing no faster than the number of pages.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator import paths, site, yamlio

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
logging.getLogger("mkdocs").setLevel(logging.ERROR)


def build(tmp: Path, data: Path, cache: Path, label: str) -> tuple[float, site.Stats]:
    start = time.perf_counter()
    stats = site.build(tmp / "site", data=data, build_dir=tmp / "docs", cache_dir=cache)
    return time.perf_counter() - start, stats


def bare_mkdocs(tmp: Path) -> float:
    """MkDocs alone on the docs the generator wrote (the gpu-year plugin removed)."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.utils import yaml_load

    with paths.MKDOCS_YML.open(encoding="utf-8") as f:
        raw = yaml_load(f)
    raw["plugins"] = [p for p in raw["plugins"] if not (isinstance(p, dict) and "gpu-year" in p)]
    raw["docs_dir"] = str(tmp / "docs")
    raw["theme"]["custom_dir"] = str(paths.ROOT / "overrides")
    raw["hooks"] = [str(paths.ROOT / h) for h in raw.get("hooks", [])]  # relative to the repo
    config_file = tmp / "bare-mkdocs.yml"
    config_file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    start = time.perf_counter()
    cfg = load_config(config_file=str(config_file), site_dir=str(tmp / "bare-site"))
    mkdocs_build(cfg)
    return time.perf_counter() - start


class _NoAliases(yaml.SafeDumper):
    """The catalog refuses YAML aliases: write repeated values out."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def scaled_data(target: Path, k: int) -> Path:
    """The shipped catalog with every GPU and model present k times (ids and names suffixed)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("gpus", "models"):
        doc = yaml.safe_load((paths.DATA / f"{name}.yaml").read_text(encoding="utf-8"))
        entries = doc[name]
        doc[name] = [
            {
                **e,
                "id": f"{e['id']}-x{i}" if i else e["id"],
                "name": f"{e['name']} #{i}" if i else e["name"],
            }
            for i in range(k)
            for e in entries
        ]
        (target / f"{name}.yaml").write_text(
            yaml.dump(doc, Dumper=_NoAliases, allow_unicode=True), encoding="utf-8"
        )
    for path in paths.DATA.glob("*.yaml"):  # every other file (scenario, architectures, local)
        if path.stem not in ("gpus", "models"):
            shutil.copy(path, target / path.name)
    return target


def split(total: float, stats: site.Stats) -> dict[str, float]:
    """Where a build's wall time went: pages, charts, MkDocs, other (seconds).

    MkDocs is the wall time outside the generator's steps (MkDocs itself, with the build's set-up
    and the swap into --out); other is the generator's remaining steps: loading the data,
    computing the results, writing the docs folder.
    """
    t = stats.timings
    return {
        "pages": t.get("pages", 0),
        "charts": t.get("charts", 0),
        "MkDocs": total - stats.generate_seconds,
        "other": sum(t.get(k, 0) for k in ("data", "compute", "write", "check")),
    }


def breakdown(total: float, stats: site.Stats) -> str:
    t = stats.timings
    parts = split(total, stats)
    detail = ", ".join(f"{k} {t.get(k, 0):.2f}" for k in ("data", "compute", "write"))
    return " | ".join(f"{k} {v:6.2f}" for k, v in parts.items()) + f" ({detail})"


def scale_series(work: Path, scales: list[int]) -> None:
    """Cold builds of the catalog with every GPU and model repeated k times: time per page."""
    print("\nscale series (cold builds, empty cache each):")
    n_gpus = len(yaml.safe_load((paths.DATA / "gpus.yaml").read_text())["gpus"])
    n_models = len(yaml.safe_load((paths.DATA / "models.yaml").read_text())["models"])
    head = ("×", 3), ("GPUs", 6), ("models", 8), ("pages", 7), ("charts", 8), ("wall", 9)
    print("".join(f"{h:>{w}}" for h, w in head) + "  s/page  breakdown (s)")
    base = None
    # The synthetic catalogs outgrow the loader's guard against huge files (the shipped files are
    # ~70 kB each, ×16 makes a 6 MB gpus.yaml): lift it for the bench only.
    yamlio.MAX_FILE_BYTES = max(yamlio.MAX_FILE_BYTES, 2_000_000 * max(scales))
    for k in scales:
        data = scaled_data(work / f"scale-{k}" / "data", k)
        t, s = build(work / f"scale-{k}", data, work / f"scale-{k}" / "cache", f"×{k}")
        n = s.pages_rendered + s.pages_reused
        per = t / n
        base = base or per
        print(
            f"{k:>3}{n_gpus * k:>6}{n_models * k:>8}{n:>7}{s.charts_rendered:>8}{t:8.1f}s"
            f"{per:8.3f}  "
            f"{breakdown(t, s)}   (time per page ×{per / base:.2f} of ×{scales[0]}, "
            "target ≤ 1.2)"
        )
        shutil.rmtree(work / f"scale-{k}", ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,4,16", help="catalog multipliers, e.g. 1,4,16")
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]

    work = Path(tempfile.mkdtemp(prefix="gpu-year-bench-"))
    print(f"gpu-year build benchmark — {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"work directory: {work}\n")
    try:
        cache = work / "cache"
        cold_t, cold = build(work / "a", paths.DATA, cache, "cold")
        mk = bare_mkdocs(work / "a")
        noop_t, noop = build(work / "a", paths.DATA, cache, "no-op")

        changed = work / "changed-data"
        shutil.copytree(paths.DATA, changed)
        text = (changed / "gpus.yaml").read_text(encoding="utf-8")
        marker = "id: rtx-4090"
        head, _, tail = text.partition(marker)
        # its peaks are derived from the boost clock: one value moves every precision's peak
        edited = tail.replace("boost_clock_mhz: 2520", "boost_clock_mhz: 2600", 1)
        if edited == tail:
            raise SystemExit("no RTX 4090 boost clock in data/gpus.yaml: update the bench")
        tail = edited
        (changed / "gpus.yaml").write_text(head + marker + tail, encoding="utf-8")
        one_t, one = build(work / "a", changed, cache, "one value")

        pages = cold.pages_rendered + cold.pages_reused
        print(f"{'build':<34}{'wall':>8}  {'charts rendered/reused':>24}  breakdown (s)")
        for label, t, s in (
            ("cold (empty cache)", cold_t, cold),
            ("no-op rebuild", noop_t, noop),
            ("one value changed (RTX 4090 clock)", one_t, one),
        ):
            counts = f"{s.charts_rendered}/{s.charts_reused}"
            print(f"{label:<34}{t:7.2f}s  {counts:>24}  {breakdown(t, s)}")
        print(f"{'bare mkdocs build, same docs':<34}{mk:7.2f}s")
        print()
        shares = split(cold_t, cold)
        print(
            "cold build split: "
            + ", ".join(f"{k} {v:.2f}s ({v / cold_t:.0%})" for k, v in shares.items())
            + f" of {cold_t:.2f}s"
        )
        gen_cold = cold.generate_seconds
        gen_noop = noop.generate_seconds
        print(f"pages (both languages): {pages}, charts: {cold.charts_rendered}")
        ratio_cold, ratio_noop = gen_cold / mk, gen_noop / mk
        print(
            f"cold:  generator {gen_cold:.2f}s / MkDocs {mk:.2f}s = {ratio_cold:.2f} (target ≤ 1)"
        )
        print(
            f"no-op: generator {gen_noop:.2f}s / MkDocs {mk:.2f}s = {ratio_noop:.1%} (target ≤ 5 %)"
        )
        charts_done = sorted({n.rsplit(".", 2)[0] for n in one.rendered if n.endswith(".svg")})
        print(f"one value: {len(one.rendered)} outputs rendered; charts: {', '.join(charts_done)}")

        if scales:
            scale_series(work, scales)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
