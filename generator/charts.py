"""Charts: plain-data specs built from the results, rendered to SVG with matplotlib's OO API.

Every chart is drawn once per language (titles, axis labels and numbers localized). Output is
deterministic: a fixed hash salt per chart, no dates or tool versions in the file, text kept as
``<text>`` (small files, selectable, searchable).
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from generator.data import Catalog
from generator.i18n import LANGS, L10n, plain
from generator.results import (
    Results,
)
from generator.schema import localize, map_text

# Okabe & Ito's colour-blind-safe palette.
BLUE, ORANGE, GREEN, VERMILLION, SKY = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9"
INK, GRID = "#1a1a1a", "#d9d9d9"
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
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
# Widths in inches (72 pt each; the SVG's units). Pages stretch a chart across the content column:
# text renders at (font size in pt) × (column width in px) / (chart width in pt). A desktop shows
# the 7.5 in (540 pt) chart across about 650 px (1280 px window): 1 pt becomes 1.2 px. A phone of
# 390 px shows the phone drawing across PHONE_COLUMN_PX (390 px less Material's 16 px margins):
# 4.1 in (295.2 pt) make 1 pt 1.21 px. No text is set smaller than FONT, so chart text renders
# at 12 px or more on both.
WIDTH = 7.5
PHONE_WIDTH = 4.1
PHONE_COLUMN_PX = 358
FONT = 10
TITLE_FONT = 11.5
MAX_NAME = 48  # characters of a name drawn in a chart (the data allows 300); longer ones end in …
# A years chart (a page's table as dots on one log axis, names short) reads as well at a phone's
# width on a desktop, where the stylesheet keeps it narrow: one drawing serves both. Years charts
# are 384 of the site's 408 drawings, so a second one for phones would double the charts' time.
NARROW = frozenset({"years"})
LEGEND_LINE = FONT * 1.7 / 72  # inches per legend line: the text and half an em between lines
LINESTYLES = ["-", "--", ":", "-.", (0, (5, 1)), (0, (1, 3))]


@dataclass(frozen=True)
class ChartSpec:
    """One chart: output path without language and extension, the drawing kind, its data."""

    path: str
    kind: str
    payload: dict[str, Any] = field(hash=False)


# ---------------------------------------------------------------- planning


def cut(name: str) -> str:
    """``name`` cut to ``MAX_NAME`` characters, so that any name leaves room for the plot."""
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1].rstrip() + "…"


def build_charts(catalog: Catalog, results: Results) -> list[ChartSpec]:
    """Every chart of the site with the data it draws."""
    s = catalog.scenario
    q = s.question
    h = results.headline
    # names in every language ({en: …, de: …} where a qualifier differs); render() picks one
    gname = {gid: map_text(cut, g.labels) for gid, g in catalog.gpus.items()}
    mname = {mid: map_text(cut, m.labels) for mid, m in catalog.models.items()}
    known = {mid: r.compute for mid, r in results.models.items() if r.compute}
    heat_gpus, heat_models = results.heatmap

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
                "flops": h.training_flops and h.training_flops.value,
                "low": h.training_flops and h.training_flops.low,
                "high": h.training_flops and h.training_flops.high,
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
                "highlight": mname[q.model],  # the question's model: labelled first
            },
        ),
        ChartSpec(
            "img/heatmap",
            "heatmap",
            {
                "gpus": [gname[gid] for gid in heat_gpus],
                "models": [mname[mid] for mid in heat_models],  # unknown compute: no column
                "years": [
                    [results.pairs[gid][mid].years_best.value for mid in heat_models]
                    for gid in heat_gpus
                ],
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
    # The years charts of GPU and model pages show the rows of their page's table (issue 14).
    chosen = results.selection
    for gid, row in results.pairs.items():
        specs.append(
            ChartSpec(
                f"img/gpus/{gid}",
                "years",
                {
                    "subject": gname[gid],
                    "by": "model",
                    "rows": [
                        {
                            "name": mname[mid],
                            "best": p.years_best.value,
                            "realistic": p.years_realistic,
                        }
                        for mid, p in row.items()
                        if p.years_best is not None and mid in chosen.models_for_gpu[gid]
                    ],
                },
            )
        )
    specs += run_memory_specs(results)
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
                            "best": row[mid].years_best.value,
                            "realistic": row[mid].years_realistic,
                        }
                        for gid, row in results.pairs.items()
                        if gid in chosen.gpus_for_model[mid]
                    ],
                },
            )
        )
    # Charts of the NARROW kinds are drawn once, at a phone's width, and shown narrow on wide
    # screens too; the others get a second drawing for phones, which pages offer through <picture>.
    specs = [
        replace(c, payload={**c.payload, "phone": True}) if c.kind in NARROW else c for c in specs
    ]
    specs += [
        ChartSpec(phone_path(c.path), c.kind, {**c.payload, "phone": True})
        for c in specs
        if c.kind not in NARROW
    ]
    return specs


def phone_path(path: str) -> str:
    """Where the phone-sized drawing of a chart goes: ``img/x`` -> ``img/phone/x``."""
    return "img/phone/" + path.removeprefix("img/")


def _sensitivity(catalog: Catalog, results: Results) -> dict[str, Any]:
    s = catalog.scenario
    q = s.question
    gpu = catalog.gpus[q.gpu]
    tp = results.gpus[q.gpu].training_precision
    base = results.question.at_full_duty
    return {
        "gpu": map_text(cut, gpu.labels),
        "model": map_text(cut, catalog.models[q.model].labels),
        "precision": tp,
        # years at full duty; dividing by (MFU × duty) gives any other operating point
        "years_at_peak": base.gpu_years_needed.value,
        "years_at_peak_low": base.gpu_years_needed.low,
        "years_at_peak_high": base.gpu_years_needed.high,
        "duty": q.utilization,
        "mfu": [s.reference_mfu.low, s.reference_mfu.value, s.reference_mfu.high],
        "per_precision": [
            {"precision": p, "years": c.gpu_years_needed.value}
            for p, c in results.question.per_precision.items()
        ],
    }


# ---------------------------------------------------------------- rendering


def width(payload: dict[str, Any]) -> float:
    """Width of a chart in inches: the phone-sized drawing is narrower, its text as large."""
    return PHONE_WIDTH if payload.get("phone") else WIDTH


def _title_space(phone: bool) -> float:
    """Inches above the axes kept for the title: three lines on a phone, two on a desktop."""
    return 0.14 + (3 if phone else 2) * TITLE_FONT * 1.3 / 72


def _lines(n: int) -> float:
    """Inches for ``n`` lines of chart text."""
    return n * FONT * 1.3 / 72


def height(kind: str, payload: dict[str, Any]) -> float:
    """Height of a chart in inches (the width is ``width()``): pages reserve the space with it.

    One height for every language (the page reserves it before knowing the language): the
    largest that any language's names need.
    """
    return max(_height(kind, localize(payload, lang), L10n(lang)) for lang in LANGS)


def _height(kind: str, payload: dict[str, Any], f: L10n) -> float:  # noqa: PLR0911 - per kind
    phone = bool(payload.get("phone"))
    top = _title_space(phone)
    if kind == "headline":
        return top + (1.9 if phone else 1.7) + _lines(2) + 0.3 + _lines(3 if phone else 2)
    if kind == "timeline":
        return top + (7.8 if phone else 6.2) + 0.5 + (_lines(5) if phone else 0)
    if kind == "sensitivity":
        return top + (2 * 3.0 + 1.5 + 0.4 if phone else 3.0 + 0.6) + _lines(4 if phone else 3)
    if kind == "heatmap":
        rows = len(payload["gpus"])
        grid = 0.2 * rows
        if phone:  # the models in two halves, one above the other, and the colour bar below
            return top + 2 * (_label_room(payload["models"]) + grid) + 0.35 + 0.95
        return top + _label_room(payload["models"]) + grid + 0.25
    if kind == "memory":
        return top + 0.3 * len(payload["models"]) + _memory_bottom(payload, f)
    if kind == "years":
        return top + 2 * LEGEND_LINE + 0.24 * len(payload["rows"]) + 0.85
    if kind == "run_memory":
        return top + (2.6 if phone else 2.4) + _run_memory_bottom(payload, f)
    raise KeyError(kind)


def size_px(kind: str, payload: dict[str, Any]) -> tuple[int, int]:
    """Width and height of a chart's SVG in CSS pixels (matplotlib writes 72 pt per inch)."""
    return round(width(payload) * 72), round(height(kind, payload) * 72)


