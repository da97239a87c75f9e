"""The short verdict ``gpu-year compare`` prints, in English or German."""

from __future__ import annotations

from generator.data import Catalog
from generator.i18n import L10n
from generator.results import Comparison


def verdict_key(c: Comparison) -> str:
    """Which answer applies: compute and memory each suffice or not (or compute is unknown)."""
    if c.ratio is None:
        return "unknown"
    enough = c.ratio >= 1
    if enough and c.fits_training:
        return "enough"
    if enough:
        return "memory"
    return "slow" if c.fits_training else "short"


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
    uncertain = c.training_flops_low != c.training_flops_high
    lines = [
        f.text(
            "compare.training",
            model=model.name,
            flops=f.flops(c.training_flops),
            kind=f.text(f"method.{c.training_flops_method}"),
            by=c.training_flops_by,
        )
    ]
    if uncertain:
        lines.append(
            f.text(
                "compare.range",
                low=f.flops(c.training_flops_low),
                high=f.flops(c.training_flops_high),
            )
        )
    return [
        *lines,
        f.text(
            "compare.ratio_range" if uncertain else "compare.ratio",
            ratio=f.pct(c.ratio) if c.ratio < 1 else f.factor(c.ratio),
            low=f.pct(c.ratio_low),
            high=f.pct(c.ratio_high),
            years=f.value(c.gpu_years_needed),
        ),
        f.text(
            "compare.realistic",
            precision=c.realistic_precision.upper(),
            mfu=f.pct(c.realistic_mfu),
            low=f.pct(mfu.low),
            high=f.pct(mfu.high),
            years=f.years(c.realistic_gpu_years_needed),
            gpus=", ".join(
                f.text("compare.gpus_for_days", gpus=f.num(n, 4), days=days)
                for days, n in c.gpus_needed.items()
            ),
        ),
    ]


def _memory_lines(c: Comparison, catalog: Catalog, f: L10n) -> list[str]:
    s = catalog.scenario
    gpu = catalog.gpus[c.gpu]
    lines = [
        f.text(
            "compare.memory",
            need=f.bytes(c.training_memory_bytes),
            bpp=f.num(s.recipe(s.training_recipe).bytes_per_param),
            plus=f.text("compare.plus_activations") if c.activation_bytes is not None else "",
            have=f.bytes(c.gpu_memory_bytes),
            gpus=f.num(c.min_gpus_for_memory, 4),
        )
        if not c.fits_training
        else f.text(
            "compare.memory_fits",
            need=f.bytes(c.training_memory_bytes),
            have=f.bytes(c.gpu_memory_bytes),
        ),
        f.text(
            "compare.inference" if c.kv_cache_bytes is not None else "compare.inference_weights",
            need=f.bytes(c.inference_memory_bytes),
            fits=f.text("compare.fits" if c.fits_inference else "compare.does_not_fit"),
        ),
    ]
    if c.energy_kwh:
        lines.append(
            f.text(
                "compare.energy",
                kwh=f.num(c.energy_kwh),
                watts=f.num(gpu.board_power_w or 0),
                cost=f.money(c.electricity_cost or 0, c.electricity_currency),
                price=f.money(s.electricity.price_per_kwh, s.electricity.currency),
            )
        )
    if c.activation_bytes is None:
        lines.append(f.text("compare.no_activations"))
    return lines
