"""The choices results.py makes: training precision, verdicts, run totals, implied MFU.

Expected values are hand calculations from datasheet figures written out here, not the engine's.
"""

from __future__ import annotations

import math

import pytest

from generator import results
from generator.results import (
    REACH,
    compare,
    compute_all,
    spread,
    training_precision,
    verdict,
)
from generator.span import Span

YEAR_S = 365 * 86_400


def test_training_precision_is_never_slower_than_fp32(catalog):
    for gpu in catalog.gpus.values():
        chosen = gpu.peak(training_precision(gpu))
        assert chosen is not None, gpu.id
        assert chosen >= (gpu.peak("fp32") or 0), gpu.id
        assert chosen == max(gpu.peak(p) or 0 for p in ("bf16", "fp16", "fp32")), gpu.id


def test_gtx_1080_ti_trains_in_fp32(catalog):
    # Pascal GP102: FP16 at 1/64 of the FP32 rate (CUDA C++ Programming Guide, throughput table,
    # compute capability 6.1), so mixed precision would be 64 times slower.
    gpu = catalog.gpus["gtx-1080-ti"]
    assert gpu.peak("fp16") < gpu.peak("fp32") / 60
    assert training_precision(gpu) == "fp32"


def test_gtx_1080_ti_realistic_years_use_its_fp32_rate(catalog):
    r = compute_all(catalog)
    # FP32: 28 SMs × 256 FLOP per clock × 1,582 MHz = 11.34 TFLOPS (Pascal whitepaper's inputs;
    # NVIDIA's table rounds to 11.3) × 40 % MFU × 90 % duty cycle over 365 days
    realistic_year = 28 * 256 * 1582e6 * 0.40 * 0.90 * YEAR_S
    assert r.gpus["gtx-1080-ti"].realistic_year_flops == pytest.approx(realistic_year)
    gpt2 = catalog.models["gpt-2"].training_compute.flops
    assert r.pairs["gtx-1080-ti"]["gpt-2"].years_realistic == pytest.approx(gpt2 / realistic_year)


def test_bf16_wins_where_it_is_faster(catalog):
    # RTX 4090: 165.2 TFLOPS dense BF16 with FP32 accumulate against 82.6 FP32 (Ada whitepaper)
    assert training_precision(catalog.gpus["rtx-4090"]) == "bf16"


@pytest.mark.parametrize(
    ("need", "one", "expected"),
    [
        (1.0, 1.0, "enough"),
        (0.5, 1.0, "enough"),
        (1.01, 1.0, "reach"),
        (REACH, 1.0, "reach"),
        (REACH * 1.001, 1.0, "far"),
        (276.0, 1.0, "far"),
    ],
)
def test_verdict_thresholds(need, one, expected):
    assert verdict(need, one) == expected
    assert REACH == 8  # one 8-GPU server: the threshold the Method page states


def test_rtx_4090_on_gpt_2_is_not_far_off(catalog):
    """The case the old verdict called "neither comes anywhere near"."""
    c = compare(catalog, "rtx-4090", "gpt-2")
    # Compute: 82.6 TFLOPS × 0.9 × one year = 2.34e21 FLOP against Epoch AI's 1.92e21.
    budget = 82.6e12 * 0.9 * YEAR_S
    assert budget / catalog.models["gpt-2"].training_compute.flops > 1
    assert c.compute_verdict == "enough"
    # Memory: 1.56 B parameters × 16 bytes = 24.9 GB (23.2 GiB) plus activations, against 24 GiB.
    assert c.training_memory_bytes > 24 * 2**30
    assert (c.memory_verdict, c.min_gpus_for_memory) == ("reach", 2)
    assert c.verdict == "reach"


def test_rtx_3090_on_gpt_2_compute_is_within_reach(catalog):
    c = compare(catalog, "rtx-3090", "gpt-2")
    # 35.6 TFLOPS FP32 × 0.9 × one year = 1.01e21 FLOP: between 1/8 and all of 1.92e21
    budget = 35.6e12 * 0.9 * YEAR_S
    flops = catalog.models["gpt-2"].training_compute.flops
    assert budget / flops < 1 < 8 * budget / flops
    assert c.compute_verdict == "reach"
    assert c.cards_for_compute == math.ceil(flops / budget) == 2