def draw(kind: str, payload: dict[str, Any], lang: str) -> Any:
    """One chart as a matplotlib Figure (call inside ``rc_context(STYLE)``, as ``render`` does)."""
    from matplotlib.figure import Figure  # imported lazily: only processes that draw pay for it

    fig = Figure(figsize=(width(payload), height(kind, payload)))
    DRAW[kind](fig, localize(payload, lang), L10n(lang))
    return fig


def render(kind: str, payload: dict[str, Any], lang: str, salt: str) -> bytes:
    """Draw one chart and return the SVG bytes (identical for identical inputs)."""
    import matplotlib as mpl

    with mpl.rc_context({**STYLE, "svg.hashsalt": salt}):
        fig = draw(kind, payload, lang)
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def _drawn_texts(fig: Any) -> list[Any]:
    """Every piece of text the figure draws: titles, labels, legends, annotations and the tick
    labels of ticks inside the axis' view (matplotlib keeps labels for ticks it does not draw)."""
    from matplotlib.text import Text

    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            slack = (hi - lo) * 1e-9
            for which in ("major", "minor"):
                locs = axis.get_majorticklocs() if which == "major" else axis.get_minorticklocs()
                ticks = getattr(axis, f"get_{which}_ticks")()
                for i, tick in enumerate(ticks):
                    if i >= len(locs) or not lo - slack <= locs[i] <= hi + slack:
                        hidden.update((tick.label1, tick.label2))
    return [
        t for t in fig.findobj(Text) if t not in hidden and t.get_visible() and t.get_text().strip()
    ]


