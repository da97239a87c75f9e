"""Fine-tuning and running a model on one's own GPUs: memory and speed.

The first half holds pure formulas on plain numbers, each with its reference; the second half
turns a catalog GPU and model into a plan (``finetune`` / ``infer``) whose memory breakdown adds up,
and calibrates the speed efficiencies against published measurements (``calibration``).

Memory is counted in bytes over all GPUs; ``per_gpu`` is what one card must hold. Every range is a
``Span`` (value, low, high): low and high come from the ends of the published ranges of the
inputs (bits per weight, framework overhead, measured efficiencies).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from generator import calc
from generator.calc import kv_cache_bytes
from generator.data import Catalog
from generator.largest import finetune_bytes, largest_parameters, overhead_bytes
from generator.localdata import Local, WeightFormat, source_dicts
from generator.schema import Gpu, Model, text_in
from generator.span import ZERO, Span

GB = 1e9
METHODS = ("full", "lora", "qlora")
OPTIMIZERS = ("adam", "adam8bit")
SHARDING = ("sharded", "replicated")
TARGETS = ("all", "attention")
MAX_CARDS = 64  # "cards needed" stops counting here


# ---------------------------------------------------------------- formulas


def weight_bytes(parameters: float, bits_per_weight: float) -> float:
    """Weights stored at ``bits_per_weight`` (effective, scales included): N × bits / 8."""
    return parameters * bits_per_weight / 8


def lora_parameters(
    layers: int,
    d_model: int,
    q_width: int,
    kv_width: int,
    mlp_width: float | None,
    rank: int,
    targets: str,
) -> float:
    """Trainable parameters of LoRA adapters: r × (d_in + d_out) per adapted matrix.

    Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models", §4.1: W + B·A with
    B ∈ ℝ^{d_out×r}, A ∈ ℝ^{r×d_in}. ``attention`` adapts the query, key, value and output
    projections (the LoRA paper's choice); ``all`` adds the three matrices of a gated MLP, as
    QLoRA does (Dettmers et al. 2023, §4: "LoRA on all linear transformer block layers").
    """
    attention = (d_model + q_width) + 2 * (d_model + kv_width) + (q_width + d_model)  # q, k, v, o
    mlp = 3 * (d_model + mlp_width) if targets == "all" and mlp_width else 0.0
    return layers * rank * (attention + mlp)


def mlp_width(
    parameters: float, layers: int, d_model: int, q_width: int, kv_width: int, vocab: int | None
) -> float:
    """Width of a gated MLP (three d_model × width matrices per layer), from the parameter count.

    Architectures publish it, the catalog does not: what is left of the parameters after the
    input and output embeddings (2 × vocab × d_model) and the attention projections
    (2·d·q_width + 2·d·kv_width per layer), divided by 3·d_model. For a mixture of experts this
    is the width of all experts together. Llama 3 8B gives 14.2 k (published: 14,336).
    """
    embeddings = 2 * vocab * d_model if vocab else 0
    attention = 2 * d_model * q_width + 2 * d_model * kv_width
    per_layer = (parameters - embeddings) / layers - attention
    return max(float(d_model), per_layer / (3 * d_model))


def finetune_activation_bytes(
    layers: int,
    d_model: int,
    seq: int,
    batch: int,
    vocab: int | None,
    checkpointing: bool,
    logits_bytes: float,
) -> float:
    """Activations kept for the backward pass, 16-bit, plus the FP32 logits of the loss.

    Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer Models",
    §4 (no tensor or sequence parallelism): a layer stores s·b·h·(34 + 5·a·s/h) bytes; the
    5·a·s/h term is the attention matrix, which FlashAttention (Dao et al. 2022) never stores,
    leaving 34·s·b·h. With gradient checkpointing each layer keeps only its input (2·s·b·h) and one
    layer at a time is recomputed in full (34·s·b·h more). The loss keeps the logits in FP32:
    4·s·b·v bytes (the same paper, §4.3).
    """
    sbh = seq * batch * d_model
    kept = layers * 2 * sbh + 34 * sbh if checkpointing else layers * 34 * sbh
    return kept + (logits_bytes * seq * batch * vocab if vocab else 0.0)


def decode_tokens_per_s(bytes_per_token: float, bandwidth: float, efficiency: float) -> float:
    """Tokens per second of one sequence when every token reads ``bytes_per_token`` from memory.

    Generating a token reads all active weights and the sequence's KV cache once; at batch 1 the
    arithmetic is far below the GPU's peak, so memory bandwidth bounds the speed (Pope et al.
    2022, "Efficiently Scaling Transformer Inference", §2). ``efficiency`` is the share of the
    datasheet bandwidth achieved, calibrated against published measurements.
    """
    return bandwidth * efficiency / bytes_per_token


def prefill_tokens_per_s(flops_per_token: float, peak_flops: float, efficiency: float) -> float:
    """Prompt tokens per second when the prompt is processed as one large batch (compute-bound).

    A forward pass costs 2·N FLOP per token (Kaplan et al. 2020, §2.1), N = active parameters;
    the attention over the prompt is left out (small below a few thousand tokens).
    """
    return peak_flops * efficiency / flops_per_token


# ---------------------------------------------------------------- a model's shape


@dataclass(frozen=True)
class Shape:
    """What the formulas need of a model's architecture; None where it is not published."""

    layers: int | None
    d_model: int | None
    heads: int | None
    kv_values: float | None  # cached values per token and layer
    q_width: int | None
    kv_width: int | None
    vocab: int | None
    context: int | None
    window: int | None
    local_layers: int | None


