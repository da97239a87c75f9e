"""Charts: plain-data specs built from the results, rendered to SVG with matplotlib's OO API.

Every chart is drawn once per language (titles, axis labels and numbers localized). Output is
deterministic: a fixed hash salt per chart, no dates or tool versions in the file, text kept as
``<text>`` (small files, selectable, searchable).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from generator.data import PRECISIONS, Catalog
from generator.i18n import L10n, plain
from generator.results import Results, compare, training_precision

# Okabe & Ito's colour-blind-safe palette.
BLUE, ORANGE, GREEN, VERMILLION, SKY = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9"
INK, GRID = "#1a1a1a", "#d9d9d9"
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "text.parse_math": False,  # names from data may contain "$": never typeset them as math
    "svg.fonttype": "none",
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "text.color": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": GRID,
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
}
WIDTH = 7.5  # inches; the content column of the site
MAX_NAME = 48  # characters of a name drawn in a chart (the data allows 300); longer ones end in …
LINESTYLES = ["-", "--", ":", "-.", (0, (5, 1)), (0, (1, 3))]


@dataclass(frozen=True)
class ChartSpec:
    """One chart: output path without language and extension, the drawing kind, its data."""

    path: str
    kind: str
    payload: dict[str, Any] = field(hash=False)


# ---------------------------------------------------------------- planning


def short(name: str) -> str:
    """``name`` cut to ``MAX_NAME`` characters, so that any name leaves room for the plot."""
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1].rstrip() + "…"


def build_charts(catalog: Catalog, results: Results) -> list[ChartSpec]:
    """Every chart of the site with the data it draws."""
    s = catalog.scenario
    q = s.question
    h = results.headline
    gname = {gid: short(g.name) for gid, g in catalog.gpus.items()}
    mname = {mid: short(m.name) for mid, m in catalog.models.items()}
    known = {mid: r.compute for mid, r in results.models.items() if r.compute}

    specs = [
        ChartSpec(
            "img/headline",
            "headline",
            {
                "gpu": gname[q.gpu],
                "precision": h.precision,
                "utilization": h.utilization,
                "years": h.years,
                "budget": h.budget_flops,
                "model": mname[q.model],
                "flops": h.training_flops,
                "low": h.training_flops_low,
                "high": h.training_flops_high,
            },
        ),
        ChartSpec(
            "img/timeline",
            "timeline",
            {
                "models": [
                    {
                        "name": mname[mid],
                        "date": catalog.models[mid].release_date.isoformat(),
                        "flops": c.flops,
                        "low": c.low,
                        "high": c.high,
                        "method": c.method,
                    }
                    for mid, c in known.items()
                ],
                "gpus": [
                    {
                        "name": gname[gid],
                        "flops": results.gpus[gid].best_year_flops,
                        "precision": results.gpus[gid].training_precision,
                    }
                    for gid in s.chart_gpus
                ],
                "utilization": q.utilization,
            },
        ),
        ChartSpec(
            "img/heatmap",
            "heatmap",
            {
                "gpus": list(gname.values()),
                "models": [mname[mid] for mid in known],  # unknown compute: no column
                "years": [[results.pairs[gid][mid].years_best for mid in known] for gid in gname],
            },
        ),
        ChartSpec(
            "img/memory",
            "memory",
            {
                "models": [
                    {
                        "name": mname[mid],
                        "training": r.memory.training,
                        "fp16": r.memory.inference("fp16"),
                        "int4": r.memory.inference("int4"),
                    }
                    for mid, r in results.models.items()
                ],
                "gpus": [
                    {"name": gname[gid], "memory": results.gpus[gid].memory_bytes}
                    for gid in s.chart_gpus
                ],
            },
        ),
        ChartSpec("img/sensitivity", "sensitivity", _sensitivity(catalog, results)),
    ]
    for gid, row in results.pairs.items():
        specs.append(
            ChartSpec(
                f"img/gpus/{gid}",
                "years",
                {
                    "subject": gname[gid],
                    "by": "model",
                    "rows": [
                        {"name": mname[mid], "best": p.years_best, "realistic": p.years_realistic}
                        for mid, p in row.items()
                        if p.years_best is not None
                    ],
                },
            )
        )
    specs += run_memory_specs(catalog)
    for mid in known:
        specs.append(
            ChartSpec(
                f"img/models/{mid}",
                "years",
                {
                    "subject": mname[mid],
                    "by": "gpu",
                    "rows": [
                        {
                            "name": gname[gid],
                            "best": row[mid].years_best,
                            "realistic": row[mid].years_realistic,
                        }
                        for gid, row in results.pairs.items()
                    ],
                },
            )
        )
    return specs


def _sensitivity(catalog: Catalog, results: Results) -> dict[str, Any]:
    s = catalog.scenario
    q = s.question
    gpu = catalog.gpus[q.gpu]
    tp = training_precision(gpu)
    base = compare(catalog, q.gpu, q.model, precision=tp, utilization=1.0)
    return {
        "gpu": short(gpu.name),
        "model": short(catalog.models[q.model].name),
        "precision": tp,
        # years at full duty; dividing by (MFU × duty) gives any other operating point
        "years_at_peak": base.gpu_years_needed,
        "years_at_peak_low": base.gpu_years_needed_low,
        "years_at_peak_high": base.gpu_years_needed_high,
        "duty": q.utilization,
        "mfu": [s.reference_mfu.low, s.reference_mfu.value, s.reference_mfu.high],
        "per_precision": [
            {
                "precision": p,
                "years": compare(catalog, q.gpu, q.model, precision=p).gpu_years_needed,
            }
            for p in PRECISIONS
            if gpu.peak(p)
        ],
    }


# ---------------------------------------------------------------- rendering


def height(kind: str, payload: dict[str, Any]) -> float:
    """Height of a chart in inches (the width is ``WIDTH``): pages reserve the space with it."""
    rows = {
        "heatmap": lambda d: len(d["gpus"]),
        "memory": lambda d: len(d["models"]),
        "years": lambda d: len(d["rows"]),
    }
    fixed = {"headline": 2.8, "timeline": 5.6, "sensitivity": 3.6, "run_memory": 3.4}
    if kind in fixed:
        return fixed[kind]
    n = rows[kind](payload)
    return {"heatmap": 1.6 + 0.2 * n, "memory": 2.2 + 0.24 * n, "years": 1.25 + 0.2 * n}[kind]


def size_px(kind: str, payload: dict[str, Any]) -> tuple[int, int]:
    """Width and height of a chart's SVG in CSS pixels (matplotlib writes 72 pt per inch)."""
    return round(WIDTH * 72), round(height(kind, payload) * 72)


