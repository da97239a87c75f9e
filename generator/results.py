"""Every comparison the site and the CLI show, computed once from a ``Catalog``.

Three bases of throughput appear side by side, each named where it is used:
- *question*: the scenario's precision and duty cycle (the seed question: FP32 at 90 %);
- *best case*: the GPU's training peak (the fastest of BF16, FP16 and FP32) at the duty cycle;
- *realistic*: best case × the reference MFU (what large training runs achieve), so the share of
  the peak in effect is MFU × duty cycle (40 % × 90 % = 36 %).

Verdicts judge compute and memory separately: *enough* on one card, *within reach* of one server
(at most ``REACH`` cards, or ``REACH`` times the period on one card), or *far off*.
"""

from __future__ import annotations

import json
import math
import re
import typing
from dataclasses import asdict, dataclass, field, fields, make_dataclass
from functools import cached_property
from typing import Any

from generator import calc, local
from generator.data import Catalog
from generator.largest import largest_parameters
from generator.schema import PRECISIONS, Gpu, Model
from generator.span import Span

TRAINING_PRECISIONS = ("bf16", "fp16", "fp32")  # candidates; ties go to the earlier one
# One server holds up to eight accelerators (DGX/HGX, most 8-GPU workstations): more cards than
# that, or more than eight times the period on one, is "far off" rather than "within reach".
REACH = 8


def training_precision(gpu: Gpu) -> str:
    """The precision a training run on ``gpu`` is fastest at: BF16, FP16 or FP32.

    Mixed precision only pays where the card has fast 16-bit units: a GTX 1080 Ti runs FP16 at
    1/64 of its FP32 rate, so it trains in FP32. Never slower than the card's FP32 peak.
    """
    have = [p for p in TRAINING_PRECISIONS if gpu.peak(p)]
    if not have:
        return next(p for p in PRECISIONS if gpu.peak(p))
    return max(have, key=lambda p: (gpu.peak(p), -TRAINING_PRECISIONS.index(p)))


def default_precision(catalog: Catalog, gpu: Gpu) -> str:
    """The precision a question counts at unless one is asked: the scenario's (FP32), or, for a
    card without that peak (TPUs, some accelerators), its fastest training precision."""
    asked = catalog.scenario.question.precision
    return asked if gpu.peak(asked) else training_precision(gpu)


def realistic_share(mfu: float, duty: float) -> float:
    """Share of the dense training peak a real run sustains over the period: MFU × duty cycle."""
    return mfu * duty


def verdict(need: float, one: float) -> str:
    """``enough`` when ``need`` ≤ ``one``, ``reach`` within ``REACH`` times that, else ``far``."""
    if need <= one:
        return "enough"
    return "reach" if need <= REACH * one else "far"


def overall(compute: str, memory: str) -> str:
    """The answer from a compute verdict (``enough``, ``reach``, ``far``, ``unknown``) and a
    memory verdict (``enough``, ``reach``, ``far``): ``enough``, ``reach``, ``far_compute``,
    ``far_memory``, ``far_both`` or ``unknown`` (compute unknown)."""
    if compute == "unknown":
        return "unknown"
    far = [axis for axis, v in (("compute", compute), ("memory", memory)) if v == "far"]
    if len(far) == 2:
        return "far_both"
    if far:
        return f"far_{far[0]}"
    return "enough" if compute == memory == "enough" else "reach"


def realistic_precision(gpu: Gpu, asked: str) -> str:
    """The precision of the realistic rate: FP8 when asked for and the card has FP8 units (an
    FP8 run, as DeepSeek-V3 trained), else the card's training precision (BF16, FP16 or FP32)."""
    return "fp8" if asked == "fp8" and gpu.peak("fp8") else training_precision(gpu)


@dataclass(frozen=True)
class MfuPoint:
    """The MFU a published run implies: its training compute over GPU-hours × the dense peak."""

    model: str
    parameters: float  # doing work per token (active for a mixture of experts)
    gpu: str
    precision: str  # the peak it is measured against: the run's own (FP8) or the training one
    gpu_hours: float
    mfu: float
    fitted: bool  # False: the compute was derived from the hardware; it widens the band only


@dataclass(frozen=True)
class MfuPrior:
    """MFU by model size: ln MFU = ``intercept`` + ``slope`` · log10(N / 10⁹), least squares over
    the published runs whose compute is not derived from the hardware (those return their
    assumption). The band is the fit times the lowest and highest run ÷ fit, capped at the best
    run's MFU: it holds every fitted run of the catalog."""

    intercept: float
    slope: float
    low: float  # multipliers of the fit
    high: float
    top: float  # the highest MFU of a fitted run
    points: list[MfuPoint]

    def at(self, parameters: float) -> tuple[float, float, float]:
        """MFU of a run of ``parameters``: value, low and high, none above ``top``."""
        v = math.exp(self.intercept + self.slope * math.log10(parameters / 1e9))
        return min(v, self.top), min(v * self.low, self.top), min(v * self.high, self.top)


def mfu_points(catalog: Catalog) -> list[MfuPoint]:
    """Every catalog model with published GPU-hours on a catalog GPU and a training compute.

    The compute is the one the realistic hours divide (``training_compute``), so a band that holds
    these MFUs holds the published hours.
    """
    pts = []
    for m in catalog.models.values():
        hw, c = m.training_hardware, training_compute(m)
        if not (hw and hw.gpu and hw.gpu_hours and c):
            continue
        gpu = catalog.gpus[hw.gpu]
        p = realistic_precision(gpu, hw.precision or "")
        mfu = c.flops / (hw.gpu_hours * 3600 * peak_flops(gpu, p))
        tc = m.training_compute
        fitted = not (tc and tc.derived_from == "hardware")
        pts.append(MfuPoint(m.id, m.compute_parameters, gpu.id, p, hw.gpu_hours, mfu, fitted))
    return pts


def mfu_prior(catalog: Catalog) -> MfuPrior | None:
    """The prior fitted on ``mfu_points``; None with fewer than three fitted runs."""
    pts = mfu_points(catalog)
    fit = [p for p in pts if p.fitted]
    if len(fit) < 3:
        return None
    xs = [math.log10(p.parameters / 1e9) for p in fit]
    ys = [math.log(p.mfu) for p in fit]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    intercept = my - slope * mx
    res = [math.log(p.mfu) - intercept - slope * math.log10(p.parameters / 1e9) for p in fit]
    top = max(p.mfu for p in fit)
    return MfuPrior(intercept, slope, math.exp(min(res)), math.exp(max(res)), top, pts)


