"""The answer ``gpu-year compare`` prints, in English or German."""

from __future__ import annotations

from generator.calc import GIB
from generator.data import Catalog
from generator.i18n import L10n
from generator.results import Comparison, Instead, PlanRow, Setup, training_compute
from generator.schema import PRECISIONS, Gpu, Model, Scenario, text_in


def render(c: Comparison, gpu: Gpu, model: Model, catalog: Catalog, lang: str) -> str:
    """A few lines answering the question, numbers localized, assumptions named."""
    f = L10n(lang)
    s = catalog.scenario
    lines = [
        f.text(
            "compare.question" if c.gpus == 1 else "compare.question_n",
            gpu=gpu.label(f.lang),
            n=f.integer(c.gpus),
            duration=f.duration(c.years),
            utilization=f.pct(c.utilization),
            model=model.label(f.lang),
        ),
        "",
        f.text(f"compare.verdict.{c.verdict}", model=model.label(f.lang)),
        *_basis(c, gpu, s, f),
        "",
        f.text(
            "compare.compute",
            budget=f.flops(c.budget_flops),
            precision=c.precision.upper(),
            peak=f.tflops(c.peak_flops),
            utilization=f.pct(c.utilization),
        ),
    ]
    if c.training_flops is not None:
        lines += _compute_lines(c, model, catalog, f)
    lines += _memory_lines(c, catalog, f)
    lines += _money_lines(c, gpu, catalog, f)
    lines += [
        "",
        f.text(
            "compare.duty_cycle",
            utilization=f.pct(c.utilization),
            low=f.pct(c.realistic_mfu.low),
            high=f.pct(c.realistic_mfu.high),
            mfu=f.pct(c.realistic_mfu.value),
        ),
    ]
    if c.gpus > 1:
        lines.append(f.text("compare.scaling"))
    return "\n".join(lines)


def _basis(c: Comparison, gpu: Gpu, scenario: Scenario, f: L10n) -> list[str]:
    """What the verdict counts (the asked precision and duty cycle), beside the realistic rate's
    time on one card: the two can differ by a large factor (H200 × GPT-2: "within reach" at
    FP32, 62 days at BF16 × 40 % MFU)."""
    if c.realistic_gpu_years_needed is None:
        return []
    asked = scenario.question.precision
    return [
        f.text(
            "compare.basis" if gpu.peak(asked) else "compare.basis_fastest",
            asked=asked.upper(),
            precision=c.precision.upper(),
            utilization=f.pct(c.utilization),
            real=c.realistic_precision.upper(),
            mfu=f.pct(c.realistic_mfu.value),
            years=f.years(c.realistic_gpu_years_needed.value),
        )
    ]


def _compute_lines(c: Comparison, model: Model, catalog: Catalog, f: L10n) -> list[str]:
    lines = [
        f.text(
            "compare.training" if c.training_flops_method != "6ND" else "compare.training_6nd",
            model=model.label(f.lang),
            flops=f.flops(c.training_flops.value),
            kind=f.text(f"method.{c.training_flops_method}"),
            by=text_in(c.training_flops_by, f.lang),
        )
    ]
    t = c.training_flops
    low, value, high = (f.flops(x) for x in (t.low, t.value, t.high))
    if low != high:  # the value is not repeated as an end of its range
        key = "range_up" if value == low else "range_down" if value == high else "range"
        lines.append(f.text(f"compare.{key}", low=low, high=high))
    share = f.span(c.ratio.value, c.ratio.low, c.ratio.high, f.pct)
    need = c.gpu_years_needed
    years = f.span(need.value, need.low, need.high, f.years)
    key = "compare.verdict_compute_enough" if c.compute_verdict == "enough" else "compare.share"
    return [
        *lines,
        f.text(
            key,
            verdict=f.text(f"verdict.{c.compute_verdict}"),
            share=share,
            cards=f.integer(c.cards_for_compute),
            duration=f.duration(c.years),
            years=years,
        ),
        *(
            [f.text("compare.with_gpus", n=f.integer(c.gpus), years=f.years(c.years_with_gpus))]
            if c.gpus > 1
            else []
        ),
        f.text(
            "compare.realistic",
            precision=c.realistic_precision.upper(),
            mfu=f.pct(c.realistic_mfu.value),
            utilization=f.pct(c.utilization),
            share=f.pct(c.realistic_share),
            low=f.pct(c.realistic_mfu.low),
            high=f.pct(c.realistic_mfu.high),
            years=f.years(c.realistic_gpu_years_needed.value),
            gpus=", ".join(
                f.plural("compare.gpus_for_days", n, gpus=f.integer(n), days=days)
                for days, n in c.gpus_needed.items()
            ),
        ),
    ]