def shape(model: Model) -> Shape:
    a = model.architecture
    if a is None:
        return Shape(*(None,) * 10)
    head = a.d_model // a.heads if a.d_model and a.heads else None
    kv_heads = a.kv_heads or (a.heads if not a.kv_cache_dim else None)
    kv_values = a.kv_cache_dim or (2 * kv_heads * head if kv_heads and head else None)
    return Shape(
        layers=a.layers,
        d_model=a.d_model,
        heads=a.heads,
        kv_values=kv_values,
        q_width=a.d_model,
        kv_width=kv_heads * head if kv_heads and head else a.d_model,
        vocab=a.vocab_size,
        context=a.context_length,
        window=a.attention_window,
        local_layers=a.local_layers,
    )


def _bandwidth(gpu: Gpu) -> float:
    return gpu.memory_bandwidth_gbs * GB


def inference_peak(gpu: Gpu) -> float:
    """The 16-bit peak in FLOP/s that inference kernels reach, else the FP32 peak.

    Inference accumulates in FP16 where the card has a faster rate for it (GeForce:
    ``Gpu.inference_peak_at``); training peaks keep the FP32-accumulate figure.
    """
    p = max(gpu.inference_peak_at("fp16") or 0, gpu.peak("bf16") or 0) or gpu.peak("fp32") or 0
    return p * calc.TERA


DEVICE_CLASSES = ("hbm", "discrete", "unified")


def device_class(gpu: Gpu) -> str:
    """``hbm`` (data-centre memory stacks), ``unified`` (memory shared with the CPU: Apple,
    Strix Halo, DGX Spark) or ``discrete`` (a card with its own GDDR memory, and custom GPUs)."""
    kind = str(text_in(gpu.memory_type, "en") or "").lower()
    if "hbm" in kind:
        return "hbm"
    if "unified" in kind or gpu.vendor == "Apple":
        return "unified"
    return "discrete"


def bits_per_weight(fmt: WeightFormat, model: Model) -> Span:
    """Effective bits per weight of ``model`` stored in ``fmt``.

    With a tensor mix (Q4_K_M, Q5_K_M) and a known architecture: one embedding matrix at the
    base type, the output matrix at ``output`` bits, the attention values and MLP
    down-projections of the ``use_more_bits`` layers at ``more_bits``, the rest at the base
    (llama.cpp ``llama-quant.cpp``). The top of the range adds 0.2 % for what this leaves out
    (norms, 70B models' Q5_K attention values). Otherwise the format's published figure.
    """
    b, mix, s = fmt.bits_per_weight, fmt.mix, shape(model)
    if not (mix and s.layers and s.d_model and s.vocab and s.q_width and s.kv_width):
        return b.span
    n = model.parameters
    embed = s.vocab * s.d_model
    width = mlp_width(n, s.layers, s.d_model, s.q_width, s.kv_width, s.vocab)
    more = sum(_use_more_bits(i, s.layers) for i in range(s.layers))
    promoted = more * s.d_model * (s.kv_width + width)  # attn_v and ffn_down of those layers
    rest = n - 2 * embed - promoted
    bits = (embed * (mix.base + mix.output) + promoted * mix.more_bits + rest * mix.base) / n
    return Span(bits, bits, bits * 1.002)