def mfu_band(catalog: Catalog, parameters: float) -> tuple[float, float]:
    """Low and high MFU of a run of ``parameters``: the prior's band, else the scenario's range."""
    prior = mfu_prior(catalog)
    if prior is None:
        r = catalog.scenario.reference_mfu
        return r.low, r.high
    _, low, high = prior.at(parameters)
    return low, high


def peak_flops(gpu: Gpu, precision: str) -> float:
    """Dense peak in FLOP/s; ``KeyError`` names the precisions the GPU has when it lacks one."""
    tflops = gpu.peak(precision)
    if tflops is None:
        have = ", ".join(p for p in PRECISIONS if gpu.peak(p))
        raise KeyError(f"{gpu.id} has no {precision} peak (it has: {have})")
    return tflops * calc.TERA


@dataclass(frozen=True)
class Compute:
    """Training compute of a model with its plausible range and how it was obtained."""

    flops: float
    low: float
    high: float
    method: str  # "reported", "estimated" or "6ND"
    by: str | dict[str, str]  # who or what: one text, or {en: …, de: …}
    six_nd: float | None  # 6·N·D when tokens are known, for comparison
    six_nd_share: float | None  # 6·N·D as a share of ``flops``

    @property
    def span(self) -> Span:
        return Span(self.flops, self.low, self.high)


def training_compute(model: Model) -> Compute | None:
    """The published figure when there is one (with its range), else 6·N·D with active parameters.

    None when neither a figure nor the training tokens are known.
    """
    six = (
        calc.six_nd(model.compute_parameters, model.training_tokens)
        if model.training_tokens
        else None
    )
    tc = model.training_compute
    if tc is not None:
        share = six / tc.flops if six else None
        return Compute(
            tc.flops, tc.low or tc.flops, tc.high or tc.flops, tc.kind, tc.by, six, share
        )
    return Compute(six, six, six, "6ND", "6·N·D", six, 1.0) if six else None


@dataclass(frozen=True)
class ModelMemory:
    """Memory a model needs, in bytes."""

    state: float  # weights + gradients + optimizer (training recipe)
    state_lean: float | None  # the same under the recipe's lean accounting, the low end
    activations: float | None  # None when the architecture is not published
    inference_weights: dict[str, float]  # per weight precision
    kv_cache: float | None

    @property
    def training(self) -> float:
        return self.state + (self.activations or 0.0)

    @property
    def training_low(self) -> float | None:
        return self.state_lean and self.state_lean + (self.activations or 0.0)

    def inference(self, precision: str = "fp16") -> float:
        return self.inference_weights[precision] + (self.kv_cache or 0.0)


def model_memory(model: Model, catalog: Catalog) -> ModelMemory:
    """Training and inference memory of ``model`` under the scenario's recipe and settings.

    Memory counts *total* parameters (every expert of a mixture-of-experts must be resident).
    """
    s = catalog.scenario
    recipe = s.recipe(s.training_recipe)
    a = model.architecture
    acts = kv = None
    if a and a.layers and a.d_model and a.heads:
        seq = min(s.activations.sequence_length, a.context_length or s.activations.sequence_length)
        acts = calc.activation_bytes(
            a.layers, a.d_model, a.heads, seq, s.activations.batch_size, s.activations.recompute
        )
        per_token = a.kv_cache_dim or calc.kv_values_per_token_layer(
            a.d_model, a.heads, a.kv_heads or a.heads
        )
        if a.context_length:
            kv = calc.kv_cache_bytes(
                a.layers,
                per_token,
                a.context_length,
                s.inference.batch_size,
                s.inference.kv_cache_bytes,
                a.attention_window,
                a.local_layers,
            )
    weights = {p: model.parameters * b for p, b in s.inference.weight_bytes.items()}
    lean = recipe.lean_bytes_per_param
    return ModelMemory(
        calc.state_bytes(model.parameters, recipe.bytes_per_param),
        lean and calc.state_bytes(model.parameters, lean),
        acts,
        weights,
        kv,
    )


# ---------------------------------------------------------------- one GPU × one model


@dataclass(frozen=True)
class Setup:
    """What a reader asks about: the basis, the period, how many cards, and the prices.

    ``utilization`` is the duty cycle (share of the period the cards compute), ``mfu`` the share of
    the training peak a real run achieves while computing; the realistic rate is their product.
    """

    utilization: float
    precision: str
    years: float
    gpus: int
    mfu: float
    price_kwh: float
    cloud_rate: float | None  # USD per GPU-hour; None: the catalog's price for the GPU, if any

    @classmethod
    def from_scenario(cls, catalog: Catalog, **given: Any) -> Setup:
        """The scenario's assumptions, with the ``given`` ones (not None) instead."""
        s = catalog.scenario
        defaults = {
            "utilization": s.question.utilization,
            "precision": s.question.precision,
            "years": s.question.years,
            "gpus": 1,
            "mfu": s.reference_mfu.value,
            "price_kwh": s.electricity.price_per_kwh,
            "cloud_rate": None,
        }
        unknown = set(given) - set(defaults)
        if unknown:
            raise TypeError(f"unknown setting {', '.join(sorted(unknown))}")
        return cls(**{k: v if given.get(k) is None else given[k] for k, v in defaults.items()})