def test_headline_is_far_on_both_counts(catalog):
    c = compare(catalog, "rtx-4070-ti", "gpt-3.5")
    assert (c.compute_verdict, c.memory_verdict) == ("far", "far")
    # 3.14e23 / (40.1e12 × 0.9 × 365 d) = 275.9 → 276 cards for one year
    assert c.cards_for_compute == 276
    # 175e9 × 16 bytes / 12 GiB = 217.3 → 218 cards just to hold the state
    assert c.min_gpus_for_memory == math.ceil(175e9 * 16 / (12 * 2**30)) == 218


def test_whole_run_energy_and_gpu_hours(catalog):
    c = compare(catalog, "rtx-4070-ti", "gpt-3.5")
    # Realistic: BF16 with FP32 accumulate, 60 SMs × 512 FLOP per clock × 2,610 MHz = 80.18 TFLOPS
    # (NVIDIA prints 80.2) × 40 % MFU × 90 % duty cycle
    years = 3.14e23 / (60 * 512 * 2610e6 * 0.4 * 0.9 * YEAR_S)
    assert c.realistic_gpu_years_needed.value == pytest.approx(years)  # ≈ 345
    busy_hours = years * 365 * 24 * 0.9
    assert c.run_gpu_hours == pytest.approx(busy_hours)
    assert c.run_energy_kwh == pytest.approx(busy_hours * 285 / 1000)  # ≈ 775,000 kWh
    # one GPU-year is not the run: 285 W × 0.9 × 8,760 h = 2,247 kWh
    assert c.energy_kwh == pytest.approx(285 * 0.9 * 8760 / 1000)
    assert c.run_energy_kwh > 300 * c.energy_kwh


def test_cloud_cost_is_for_the_whole_run(catalog):
    c = compare(catalog, "rtx-4090", "gpt-2")
    price = catalog.gpus["rtx-4090"].cloud_price.usd_per_hour
    assert c.cloud_cost_usd == pytest.approx(c.run_gpu_hours * price)


def test_realistic_share_is_mfu_times_duty(catalog):
    c = compare(catalog, "rtx-4070-ti", "gpt-3.5")
    assert c.realistic_share == pytest.approx(0.40 * 0.90)


def test_implied_mfu_uses_6nd_where_tokens_are_known(catalog):
    r = compute_all(catalog)
    m = catalog.models["llama-2-70b"]
    hw = m.training_hardware
    gpu = catalog.gpus[hw.gpu]
    # Llama 2 paper: 1,720,320 A100-80GB GPU-hours; 6 × N × 2 T tokens over 312 TFLOPS BF16
    peak = gpu.peak("bf16") * 1e12
    expected = 6 * m.parameters * m.training_tokens / (hw.gpu_hours * 3600 * peak)
    assert r.models["llama-2-70b"].implied_mfu == pytest.approx(expected)
    assert r.models["llama-2-70b"].implied_mfu_basis == "6ND"


def test_implied_mfu_is_not_circular(catalog):
    """Compute estimated from the GPU-hours, and no tokens: no MFU, and the page says why."""
    m = catalog.models["llama-2-70b"]
    tc = m.training_compute.model_copy(update={"derived_from": "hardware"})
    circular = m.model_copy(update={"training_compute": tc, "training_tokens": None})
    mfu, _precision, basis = results._implied_mfu(circular, catalog)
    assert mfu is None
    assert basis == "circular"


def test_kv_cache_respects_sliding_window(catalog):
    # Mistral 7B paper §2: a rolling buffer of the 4,096-token window; 32 layers, 8 KV heads of 128
    kv = results.model_memory(catalog.models["mistral-7b"], catalog).kv_cache
    assert kv == 32 * 4096 * 2 * 8 * 128 * 2  # FP16 cache: 0.5 GiB, not the 1 GiB of 8,192 tokens