def _use_more_bits(layer: int, layers: int) -> bool:
    """llama.cpp's choice of layers that keep more bits: first and last eighth, every third."""
    eighth = layers // 8
    return layer < eighth or layer >= 7 * layers // 8 or (layer - eighth) % 3 == 2


def _local(catalog: Catalog) -> Local:
    if catalog.local is None:
        raise LookupError("the data directory has no formats.yaml/measurements.yaml")
    return catalog.local


# ---------------------------------------------------------------- calibration


@dataclass(frozen=True)
class SpeedClass:
    """The speed model of one class of device, fitted on its measurements.

    Decode: seconds per token = bytes read / (bandwidth × ``bandwidth_efficiency``) +
    ``token_cost_s``. Prefill: tokens/s = inference peak × ``compute_efficiency`` / (2 N). The
    ``*_ratio`` pairs are the lowest and highest measured ÷ predicted over the class's points:
    a prediction's range is the prediction times them, so it holds every calibration point.
    """

    bandwidth_efficiency: float
    token_cost_s: float
    decode_ratio: tuple[float, float]
    compute_efficiency: float
    prefill_ratio: tuple[float, float]
    devices: list[str]
    points: dict[str, int]  # kind -> measurements the fit used


@dataclass(frozen=True)
class CalibrationRow:
    id: str
    gpu: str
    device_class: str
    model: str
    format: str
    kind: str  # decode or prefill
    tokens: int
    measured: float
    predicted: float
    predicted_low: float
    predicted_high: float
    achieved: float  # share of bandwidth (decode) or inference peak (prefill) the point implies
    ratio: float  # predicted / measured
    lodo_predicted: float  # predicted by the fit without any point of this device
    lodo_ratio: float  # lodo_predicted / measured
    software: Any  # Localized: a string or {en: …, de: …}
    sources: list[dict[str, str]]


@dataclass(frozen=True)
class Calibration:
    classes: dict[str, SpeedClass]
    rows: list[CalibrationRow]

    def lodo_error(self, cls: str, kind: str) -> tuple[float, float] | None:
        """Median and largest |predicted ÷ measured − 1| when each device is left out."""
        errs = sorted(
            abs(r.lodo_ratio - 1) for r in self.rows if r.device_class == cls and r.kind == kind
        )
        if not errs:
            return None
        mid = len(errs) // 2
        median = errs[mid] if len(errs) % 2 else (errs[mid - 1] + errs[mid]) / 2
        return median, errs[-1]


@dataclass(frozen=True)
class _Point:
    """One measurement as the fit sees it: seconds per token, and what the model predicts from."""

    id: str
    gpu: str
    cls: str
    kind: str
    seconds: float  # measured seconds per token
    memory_s: float  # decode: bytes read / bandwidth; prefill: 2·N / inference peak