@dataclass(frozen=True)
class Comparison:
    """The answer to "can ``gpus`` × ``gpu`` running ``years`` at ``utilization`` train ``model``?".

    FLOP, years and GPU-years count cards one by one (a GPU-year is one card for one year);
    ``*_with_gpus`` is the wall-clock time on all ``gpus`` cards (ideal scaling).
    """

    gpu: str
    model: str
    precision: str
    utilization: float
    years: float
    gpus: int
    duration_s: float
    peak_flops: float  # one card
    budget_flops: float  # all cards over the period
    training_flops: Span | None  # None: compute unknown
    training_flops_method: str  # reported, estimated, 6ND or unknown
    training_flops_by: str | dict[str, str]  # as in the data: one text, or {en: …, de: …}
    ratio: Span | None  # budget ÷ training compute
    shortfall: float | None  # 1 / ratio: how many such periods the training takes
    gpu_years_needed: Span | None
    years_with_gpus: float | None
    realistic_precision: str
    realistic_mfu: Span  # the MFU counted; its range: the band runs of this size reach (mfu_prior)
    realistic_share: float  # MFU × duty cycle: the share of the training peak in effect
    realistic_gpu_years_needed: Span | None
    realistic_years_with_gpus: float | None
    realistic_years_by_mfu: dict[str, float] | None  # the MFU band's low/high end -> years
    gpus_needed: dict[str, int] | None  # target days -> GPUs at the realistic rate (ideal scaling)
    compute_verdict: str  # enough, reach, far or unknown (question's basis)
    cards_for_compute: int | None  # cards that together deliver the compute within the period
    training_memory_bytes: float  # the whole training state and one card's activations
    training_memory_low_bytes: float | None  # the same under the recipe's lean accounting
    training_state_bytes: float
    activation_bytes: float | None
    training_memory_per_gpu_bytes: float  # state sharded over the cards (ZeRO-3/FSDP)
    inference_memory_bytes: float
    kv_cache_bytes: float | None  # included in inference_memory_bytes when known
    gpu_memory_bytes: float  # one card
    min_gpus_for_memory: int
    memory_verdict: str  # enough, reach or far
    fits_training: bool
    fits_inference: bool
    energy_kwh: float | None  # all cards over the period, at board power while busy
    electricity_cost: float | None
    electricity_price_kwh: float
    electricity_currency: str
    run_gpu_hours: float | None  # the whole training run at the realistic rate, busy hours
    run_energy_kwh: float | None
    run_electricity_cost: float | None
    cloud_rate_usd: float | None  # per GPU-hour
    cloud_cost_usd: float | None

    @property
    def verdict(self) -> str:
        """The overall answer from the separate compute and memory verdicts (``overall``)."""
        return overall(self.compute_verdict, self.memory_verdict)

    def to_json(self) -> dict[str, Any]:
        """Flat, as the output schema pins it: a span ``x`` gives ``x``, ``x_low``, ``x_high``."""
        d: dict[str, Any] = {}
        for k, v in asdict(self).items():
            if k in SPAN_FIELDS:
                d |= {k: v and v["value"], f"{k}_low": v and v["low"], f"{k}_high": v and v["high"]}
            else:
                d[k] = v
        return d


SPAN_FIELDS = frozenset(
    name for name, t in typing.get_type_hints(Comparison).items() if t in (Span, Span | None)
)


def compare(
    catalog: Catalog, gpu: str | Gpu, model: str | Model, setup: Setup | None = None, **given: Any
) -> Comparison:
    """Compare ``gpu`` (an id, a name or a custom ``Gpu``) with ``model`` under ``setup``.

    Unset settings come from the scenario (``Setup.from_scenario``); ``given`` are passed to it.
    """
    s = catalog.scenario
    gpu = catalog.gpu(gpu) if isinstance(gpu, str) else gpu
    if setup is None:
        given.setdefault("precision", default_precision(catalog, gpu))
        setup = Setup.from_scenario(catalog, **given)
    model = catalog.model(model) if isinstance(model, str) else model
    n, duty = setup.gpus, setup.utilization
    if not 0 < duty <= 1:
        raise ValueError(f"utilization must be in (0, 1], got {duty}")

    duration = calc.seconds(setup.years, s.year_days)
    year = calc.seconds(1, s.year_days)
    peak = peak_flops(gpu, setup.precision)
    budget = n * calc.budget_flops(peak, duty, duration)
    per_year = calc.budget_flops(peak, duty, year)  # one card
    c = training_compute(model)
    real_p = realistic_precision(gpu, setup.precision)
    share = realistic_share(setup.mfu, duty)
    band = mfu_band(catalog, model.compute_parameters)
    sustained = peak_flops(gpu, real_p) * share  # one card
    mem = model_memory(model, catalog)
    gpu_bytes = gpu.memory_gib * calc.GIB
    per_gpu = sharded_bytes(mem, n)
    flops = c and c.span
    real_years = c and c.flops / (sustained * year)
    run = run_costs(gpu, real_years, duty, s.year_days, setup.price_kwh, setup.cloud_rate)
    kwh = n * calc.energy_kwh(gpu.board_power_w, duration, duty) if gpu.board_power_w else None
    min_gpus = min_gpus_for_memory(mem, gpu_bytes)
    return Comparison(
        gpu=gpu.id,
        model=model.id,
        precision=setup.precision,
        utilization=duty,
        years=setup.years,
        gpus=n,
        duration_s=duration,
        peak_flops=peak,
        budget_flops=budget,
        training_flops=flops,
        training_flops_method=c.method if c else "unknown",
        training_flops_by=c.by if c else "",
        ratio=flops and flops.map(lambda f: budget / f, decreasing=True),
        shortfall=c and c.flops / budget,
        gpu_years_needed=flops and flops.map(lambda f: calc.gpu_years_needed(f, per_year)),
        years_with_gpus=c and calc.gpu_years_needed(c.flops, per_year) / n,
        realistic_precision=real_p,
        realistic_mfu=Span(setup.mfu, *band),
        realistic_share=share,
        realistic_gpu_years_needed=flops and flops.map(lambda f: f / (sustained * year)),
        realistic_years_with_gpus=real_years and real_years / n,
        realistic_years_by_mfu=c
        and {
            end: c.flops / (peak_flops(gpu, real_p) * realistic_share(mfu, duty) * year)
            for end, mfu in (("low", band[0]), ("high", band[1]))
        },
        gpus_needed=(
            {f"{d:g}": calc.gpus_needed(c.flops, sustained, d) for d in s.target_days}
            if c
            else None
        ),
        compute_verdict=verdict(c.flops, budget) if c else "unknown",
        cards_for_compute=c and cards(c.flops, budget / n),
        training_memory_bytes=mem.training,
        training_memory_low_bytes=mem.training_low,
        training_state_bytes=mem.state,
        activation_bytes=mem.activations,
        training_memory_per_gpu_bytes=per_gpu,
        inference_memory_bytes=mem.inference("fp16"),
        kv_cache_bytes=mem.kv_cache,
        gpu_memory_bytes=gpu_bytes,
        min_gpus_for_memory=min_gpus,
        memory_verdict=memory_verdict(min_gpus, n),
        fits_training=per_gpu <= gpu_bytes,
        fits_inference=mem.inference("fp16") <= n * gpu_bytes,
        energy_kwh=kwh,
        electricity_cost=calc.cost(kwh, setup.price_kwh) if kwh else None,
        electricity_price_kwh=setup.price_kwh,
        electricity_currency=s.electricity.currency,
        run_gpu_hours=run.gpu_hours,
        run_energy_kwh=run.energy_kwh,
        run_electricity_cost=run.electricity_cost,
        cloud_rate_usd=run.cloud_rate,
        cloud_cost_usd=run.cloud_cost_usd,
    )