def layout_problems(fig: Any) -> list[str]:
    """Text of a drawn chart that a reader would not see whole: any part outside the figure
    (the SVG's viewBox clips it) or any two texts overlapping. Extents come from matplotlib's own
    text layout at draw time; an empty list means every text is inside and apart."""
    from matplotlib.text import Annotation, Text

    renderer = _renderer(fig)
    fig.draw(renderer)  # places ticks, legends and annotations
    page = fig.bbox
    boxes = [
        # the text's own box: an annotation's extent would include its leader line
        (t.get_text(), Text.get_window_extent(t, renderer))
        for t in _drawn_texts(fig)
        # an annotation whose point lies outside its axes is not drawn (its extent: the unit box)
        if not (isinstance(t, Annotation) and t.get_window_extent(renderer).bounds == (0, 0, 1, 1))
    ]
    out = []
    tol = 0.5  # px at the figure's dpi
    for text, b in boxes:
        if (
            b.x0 < page.x0 - tol
            or b.y0 < page.y0 - tol
            or b.x1 > page.x1 + tol
            or b.y1 > page.y1 + tol
        ):
            out.append(f"outside the drawing: {text!r}")
    for i, (t1, b1) in enumerate(boxes):
        for t2, b2 in boxes[i + 1 :]:
            w = min(b1.x1, b2.x1) - max(b1.x0, b2.x0)
            h = min(b1.y1, b2.y1) - max(b1.y0, b2.y0)
            if w > tol and h > tol:
                out.append(f"overlap: {t1!r} and {t2!r}")
    return out