def render(kind: str, payload: dict[str, Any], lang: str, salt: str) -> bytes:
    """Draw one chart and return the SVG bytes (identical for identical inputs)."""
    import matplotlib as mpl  # imported lazily: only processes that draw pay for it
    from matplotlib.figure import Figure

    f = L10n(lang)
    with mpl.rc_context({**STYLE, "svg.hashsalt": salt}):
        fig = Figure(figsize=(WIDTH, 4))
        DRAW[kind](fig, payload, f)
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def _label_width(labels: list[str], fontsize: float = 9) -> float:
    """Rough width in inches of the longest label (DejaVu Sans ≈ 0.6 em per character)."""
    longest = max((len(s) for s in labels), default=0)
    return min(0.15 + longest * fontsize * 0.58 / 72, WIDTH / 2)  # the plot keeps half


def _log_ticks(ax: Any, f: L10n, axis: str = "x") -> None:
    """Decade ticks with localized labels: 0.01 … 1,000 as numbers, 10ⁿ beyond."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    def label(x: float, _pos: int) -> str:
        if x <= 0:
            return ""
        e = round(math.log10(x))
        if abs(e) <= 3:
            return f.num(10.0**e)
        return f.sci(10.0**e, sig=1).split("\u00a0×\u00a0")[-1]

    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(LogLocator(base=10, numticks=30))
    target.set_major_formatter(FuncFormatter(label))
    target.set_minor_locator(NullLocator())  # minor ticks cost most of a chart's drawing time


def _row_labels(ax: Any, labels: list[str], fontsize: float = 8) -> None:
    """Category labels left of the axes as plain texts: far cheaper to draw than one tick each."""
    ax.set_yticks([])
    transform = ax.get_yaxis_transform()
    for y, text in enumerate(labels):
        ax.text(-0.01, y, text, transform=transform, ha="right", va="center", fontsize=fontsize)


def _title(fig: Any, text: str) -> None:
    fig.suptitle(
        text, x=0.01, y=0.985, ha="left", va="top", fontsize=10.5, fontweight="bold", wrap=True
    )


def _fit_labels(ax: Any, points: list[tuple[Any, float, str]], fontsize: float = 7) -> None:
    """Label scatter points, nudging each label up or down until it overlaps no earlier one."""
    fig = ax.figure
    to_px = ax.transData.transform
    h = fontsize * fig.dpi / 72 * 1.15
    placed: list[tuple[float, float, float, float]] = []
    for x, y, text in sorted(points, key=lambda p: (p[0], p[1])):
        px, py = to_px((ax.xaxis.convert_units(x), y))
        w = len(text) * fontsize * 0.58 * fig.dpi / 72
        for dy in (0, 1, -1, 2, -2, 3, -3, 4, -4):
            box = (px + 4, py + dy * h - h / 2, px + 4 + w, py + dy * h + h / 2)
            if not any(
                b[0] < box[2] and box[0] < b[2] and b[1] < box[3] and box[1] < b[3] for b in placed
            ):
                break
        placed.append(box)
        ax.annotate(
            text,
            (x, y),
            xytext=(4, dy * h * 72 / fig.dpi),
            textcoords="offset points",
            fontsize=fontsize,
            va="center",
        )


def draw_headline(fig: Any, d: dict[str, Any], f: L10n) -> None:
    labels = [
        f.text(
            "chart.headline.budget",
            gpu=d["gpu"],
            precision=d["precision"].upper(),
            utilization=f.pct(d["utilization"]),
            years=f.years(d["years"]),
        ),
        f.text("chart.headline.needed", model=d["model"]),
    ]
    fig.set_size_inches(WIDTH, height("headline", d))
    left = _label_width([line for s in labels for line in s.split("\n")]) / WIDTH
    fig.subplots_adjust(left=left, right=0.97, top=0.8, bottom=0.2)
    ax = fig.add_subplot()
    values = [d["budget"], d["flops"]]
    ax.barh([1, 0], values, color=[BLUE, ORANGE], height=0.55)
    if d["high"] > d["flops"] or d["low"] < d["flops"]:
        ax.errorbar(
            d["flops"],
            0,
            xerr=[[d["flops"] - d["low"]], [d["high"] - d["flops"]]],
            fmt="none",
            ecolor=INK,
            capsize=4,
            lw=1.2,
        )
    ax.set_yticks([1, 0], labels)
    ax.set_xscale("log")
    ax.set_xlim(d["budget"] / 30, max(d["high"], d["flops"]) * 30)
    _log_ticks(ax, f)
    ax.set_xlabel(f.text("chart.flop_axis"))
    ax.text(d["budget"] * 1.2, 1, f.sci(d["budget"]), va="center", fontsize=9)
    ax.text(max(d["high"], d["flops"]) * 1.4, 0, f.sci(d["flops"]), va="center", fontsize=9)
    ax.grid(axis="y", visible=False)
    _title(fig, f.text("chart.headline.title", factor=f.num(d["flops"] / d["budget"])))


def draw_timeline(fig: Any, d: dict[str, Any], f: L10n) -> None:
    from matplotlib.dates import YearLocator

    fig.set_size_inches(WIDTH, height("timeline", d))
    fig.subplots_adjust(left=0.1, right=0.76, top=0.88, bottom=0.07)
    ax = fig.add_subplot()
    colors = {"reported": BLUE, "estimated": ORANGE, "6ND": GREEN}
    for method, color in colors.items():
        pts = [m for m in d["models"] if m["method"] == method]
        if not pts:
            continue
        xs = [date.fromisoformat(m["date"]) for m in pts]
        ys = [m["flops"] for m in pts]
        err = [[m["flops"] - m["low"] for m in pts], [m["high"] - m["flops"] for m in pts]]
        ax.errorbar(
            xs,
            ys,
            yerr=err,
            fmt="o",
            color=color,
            ecolor=color,
            ms=5,
            capsize=2,
            lw=0.8,
            label=f.text(f"method.{method}"),
        )
    ax.set_yscale("log")
    lows = [m["low"] for m in d["models"]] + [g["flops"] for g in d["gpus"]]
    highs = [m["high"] for m in d["models"]]
    ax.set_ylim(min(lows) / 3, max(highs) * 3)
    start = min(date.fromisoformat(m["date"]) for m in d["models"])
    end = max(date.fromisoformat(m["date"]) for m in d["models"])
    ax.set_xlim(date(start.year, 1, 1), date(end.year + 1, 7, 1))
    _fit_labels(
        ax, [(date.fromisoformat(m["date"]), m["flops"], plain(m["name"])) for m in d["models"]]
    )
    for i, g in enumerate(d["gpus"]):
        ax.axhline(g["flops"], color=INK, lw=0.9, ls=LINESTYLES[i % len(LINESTYLES)])
        ax.text(
            1.01,
            g["flops"],
            plain(g["name"]),
            transform=ax.get_yaxis_transform(),
            va="center",
            fontsize=7.5,
        )
    _log_ticks(ax, f, "y")
    ax.xaxis.set_major_locator(YearLocator())
    ax.set_ylabel(f.text("chart.flop_axis"))
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    _title(fig, f.text("chart.timeline.title", utilization=f.pct(d["utilization"])))


def draw_heatmap(fig: Any, d: dict[str, Any], f: L10n) -> None:
    import numpy as np
    from matplotlib.colors import LogNorm

    years = np.array([[np.nan if v is None else v for v in row] for row in d["years"]], dtype=float)
    rows, cols = years.shape
    left = _label_width(d["gpus"], 8) / WIDTH
    h = height("heatmap", d)
    fig.set_size_inches(WIDTH, h)
    fig.subplots_adjust(left=left, right=0.9, top=1 - 1.45 / h, bottom=0.15 / h)
    ax = fig.add_subplot()
    finite = years[np.isfinite(years)]
    norm = LogNorm(vmin=max(finite.min(), 1e-4), vmax=finite.max())
    img = ax.imshow(years, aspect="auto", cmap="cividis_r", norm=norm, interpolation="nearest")
    ax.set_xticks(range(cols), [plain(m) for m in d["models"]], rotation=60, ha="left", fontsize=7)
    ax.set_yticks(range(rows), [plain(g) for g in d["gpus"]], fontsize=7.5)
    ax.xaxis.tick_top()
    ax.grid(visible=False)
    cax = fig.add_axes((0.92, 0.15 / h, 0.02, 1 - 1.6 / h))
    bar = fig.colorbar(img, cax=cax)
    _log_ticks(bar.ax, f, "y")
    bar.set_label(f.text("chart.heatmap.scale"))
    _title(fig, f.text("chart.heatmap.title"))


def _rows_axes(
    fig: Any,
    kind: str,
    d: dict[str, Any],
    names: list[str],
    fontsize: float,
    top: float,
    bottom: float,
) -> Any:
    """Axes for a chart with one row per name, margins in inches, labels left of the axes."""
    h = height(kind, d)
    fig.set_size_inches(WIDTH, h)
    left = _label_width(names, fontsize) / WIDTH
    fig.subplots_adjust(left=left, right=0.97, top=1 - top / h, bottom=bottom / h)
    return fig.add_subplot()


def draw_memory(fig: Any, d: dict[str, Any], f: L10n) -> None:
    models = sorted(d["models"], key=lambda m: m["training"])
    names = [plain(m["name"]) for m in models]
    ax = _rows_axes(fig, "memory", d, names, 9, top=0.6, bottom=1.5)
    y = list(range(len(models)))
    gib = 2**30
    ax.barh(
        [i + 0.2 for i in y],
        [m["training"] / gib for m in models],
        height=0.38,
        color=VERMILLION,
        label=f.text("chart.memory.training"),
    )
    ax.barh(
        [i - 0.2 for i in y],
        [m["fp16"] / gib for m in models],
        height=0.38,
        color=SKY,
        label=f.text("chart.memory.inference"),
    )
    _row_labels(ax, names, 9)
    ax.set_ylim(-0.6, len(models) - 0.4)
    ax.set_xscale("log")
    _log_ticks(ax, f)
    for i, g in enumerate(d["gpus"]):
        ax.axvline(
            g["memory"] / gib,
            color=INK,
            lw=0.9,
            ls=LINESTYLES[i % len(LINESTYLES)],
            label=f"{plain(g['name'])} ({f.bytes(g['memory'])})",
        )
    ax.set_xlabel(f.text("chart.memory.axis"))
    ax.grid(axis="y", visible=False)
    fig.legend(
        *ax.get_legend_handles_labels(),
        loc="lower left",
        bbox_to_anchor=(0.01, 0.005),
        ncol=2,
        fontsize=7,
        frameon=False,
    )
    _title(fig, f.text("chart.memory.title"))


def draw_sensitivity(fig: Any, d: dict[str, Any], f: L10n) -> None:
    import numpy as np

    fig.set_size_inches(WIDTH, height("sensitivity", d))
    fig.subplots_adjust(left=0.1, right=0.98, top=0.76, bottom=0.16, wspace=0.3)
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.5, 1])
    mfu = np.linspace(0.1, 1.0, 91)
    scale = 1 / (mfu * d["duty"])
    ax1.fill_between(
        mfu * 100,
        d["years_at_peak_low"] * scale,
        d["years_at_peak_high"] * scale,
        color=ORANGE,
        alpha=0.25,
        lw=0,
        label=f.text("chart.sensitivity.range"),
    )
    ax1.plot(
        mfu * 100,
        d["years_at_peak"] * scale,
        color=BLUE,
        lw=1.6,
        label=f.text("chart.sensitivity.central"),
    )
    lo, _, hi = d["mfu"]
    ax1.axvspan(
        lo * 100,
        hi * 100,
        color=GREEN,
        alpha=0.12,
        lw=0,
        label=f.text("chart.sensitivity.reference"),
    )
    ax1.set_yscale("log")
    _log_ticks(ax1, f, "y")
    ax1.set_xlabel(f.text("chart.sensitivity.mfu_axis"))
    ax1.set_ylabel(f.text("chart.sensitivity.years_axis"))
    ax1.xaxis.set_major_formatter(lambda x, _p: f.pct(x / 100))
    ax1.legend(fontsize=7, frameon=False, loc="upper right")
    ax1.set_title(
        f.text("chart.sensitivity.left", precision=d["precision"].upper(), duty=f.pct(d["duty"])),
        fontsize=9,
        loc="left",
        wrap=True,
    )
    rows = d["per_precision"]
    ax2.bar([r["precision"].upper() for r in rows], [r["years"] for r in rows], color=BLUE)
    for i, r in enumerate(rows):
        ax2.text(i, r["years"] * 1.1, f.num(r["years"]), ha="center", fontsize=7.5)
    ax2.set_yscale("log")
    ys = [r["years"] for r in rows]
    ax2.set_ylim(min(ys) / 3, max(ys) * 3)
    _log_ticks(ax2, f, "y")
    ax2.set_title(
        f.text("chart.sensitivity.right", duty=f.pct(d["duty"])), fontsize=9, loc="left", wrap=True
    )
    ax2.grid(axis="x", visible=False)
    _title(fig, f.text("chart.sensitivity.title", gpu=d["gpu"], model=d["model"]))


def draw_years(fig: Any, d: dict[str, Any], f: L10n) -> None:
    rows = sorted(d["rows"], key=lambda r: r["best"])
    names = [plain(r["name"]) for r in rows]
    ax = _rows_axes(fig, "years", d, names, 8, top=0.65, bottom=0.55)
    y = list(range(len(rows)))
    best = [r["best"] for r in rows]
    real = [r["realistic"] for r in rows]
    ax.hlines(y, best, real, color=GRID, lw=2.5)
    ax.plot(best, y, "o", color=BLUE, ms=4.5, label=f.text("chart.years.best"))
    ax.plot(real, y, "D", color=ORANGE, ms=4, label=f.text("chart.years.realistic"))
    ax.axvline(1, color=VERMILLION, lw=1)
    ax.text(
        1,
        1.005,
        f.text("chart.years.one_year"),
        transform=ax.get_xaxis_transform(),
        color=VERMILLION,
        fontsize=7.5,
        ha="center",
        va="bottom",
    )
    _row_labels(ax, names)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xscale("log")
    lo = min(*best, 1) / 3
    hi = max(*real, 1) * 3
    ax.set_xlim(lo, hi)
    _log_ticks(ax, f)
    ax.set_xlabel(f.text("chart.years.axis"))
    ax.grid(axis="y", visible=False)
    ax.legend(fontsize=7.5, loc="upper right", frameon=True)
    key = "chart.years.title_gpu" if d["by"] == "model" else "chart.years.title_model"
    _title(fig, f.text(key, name=d["subject"]))


DRAW = {
    "headline": draw_headline,
    "timeline": draw_timeline,
    "heatmap": draw_heatmap,
    "memory": draw_memory,
    "sensitivity": draw_sensitivity,
    "years": draw_years,
}


# ---------------------------------------------------------------- running a model locally


def run_memory_specs(catalog: Catalog) -> list[ChartSpec]:
    """Memory by context and weight format, one chart per model the pages list."""
    from generator import local

    if catalog.local is None:
        return []
    return [
        ChartSpec(f"img/run/{mid}", "run_memory", local.memory_chart(catalog, mid))
        for mid in catalog.local.pages.models
    ]


def draw_run_memory(fig: Any, d: dict[str, Any], f: L10n) -> None:
    from matplotlib.ticker import FuncFormatter

    fig.set_size_inches(WIDTH, height("run_memory", d))
    fig.subplots_adjust(left=0.1, right=0.97, top=0.8, bottom=0.15)
    ax = fig.add_subplot()
    gib = 2**30
    x = d["contexts"]
    for i, line in enumerate(d["lines"]):
        ax.plot(
            x,
            [b / gib for b in line["bytes"]],
            color=(BLUE, ORANGE, GREEN, VERMILLION)[i % 4],
            ls=LINESTYLES[i % len(LINESTYLES)],
            marker="o",
            ms=3,
            label=plain(line["name"]),
        )
    for g in d["gpus"]:
        ax.axhline(g["memory"] / gib, color=GRID, lw=1.2, zorder=0)
        ax.annotate(
            f.bytes(g["memory"]),
            (x[-1], g["memory"] / gib),
            xytext=(0, 2),
            textcoords="offset points",
            ha="right",
            fontsize=7,
            color=INK,
        )
    if d["model_context"]:
        ax.axvline(d["model_context"], color=INK, lw=0.8, ls=":")
    ax.set_xscale("log", base=2)
    ax.set_ylim(0, max(b for line in d["lines"] for b in line["bytes"]) / gib * 1.08)
    ax.set_xticks(x)
    ax.set_xticklabels([f.integer(c // 1024) + "k" for c in x], fontsize=7.5)
    ax.minorticks_off()
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f.num(v)))
    ax.set_xlabel(f.text("chart.run_memory.x"))
    ax.set_ylabel(f.text("chart.run_memory.y"))
    ax.legend(fontsize=7.5, loc="upper left", frameon=True)
    _title(fig, f.text("chart.run_memory.title", name=d["model"]))


DRAW["run_memory"] = draw_run_memory