def memory_verdict(min_gpus: int, gpus: int) -> str:
    """``enough`` when ``gpus`` cards hold the training memory, ``reach`` when one server of
    ``REACH`` cards would, else ``far``."""
    if min_gpus <= gpus:
        return "enough"
    return "reach" if min_gpus <= REACH else "far"


def sharded_bytes(mem: ModelMemory, gpus: int) -> float:
    """Training memory per card when ``gpus`` cards share it evenly.

    Ideal sharding: weights, gradients and optimizer state split as with ZeRO-3/FSDP, activations
    as with tensor and sequence parallelism. Communication buffers, the gathered layer in flight
    and uneven splits are left out, so real runs need somewhat more.
    """
    return mem.training / gpus


def min_gpus_for_memory(mem: ModelMemory, gpu_bytes: float) -> int:
    """Fewest cards that together hold the training memory (ideal sharding, no overhead)."""
    return cards(mem.training, gpu_bytes)


def cards(need: float, per_card: float) -> int:
    """Whole cards that together deliver ``need`` when each delivers ``per_card``.

    Rounded to 12 significant digits first, so that an exact multiple is not one card more.
    """
    return max(1, math.ceil(float(f"{need / per_card:.12g}")))


@dataclass(frozen=True)
class RunCosts:
    """A whole training run at the realistic rate: GPU-years, GPU-hours, energy and money."""

    gpu_years: float | None
    gpu_hours: float | None
    energy_kwh: float | None
    electricity_cost: float | None
    cloud_rate: float | None
    cloud_cost_usd: float | None


def run_costs(
    gpu: Gpu,
    gpu_years: float | None,
    duty: float,
    year_days: float,
    price_kwh: float,
    cloud_rate: float | None = None,
) -> RunCosts:
    """What a run of ``gpu_years`` (card-years of wall-clock time at the realistic rate) costs.

    GPU-hours count the busy share (the duty cycle) of that time: the hours a card draws board
    power and the hours one rents it for. ``cloud_rate`` defaults to the catalog's price.
    """
    rate = cloud_rate
    if rate is None and gpu.cloud_price:
        rate = gpu.cloud_price.usd_per_hour
    if gpu_years is None:
        return RunCosts(None, None, None, None, rate, None)
    busy_hours = gpu_years * year_days * 24 * duty
    kwh = calc.energy_kwh(gpu.board_power_w, busy_hours * 3600, 1) if gpu.board_power_w else None
    return RunCosts(
        gpu_years,
        busy_hours,
        kwh,
        calc.cost(kwh, price_kwh) if kwh is not None else None,
        rate,
        calc.cost(busy_hours, rate) if rate else None,
    )


# ---------------------------------------------------------------- the inverse questions


@dataclass(frozen=True)
class PlanRow:
    """One GPU's answer to "how many cards finish ``model`` in ``days``?" (realistic rate)."""

    gpu: str
    precision: str
    cards_for_compute: int  # at the realistic rate, ideal scaling
    cards_for_memory: int  # ideal sharding of the training memory
    cards: int  # the larger of the two
    days: float  # the run's wall-clock time on ``cards`` cards
    gpu_hours: float  # busy GPU-hours of the whole run
    energy_kwh: float | None
    electricity_cost: float | None
    cloud_rate_usd: float | None
    cloud_cost_usd: float | None


def plan(
    catalog: Catalog,
    model: str | Model,
    days: float,
    gpus: list[str | Gpu] | None = None,
    setup: Setup | None = None,
) -> list[PlanRow]:
    """For every catalog GPU (or ``gpus``): cards to train ``model`` within ``days``, sorted by
    cloud cost (GPUs without a cloud price last, by electricity cost)."""
    setup = setup or Setup.from_scenario(catalog)
    chosen = [catalog.gpu(g) if isinstance(g, str) else g for g in gpus or catalog.gpus.values()]
    model = catalog.model(model) if isinstance(model, str) else model
    return _plan_rows(catalog, model, days, _rates(chosen, setup), setup)


def _rates(gpus: list[Gpu], setup: Setup) -> list[tuple[Gpu, str, float]]:
    """Each card with the precision and FLOP/s of its realistic rate under ``setup``."""
    share = realistic_share(setup.mfu, setup.utilization)
    rates = []
    for gpu in gpus:
        tp = realistic_precision(gpu, setup.precision)
        rates.append((gpu, tp, peak_flops(gpu, tp) * share))
    return rates


def _plan_rows(
    catalog: Catalog,
    model: Model,
    days: float,
    rates: list[tuple[Gpu, str, float]],
    setup: Setup,
) -> list[PlanRow]:
    """``plan`` on cards whose rates are known (``compute_all`` plans every model on them)."""
    s = catalog.scenario
    c = training_compute(model)
    if c is None:
        raise ValueError(f"the training compute of {model.name} is unknown: nothing to plan")
    mem = model_memory(model, catalog)
    rows = []
    for gpu, tp, sustained in rates:
        for_compute = calc.gpus_needed(c.flops, sustained, days)
        for_memory = min_gpus_for_memory(mem, gpu.memory_gib * calc.GIB)
        n = max(for_compute, for_memory)
        card_years = c.flops / (sustained * calc.seconds(1, s.year_days))
        run = run_costs(
            gpu, card_years, setup.utilization, s.year_days, setup.price_kwh, setup.cloud_rate
        )
        rows.append(
            PlanRow(
                gpu=gpu.id,
                precision=tp,
                cards_for_compute=for_compute,
                cards_for_memory=for_memory,
                cards=n,
                days=card_years * s.year_days / n,
                gpu_hours=run.gpu_hours or 0.0,
                energy_kwh=run.energy_kwh,
                electricity_cost=run.electricity_cost,
                cloud_rate_usd=run.cloud_rate,
                cloud_cost_usd=run.cloud_cost_usd,
            )
        )
    inf = float("inf")
    return sorted(
        rows,
        key=lambda r: (
            r.cloud_cost_usd is None,
            r.cloud_cost_usd if r.cloud_cost_usd is not None else inf,
            r.electricity_cost if r.electricity_cost is not None else inf,
            r.gpu,
        ),
    )


