"""Every comparison the site and the CLI show, computed once from a ``Catalog``.

Three bases of throughput appear side by side, each named where it is used:
- *question*: the scenario's precision and duty cycle (the seed question: FP32 at 90 %);
- *best case*: the GPU's mixed-precision peak (BF16, else FP16, else FP32) at the duty cycle;
- *realistic*: best case × the reference MFU (what large training runs achieve).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from generator import calc
from generator.data import PRECISIONS, Catalog, Gpu, Model

TRAINING_PRECISIONS = ("bf16", "fp16", "fp32")  # preference order for mixed-precision training


def training_precision(gpu: Gpu) -> str:
    """The precision a mixed-precision training run on ``gpu`` uses: bf16, else fp16, else fp32."""
    return next(p for p in (*TRAINING_PRECISIONS, *PRECISIONS) if gpu.peak(p))


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
    by: str
    six_nd: float | None  # 6·N·D when tokens are known, for comparison


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
        return Compute(tc.flops, tc.low or tc.flops, tc.high or tc.flops, tc.kind, tc.by, six)
    return Compute(six, six, six, "6ND", "6·N·D", six) if six else None


@dataclass(frozen=True)
class ModelMemory:
    """Memory a model needs, in bytes."""

    state: float  # weights + gradients + optimizer (training recipe)
    activations: float | None  # None when the architecture is not published
    inference_weights: dict[str, float]  # per weight precision
    kv_cache: float | None

    @property
    def training(self) -> float:
        return self.state + (self.activations or 0.0)

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
            )
    weights = {p: model.parameters * b for p, b in s.inference.weight_bytes.items()}
    return ModelMemory(
        calc.state_bytes(model.parameters, recipe.bytes_per_param), acts, weights, kv
    )


# ---------------------------------------------------------------- one GPU × one model


@dataclass(frozen=True)
class Comparison:
    """The answer to "can ``gpu`` running ``years`` at ``utilization`` train ``model``?"."""

    gpu: str
    model: str
    precision: str
    utilization: float
    years: float
    duration_s: float
    peak_flops: float
    budget_flops: float
    training_flops: float | None  # None: compute unknown
    training_flops_low: float | None
    training_flops_high: float | None
    training_flops_method: str  # reported, estimated, 6ND or unknown
    training_flops_by: str
    ratio: float | None
    ratio_low: float | None
    ratio_high: float | None
    gpu_years_needed: float | None
    gpu_years_needed_low: float | None
    gpu_years_needed_high: float | None
    realistic_precision: str
    realistic_mfu: float
    realistic_gpu_years_needed: float | None
    gpus_needed: dict[str, int] | None  # target days -> GPUs at the realistic rate (ideal scaling)
    training_memory_bytes: float
    training_state_bytes: float
    activation_bytes: float | None
    inference_memory_bytes: float
    kv_cache_bytes: float | None  # included in inference_memory_bytes when known
    gpu_memory_bytes: float
    min_gpus_for_memory: int
    fits_training: bool
    fits_inference: bool
    energy_kwh: float | None
    electricity_cost: float | None
    electricity_currency: str
    cloud_cost_usd: float | None  # for the whole training run at the realistic rate

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def compare(
    catalog: Catalog,
    gpu_id: str,
    model_id: str,
    *,
    utilization: float | None = None,
    precision: str | None = None,
    years: float | None = None,
) -> Comparison:
    """Compare one GPU with one model; unset options come from the scenario's question."""
    s = catalog.scenario
    q = s.question
    gpu, model = catalog.gpu(gpu_id), catalog.model(model_id)
    utilization = q.utilization if utilization is None else utilization
    precision = precision or q.precision
    years = q.years if years is None else years
    if not 0 < utilization <= 1:
        raise ValueError(f"utilization must be in (0, 1], got {utilization}")

    duration = calc.seconds(years, s.year_days)
    year = calc.seconds(1, s.year_days)
    peak = peak_flops(gpu, precision)
    budget = calc.budget_flops(peak, utilization, duration)
    per_year = calc.budget_flops(peak, utilization, year)
    c = training_compute(model)
    real_p = training_precision(gpu)
    sustained = peak_flops(gpu, real_p) * s.reference_mfu.value * utilization
    mem = model_memory(model, catalog)
    gpu_bytes = gpu.memory_gib * calc.GIB
    kwh = calc.energy_kwh(gpu.board_power_w, duration, utilization) if gpu.board_power_w else None
    real_years = c.flops / (sustained * year) if c else None
    return Comparison(
        gpu=gpu.id,
        model=model.id,
        precision=precision,
        utilization=utilization,
        years=years,
        duration_s=duration,
        peak_flops=peak,
        budget_flops=budget,
        training_flops=c and c.flops,
        training_flops_low=c and c.low,
        training_flops_high=c and c.high,
        training_flops_method=c.method if c else "unknown",
        training_flops_by=c.by if c else "",
        ratio=c and budget / c.flops,
        ratio_low=c and budget / c.high,
        ratio_high=c and budget / c.low,
        gpu_years_needed=c and calc.gpu_years_needed(c.flops, per_year),
        gpu_years_needed_low=c and calc.gpu_years_needed(c.low, per_year),
        gpu_years_needed_high=c and calc.gpu_years_needed(c.high, per_year),
        realistic_precision=real_p,
        realistic_mfu=s.reference_mfu.value,
        realistic_gpu_years_needed=real_years,
        gpus_needed=(
            {f"{d:g}": calc.gpus_needed(c.flops, sustained, d) for d in s.target_days}
            if c
            else None
        ),
        training_memory_bytes=mem.training,
        training_state_bytes=mem.state,
        activation_bytes=mem.activations,
        inference_memory_bytes=mem.inference("fp16"),
        kv_cache_bytes=mem.kv_cache,
        gpu_memory_bytes=gpu_bytes,
        min_gpus_for_memory=calc.min_gpus_for_memory(mem.training, gpu_bytes),
        fits_training=mem.training <= gpu_bytes,
        fits_inference=mem.inference("fp16") <= gpu_bytes,
        energy_kwh=kwh,
        electricity_cost=calc.cost(kwh, s.electricity.price_per_kwh) if kwh else None,
        electricity_currency=s.electricity.currency,
        cloud_cost_usd=(
            calc.cost(real_years * s.year_days * 24, gpu.cloud_price.usd_per_hour)
            if gpu.cloud_price and real_years
            else None
        ),
    )


