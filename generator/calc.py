"""The arithmetic: pure functions on plain numbers, each formula with its reference.

Conventions (the Method page explains them):
- 1 multiply-add = 2 FLOP; throughput in FLOP/s (SI), memory in bytes, time in seconds.
- Training compute C ≈ 6·N·D (Kaplan et al. 2020, "Scaling Laws for Neural Language Models", §2.1):
  2·N·D for the forward pass, 4·N·D for the backward pass; N = parameters active per token.
- Peaks are dense (no 2:4 sparsity). "Utilization" is a duty cycle (share of wall-clock time the
  GPU computes at peak); MFU (model FLOPs utilization, Chowdhery et al. 2022, PaLM §B) is the
  achieved share of peak while training. Realistic throughput = peak × MFU × duty cycle.
"""

from __future__ import annotations

import math

SECONDS_PER_DAY = 86_400
GIB = 2**30
TERA = 1e12


def seconds(years: float, year_days: float) -> float:
    """Length of ``years`` years of ``year_days`` days, in seconds."""
    return years * year_days * SECONDS_PER_DAY


def budget_flops(peak_flops: float, utilization: float, duration_s: float) -> float:
    """FLOPs a GPU delivers: peak FLOP/s × utilization × duration."""
    return peak_flops * utilization * duration_s


def six_nd(parameters: float, tokens: float) -> float:
    """Training compute by 6·N·D (Kaplan et al. 2020)."""
    return 6.0 * parameters * tokens


def gpu_years_needed(training_flops: float, flops_per_gpu_year: float) -> float:
    """GPU-years for a training run; also the years it takes on one GPU."""
    return training_flops / flops_per_gpu_year


def gpus_needed(training_flops: float, sustained_flops: float, days: float) -> int:
    """GPUs that together finish ``training_flops`` within ``days`` at ``sustained_flops`` each.

    Assumes perfect scaling; real clusters lose some throughput to communication.
    """
    return max(1, math.ceil(training_flops / (sustained_flops * days * SECONDS_PER_DAY)))


# ---------------------------------------------------------------- memory


def state_bytes(parameters: float, bytes_per_param: float) -> float:
    """Weights, gradients and optimizer state: parameters × bytes per parameter.

    Mixed-precision AdamW keeps 16 bytes per parameter: fp16/bf16 weights (2) and gradients (2),
    and in fp32 a master copy, momentum and variance (4 + 4 + 4): Rajbhandari et al. 2020 (ZeRO).
    """
    return parameters * bytes_per_param


def activation_bytes(
    layers: int, d_model: int, heads: int, seq: int, batch: int, recompute: str
) -> float:
    """Activations kept for the backward pass of a transformer, in bytes (16-bit activations).

    Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer Models",
    eq. (1)-(2) without tensor/sequence parallelism, per layer:
    - no recomputation:        s·b·h·(34 + 5·a·s/h)
    - selective recomputation: 34·s·b·h (attention scores recomputed)
    - full recomputation:      2·s·b·h (only each layer's input is kept)
    Embeddings and the output logits are not included.
    """
    sbh = seq * batch * d_model
    per_layer = {
        "none": sbh * (34 + 5 * heads * seq / d_model),
        "selective": 34 * sbh,
        "full": 2 * sbh,
    }[recompute]
    return layers * per_layer


def kv_cache_bytes(
    layers: int,
    values_per_token_layer: float,
    context: int,
    batch: int,
    bytes_per_value: float,
    window: int | None = None,
    local_layers: int | None = None,
) -> float:
    """Key/value cache of a decoder for ``context`` tokens.

    For multi-head or grouped-query attention a token stores 2·kv_heads·head_dim values per layer
    (keys and values; grouped- or multi-query attention shares them between heads: Ainslie et al.
    2023, "GQA"); multi-head latent attention (DeepSeek-V3) stores a compressed vector instead.
    Layers with local attention (a sliding window, Mistral 7B §2, or attention chunks, Llama 4)
    keep at most ``window`` tokens; ``local_layers`` of the ``layers`` do (all when None).
    """
    local = (layers if local_layers is None else local_layers) if window else 0
    tokens = (layers - local) * context + local * min(context, window or context)
    return tokens * values_per_token_layer * batch * bytes_per_value


def kv_values_per_token_layer(d_model: int, heads: int, kv_heads: int) -> float:
    """2·kv_heads·head_dim, with head_dim = d_model / heads."""
    return 2 * kv_heads * d_model / heads


# ---------------------------------------------------------------- what the budget buys


def chinchilla_optimal(compute_flops: float, tokens_per_param: float = 20.0) -> tuple[float, float]:
    """Compute-optimal (parameters, tokens) for a budget: D ≈ 20·N, so C = 6·N·20·N = 120·N².

    Hoffmann et al. 2022, "Training Compute-Optimal Large Language Models" (Chinchilla), Table 3.
    """
    n = math.sqrt(compute_flops / (6.0 * tokens_per_param))
    return n, tokens_per_param * n


def implied_mfu(training_flops: float, gpu_hours: float, peak_flops: float) -> float:
    """Model FLOPs utilization a published run implies: C / (GPU-hours × 3600 × peak)."""
    return training_flops / (gpu_hours * 3600 * peak_flops)


# ---------------------------------------------------------------- energy and money


def energy_kwh(power_w: float, duration_s: float, utilization: float) -> float:
    """Energy at board power for the busy share of ``duration_s``, in kWh."""
    return power_w * duration_s * utilization / 3.6e6


def cost(amount: float, unit_price: float) -> float:
    """Price of ``amount`` units (kWh, GPU-hours) at ``unit_price``."""
    return amount * unit_price