@dataclass(frozen=True)
class Instead:
    """What ``gpus`` × ``gpu`` for ``years`` can train instead, at the realistic rate."""

    gpu: str
    gpus: int
    years: float
    precision: str
    mfu: float
    utilization: float
    budget_flops: float  # all cards over the period, realistic rate
    chinchilla_params: float  # compute-optimal model for the budget (Hoffmann et al. 2022)
    chinchilla_tokens: float
    memory_bytes: float  # all cards
    # beside each card's framework overhead (largest.largest_parameters)
    largest_trainable: dict[str, float]  # recipe id -> parameters whose state fits (sharded)
    largest_inference: dict[str, float]  # weight precision -> parameters whose weights fit


def instead(catalog: Catalog, gpu: str | Gpu, setup: Setup | None = None) -> Instead:
    """The compute-optimal model for the budget, and the largest models the memory holds."""
    s = catalog.scenario
    setup = setup or Setup.from_scenario(catalog)
    gpu = catalog.gpu(gpu) if isinstance(gpu, str) else gpu
    tp = realistic_precision(gpu, setup.precision)
    share = realistic_share(setup.mfu, setup.utilization)
    budget = setup.gpus * calc.budget_flops(
        peak_flops(gpu, tp), share, calc.seconds(setup.years, s.year_days)
    )
    n_opt, d_opt = calc.chinchilla_optimal(budget)
    mem = setup.gpus * gpu.memory_gib * calc.GIB

    def largest(bytes_per_param: float) -> float:
        return largest_parameters(catalog, gpu, bytes_per_param, setup.gpus)

    return Instead(
        gpu=gpu.id,
        gpus=setup.gpus,
        years=setup.years,
        precision=tp,
        mfu=setup.mfu,
        utilization=setup.utilization,
        budget_flops=budget,
        chinchilla_params=n_opt,
        chinchilla_tokens=d_opt,
        memory_bytes=mem,
        largest_trainable={r.id: largest(r.bytes_per_param) for r in s.recipes},
        largest_inference={p: largest(b) for p, b in s.inference.weight_bytes.items()},
    )


@dataclass(frozen=True)
class SmallRun:
    """A compute-optimal model of ``parameters`` on one card at the realistic rate."""

    parameters: float
    tokens: float  # 20 per parameter (Hoffmann et al. 2022)
    flops: float  # 6·N·D
    years: float  # on one card
    fits: dict[str, bool]  # recipe id -> training state fits in the card's memory


def small_runs(catalog: Catalog, gpu: str, sizes: list[float]) -> list[SmallRun]:
    """How long one card takes to train compute-optimal models of the given ``sizes``."""
    from generator.custom import custom_model

    recipes = catalog.scenario.recipes
    card = catalog.gpu(gpu)
    runs = []
    for n in sizes:
        c = compare(catalog, card, custom_model(n, tokens=20 * n))
        runs.append(
            SmallRun(
                n,
                20 * n,
                c.training_flops.value if c.training_flops else 0.0,
                c.realistic_gpu_years_needed.value if c.realistic_gpu_years_needed else 0.0,
                {r.id: n <= largest_parameters(catalog, card, r.bytes_per_param) for r in recipes},
            )
        )
    return runs


# ---------------------------------------------------------------- the whole catalog


@dataclass(frozen=True)
class GpuResult:
    id: str
    peak_flops: dict[str, float]
    training_precision: str
    question_flops_s: float | None  # sustained FLOP/s: scenario precision × duty cycle
    best_flops_s: float  # training precision × duty cycle
    realistic_flops_s: float  # best × reference MFU
    question_year_flops: float | None  # the same over one year
    best_year_flops: float
    realistic_year_flops: float
    memory_bytes: float
    energy_kwh_year: float | None
    electricity_cost_year: float | None
    cloud_cost_usd_year: float | None
    chinchilla_params: float  # compute-optimal model for the realistic GPU-year
    chinchilla_tokens: float
    largest_trainable: dict[str, float]  # recipe id -> parameters whose state fits in memory
    largest_inference: dict[str, float]  # weight precision -> parameters whose weights fit


@dataclass(frozen=True)
class ModelResult:
    id: str
    compute: Compute | None
    memory: ModelMemory
    implied_mfu: float | None  # from published GPU-hours on a catalog GPU
    implied_mfu_precision: str | None
    # "6ND": 6·N·D over the GPU-hours; "compute": the published compute over them; "circular":
    # the compute was itself estimated from the GPU-hours, so dividing returns the assumption
    implied_mfu_basis: str | None


@dataclass(frozen=True)
class PairResult:
    years_best: Span | None  # its range: the compute's; None: the model's compute is unknown
    years_realistic: float | None
    gpus_needed: dict[str, int] | None
    min_gpus_for_memory: int
    fits_training: bool
    fits_inference: dict[str, bool]
    run_gpu_hours: float | None  # the whole run at the realistic rate
    run_energy_kwh: float | None
    run_electricity_cost: float | None
    run_cloud_cost_usd: float | None

    @property
    def verdict(self) -> str:
        """The answer for one card and one year at the best case, as the home page gives it
        for the headline pair (``overall``): compute from the years on one card, memory from
        the cards that hold it."""
        best = self.years_best
        compute = "unknown" if best is None else verdict(best.value, 1.0)
        return overall(compute, memory_verdict(self.min_gpus_for_memory, 1))

    def to_json(self) -> dict[str, Any]:
        """Flat (``years_best``, ``_low``, ``_high``), built directly: there are GPUs × models."""
        b = self.years_best
        d = {
            "years_best": b and b.value,
            "years_best_low": b and b.low,
            "years_best_high": b and b.high,
        }
        d.update((k, v) for k, v in vars(self).items() if k != "years_best")  # the first field
        d["gpus_needed"] = self.gpus_needed and dict(self.gpus_needed)
        d["fits_inference"] = dict(self.fits_inference)
        return d