# ---------------------------------------------------------------- the whole catalog


@dataclass(frozen=True)
class GpuResult:
    id: str
    peak_flops: dict[str, float]
    training_precision: str
    question_year_flops: float | None  # scenario precision × duty cycle, one year
    best_year_flops: float  # training precision × duty cycle, one year
    realistic_year_flops: float  # best × reference MFU
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


@dataclass(frozen=True)
class PairResult:
    years_best: float | None  # None: the model's compute is unknown
    years_best_low: float | None
    years_best_high: float | None
    years_realistic: float | None
    gpus_needed: dict[str, int] | None
    min_gpus_for_memory: int
    fits_training: bool
    fits_inference: dict[str, bool]


@dataclass(frozen=True)
class Results:
    """All computed figures, keyed by id in catalog order."""

    headline: Comparison
    gpus: dict[str, GpuResult]
    models: dict[str, ModelResult]
    pairs: dict[str, dict[str, PairResult]] = field(repr=False)  # gpu id -> model id -> pair

    def to_json(self) -> dict[str, Any]:
        """Plain, JSON-ready dict (SI units, unrounded)."""

        def models_json(m: ModelResult) -> dict[str, Any]:
            d = asdict(m)
            d["memory"]["training"] = m.memory.training
            d["memory"]["inference"] = {
                p: m.memory.inference(p) for p in m.memory.inference_weights
            }
            return d

        return {
            "headline": self.headline.to_json(),
            "gpus": {k: asdict(v) for k, v in self.gpus.items()},
            "models": {k: models_json(v) for k, v in self.models.items()},
            "pairs": {g: {m: asdict(p) for m, p in row.items()} for g, row in self.pairs.items()},
        }