def test_kv_cache_respects_chunked_attention(catalog):
    # Llama 4 Maverick config.json: 48 layers, 8 KV heads of 128, every 4th layer global over the
    # full 1,048,576 tokens, the other 36 attend within chunks of 8,192 tokens
    kv = results.model_memory(catalog.models["llama-4-maverick"], catalog).kv_cache
    per_token_layer = 2 * 8 * 128 * 2
    assert kv == (12 * 1_048_576 + 36 * 8192) * per_token_layer
    assert 48 * 1_048_576 * per_token_layer / kv == pytest.approx(3.9, abs=0.05)


def test_spread_picks_evenly_on_a_log_scale_and_keeps_what_it_must():
    key = {"a": 1.0, "b": 10.0, "c": 100.0, "d": 1e3, "e": 1e4}
    # targets 10^0, 10^2, 10^4: the ends and the middle
    assert spread(list(key), key, 3, []) == ["a", "c", "e"]
    # a kept id takes a slot; the rest fill from the lowest target up
    assert spread(list(key), key, 3, ["d"]) == ["a", "c", "d"]
    assert spread(list(key), key, 9, []) == ["a", "b", "c", "d", "e"]


def test_heat_map_is_bounded_and_holds_the_headline_pair(catalog):
    gpus, models = compute_all(catalog).heatmap
    assert len(gpus) <= 30
    assert len(models) <= 24
    assert catalog.scenario.question.gpu in gpus
    assert catalog.scenario.question.model in models


def test_mfu_band_contains_every_published_run(catalog):
    """Issue 20.3: for each model with published GPU-hours on a catalog GPU (and a compute not
    itself derived from those hours), the realistic range's GPU-hours contain the published
    hours. Llama 3 8B's 1.3 M H100-hours (≈ 15 % MFU) were outside the old 30-55 % band."""
    checked = 0
    for m in catalog.models.values():
        hw, tc = m.training_hardware, m.training_compute
        if not (hw and hw.gpu and hw.gpu_hours) or (tc and tc.derived_from == "hardware"):
            continue
        c = compare(catalog, hw.gpu, m.id, utilization=1.0)
        if c.training_flops is None:
            continue
        days = catalog.scenario.year_days
        hours = {k: y * days * 24 for k, y in c.realistic_years_by_mfu.items()}
        # years_by_mfu["low"] is the low MFU: the most hours
        assert hours["high"] <= hw.gpu_hours * (1 + 1e-9), m.id
        assert hw.gpu_hours <= hours["low"] * (1 + 1e-9), m.id
        checked += 1
    assert checked >= 20


def test_fp8_changes_the_realistic_hours_where_the_card_has_fp8(catalog):
    """Issue 20.4: H100 SXM dense FP8 1,979 TFLOPS vs BF16 989 (NVIDIA datasheet): an FP8 run
    takes half the card-years; an A100 has no FP8 units, so asking for FP8 changes nothing."""
    bf16 = compare(catalog, "h100-sxm", "deepseek-v3", precision="bf16")
    fp8 = compare(catalog, "h100-sxm", "deepseek-v3", precision="fp8")
    assert fp8.realistic_precision == "fp8"
    assert bf16.realistic_precision == "bf16"
    ratio = bf16.realistic_gpu_years_needed.value / fp8.realistic_gpu_years_needed.value
    assert ratio == pytest.approx(1978.9 / 989.4, rel=0.01)
    a100 = compare(catalog, "a100-80gb", "deepseek-v3", precision="tf32")
    assert a100.realistic_precision == "bf16"


def test_results_json_has_one_line_per_pair_and_reads_back_as_the_results(catalog):
    import dataclasses
    import json

    res = results.compute_all(catalog)
    text = results.dumps(res)
    assert json.loads(text) == json.loads(json.dumps(res.to_json()))
    n_pairs = sum(len(row) for row in res.pairs.values())
    one_line = [line for line in text.splitlines() if '{"fits_inference": ' in line]
    assert len(one_line) == n_pairs
    assert '\n "gpus": {\n' in text  # the rest one value per line, as before
    gid, mid = "rtx-4090", "gpt-3"
    res.pairs[gid][mid] = dataclasses.replace(res.pairs[gid][mid], years_best=Span.of(math.nan))
    with pytest.raises(ValueError, match="Out of range float"):
        results.dumps(res)  # never a NaN in the download