@dataclass(frozen=True)
class Results:
    """All computed figures, keyed by id in catalog order."""

    headline: Comparison
    gpus: dict[str, GpuResult]
    models: dict[str, ModelResult]
    pairs: dict[str, dict[str, PairResult]] = field(repr=False)  # gpu id -> model id -> pair
    question: QuestionResult = field(repr=False)  # the in-depth page's and sensitivity's figures
    selection: PageSelection = field(repr=False)  # the rows of each GPU and model page
    heatmap: tuple[list[str], list[str]] = field(repr=False)  # the matrix heat map's GPUs, models
    mfu_prior: MfuPrior | None = field(repr=False)  # None with fewer than three published runs
    small_runs: dict[str, list[SmallRun]] = field(repr=False)  # scenario.small_model_gpus
    catalog: Catalog = field(repr=False, compare=False)  # what these results are of

    @cached_property
    def local(self) -> LocalResults:
        """Fine-tuning and running as the pages show them; computed at first use (a second or
        two), since the commands that only compare never need it."""
        return local_results(self.catalog)

    def to_json(self) -> dict[str, Any]:
        """Plain, JSON-ready dict (SI units, unrounded)."""

        def models_json(m: ModelResult) -> dict[str, Any]:
            d = asdict(m)
            d["memory"]["training"] = m.memory.training
            d["memory"]["training_low"] = m.memory.training_low
            d["memory"]["inference"] = {
                p: m.memory.inference(p) for p in m.memory.inference_weights
            }
            return d

        return {
            "headline": self.headline.to_json(),
            "gpus": {k: asdict(v) for k, v in self.gpus.items()},
            "models": {k: models_json(v) for k, v in self.models.items()},
            "pairs": {g: {m: p.to_json() for m, p in row.items()} for g, row in self.pairs.items()},
        }


def compute_all(catalog: Catalog) -> Results:
    """Compute every GPU, model and GPU × model figure once."""
    s = catalog.scenario
    year = calc.seconds(1, s.year_days)
    duty, mfu = s.question.utilization, s.reference_mfu.value

    gpus: dict[str, GpuResult] = {}
    for g in catalog.gpus.values():
        tp = training_precision(g)
        rates = {
            "question": g.peak(s.question.precision) and peak_flops(g, s.question.precision) * duty,
            "best": peak_flops(g, tp) * duty,
            "realistic": peak_flops(g, tp) * realistic_share(mfu, duty),
        }
        best, realistic = rates["best"] * year, rates["realistic"] * year
        one_year = instead(catalog, g, Setup.from_scenario(catalog, years=1))
        year_run = run_costs(g, 1, duty, s.year_days, s.electricity.price_per_kwh)
        gpus[g.id] = GpuResult(
            id=g.id,
            peak_flops={p: peak_flops(g, p) for p in PRECISIONS if g.peak(p)},
            training_precision=tp,
            question_flops_s=rates["question"],
            best_flops_s=rates["best"],
            realistic_flops_s=rates["realistic"],
            question_year_flops=rates["question"] and rates["question"] * year,
            best_year_flops=best,
            realistic_year_flops=realistic,
            memory_bytes=one_year.memory_bytes,
            energy_kwh_year=year_run.energy_kwh,
            electricity_cost_year=year_run.electricity_cost,
            cloud_cost_usd_year=year_run.cloud_cost_usd,
            chinchilla_params=one_year.chinchilla_params,
            chinchilla_tokens=one_year.chinchilla_tokens,
            largest_trainable=one_year.largest_trainable,
            largest_inference=one_year.largest_inference,
        )

    models = {
        m.id: ModelResult(
            m.id, training_compute(m), model_memory(m, catalog), *_implied_mfu(m, catalog)
        )
        for m in catalog.models.values()
    }

    # The plan for each target duration gives the cards and the run's energy and cost: the same
    # function `gpu-year plan` answers with.
    setup = Setup.from_scenario(catalog)
    rates = _rates(list(catalog.gpus.values()), setup)
    plans = {
        mid: {
            d: {r.gpu: r for r in _plan_rows(catalog, catalog.models[mid], d, rates, setup)}
            for d in s.target_days
        }
        for mid, m in models.items()
        if m.compute
    }
    pairs: dict[str, dict[str, PairResult]] = {}
    for gid, g in gpus.items():
        row = pairs[gid] = {}
        for mid, m in models.items():
            c, mem = m.compute, m.memory
            runs = {f"{d:g}": p[gid] for d, p in plans[mid].items()} if mid in plans else None
            run = next(iter(runs.values())) if runs else None
            row[mid] = PairResult(
                years_best=c and c.span / g.best_year_flops,
                years_realistic=c and c.flops / g.realistic_year_flops,
                gpus_needed=runs and {d: r.cards_for_compute for d, r in runs.items()},
                min_gpus_for_memory=min_gpus_for_memory(mem, g.memory_bytes),
                fits_training=mem.training <= g.memory_bytes,
                fits_inference={
                    p: mem.inference(p) <= g.memory_bytes for p in mem.inference_weights
                },
                run_gpu_hours=run and run.gpu_hours,
                run_energy_kwh=run and run.energy_kwh,
                run_electricity_cost=run and run.electricity_cost,
                run_cloud_cost_usd=run and run.cloud_cost_usd,
            )

    q = s.question
    return Results(
        compare(catalog, q.gpu, q.model),
        gpus,
        models,
        pairs,
        question_result(catalog, models),
        page_selection(catalog, gpus, models),
        heatmap_selection(catalog, gpus, models),
        mfu_prior(catalog),
        {gid: small_runs(catalog, gid, s.small_models) for gid in s.small_model_gpus},
        catalog,
    )