def compute_all(catalog: Catalog) -> Results:
    """Compute every GPU, model and GPU × model figure once."""
    s = catalog.scenario
    year = calc.seconds(1, s.year_days)
    duty, mfu = s.question.utilization, s.reference_mfu.value

    gpus: dict[str, GpuResult] = {}
    for g in catalog.gpus.values():
        tp = training_precision(g)
        best = calc.budget_flops(peak_flops(g, tp), duty, year)
        realistic = best * mfu
        n_opt, d_opt = calc.chinchilla_optimal(realistic)
        mem = g.memory_gib * calc.GIB
        kwh = calc.energy_kwh(g.board_power_w, year, duty) if g.board_power_w else None
        q_peak = g.peak(s.question.precision)
        gpus[g.id] = GpuResult(
            id=g.id,
            peak_flops={p: peak_flops(g, p) for p in PRECISIONS if g.peak(p)},
            training_precision=tp,
            question_year_flops=(
                calc.budget_flops(q_peak * calc.TERA, duty, year) if q_peak else None
            ),
            best_year_flops=best,
            realistic_year_flops=realistic,
            memory_bytes=mem,
            energy_kwh_year=kwh,
            electricity_cost_year=calc.cost(kwh, s.electricity.price_per_kwh) if kwh else None,
            cloud_cost_usd_year=(
                calc.cost(s.year_days * 24 * duty, g.cloud_price.usd_per_hour)
                if g.cloud_price
                else None
            ),
            chinchilla_params=n_opt,
            chinchilla_tokens=d_opt,
            largest_trainable={
                r.id: calc.largest_model_fitting(mem, r.bytes_per_param) for r in s.recipes
            },
            largest_inference={
                p: calc.largest_model_fitting(mem, b) for p, b in s.inference.weight_bytes.items()
            },
        )

    models: dict[str, ModelResult] = {}
    for m in catalog.models.values():
        c = training_compute(m)
        hw = m.training_hardware
        mfu_implied = mfu_p = None
        if c and hw and hw.gpu and hw.gpu_hours:
            hg = catalog.gpus[hw.gpu]
            mfu_p = training_precision(hg)
            mfu_implied = calc.implied_mfu(c.flops, hw.gpu_hours, peak_flops(hg, mfu_p))
        models[m.id] = ModelResult(m.id, c, model_memory(m, catalog), mfu_implied, mfu_p)

    pairs: dict[str, dict[str, PairResult]] = {}
    for gid, g in gpus.items():
        row = pairs[gid] = {}
        for mid, m in models.items():
            c, mem = m.compute, m.memory
            sustained = g.realistic_year_flops / year
            row[mid] = PairResult(
                years_best=c and c.flops / g.best_year_flops,
                years_best_low=c and c.low / g.best_year_flops,
                years_best_high=c and c.high / g.best_year_flops,
                years_realistic=c and c.flops / g.realistic_year_flops,
                gpus_needed=(
                    {f"{d:g}": calc.gpus_needed(c.flops, sustained, d) for d in s.target_days}
                    if c
                    else None
                ),
                min_gpus_for_memory=calc.min_gpus_for_memory(mem.training, g.memory_bytes),
                fits_training=mem.training <= g.memory_bytes,
                fits_inference={
                    p: mem.inference(p) <= g.memory_bytes for p in mem.inference_weights
                },
            )

    q = s.question
    return Results(compare(catalog, q.gpu, q.model), gpus, models, pairs)


def dumps(results: Results) -> str:
    """Stable, diff-friendly JSON (sorted keys, one value per line, full float precision)."""
    return (
        json.dumps(results.to_json(), indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False)
        + "\n"
    )
