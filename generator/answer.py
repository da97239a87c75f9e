"""The answer ``gpu-year compare`` prints, in English or German."""

from __future__ import annotations

from generator.data import Catalog
from generator.i18n import L10n
from generator.results import Comparison


def verdict_key(c: Comparison) -> str:
    """The overall answer: ``enough``, ``reach``, ``far_compute``, ``far_memory``, ``far_both``
    or ``unknown`` (compute unknown), from the separate compute and memory verdicts."""
    if c.compute_verdict == "unknown":
        return "unknown"
    verdicts = {"compute": c.compute_verdict, "memory": c.memory_verdict}
    far = [axis for axis, v in verdicts.items() if v == "far"]
    if len(far) == 2:
        return "far_both"
    if far:
        return f"far_{far[0]}"
    return "enough" if c.compute_verdict == c.memory_verdict == "enough" else "reach"


def render(c: Comparison, catalog: Catalog, lang: str) -> str:
    """A few lines answering the question, numbers localized, assumptions named."""
    f = L10n(lang)
    gpu, model = catalog.gpus[c.gpu], catalog.models[c.model]
    s = catalog.scenario
    lines = [
        f.text(
            "compare.question",
            gpu=gpu.name,
            duration=f.duration(c.years),
            utilization=f.pct(c.utilization),
            model=model.name,
        ),
        "",
        f.text(f"compare.verdict.{verdict_key(c)}", model=model.name),
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
        lines += _compute_lines(c, catalog, f)
    lines += _memory_lines(c, catalog, f)
    lines += _money_lines(c, catalog, f)
    lines += [
        "",
        f.text(
            "compare.duty_cycle",
            utilization=f.pct(c.utilization),
            low=f.pct(s.reference_mfu.low),
            high=f.pct(s.reference_mfu.high),
        ),
    ]
    return "\n".join(lines)


def _compute_lines(c: Comparison, catalog: Catalog, f: L10n) -> list[str]:
    model = catalog.models[c.model]
    mfu = catalog.scenario.reference_mfu
    lines = [
        f.text(
            "compare.training",
            model=model.name,
            flops=f.flops(c.training_flops),
            kind=f.text(f"method.{c.training_flops_method}"),
            by=c.training_flops_by,
        )
    ]
    if c.training_flops_low != c.training_flops_high:
        lines.append(
            f.text(
                "compare.range",
                low=f.flops(c.training_flops_low),
                high=f.flops(c.training_flops_high),
            )
        )
    share = f.span(c.ratio, c.ratio_low, c.ratio_high, f.pct)
    years = f.span(c.gpu_years_needed, c.gpu_years_needed_low, c.gpu_years_needed_high, f.years)
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
        f.text(
            "compare.realistic",
            precision=c.realistic_precision.upper(),
            mfu=f.pct(c.realistic_mfu),
            utilization=f.pct(c.utilization),
            share=f.pct(c.realistic_share),
            low=f.pct(mfu.low),
            high=f.pct(mfu.high),
            years=f.years(c.realistic_gpu_years_needed),
            gpus=", ".join(
                f.text("compare.gpus_for_days", gpus=f.integer(n), days=days)
                for days, n in c.gpus_needed.items()
            ),
        ),
    ]


def _memory_lines(c: Comparison, catalog: Catalog, f: L10n) -> list[str]:
    s = catalog.scenario
    lines = [
        f.text(
            "compare.memory" if not c.fits_training else "compare.memory_fits",
            verdict=f.text(f"verdict.{c.memory_verdict}"),
            need=f.bytes(c.training_memory_bytes),
            bpp=f.num(s.recipe(s.training_recipe).bytes_per_param),
            plus=f.text("compare.plus_activations") if c.activation_bytes is not None else "",
            have=f.bytes(c.gpu_memory_bytes),
            gpus=f.integer(c.min_gpus_for_memory),
        ),
    ]
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


def _money_lines(c: Comparison, catalog: Catalog, f: L10n) -> list[str]:
    """Energy of the period on one card, then time, energy and money of the whole run."""
    s = catalog.scenario
    gpu = catalog.gpus[c.gpu]
    price = f.money(s.electricity.price_per_kwh, s.electricity.currency)
    lines = []
    if c.energy_kwh is not None:
        lines.append(
            f.text(
                "compare.energy",
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
            "compare.run",
            years=f.years(c.realistic_gpu_years_needed),
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
    lines.append(
        f.text(
            "compare.run_cloud",
            cost=f.money(c.cloud_cost_usd, "USD"),
            rate=f.money(gpu.cloud_price.usd_per_hour, "USD"),
            provider=gpu.cloud_price.provider,
            date=f.date(gpu.cloud_price.as_of),
        )
        if c.cloud_cost_usd is not None and gpu.cloud_price
        else f.text("compare.run_no_cloud")
    )
    return lines
