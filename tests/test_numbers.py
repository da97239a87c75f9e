"""The computed figures against published ones.

Tolerances: figures quoted with three significant digits (1.14 × 10²¹, 3.14 × 10²³) must round
to the quoted digits; figures quoted as round numbers ("about 35 years", "275 GPU-years") are
checked to the precision of the quote, and the test says why a small gap remains.
"""

from __future__ import annotations

import pytest

from generator import calc
from generator.i18n import round_sig
from generator.results import compare, compute_all, training_compute

YEAR = calc.seconds(1, 365)


def sig3(x: float) -> float:
    return float(round_sig(x, 3))


def test_rtx_4070_ti_year_at_fp32_and_90_percent(catalog):
    c = compare(catalog, "rtx-4070-ti", "gpt-3.5")
    assert (c.precision, c.utilization, c.years) == ("fp32", 0.9, 1)
    assert sig3(c.budget_flops) == 1.14e21  # the seed's 1,14 × 10²¹
    assert c.duration_s == 365 * 86_400


def test_gpt3_compute_reported_and_by_six_nd(catalog):
    gpt3 = catalog.models["gpt-3"]
    tc = training_compute(gpt3)
    assert tc.method == "reported"
    assert sig3(tc.flops) == 3.14e23  # GPT-3 paper, Table D.1
    assert sig3(calc.six_nd(175e9, 300e9)) == 3.15e23
    assert tc.six_nd == pytest.approx(tc.flops, rel=0.01)  # 6·N·D within 1 % of the reported value


def test_gpt35_is_an_estimated_range_with_gpt3_as_low_end(catalog):
    tc = training_compute(catalog.models["gpt-3.5"])
    assert tc.method == "estimated"
    assert tc.low == pytest.approx(3.14e23)
    assert tc.high >= 5 * tc.low  # other estimates are about an order of magnitude higher


def test_headline_ratio_and_gpu_years(catalog):
    c = compare(catalog, "rtx-4070-ti", "gpt-3.5")
    # The seed rounds the budget to 1.14e21 first: 3.14e23 / 1.14e21 = 275.4; unrounded it is 275.9.
    assert round(c.ratio.value * 100, 2) == 0.36
    assert c.gpu_years_needed.value == pytest.approx(275.5, abs=0.6)
    assert not c.fits_training
    assert c.training_memory_bytes > 100 * 2**30  # "hundreds of GB of VRAM"


def test_35_years_for_gpt3_on_an_a100_at_dense_bf16(catalog):
    c = compare(catalog, "a100-80gb", "gpt-3", precision="bf16", utilization=0.9)
    assert c.peak_flops == 312e12  # dense, not the 624 TFLOPS sparse figure
    assert c.gpu_years_needed.value == pytest.approx(35.5, abs=0.5)  # "about 35 years"


def test_lambda_355_gpu_years_at_28_tflops():
    # Lambda, "Demystifying GPT-3": 3.14e23 FLOP at 28 TFLOPS (V100) takes 355 GPU-years.
    years = calc.gpu_years_needed(3.14e23, calc.budget_flops(28e12, 1.0, YEAR))
    assert int(years) == 355


def test_chinchilla_sizing_reproduces_chinchilla():
    # Gopher's budget (5.76e23 FLOP) buys a ~70B model on ~1.4T tokens (Hoffmann et al. 2022).
    n, d = calc.chinchilla_optimal(5.76e23)
    assert n == pytest.approx(70e9, rel=0.02)
    assert d == pytest.approx(1.4e12, rel=0.02)
    assert calc.six_nd(n, d) == pytest.approx(5.76e23)


def test_llama_2_70b_implied_mfu_is_plausible(catalog):
    # 6·N·D = 8.4e23 on 1,720,320 A100-80GB hours at the dense BF16 peak (312 TFLOPS).
    m = compute_all(catalog).models["llama-2-70b"]
    assert m.implied_mfu_precision == "bf16"
    # Large A100 runs report 35-60 % MFU (PaLM 46 %, MegaScale 55 %); 8.4e23 / 1.93e24 = 43.5 %.
    assert 0.35 < m.implied_mfu < 0.60


def test_moe_uses_active_parameters_for_compute_and_total_for_memory(catalog):
    ds = catalog.models["deepseek-v3"]
    assert ds.is_moe
    tc = training_compute(ds)
    assert tc.six_nd == pytest.approx(6 * ds.active_parameters * ds.training_tokens)
    mem = compute_all(catalog).models["deepseek-v3"].memory
    assert mem.inference_weights["fp16"] == pytest.approx(2 * ds.parameters)


def test_gpt3_training_state_spans_the_lean_and_the_standard_accounting(catalog):
    mem = compute_all(catalog).models["gpt-3"].memory
    # ZeRO (Rajbhandari et al. 2020, sec. 3.1): mixed-precision Adam keeps 2 + 2 + 12 = 16 bytes.
    assert mem.state == pytest.approx(16 * 175e9, rel=1e-3)
    # LoRA (Hu et al. 2021, sec. 4.2): "reduce the VRAM consumption during training from 1.2TB
    # to 350GB", "up to 2/3" saved by dropping the frozen weights' optimizer state. The lean state
    # (weights + 16-bit Adam moments) is the 1.2 TB before activations: 0.80–1.0 of it.
    assert 0.80 * 1.2e12 <= mem.state_lean <= 1.2e12
    lora = catalog.scenario.recipe("lora").bytes_per_param * 175e9
    assert lora == pytest.approx(350e9, rel=0.01)
    assert 1 - lora / mem.state_lean == pytest.approx(2 / 3, abs=0.01)
    assert mem.training_low < mem.training


def test_cli_names_the_memory_convention_and_its_lean_low_end(catalog):
    from click.testing import CliRunner

    from generator.cli import cli

    out = CliRunner().invoke(cli, ["compare", "rtx-4090", "gpt-3"], catch_exceptions=False).output
    assert "(mixed-precision AdamW, 16 bytes per parameter plus activations)" in out
    assert "lean accounting (6 bytes per parameter: no FP32 master copy)" in out


def test_gpus_needed_meets_the_deadline(catalog):
    r = compute_all(catalog)
    pair = r.pairs["h100-sxm"]["llama-3.1-405b"]
    sustained = r.gpus["h100-sxm"].realistic_year_flops / YEAR
    flops = r.models["llama-3.1-405b"].compute.flops
    n = pair.gpus_needed["90"]
    assert n * sustained * 90 * 86_400 >= flops > (n - 1) * sustained * 90 * 86_400


def test_activation_memory_formula():
    # Korthikanti et al. 2022, eq. (1): s·b·h·(34 + 5·a·s/h) per layer, no recomputation.
    s, b, h, a, layers = 2048, 1, 12288, 96, 96
    assert calc.activation_bytes(layers, h, a, s, b, "none") == layers * s * b * h * (
        34 + 5 * a * s / h
    )
    assert calc.activation_bytes(layers, h, a, s, b, "selective") == layers * 34 * s * b * h