def short(name: str) -> str:
    """A name without vendor prefix and parentheses, for narrow charts: "NVIDIA GeForce RTX 4090
    (24 GB)" -> "RTX 4090"."""
    text = re.sub(r"\s*\([^)]*\)", "", plain(name)).strip()
    for prefix in ("NVIDIA GeForce ", "NVIDIA ", "Google Cloud ", "AMD Instinct ", "AMD "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text or plain(name)


def _names(names: list[str], shorten: bool) -> list[str]:
    """Labels for ``names``: shortened where asked and where that keeps them apart, and cut to
    fit beside a chart (24 characters where shortened, for phones and the heat map, else 44)."""
    labels = [plain(n) for n in names]
    if shorten:
        shorter = [short(n) for n in names]
        if len(set(shorter)) == len(set(names)):
            labels = shorter
    limit = 24 if shorten else 44
    return [s if len(s) <= limit else s[: limit - 1].rstrip() + "…" for s in labels]


def _text_width(labels: list[str], fontsize: float = FONT) -> float:
    """Rough width in inches of the longest label (DejaVu Sans ≈ 0.6 em per character)."""
    longest = max((len(line) for s in labels for line in s.split("\n")), default=0)
    return min(0.12 + longest * fontsize * 0.6 / 72, WIDTH / 2)  # the plot keeps half


def _label_room(names: list[str]) -> float:
    """Inches above a heat map for its column labels, set upright (rotated 90°)."""
    return _text_width(_names(names, True), FONT * 0.92) + 0.1


def _wrap(text: str, inches: float, fontsize: float = FONT) -> str:
    """``text`` broken into lines that fit ``inches`` (DejaVu Sans ≈ 0.6 em per character)."""
    chars = max(12, int(inches * 72 / (fontsize * 0.6)))
    return "\n".join(
        "\n".join(textwrap.wrap(part, chars, break_on_hyphens=False)) for part in text.split("\n")
    )


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


def _thin_ticks(ax: Any, axis: str, inches: float) -> None:
    """Every second decade only, where ten decade labels would not fit in ``inches``."""
    from matplotlib.ticker import LogLocator

    target = ax.xaxis if axis == "x" else ax.yaxis
    lo, hi = ax.get_xlim() if axis == "x" else ax.get_ylim()
    decades = abs(math.log10(hi) - math.log10(lo))
    if decades / inches > (1.6 if axis == "x" else 3.5):
        target.set_major_locator(LogLocator(base=100, numticks=30))


def _row_labels(ax: Any, labels: list[str]) -> None:
    """Category labels left of the axes as plain texts: far cheaper to draw than one tick each."""
    ax.set_yticks([])
    transform = ax.get_yaxis_transform()
    for y, text in enumerate(labels):
        ax.text(-0.01, y, text, transform=transform, ha="right", va="center", fontsize=FONT)


def _title(fig: Any, text: str) -> None:
    w = fig.get_figwidth()
    fig.suptitle(
        _wrap(text, w - 0.25, TITLE_FONT * 1.02),
        x=0.12 / w,
        y=1 - 0.08 / fig.get_figheight(),
        ha="left",
        va="top",
        fontsize=TITLE_FONT,
        fontweight="bold",
        linespacing=1.15,
    )


def _renderer(fig: Any) -> Any:
    """A renderer that measures text as the figure will draw it (matplotlib's Agg)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if hasattr(fig.canvas, "get_renderer") else FigureCanvasAgg(fig)
    return canvas.get_renderer()


def _legend_height(labels: list[str], ncol: int) -> float:
    """Inches a legend of ``labels`` takes (matplotlib fills columns first): text lines at 1.2,
    0.5 em between entries and 0.4 em of border above and below."""
    lines = [label.count("\n") + 1 for label in labels]
    per_column = math.ceil(len(lines) / ncol)
    columns = [lines[i : i + per_column] for i in range(0, len(lines), per_column)]
    tallest = max(sum(c) * 1.2 + (len(c) - 1) * 0.5 for c in columns)
    return (tallest + 0.8) * FONT / 72


def _note_height(fig_width: float, f: L10n) -> float:
    """Inches of the foot note (the log scale's caveat) at this width, with its margins."""
    return (
        0.1
        + _wrap(f.text("chart.log_note"), fig_width - 0.2).count("\n") * FONT * 1.15 / 72
        + (FONT * 1.2 / 72)
    )


def _legend_below(fig: Any, ax: Any, handles: list[Any], labels: list[str], ncol: int) -> None:
    """A figure legend whose top sits just under the axes' tick labels and axis title, as drawn."""
    renderer = _renderer(fig)
    below = ax.get_tightbbox(renderer).y0 / fig.bbox.height - 0.06 / fig.get_figheight()
    fig.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(0.05 / fig.get_figwidth(), below),
        ncol=ncol,
        fontsize=FONT,
        frameon=False,
        handlelength=1.6,
        borderaxespad=0,
    )


def _key(fig: Any, entries: list[tuple[dict[str, Any], str]], top: float) -> None:
    """A legend of one marker and label per line, its top ``top`` inches below the figure's: a
    marker and a text each, where ``fig.legend``'s boxes cost a fifth of a years chart's time."""
    from matplotlib.lines import Line2D

    w, h = fig.get_figwidth(), fig.get_figheight()
    for i, (marker, label) in enumerate(entries):
        y = 1 - (top + (i + 0.5) * LEGEND_LINE) / h  # the line's middle
        fig.add_artist(Line2D([0.13 / w], [y], transform=fig.transFigure, ls="none", **marker))
        fig.text(0.33 / w, y, label, va="center", fontsize=FONT)


def _note(fig: Any, text: str) -> None:
    """A line of explanation at the foot of the chart (the log scale's caveat)."""
    w = fig.get_figwidth()
    fig.text(
        0.12 / w,
        0.06 / fig.get_figheight(),
        _wrap(text, w - 0.2),
        ha="left",
        va="bottom",
        fontsize=FONT,
        style="italic",
        linespacing=1.15,
    )


def _margins(fig: Any, left: float, right: float, top: float, bottom: float, **kw: Any) -> None:
    """Axes margins in inches."""
    w, h = fig.get_figwidth(), fig.get_figheight()
    fig.subplots_adjust(
        left=left / w, right=1 - right / w, top=1 - top / h, bottom=bottom / h, **kw
    )


def _fit_labels(
    ax: Any, points: list[tuple[Any, float, str]], fontsize: float = FONT, first: str = ""
) -> list[str]:
    """Label scatter points, nudging each label up or down (or to the other side of its point)
    until it overlaps no earlier label and no point; returns the labels that found no place."""
    from matplotlib.font_manager import FontProperties

    fig = ax.figure
    to_px = ax.transData.transform
    renderer = _renderer(fig)
    font = FontProperties(size=fontsize)
    h = fontsize * fig.dpi / 72 * 1.25  # one line of labels, with a little air
    gap = 4 * fig.dpi / 72  # the labels' offset from their point: 4 pt
    right = ax.bbox.x1
    dot = 3.5 * fig.dpi / 72  # a marker's radius: no label is set over another point
    placed = [
        (px - dot, py - dot, px + dot, py + dot)
        for px, py in (to_px((ax.xaxis.convert_units(x), y)) for x, y, _ in points)
    ]
    skipped: list[str] = []
    for x, y, text in sorted(points, key=lambda p: (p[2] != first, p[0], p[1])):
        px, py = to_px((ax.xaxis.convert_units(x), y))
        w = renderer.get_text_width_height_descent(text, font, ismath=False)[0] + 1
        fits = {1: px + gap + w <= right, -1: px - gap - w >= ax.bbox.x0}
        sides = [side for side in (1, -1) if fits[side]] or [1 if px < right - w else -1]
        found = None
        for dy in (0, 1, -1, 2, -2):  # moved labels get a line to their point
            for side in sides:
                x0 = px + gap if side > 0 else px - gap - w
                box = (x0, py + dy * h - h / 2, x0 + w, py + dy * h + h / 2)
                if not any(
                    b[0] < box[2] and box[0] < b[2] and b[1] < box[3] and box[1] < b[3]
                    for b in placed
                ):
                    found = side, dy, box
                    break
            if found:
                break
        if found is None:  # no free place near the point: unlabelled rather than printed over
            skipped.append(text)
            continue
        side, dy, box = found
        placed.append(box)
        ax.annotate(
            text,
            (x, y),
            xytext=(4 * side, dy * h * 72 / fig.dpi),
            textcoords="offset points",
            fontsize=fontsize,
            va="center",
            ha="left" if side > 0 else "right",
            # a label moved off its point's line gets a thin line to the point
            arrowprops={
                "arrowstyle": "-",
                "color": "#777777",
                "lw": 0.6,
                "shrinkA": 1,
                "shrinkB": 3,
            }
            if dy
            else None,
        )
    return skipped


def draw_headline(fig: Any, d: dict[str, Any], f: L10n) -> None:
    phone = bool(d.get("phone"))
    gpu = short(d["gpu"]) if phone else plain(d["gpu"])
    budget_label = f.text(
        "chart.headline.budget",
        gpu=gpu,
        precision=d["precision"].upper(),
        utilization=f.pct(d["utilization"]),
        years=f.years(d["years"]),
    ).replace("\n", ", " if not phone else "\n")
    needed_label = f.text("chart.headline.needed", model=d["model"])
    bottom = 0.12 + _lines(3 if phone else 2) + 0.55
    _margins(fig, 0.15, 0.15, _title_space(phone), bottom)
    ax = fig.add_subplot()
    budget, flops = d["budget"], d["flops"]
    high = max(d["high"], flops)
    ax.barh([1.0, 0.0], [budget, flops], color=[BLUE, ORANGE], height=0.3)
    if d["high"] > flops or d["low"] < flops:
        ax.errorbar(
            flops,
            0,
            xerr=[[flops - d["low"]], [d["high"] - flops]],
            fmt="none",
            ecolor=INK,
            capsize=4,
            lw=1.2,
        )
    ax.set_xscale("log")
    ax.set_xlim(budget / 30, high * 30)
    ax.set_ylim(-0.3, 1.95 if phone else 1.7)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    for y, label in ((1.0, budget_label), (0.0, needed_label)):
        ax.text(budget / 28, y + 0.2, label, va="bottom", ha="left", fontsize=FONT)
    ax.text(budget * 1.2, 1, f.sci(budget), va="center", fontsize=FONT)
    ax.text(high * 1.3, 0, f.sci(flops), va="center", fontsize=FONT)
    # The bars' lengths on a log axis do not compare as ratios: an arrow says how far apart.
    ax.annotate(
        "",
        xy=(flops, 0.6),
        xytext=(budget, 0.6),
        arrowprops={"arrowstyle": "->", "color": INK, "lw": 1.2},
    )
    ax.text(
        budget * 1.5,
        0.64,
        f.text("chart.headline.gap", factor=f.num(flops / budget)),
        va="bottom",
        ha="left",
        fontsize=FONT,
        fontweight="bold",
    )
    _log_ticks(ax, f)
    _thin_ticks(ax, "x", fig.get_figwidth() - 0.3)
    ax.set_xlabel(f.text("chart.flop_axis"))
    ax.grid(axis="y", visible=False)
    _title(fig, f.text("chart.headline.title", factor=f.num(flops / budget)))
    _note(fig, f.text("chart.log_note"))


def draw_timeline(fig: Any, d: dict[str, Any], f: L10n) -> None:
    from matplotlib.dates import YearLocator

    phone = bool(d.get("phone"))
    gpu_names = _names([g["name"] for g in d["gpus"]], phone)
    right = 0.15 if phone else _text_width(gpu_names) + 0.05
    bottom = 0.45 + (_lines(5) if phone else 0)
    _margins(fig, 0.75, right, _title_space(phone), bottom)
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
    names = _names([m["name"] for m in d["models"]], True)
    _fit_labels(
        ax,
        [
            (date.fromisoformat(m["date"]), m["flops"], n)
            for m, n in zip(d["models"], names, strict=True)
        ],
        first=_names([d.get("highlight", "")], True)[0],
    )
    for i, (g, name) in enumerate(zip(d["gpus"], gpu_names, strict=True)):
        ax.axhline(
            g["flops"],
            color=INK,
            lw=0.9,
            ls=LINESTYLES[i % len(LINESTYLES)],
            label=name if phone else None,
        )
        if not phone:
            ax.text(
                1.01,
                g["flops"],
                name,
                transform=ax.get_yaxis_transform(),
                va="center",
                fontsize=FONT,
            )
    _log_ticks(ax, f, "y")
    _thin_ticks(ax, "y", fig.get_figheight() - bottom - _title_space(phone))
    ax.xaxis.set_major_locator(YearLocator(2 if phone else 1))
    ax.set_ylabel(f.text("chart.flop_axis"))
    if phone:
        fig.legend(
            *ax.get_legend_handles_labels(),
            loc="lower left",
            bbox_to_anchor=(0.1 / fig.get_figwidth(), 0.04 / fig.get_figheight()),
            ncol=2,
            fontsize=FONT,
            frameon=False,
            handlelength=1.6,
            columnspacing=0.8,
        )
    else:
        ax.legend(loc="upper left", fontsize=FONT, frameon=False)
    _title(fig, f.text("chart.timeline.title", utilization=f.pct(d["utilization"])))


def draw_heatmap(fig: Any, d: dict[str, Any], f: L10n) -> None:
    import numpy as np
    from matplotlib.colors import LogNorm

    phone = bool(d.get("phone"))
    years = np.array([[np.nan if v is None else v for v in row] for row in d["years"]], dtype=float)
    rows, cols = years.shape
    gpus = _names(d["gpus"], True)
    models = _names(d["models"], True)
    finite = years[np.isfinite(years)]
    norm = LogNorm(vmin=max(finite.min(), 1e-4), vmax=finite.max())
    w, h = fig.get_figwidth(), fig.get_figheight()
    left = _text_width(gpus) + 0.05
    room = _label_room(d["models"])
    top = _title_space(phone) + room
    grid = 0.2 * rows
    panels = [range(0, cols)]
    if phone:
        half = (cols + 1) // 2
        panels = [range(0, half), range(half, cols)]
    right = 0.15 if phone else 1.25  # the desktop's colour bar and its label on the right
    cell = (w - left - right) / max(len(p) for p in panels)
    img = None
    for i, part in enumerate(panels):
        y_top = top + i * (room + grid)
        ax = fig.add_axes((left / w, 1 - (y_top + grid) / h, cell * len(part) / w, grid / h))
        img = ax.imshow(
            years[:, part.start : part.stop],
            aspect="auto",
            cmap="cividis_r",
            norm=norm,
            interpolation="nearest",
        )
        ax.set_xticks(range(len(part)), models[part.start : part.stop], rotation=90, fontsize=FONT)
        ax.set_yticks(range(rows), gpus, fontsize=FONT)
        ax.xaxis.tick_top()
        ax.grid(visible=False)
    if phone:
        cax = fig.add_axes((0.3 / w, 0.5 / h, (w - 0.6) / w, 0.16 / h))
        bar = fig.colorbar(img, cax=cax, orientation="horizontal")
        _log_ticks(bar.ax, f, "x")
        _thin_ticks(bar.ax, "x", w - 0.6)
    else:
        cax = fig.add_axes(((w - 1.1) / w, 1 - (top + grid) / h, 0.16 / w, grid / h))
        bar = fig.colorbar(img, cax=cax)
        _log_ticks(bar.ax, f, "y")
    bar.set_label(f.text("chart.heatmap.scale"), fontsize=FONT)
    _title(fig, f.text("chart.heatmap.title"))


def _memory_legend(d: dict[str, Any], f: L10n) -> tuple[list[str], int]:
    """The memory chart's legend entries, wrapped to fit their column, and its column count:
    the two bars, then one line per GPU (one column on a phone, two on a desktop)."""
    phone = bool(d.get("phone"))
    gpu_names = _names([g["name"] for g in d["gpus"]], phone)
    labels = [f.text("chart.memory.training"), f.text("chart.memory.inference")]
    labels += [f"{n} ({f.bytes(g['memory'])})" for g, n in zip(d["gpus"], gpu_names, strict=True)]
    ncol = 1 if phone else 2
    column = (width(d) - 0.1) / ncol - 0.5  # less the handle and the gap between columns
    return [_wrap(label, column) for label in labels], ncol


def _memory_bottom(d: dict[str, Any], f: L10n) -> float:
    """Inches under the memory chart's bars: tick labels and axis title, legend, foot note."""
    labels, ncol = _memory_legend(d, f)
    return 0.55 + _legend_height(labels, ncol) + 0.1 + _note_height(width(d), f)


def draw_memory(fig: Any, d: dict[str, Any], f: L10n) -> None:
    phone = bool(d.get("phone"))
    models = sorted(d["models"], key=lambda m: m["training"])
    names = _names([m["name"] for m in models], phone)
    _margins(fig, _text_width(names) + 0.05, 0.15, _title_space(phone), _memory_bottom(d, f))
    ax = fig.add_subplot()
    y = list(range(len(models)))
    gib = 2**30
    bars = [
        ax.barh(
            [i + 0.2 for i in y],
            [m["training"] / gib for m in models],
            height=0.38,
            color=VERMILLION,
        ),
        ax.barh([i - 0.2 for i in y], [m["fp16"] / gib for m in models], height=0.38, color=SKY),
    ]
    _row_labels(ax, names)
    ax.set_ylim(-0.6, len(models) - 0.4)
    ax.set_xscale("log")
    _log_ticks(ax, f)
    lines = [
        ax.axvline(g["memory"] / gib, color=INK, lw=0.9, ls=LINESTYLES[i % len(LINESTYLES)])
        for i, g in enumerate(d["gpus"])
    ]
    _thin_ticks(ax, "x", fig.get_figwidth() - _text_width(names))
    # on a phone the plot starts right of long model names: end the label at the plot's right
    # edge, so that it never runs past the drawing's
    ax.set_xlabel(f.text("chart.memory.axis"), loc="right" if phone else "center")
    ax.grid(axis="y", visible=False)
    labels, ncol = _memory_legend(d, f)
    _legend_below(fig, ax, [*bars, *lines], labels, ncol)
    _title(fig, f.text("chart.memory.title"))
    _note(fig, f.text("chart.log_note"))


def draw_sensitivity(fig: Any, d: dict[str, Any], f: L10n) -> None:
    import numpy as np

    phone = bool(d.get("phone"))
    w, h = fig.get_figwidth(), fig.get_figheight()
    top = _title_space(phone)
    note = _lines(4 if phone else 3)
    if phone:
        # one panel above the other, each with room for a two-line heading
        ax1 = fig.add_axes((0.8 / w, 1 - (top + 0.45 + 3.0) / h, (w - 0.95) / w, 3.0 / h))
        ax2 = fig.add_axes(
            (0.8 / w, 1 - (top + 0.45 + 3.0 + 1.05 + 0.45 + 2.55) / h, (w - 0.95) / w, 2.55 / h)
        )
        panel = w - 0.95
    else:
        _margins(fig, 0.75, 0.1, top + 0.4, note + 0.5, wspace=0.3)
        ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.5, 1])
        panel = (w - 0.85) / 2.5
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
    ax1.set_xticks([20, 40, 60, 80, 100])
    ax1.legend(fontsize=FONT, frameon=False, loc="upper right")
    ax1.set_title(
        _wrap(
            f.text(
                "chart.sensitivity.left", precision=d["precision"].upper(), duty=f.pct(d["duty"])
            ),
            (w - 0.95) if phone else panel * 1.5,
        ),
        fontsize=FONT,
        loc="left",
    )
    rows = d["per_precision"]
    ax2.bar([r["precision"].upper() for r in rows], [r["years"] for r in rows], color=BLUE)
    for i, r in enumerate(rows):
        ax2.text(i, r["years"] * 1.15, f.num(r["years"]), ha="center", fontsize=FONT)
    ax2.set_yscale("log")
    ys = [r["years"] for r in rows]
    ax2.set_ylim(min(ys) / 3, max(ys) * 4)
    _log_ticks(ax2, f, "y")
    ax2.set_title(
        _wrap(f.text("chart.sensitivity.right", duty=f.pct(d["duty"])), panel),
        fontsize=FONT,
        loc="left",
    )
    ax2.grid(axis="x", visible=False)
    _title(fig, f.text("chart.sensitivity.title", gpu=d["gpu"], model=d["model"]))
    _note(fig, f.text("chart.log_note"))