def _memory_lines(c: Comparison, catalog: Catalog, f: L10n) -> list[str]:
    s = catalog.scenario
    recipe = s.recipe(s.training_recipe)
    key = "compare.memory_fits" if c.fits_training else "compare.memory"
    lines = [
        f.text(
            key + ("_n" if c.gpus > 1 else ""),
            verdict=f.text(f"verdict.{c.memory_verdict}"),
            n=f.integer(c.gpus),
            per_gpu=f.bytes(c.training_memory_per_gpu_bytes),
            need=f.bytes(c.training_memory_bytes),
            bpp=f.num(recipe.bytes_per_param),
            plus=f.text("compare.plus_activations") if c.activation_bytes is not None else "",
            have=f.bytes(c.gpu_memory_bytes),
            gpus=f.integer(c.min_gpus_for_memory),
        ),
    ]
    if not c.fits_training and c.training_memory_low_bytes is not None:
        lines.append(
            f.text(
                "compare.memory_lean",
                lean=f.num(recipe.lean_bytes_per_param),
                low=f.bytes(c.training_memory_low_bytes),
            )
        )
    if c.activation_bytes is None:
        lines.append(f.text("compare.no_activations"))
    lines.append(
        f.text(
            "compare.inference" if c.kv_cache_bytes is not None else "compare.inference_weights",
            need=f.bytes(c.inference_memory_bytes),
            fits=f.text("compare.fits" if c.fits_inference else "compare.does_not_fit"),
        )
    )
    return lines


def _money_lines(c: Comparison, gpu: Gpu, catalog: Catalog, f: L10n) -> list[str]:
    """Energy of the period on all cards, then time, energy and money of the whole run."""
    price = f.money(c.electricity_price_kwh, c.electricity_currency)
    lines = []
    if c.energy_kwh is not None:
        lines.append(
            f.text(
                "compare.energy" if c.gpus == 1 else "compare.energy_n",
                n=f.integer(c.gpus),
                duration=f.duration(c.years),
                kwh=f.num(c.energy_kwh),
                watts=f.num(gpu.board_power_w or 0),
                cost=f.money(c.electricity_cost or 0, c.electricity_currency),
                price=price,
            )
        )
    if c.run_gpu_hours is None:
        return lines
    lines.append(
        f.text(
            "compare.run" if c.gpus == 1 else "compare.run_n",
            years=f.years(c.realistic_gpu_years_needed.value),
            n=f.integer(c.gpus),
            wall=f.years(c.realistic_years_with_gpus),
            hours=f.count(c.run_gpu_hours),
        )
    )
    if c.run_energy_kwh is not None:
        lines.append(
            f.text(
                "compare.run_energy",
                kwh=f.num(c.run_energy_kwh),
                cost=f.money(c.run_electricity_cost or 0, c.electricity_currency),
                price=price,
            )
        )
    if c.cloud_cost_usd is None:
        lines.append(f.text("compare.run_no_cloud"))
    elif gpu.cloud_price and c.cloud_rate_usd == gpu.cloud_price.usd_per_hour:
        lines.append(
            f.text(
                "compare.run_cloud",
                cost=f.money(c.cloud_cost_usd, "USD"),
                rate=f.money(c.cloud_rate_usd, "USD"),
                provider=text_in(gpu.cloud_price.provider, f.lang),
                date=f.date(gpu.cloud_price.as_of),
            )
        )
    else:
        lines.append(
            f.text(
                "compare.run_cloud_given",
                cost=f.money(c.cloud_cost_usd, "USD"),
                rate=f.money(c.cloud_rate_usd, "USD"),
            )
        )
    return lines


def render_plan(
    rows: list[PlanRow], model: Model, days: float, setup: Setup, catalog: Catalog, lang: str
) -> str:
    """The plan as a table: cards per GPU for the deadline, the run's energy and cost."""
    f = L10n(lang)
    names = {g.id: g.label(lang) for g in catalog.gpus.values()}
    head = [
        f.plural(
            "plan.title",
            days,
            model=model.label(f.lang),
            days=f.num(days),
            mfu=f.pct(setup.mfu),
            utilization=f.pct(setup.utilization),
            share=f.pct(setup.mfu * setup.utilization),
        ),
        "",
    ]
    header = [
        f.text(f"plan.col.{k}")
        for k in ("gpu", "cards", "compute", "memory", "days", "hours", "energy", "cloud")
    ]
    table = [header]
    for r in rows:
        table.append(
            [
                names.get(r.gpu, r.gpu),
                f.integer(r.cards),
                f.integer(r.cards_for_compute),
                f.integer(r.cards_for_memory),
                f.num(r.days),
                f.count(r.gpu_hours),
                f.num(r.energy_kwh) if r.energy_kwh is not None else "–",
                f.money(r.cloud_cost_usd, "USD") if r.cloud_cost_usd is not None else "–",
            ]
        )
    return "\n".join([*head, *columns(table, set(range(1, len(header)))), "", f.text("plan.note")])