def _points(catalog: Catalog, loc: Local) -> list[_Point]:
    pts = []
    for m in loc.measurements.values():
        gpu, model = catalog.gpus[m.gpu], catalog.models[m.model]
        if m.kind == "decode":
            s = shape(model)
            kv = (
                kv_cache_bytes(s.layers, s.kv_values, m.tokens // 2, 1, 2, s.window, s.local_layers)
                if s.layers and s.kv_values
                else 0.0
            )
            bits = bits_per_weight(loc.weight_formats[m.format], model).value
            x = (weight_bytes(m.parameters, bits) + kv) / _bandwidth(gpu)
        else:
            x = 2 * m.parameters / inference_peak(gpu)
        pts.append(_Point(m.id, m.gpu, device_class(gpu), m.kind, 1 / m.tokens_per_s, x))
    return pts


def _fit_decode(pts: list[_Point]) -> tuple[float, float]:
    """Least squares of the relative error of t = a·x + c (a = 1 / efficiency, c ≥ 0, a ≥ 1).

    Minimising Σ (a·xᵢ/tᵢ + c/tᵢ − 1)² is linear in a and c: two normal equations. The
    relative error weighs a 4 ms token like a 40 ms one, as a fit in log space would.
    """
    u = [p.memory_s / p.seconds for p in pts]
    v = [1 / p.seconds for p in pts]
    suu, svv = sum(x * x for x in u), sum(x * x for x in v)
    suv, su, sv = sum(x * y for x, y in zip(u, v, strict=True)), sum(u), sum(v)
    det = suu * svv - suv * suv
    a, c = ((su * svv - sv * suv) / det, (sv * suu - su * suv) / det) if det > 0 else (0.0, -1.0)
    if c < 0:  # no fixed cost: the best pure bandwidth fit
        a, c = su / suu, 0.0
    if a < 1:  # above the datasheet bandwidth is impossible: fix a = 1, fit c alone
        a = 1.0
        c = max(0.0, sum(y * (1 - x) for x, y in zip(u, v, strict=True)) / svv)
    return 1 / a, c


def _fit_prefill(pts: list[_Point]) -> float:
    """Share of the peak: the geometric mean of the points' (least squares in log space)."""
    return math.exp(sum(math.log(p.memory_s / p.seconds) for p in pts) / len(pts))


def _predict(p: _Point, eta: float, cost: float) -> float:
    """Tokens per second the class model predicts for a point."""
    return 1 / (p.memory_s / eta + cost) if p.kind == "decode" else eta / p.memory_s


def _fit(pts: list[_Point]) -> dict[str, SpeedClass]:
    """One ``SpeedClass`` per device class; a class without points of a kind uses all points."""
    out = {}
    for cls in DEVICE_CLASSES:
        mine = [p for p in pts if p.cls == cls]
        dec = [p for p in mine if p.kind == "decode"] or [p for p in pts if p.kind == "decode"]
        pre = [p for p in mine if p.kind == "prefill"] or [p for p in pts if p.kind == "prefill"]
        eta, cost = _fit_decode(dec)
        eta_c = _fit_prefill(pre)
        r_dec = [1 / p.seconds / _predict(p, eta, cost) for p in dec]
        r_pre = [1 / p.seconds / _predict(p, eta_c, 0.0) for p in pre]
        out[cls] = SpeedClass(
            eta,
            cost,
            (min(r_dec), max(r_dec)),
            eta_c,
            (min(r_pre), max(r_pre)),
            sorted({p.gpu for p in mine}),
            {"decode": len(dec), "prefill": len(pre)},
        )
    return out


def calibration(catalog: Catalog) -> Calibration:
    """Fit each device class on the measurements; predict every point, also leaving its device out.

    A prediction's range is the prediction times the class's lowest and highest measured ÷
    predicted, so every calibration point lies in its own range. Leave-one-device-out: refit
    without any point of the device and predict its points (the honest error for a new card).
    """
    loc = _local(catalog)
    pts = _points(catalog, loc)
    classes = _fit(pts)
    lodo = {g: _fit([p for p in pts if p.gpu != g]) for g in dict.fromkeys(p.gpu for p in pts)}
    rows = []
    for m, p in zip(loc.measurements.values(), pts, strict=True):
        k = classes[p.cls]
        eta, cost, (lo, hi) = (
            (k.bandwidth_efficiency, k.token_cost_s, k.decode_ratio)
            if p.kind == "decode"
            else (k.compute_efficiency, 0.0, k.prefill_ratio)
        )
        pred = _predict(p, eta, cost)
        o = lodo[p.gpu][p.cls]
        other = (
            _predict(p, o.bandwidth_efficiency, o.token_cost_s)
            if p.kind == "decode"
            else _predict(p, o.compute_efficiency, 0.0)
        )
        rows.append(
            CalibrationRow(
                m.id,
                m.gpu,
                p.cls,
                m.model,
                m.format,
                m.kind,
                m.tokens,
                m.tokens_per_s,
                pred,
                pred * lo,
                pred * hi,
                p.memory_s / p.seconds,
                pred / m.tokens_per_s,
                other,
                other / m.tokens_per_s,
                m.software,
                [{"url": str(s.url), "title": s.title, "lang": s.lang} for s in m.sources],
            )
        )
    return Calibration(classes, rows)


# ---------------------------------------------------------------- plans


def _overhead(loc: Local) -> Span:
    return loc.overhead.gb_per_gpu.span * GB


@dataclass(frozen=True)
class Plan:
    """What a run needs: memory per part (all GPUs together) and per GPU, and whether it fits."""

    gpu: str
    model: str
    gpus: int
    gpu_memory_bytes: float
    memory: dict[str, Span]  # part -> bytes over all GPUs; parts add up to total
    total: Span
    per_gpu: Span
    fits: bool
    complete: bool  # False: a part could not be computed (architecture not published)
    unknown: list[str]
    settings: dict[str, Any]
    speed: dict[str, Span] = field(default_factory=dict)  # tokens/s
    warnings: list[str] = field(default_factory=list)
    sources: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["fits"] = self.fits
        d["memory_bytes"] = self.total.value
        d["memory_bytes_low"] = self.total.low
        d["memory_bytes_high"] = self.total.high
        d["per_gpu_bytes"] = self.per_gpu.value
        for k, s in self.speed.items():
            d[f"{k}_tokens_per_s"] = s.value
            d[f"{k}_tokens_per_s_low"] = s.low
            d[f"{k}_tokens_per_s_high"] = s.high
        return d


def _sources(*entries: Any, more: Iterable[dict[str, str]] = ()) -> list[dict[str, str]]:
    """The entries' sources and then ``more`` (already in this form), each once."""
    seen = {s["url"]: s for s in source_dicts(s for e in entries for s in e.sources)}
    for s in more:
        seen.setdefault(s["url"], s)
    return list(seen.values())


def _plan(
    gpu: Gpu,
    model: Model,
    n: int,
    memory: dict[str, Span | None],
    settings: dict[str, Any],
    sources: list,
    **extra: Any,
) -> Plan:
    """Sum the parts (each already counted over all ``n`` GPUs); one GPU holds 1/n of the total.

    Replicated parts are counted n times by the caller, per-GPU parts (overhead, activations of
    each GPU's micro-batch) too, so an even split of the total is each card's share.
    """
    unknown = [k for k, v in memory.items() if v is None]
    known = {k: v for k, v in memory.items() if v is not None}
    total = sum(known.values(), ZERO)
    per_gpu = total / n
    cap = gpu.memory_gib * calc.GIB
    return Plan(
        gpu=gpu.id,
        model=model.id,
        gpus=n,
        gpu_memory_bytes=cap,
        memory=known,
        total=total,
        per_gpu=per_gpu,
        fits=per_gpu.value <= cap,
        complete=not unknown,
        unknown=unknown,
        settings=settings,
        sources=sources,
        **extra,
    )


def finetune(
    catalog: Catalog,
    gpu_id: str | Gpu,
    model_id: str,
    *,
    method: str = "qlora",
    rank: int = 16,
    seq: int = 2048,
    batch: int = 1,
    gpus: int = 1,
    optimizer: str = "adam",
    sharding: str = "sharded",
    checkpointing: bool = True,
    targets: str = "all",
) -> Plan:
    """Memory to fine-tune ``model`` on ``gpus`` cards of ``gpu``.

    Full: 16-bit weights and gradients plus Adam's FP32 state (ZeRO, Rajbhandari et al. 2020) or
    8-bit Adam's (Dettmers et al. 2021). LoRA: frozen 16-bit weights plus the adapters with their
    gradients and Adam state. QLoRA: the frozen weights in 4-bit NormalFloat with double
    quantization (Dettmers et al. 2023). Activations per ``finetune_activation_bytes``. With
    several GPUs, ``sharded`` splits weights, gradients and optimizer state over them (ZeRO stage
    3 / FSDP), ``replicated`` keeps a full copy on each (data parallel); every GPU runs its own
    micro-batch and pays the framework overhead.
    """
    loc = _local(catalog)
    ft = loc.finetune
    gpu = catalog.gpu(gpu_id) if isinstance(gpu_id, str) else gpu_id  # or a custom Gpu
    model = catalog.model(model_id)
    n_params = model.parameters
    s = shape(model)
    copies = 1 if sharding == "sharded" else gpus
    adapter = None
    mem: dict[str, Span | None] = {}
    if method == "full":
        opt = ft.adam_bytes if optimizer == "adam" else ft.adam_8bit_bytes
        mem["weights"] = Span.of(n_params * ft.weight_bytes * copies)
        mem["gradients"] = Span.of(n_params * ft.gradient_bytes * copies)
        mem["optimizer"] = Span.of(n_params * opt * copies)
    else:
        bits = 8 * ft.weight_bytes if method == "lora" else ft.nf4_bits
        mem["weights"] = Span.of(weight_bytes(n_params, bits) * copies)
        if s.layers and s.d_model and s.q_width and s.kv_width:
            width = mlp_width(n_params, s.layers, s.d_model, s.q_width, s.kv_width, s.vocab)
            adapter = lora_parameters(
                s.layers, s.d_model, s.q_width, s.kv_width, width, rank, targets
            )
            mem["adapters"] = Span.of(adapter * ft.adapter_bytes * copies)
        else:
            mem["adapters"] = None
    if s.layers and s.d_model:
        acts = finetune_activation_bytes(
            s.layers, s.d_model, seq, batch, s.vocab, checkpointing, ft.logits_bytes
        )
        mem["activations"] = Span.of(acts * gpus)
    else:
        mem["activations"] = None
    mem["overhead"] = _overhead(loc) * gpus
    warnings = []
    if s.context and seq > s.context:
        warnings.append("seq_beyond_context")
    if not model.open_weights:
        warnings.append("closed_weights")
    settings = {
        "method": method,
        "rank": rank,
        "seq": seq,
        "batch": batch,
        "optimizer": optimizer,
        "sharding": sharding,
        "checkpointing": checkpointing,
        "targets": targets,
        "adapter_parameters": adapter,
        "model_context": s.context,
    }
    return _plan(gpu, model, gpus, mem, settings, _sources(ft, loc.overhead), warnings=warnings)


def infer(
    catalog: Catalog,
    gpu_id: str | Gpu,
    model_id: str,
    *,
    quant: str = "q4_k_m",
    context: int | None = None,
    batch: int = 1,
    kv_cache: str = "fp16",
    gpus: int = 1,
    cal: Calibration | None = None,
) -> Plan:
    """Memory and speed of running ``model`` in ``quant`` on ``gpus`` cards of ``gpu``.

    Memory: weights at the format's effective bits per weight (all parameters: every expert of a
    mixture must be resident), the KV cache for ``batch`` sequences of ``context`` tokens, and the
    framework overhead on each card. The layers are split over the cards (llama.cpp's default
    "layer split"): memory divides, but a token still passes through the cards one after another,
    so decode speed is that of one card reading all the bytes.

    Decode tokens/s per sequence = bandwidth × efficiency / bytes read per step, where a step reads
    the active weights once and each sequence's KV cache; if the step's 2·N·batch FLOP take
    longer at the calibrated compute efficiency, compute bounds it instead.
    """
    loc = _local(catalog)
    gpu = catalog.gpu(gpu_id) if isinstance(gpu_id, str) else gpu_id  # or a custom Gpu
    model = catalog.model(model_id)
    fmt = loc.weight_formats[quant]
    kvf = loc.kv_formats[kv_cache]
    s = shape(model)
    context = context or s.context or 4096
    cal = cal or calibration(catalog)
    b = bits_per_weight(fmt, model)
    weights = b.map(lambda x: weight_bytes(model.parameters, x))
    kv_total = None
    if s.layers and s.kv_values:
        kv_total = kv_cache_bytes(
            s.layers, s.kv_values, context, batch, kvf.bits_per_value / 8, s.window, s.local_layers
        )
    mem: dict[str, Span | None] = {
        "weights": weights,
        "kv_cache": Span.of(kv_total) if kv_total is not None else None,
        "overhead": _overhead(loc) * gpus,
    }
    active = model.compute_parameters
    read = b.map(lambda x: weight_bytes(active, x))
    kv_seq = (kv_total or 0.0) / batch
    k = cal.classes[device_class(gpu)]
    peak = inference_peak(gpu)
    bw = _bandwidth(gpu)

    def step(bytes_read: float) -> float:
        """Tokens/s of one sequence: the slower of reading the bytes and computing the batch."""
        t_mem = (bytes_read + batch * kv_seq) / (bw * k.bandwidth_efficiency) + k.token_cost_s
        t_cmp = 2 * active * batch / (peak * k.compute_efficiency) if peak else 0.0
        return 1 / max(t_mem, t_cmp)

    lo, hi = k.decode_ratio
    decode = Span(step(read.value), step(read.high) * lo, step(read.low) * hi)
    speed = {"decode": decode, "decode_total": decode * batch}
    if peak:
        pre = prefill_tokens_per_s(2 * active, peak, k.compute_efficiency)
        speed["prefill"] = Span(pre, pre * k.prefill_ratio[0], pre * k.prefill_ratio[1])
    warnings = []
    if s.context and context > s.context:
        warnings.append("context_beyond_model")
    if not model.open_weights:
        warnings.append("closed_weights")
    settings = {
        "quant": quant,
        "context": context,
        "batch": batch,
        "kv_cache": kv_cache,
        "bits_per_weight": b.value,
        "device_class": device_class(gpu),
        "model_context": s.context,
        "window": s.window,
        "local_layers": s.local_layers,
        "split": "layers",
    }
    return _plan(
        gpu,
        model,
        gpus,
        mem,
        settings,
        _sources(fmt, kvf, loc.overhead, more=loc.measurement_sources),
        speed=speed,
        warnings=warnings,
    )


def cards_needed(plan_for: Any, limit: int = MAX_CARDS) -> int | None:
    """Fewest cards (1 … ``limit``) for which ``plan_for(n)`` fits; None beyond."""
    lo = 1
    if plan_for(lo).fits:
        return 1
    hi = 2
    while hi <= limit and not plan_for(hi).fits:
        lo, hi = hi, hi * 2
    if hi > limit:
        if plan_for(limit).fits:
            hi = limit
        else:
            return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if plan_for(mid).fits:
            hi = mid
        else:
            lo = mid
    return hi


# ---------------------------------------------------------------- what the pages show


def gpu_section(
    catalog: Catalog, gpu_id: str, cal: Calibration | None = None
) -> dict[str, Any] | None:
    """GPU page: largest model per method and format, and speed of a few common models."""
    if catalog.local is None:
        return None
    loc = catalog.local
    gpu = catalog.gpus[gpu_id]
    cal = cal or calibration(catalog)
    methods = finetune_bytes(catalog)
    largest_ft = {k: largest_parameters(catalog, gpu, b) for k, b in methods.items()}
    largest_run = {
        f: largest_parameters(catalog, gpu, loc.weight_formats[f].bits_per_weight.value / 8)
        for f in loc.weight_formats
    }
    rows = []
    for mid in loc.pages.models:
        m = catalog.models[mid]
        ctx = (
            min(loc.pages.context, m.architecture.context_length or loc.pages.context)
            if m.architecture
            else loc.pages.context
        )
        runs = {}
        for f in loc.pages.formats:
            p = infer(catalog, gpu_id, mid, quant=f, context=ctx, cal=cal)
            runs[f] = {
                "fits": p.fits,
                "memory": p.total.value,
                "decode": asdict(p.speed["decode"]),
            }
        tunes = {meth: finetune(catalog, gpu_id, mid, method=meth).fits for meth in METHODS}
        rows.append({"model": mid, "context": ctx, "runs": runs, "tunes": tunes})
    return {
        "largest_finetune": largest_ft,
        "largest_run": largest_run,
        "formats": list(loc.pages.formats),
        "format_names": {k: f.name for k, f in loc.weight_formats.items()},
        "bits": {k: f.bits_per_weight.value for k, f in loc.weight_formats.items()},
        "bytes_per_param": methods,
        "overhead": overhead_bytes(catalog),
        "context": loc.pages.context,
        "rows": rows,
    }


def model_section(
    catalog: Catalog, model_id: str, cal: Calibration | None = None
) -> dict[str, Any] | None:
    """Model page: cards needed per format and speed on common GPUs, and fine-tuning needs."""
    if catalog.local is None:
        return None
    loc = catalog.local
    m = catalog.models[model_id]
    s = shape(m)
    cal = cal or calibration(catalog)
    ctx = min(loc.pages.context, s.context or loc.pages.context)
    run = {}
    for f in loc.pages.formats:
        one = infer(catalog, loc.pages.gpus[0], model_id, quant=f, context=ctx, cal=cal)
        run[f] = {"memory": asdict(one.total), "complete": one.complete}
    gpus = []
    for gid in loc.pages.gpus:
        cards = {
            f: cards_needed(
                lambda n, f=f, gid=gid: infer(
                    catalog, gid, model_id, quant=f, context=ctx, gpus=n, cal=cal
                )
            )
            for f in loc.pages.formats
        }
        speed = {
            f: asdict(infer(catalog, gid, model_id, quant=f, context=ctx, cal=cal).speed["decode"])
            for f in loc.pages.formats
        }
        tune = {
            meth: cards_needed(
                lambda n, meth=meth, gid=gid: finetune(catalog, gid, model_id, method=meth, gpus=n)
            )
            for meth in METHODS
        }
        gpus.append({"gpu": gid, "cards": cards, "decode": speed, "tune": tune})
    tunes = {
        meth: asdict(finetune(catalog, loc.pages.gpus[0], model_id, method=meth).total)
        for meth in METHODS
    }
    return {
        "context": ctx,
        "formats": list(loc.pages.formats),
        "format_names": {k: f.name for k, f in loc.weight_formats.items()},
        "run": run,
        "tunes": tunes,
        "tune_complete": finetune(catalog, loc.pages.gpus[0], model_id).complete,
        "kv_known": s.layers is not None and s.kv_values is not None,
        "gpus": gpus,
        "chart": f"img/run/{model_id}" if model_id in loc.pages.models else None,
    }


def method_section(catalog: Catalog, cal: Calibration | None = None) -> dict[str, Any] | None:
    """Method page: the formats, fine-tuning bytes, overhead and the calibration table."""
    if catalog.local is None:
        return None
    loc = catalog.local
    cal = cal or calibration(catalog)
    return {
        "weight_formats": [
            {
                **f.model_dump(mode="json", exclude={"sources", "notes"}),
                "sources": _sources(f),
                "notes": [n.model_dump() for n in f.notes],
            }
            for f in loc.weight_formats.values()
        ],
        "kv_formats": [
            {**f.model_dump(mode="json", exclude={"sources", "notes"}), "sources": _sources(f)}
            for f in loc.kv_formats.values()
        ],
        "finetune": loc.finetune.model_dump(mode="json", exclude={"sources"}),
        "finetune_sources": _sources(loc.finetune),
        "overhead": loc.overhead.gb_per_gpu.model_dump(),
        "overhead_sources": _sources(loc.overhead),
        "speed_classes": {
            k: {
                **asdict(v),
                "lodo": {kind: cal.lodo_error(k, kind) for kind in ("decode", "prefill")},
            }
            for k, v in cal.classes.items()
        },
        "calibration": [asdict(r) for r in cal.rows],
    }


def memory_chart(catalog: Catalog, model_id: str, cal: Calibration | None = None) -> dict[str, Any]:
    """Chart payload: memory (one card) by context for each page format, and common GPU sizes."""
    loc = _local(catalog)
    m = catalog.models[model_id]
    s = shape(m)
    top = max(s.context or 0, 2**17)  # at least 128 k, to show how the cache grows
    contexts = [c for c in (2**k for k in range(11, 21)) if c <= top]
    gpu0 = loc.pages.gpus[0]
    lines = []
    for f in (*loc.pages.formats, "q2_k"):
        lines.append(
            {
                "name": loc.weight_formats[f].name,
                "bytes": [
                    infer(catalog, gpu0, model_id, quant=f, context=c, cal=cal).total.value
                    for c in contexts
                ],
            }
        )
    sizes = sorted({catalog.gpus[g].memory_gib for g in loc.pages.gpus} - {192.0})
    return {
        "model": m.labels,
        "contexts": contexts,
        "model_context": s.context,
        "lines": lines,
        "gpus": [{"memory": gib * calc.GIB} for gib in sizes],
    }


RUN_FORMAT = "q4_k_m"  # the weight format the "fine-tune or run" page counts: the common download


def run_hub(catalog: Catalog, cal: Calibration | None = None) -> dict[str, Any]:
    """The "fine-tune or run" page (and the home page's way to it): the common cards with the
    largest model per method and at Q4_K_M (the GPU pages' figures, ``largest``), and the common
    models' memory to run and to fine-tune with QLoRA on one card, each linking to its section.
    Without formats.yaml the cards are the scenario's chart GPUs and the run figures are left out.
    """
    loc = catalog.local
    chosen = loc.pages.gpus if loc else catalog.scenario.chart_gpus
    gids = [g for g in chosen if g in catalog.gpus]
    fmt = loc.weight_formats.get(RUN_FORMAT) if loc else None
    cards = []
    for gid in gids:
        g = catalog.gpus[gid]
        tune = {k: largest_parameters(catalog, g, b) for k, b in finetune_bytes(catalog).items()}
        cards.append(
            {
                "gpu": gid,
                "memory_gib": g.memory_gib,
                "finetune": tune,
                "run": fmt and largest_parameters(catalog, g, fmt.bits_per_weight.value / 8),
            }
        )
    models = []
    if loc and fmt:
        for mid in (m for m in loc.pages.models if m in catalog.models):
            plan = infer(catalog, gids[0], mid, quant=fmt.id, context=loc.pages.context, cal=cal)
            qlora = finetune(catalog, gids[0], mid, method="qlora")
            models.append(
                {
                    "model": mid,
                    "context": plan.settings["context"],
                    "run": plan.total.value,
                    "qlora": qlora.total.value,
                    "complete": plan.complete and qlora.complete,
                }
            )
    return {
        "local": loc is not None,
        "cards": cards,
        "models": models,
        "format": fmt.name if fmt else None,
        "bytes_per_param": finetune_bytes(catalog),
    }