@dataclass(frozen=True)
class LocalResults:
    """What the pages show of fine-tuning and running (formats.yaml; empty without it): the
    Method page's tables, each GPU's and model's section, the "fine-tune or run" hub and the data
    of its memory-by-context charts."""

    method: dict[str, Any] | None
    gpus: dict[str, dict[str, Any] | None]
    models: dict[str, dict[str, Any] | None]
    hub: dict[str, Any]
    memory_charts: dict[str, dict[str, Any]]  # model id -> chart payload


def local_results(catalog: Catalog) -> LocalResults:
    """Every fine-tune and inference figure the pages and charts show, computed once."""
    cal = local.calibration(catalog) if catalog.local else None  # fitted once, for every section
    return LocalResults(
        method=local.method_section(catalog, cal),
        gpus={gid: local.gpu_section(catalog, gid, cal) for gid in catalog.gpus},
        models={mid: local.model_section(catalog, mid, cal) for mid in catalog.models},
        hub=local.run_hub(catalog, cal),
        memory_charts={
            mid: local.memory_chart(catalog, mid, cal)
            for mid in (catalog.local.pages.models if catalog.local else [])
        },
    )


# ---------------------------------------------------------------- the question in depth


@dataclass(frozen=True)
class BasisRow:
    """A claim's model on one GPU at one precision, at the claim's duty cycle."""

    gpu: str
    precision: str
    peak_flops: float
    years: float | None


@dataclass(frozen=True)
class ClaimResult:
    """A popular figure recomputed: its model's compute and the GPU-years it implies."""

    id: str
    model_flops: float
    peak_flops: float
    computed_years: float | None
    same_basis: list[BasisRow]  # claim and question GPU × claim and question precision


@dataclass(frozen=True)
class QuestionResult:
    """The headline question at each precision, at full duty (sensitivity), and the claims."""

    per_precision: dict[str, Comparison]
    at_full_duty: Comparison  # the training precision at 100 % duty cycle
    claims: list[ClaimResult]


def question_result(catalog: Catalog, models: dict[str, ModelResult]) -> QuestionResult:
    """The comparisons the in-depth page and the sensitivity chart discuss."""
    s = catalog.scenario
    q = s.question
    gpu = catalog.gpus[q.gpu]
    claims = []
    for claim in s.claims:
        compute_c = models[claim.model].compute
        assert compute_c is not None  # validated: a claim's model has compute
        rows: list[BasisRow] = []
        if claim.gpu:
            c = compare(
                catalog,
                claim.gpu,
                claim.model,
                precision=claim.precision,
                utilization=claim.utilization,
            )
            peak, years = c.peak_flops, c.gpu_years_needed and c.gpu_years_needed.value
            for gid in (claim.gpu, q.gpu):
                for p in dict.fromkeys((claim.precision, q.precision)):
                    if catalog.gpus[gid].peak(p):
                        r = compare(
                            catalog, gid, claim.model, precision=p, utilization=claim.utilization
                        )
                        need = r.gpu_years_needed
                        rows.append(BasisRow(gid, p, r.peak_flops, need and need.value))
        else:
            peak = claim.tflops * calc.TERA
            per_year = calc.budget_flops(peak, claim.utilization, calc.seconds(1, s.year_days))
            years = calc.gpu_years_needed(compute_c.flops, per_year)
        claims.append(ClaimResult(claim.id, compute_c.flops, peak, years, rows))
    return QuestionResult(
        per_precision={
            p: compare(catalog, q.gpu, q.model, precision=p) for p in PRECISIONS if gpu.peak(p)
        },
        at_full_duty=compare(
            catalog, q.gpu, q.model, precision=training_precision(gpu), utilization=1.0
        ),
        claims=claims,
    )


def _implied_mfu(m: Model, catalog: Catalog) -> tuple[float | None, str | None, str | None]:
    """MFU a published run implies, the precision it is measured against, and on what basis.

    Model FLOPs are 6·N·D where the tokens are known (PaLM's definition), else the published
    compute; where that compute was itself estimated from the GPU-hours and an assumed
    utilization, dividing by the GPU-hours would only return the assumption: no MFU then.
    """
    hw, tc = m.training_hardware, m.training_compute
    if not (hw and hw.gpu and hw.gpu_hours):
        return None, None, None
    gpu = catalog.gpus[hw.gpu]
    precision = realistic_precision(gpu, hw.precision or "")
    if m.training_tokens:
        flops, basis = calc.six_nd(m.compute_parameters, m.training_tokens), "6ND"
    elif tc is not None and tc.derived_from != "hardware":
        flops, basis = tc.flops, "compute"
    else:
        return None, precision, "circular" if tc is not None else None
    return calc.implied_mfu(flops, hw.gpu_hours, peak_flops(gpu, precision)), precision, basis


def _flat(cls: type) -> type:
    """``cls`` as its JSON reads: each ``Span`` field ``x`` as the numbers ``x``, ``x_low`` and
    ``x_high`` (``to_json``), for the output schema."""
    hints = typing.get_type_hints(cls)
    flat: list[tuple[str, Any]] = []
    for f in fields(cls):
        if f.name in SPAN_FIELDS:
            number = float if hints[f.name] is Span else float | None
            flat += [(f.name, number), (f"{f.name}_low", number), (f"{f.name}_high", number)]
        else:
            flat.append((f.name, hints[f.name]))
    return make_dataclass(cls.__name__, flat, namespace={"__doc__": cls.__doc__}, frozen=True)


def output_schemas() -> dict[str, str]:
    """JSON Schema of what ``compare``, ``plan`` and ``instead`` print with ``--json``."""
    from pydantic import TypeAdapter

    shapes = {"compare": _flat(Comparison), "plan": list[PlanRow], "instead": Instead}
    docs = {}
    for name, shape in shapes.items():
        schema = TypeAdapter(shape).json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = f"gpu-year {name} --json"
        docs[f"output/{name}.schema.json"] = (
            json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        )
    return docs