NAME_WIDTH = 40  # characters of a name in a terminal table; a longer one is cut, ending in …


def columns(
    table: list[list[str]], right: set[int], cut: dict[int, int] | None = None
) -> list[str]:
    """Rows (the first one the header) as columns two spaces apart, those in ``right`` flush
    right (numbers), the others flush left; a cell of column ``i`` longer than ``cut[i]``
    characters is cut to that width, ending in …, so that one long name moves no column."""
    cut = cut or {}
    table = [
        [
            c if len(c) <= cut.get(i, len(c)) else c[: cut[i] - 1].rstrip() + "…"
            for i, c in enumerate(row)
        ]
        for row in table
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    return [
        "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in table
    ]


def list_rows(what: str, catalog: Catalog, lang: str) -> list[dict]:
    """``gpu-year list gpus --json`` or ``list models --json``: one row per entry, raw numbers."""
    if what == "gpus":
        return [
            {
                "id": g.id,
                "name": g.label(lang),
                "memory_gib": g.memory_gib,
                **{p: g.peak(p) for p in PRECISIONS},
            }
            for g in catalog.gpus.values()
        ]
    rows = []
    for m in catalog.models.values():
        c = training_compute(m)
        rows.append(
            {
                "id": m.id,
                "name": m.label(lang),
                "parameters": m.parameters,
                "active_parameters": m.active_parameters,
                "training_tokens": m.training_tokens,
                "training_flops": c.flops if c else None,
                "training_flops_method": c.method if c else "unknown",
            }
        )
    return rows


def render_list(what: str, catalog: Catalog, lang: str) -> str:
    """``gpu-year list gpus`` or ``list models``: a table under a header row."""
    f = L10n(lang)
    col = {
        k: f.text(f"list.col.{k}") for k in ("id", "name", "memory", "params", "compute", "kind")
    }
    if what == "gpus":
        head = [col["id"], col["name"], col["memory"], *(f"{p.upper()} TFLOPS" for p in PRECISIONS)]
        rows = [
            [g.id, g.label(lang), f.bytes(g.memory_gib * GIB)]
            + [f.num(g.peak(p)) if g.peak(p) else "–" for p in PRECISIONS]
            for g in catalog.gpus.values()
        ]
        right = set(range(2, len(head)))
    else:
        head = [col["id"], col["name"], col["params"], col["compute"], col["kind"]]
        rows = []
        for m in catalog.models.values():
            c = training_compute(m)
            rows.append(
                [
                    m.id,
                    m.label(lang),
                    f.count(m.parameters),
                    f.flops(c.flops) if c else "–",
                    f.text(f"method.{c.method}" if c else "method.unknown"),
                ]
            )
        right = {2, 3}
    return "\n".join(columns([head, *rows], right, {1: NAME_WIDTH}))


def render_instead(r: Instead, gpu: Gpu, catalog: Catalog, lang: str) -> str:
    """What the hardware can train instead, in a few lines."""
    f = L10n(lang)
    s = catalog.scenario
    lines = [
        f.text(
            "instead.title" if r.gpus > 1 else "instead.title_one",
            n=f.integer(r.gpus),
            gpu=gpu.label(f.lang),
            duration=f.duration(r.years),
        ),
        "",
        f.text(
            "instead.chinchilla",
            flops=f.flops(r.budget_flops),
            params=f.count(r.chinchilla_params, "parameters"),
            tokens=f.count(r.chinchilla_tokens, "tokens"),
        ),
        f.text("instead.memory", memory=f.bytes(r.memory_bytes)),
    ]
    for rec in s.recipes:
        lines.append(
            f.text(
                "instead.recipe",
                name=getattr(rec, f"name_{lang}"),
                bpp=f.num(rec.bytes_per_param),
                params=f.count(r.largest_trainable[rec.id], "parameters"),
            )
        )
    lines.append(
        f.text(
            "instead.inference",
            sizes=", ".join(
                f"{f.count(n, 'parameters')} ({p.upper()})" for p, n in r.largest_inference.items()
            ),
        )
    )
    note = f.text(
        "instead.note",
        precision=r.precision.upper(),
        mfu=f.pct(r.mfu),
        utilization=f.pct(r.utilization),
    )
    return "\n".join([*lines, "", note])