def draw_years(fig: Any, d: dict[str, Any], f: L10n) -> None:
    """Years on each GPU (or for each model) as dots, drawn at a phone's width only (NARROW)."""
    best_dot = {"marker": "o", "color": BLUE, "ms": 5}
    real_dot = {"marker": "D", "color": ORANGE, "ms": 4.5}
    rows = sorted(d["rows"], key=lambda r: r["best"])
    names = _names([r["name"] for r in rows], shorten=True)
    key_top = _title_space(True) - 0.05  # the key above the axes, under the title: it covers no dot
    _margins(fig, _text_width(names) + 0.05, 0.3, key_top + 2 * LEGEND_LINE + 0.35, 0.55)
    ax = fig.add_subplot()
    y = list(range(len(rows)))
    best = [r["best"] for r in rows]
    real = [r["realistic"] for r in rows]
    ax.hlines(y, best, real, color=GRID, lw=2.5)
    ax.plot(best, y, ls="none", **best_dot)
    ax.plot(real, y, ls="none", **real_dot)
    ax.axvline(1, color=VERMILLION, lw=1)
    ax.text(
        1,
        1.005,
        f.text("chart.years.one_year"),
        transform=ax.get_xaxis_transform(),
        color=VERMILLION,
        fontsize=FONT,
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
    _thin_ticks(ax, "x", fig.get_figwidth() - _text_width(names))
    ax.set_xlabel(f.text("chart.years.axis"))
    ax.grid(axis="y", visible=False)
    _key(
        fig,
        [(best_dot, f.text("chart.years.best")), (real_dot, f.text("chart.years.realistic"))],
        key_top,
    )
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


def run_memory_specs(results: Results) -> list[ChartSpec]:
    """Memory by context and weight format, one chart per model the pages list."""
    return [
        ChartSpec(f"img/run/{mid}", "run_memory", payload)
        for mid, payload in results.local.memory_charts.items()
    ]


def _run_memory_labels(d: dict[str, Any], f: L10n) -> tuple[str, list[str], int]:
    """The run chart's axis title (wrapped to the plot's width), legend entries and columns."""
    phone = bool(d.get("phone"))
    xlabel = _wrap(f.text("chart.run_memory.x"), width(d) - 0.9)
    return xlabel, [plain(line["name"]) for line in d["lines"]], 1 if phone else 2


def _run_memory_bottom(d: dict[str, Any], f: L10n) -> float:
    """Inches under the run chart's plot: tick labels, axis title and the legend."""
    xlabel, labels, ncol = _run_memory_labels(d, f)
    return 0.35 + (xlabel.count("\n") + 1) * FONT * 1.2 / 72 + _legend_height(labels, ncol) + 0.15


def draw_run_memory(fig: Any, d: dict[str, Any], f: L10n) -> None:
    from matplotlib.ticker import FuncFormatter

    phone = bool(d.get("phone"))
    _margins(fig, 0.75, 0.15, _title_space(phone), _run_memory_bottom(d, f))
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
            ms=4,
        )
    if d["model_context"]:
        ax.axvline(d["model_context"], color=INK, lw=0.8, ls=":")
    ax.set_xscale("log", base=2)
    top = max(b for line in d["lines"] for b in line["bytes"]) / gib * 1.12
    ax.set_ylim(0, top)
    ticks = x if not phone else x[::2]
    ax.set_xticks(ticks)
    ax.set_xticklabels([f.integer(c // 1024) + "k" for c in ticks], fontsize=FONT)
    ax.minorticks_off()
    ax.tick_params(labelsize=FONT)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f.num(v)))
    xlabel, labels, ncol = _run_memory_labels(d, f)
    ax.set_xlabel(xlabel, fontsize=FONT)
    ax.set_ylabel(f.text("chart.run_memory.y"), fontsize=FONT)
    _gpu_lines(ax, [g["memory"] / gib for g in d["gpus"] if g["memory"] / gib < top], f)
    _legend_below(fig, ax, ax.get_lines()[: len(labels)], labels, ncol)
    _title(fig, f.text("chart.run_memory.title", name=d["model"]))


def _gpu_lines(ax: Any, memories: list[float], f: L10n) -> None:
    """Horizontal lines for cards' memory, each labelled just above it at the first place along
    the line (left to right) where the label overlaps no other one."""
    fig = ax.figure
    renderer = _renderer(fig)
    placed: list[Any] = []
    for gib in sorted(set(memories)):
        ax.axhline(gib, color=GRID, lw=1.2, zorder=0)
        for share in (0.01, 0.3, 0.55, 0.8):
            label = ax.annotate(
                f.bytes(gib * 2**30),
                (share, gib),
                xycoords=ax.get_yaxis_transform(),
                xytext=(2, 2),
                textcoords="offset points",
                ha="left",
                fontsize=FONT,
                color=INK,
                # a label sits on white, readable where a data line crosses it
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5, "alpha": 0.85},
            )
            box = label.get_window_extent(renderer)
            if not any(box.overlaps(b) for b in placed):
                placed.append(box)
                break
            label.remove()


DRAW["run_memory"] = draw_run_memory