def dumps(results: Results) -> str:
    """Stable, diff-friendly JSON: sorted keys, full float precision, one value per line and one
    GPU × model pair per line (a data change shows as the lines of the pairs it moves).

    The pairs grow with GPUs × models: each is encoded compactly by the json module's C encoder
    (an indented dump runs in Python, about four times slower) and put in by a placeholder.
    """
    opts = {"sort_keys": True, "ensure_ascii": False, "allow_nan": False}
    one_line = json.JSONEncoder(separators=(", ", ": "), **opts).encode
    data = results.to_json()
    encoded: list[str] = []
    for row in data["pairs"].values():
        for mid, pair in row.items():
            row[mid] = len(encoded)  # a number: the pair's place in ``encoded``
            encoded.append(one_line(pair))
    head, pairs = json.dumps(data, indent=1, **opts).split('\n "pairs": ', 1)
    # a pair's line at the third level of indentation: '   "<model id>": <place>,'
    pairs = re.sub(
        r'^(   "[^"]+": )(\d+)(,?)$', lambda m: m[1] + encoded[int(m[2])] + m[3], pairs, flags=re.M
    )
    return f'{head}\n "pairs": {pairs}\n'


# ---------------------------------------------------------------- bounded GPU and model pages

PAGE_ROWS = 12  # at most this many models on a GPU page and GPUs on a model page


@dataclass(frozen=True)
class PageSelection:
    """Which models each GPU page shows and which GPUs each model page shows (catalog order)."""

    models_for_gpu: dict[str, list[str]]  # gpu id -> model ids
    gpus_for_model: dict[str, list[str]]  # model id -> gpu ids


def _pick(fixed: list[str], near: list[str], order: list[str], limit: int) -> list[str]:
    """``fixed`` first, then ``near`` (nearest first), without repeats, cut at ``limit``, in
    catalog ``order``."""
    chosen = list(dict.fromkeys([*fixed, *near]))[:limit]
    return [i for i in order if i in chosen]


HEATMAP_GPUS, HEATMAP_MODELS = 30, 24


def spread(ids: list[str], key: dict[str, float], n: int, keep: list[str]) -> list[str]:
    """At most ``n`` of ``ids``, spread evenly over the range of ``log10(key)``: ``keep`` first,
    then, for each of ``n`` evenly spaced targets, the nearest id not yet taken. Sorted by key."""
    chosen = [i for i in dict.fromkeys(keep) if i in key][:n]
    if len(ids) <= n:
        return sorted(ids, key=key.__getitem__)
    lo, hi = (math.log10(f(key[i] for i in ids)) for f in (min, max))
    for t in (lo + (hi - lo) * k / max(n - 1, 1) for k in range(n)):
        if len(chosen) >= n:
            break
        free = [i for i in ids if i not in chosen]
        chosen.append(min(free, key=lambda i: (abs(math.log10(key[i]) - t), ids.index(i))))
    return sorted(chosen, key=key.__getitem__)


def heatmap_selection(
    catalog: Catalog, gpus: dict[str, GpuResult], models: dict[str, ModelResult]
) -> tuple[list[str], list[str]]:
    """The matrix heat map's rows and columns: GPUs spread over their yearly compute, models over
    their training compute, the headline pair always in; the table below it has every pair."""
    q = catalog.scenario.question
    gpu_flops = {gid: r.best_year_flops for gid, r in gpus.items()}
    model_flops = {mid: r.compute.flops for mid, r in models.items() if r.compute}
    rows = spread(list(gpu_flops), gpu_flops, HEATMAP_GPUS, [q.gpu, *catalog.scenario.chart_gpus])
    columns = spread(list(model_flops), model_flops, HEATMAP_MODELS, [q.model])
    return rows[::-1], columns  # the fastest card on top, the smallest model on the left


def page_selection(
    catalog: Catalog,
    gpus: dict[str, GpuResult],
    models: dict[str, ModelResult],
    limit: int = PAGE_ROWS,
) -> PageSelection:
    """The rows of each GPU page and each model page, at most ``limit`` (issue 14), so that a page
    does not grow with the size of the catalog; the matrix page shows every pair.

    A GPU page shows, in this priority: the headline model, the models of the scenario's claims,
    the models the pages' run section lists (formats.yaml ``pages.models``), then the models whose
    training compute is nearest (on a log scale) to what the card computes in one realistic year.
    A model page shows: the headline GPU, the scenario's ``chart_gpus``, the GPU the model was
    trained on, the GPUs of formats.yaml ``pages.gpus``, then the GPUs whose realistic year comes
    nearest (log scale) to the model's training compute, or, where that is unknown, whose memory is
    nearest to the model's training memory. Ties go to the earlier catalog entry; each list keeps
    catalog order, so the headline pair is on both of its pages.
    """
    s = catalog.scenario
    q = s.question
    gpu_order, model_order = list(catalog.gpus), list(catalog.models)
    local_pages = catalog.local.pages if catalog.local else None

    def log_gap(a: float, b: float) -> float:
        return abs(math.log10(a) - math.log10(b))

    fixed_models = [q.model, *(c.model for c in s.claims)]
    fixed_models += [m for m in (local_pages.models if local_pages else []) if m in catalog.models]
    flops = {mid: r.compute.flops for mid, r in models.items() if r.compute}
    with_compute = list(flops)
    models_for_gpu = {}
    for gid, g in gpus.items():
        # sorted is stable: ties keep catalog order
        gap = {mid: log_gap(flops[mid], g.realistic_year_flops) for mid in with_compute}
        near = sorted(with_compute, key=gap.__getitem__)
        models_for_gpu[gid] = _pick(fixed_models, near, model_order, limit)

    fixed_gpus = [q.gpu, *s.chart_gpus]
    local_gpus = [g for g in (local_pages.gpus if local_pages else []) if g in catalog.gpus]
    gpus_for_model = {}
    for mid, m in catalog.models.items():
        r = models[mid]
        hw = m.training_hardware
        trained_on = [hw.gpu] if hw and hw.gpu else []
        if r.compute:
            gap = {g: log_gap(gpus[g].realistic_year_flops, r.compute.flops) for g in gpu_order}
        else:
            gap = {g: log_gap(gpus[g].memory_bytes, r.memory.training) for g in gpu_order}
        near = sorted(gpu_order, key=gap.__getitem__)
        gpus_for_model[mid] = _pick([*fixed_gpus, *trained_on, *local_gpus], near, gpu_order, limit)
    return PageSelection(models_for_gpu, gpus_for_model)
