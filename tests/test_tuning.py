"""Fine-tuning time and cost: ``finetune --tokens`` (issue 21.3). Expected values by hand from the
catalog's inputs: the H100 SXM's 989.4 TFLOPS BF16, 700 W and $3.99 per hour, the scenario's
40 % MFU (30–55 %) and 90 % duty cycle."""

from __future__ import annotations

import json

import pytest

from generator.cli import cli
from generator.tuning import finetune_flops

H100 = 989.4e12
MFU, LOW, HIGH, DUTY = 0.40, 0.30, 0.55, 0.90


def run(runner, args: list[str]) -> dict:
    r = runner.invoke(cli, [*args, "--json"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def test_flops_per_method():
    n, d, adapters = 8e9, 1e9, 40e6
    assert finetune_flops("full", n, n, 0, d, 2048, 3) == 6 * n * d
    assert finetune_flops("lora", n, n, adapters, d, 2048, 3) == 4 * n * d + 6 * adapters * d
    # QLoRA: one FLOP per weight and pass (forward, recompute, backward) per micro-batch
    qlora = finetune_flops("qlora", n, n, adapters, d, 2048, 3)
    assert qlora == pytest.approx(4 * n * d + 6 * adapters * d + n * 3 * d / 2048)
    assert qlora / finetune_flops("lora", n, n, adapters, d, 2048, 3) < 1.001


def test_mixture_of_experts_counts_active_parameters():
    assert finetune_flops("full", 46.7e9, 12.9e9, 0, 1e9, 2048, 3) == 6 * 12.9e9 * 1e9


def test_full_finetuning_on_eight_h100s(catalog, runner):
    """6 × 8.03 B × 1 B tokens = 4.82 × 10¹⁹ FLOP at 989.4 TFLOPS × 40 % × 90 % on 8 cards."""
    n = catalog.models["llama-3-8b"].parameters
    args = ["finetune", "h100-sxm", "llama-3-8b", "--method", "full", "--gpus", "8"]
    d = run(runner, [*args, "--tokens", "1e9"])
    flops = 6 * n * 1e9
    assert d["finetune_flops"] == pytest.approx(flops)
    card_s = flops / (H100 * MFU * DUTY)
    assert d["time_s"]["value"] == pytest.approx(card_s / 8)
    assert d["time_s"]["low"] == pytest.approx(flops / (H100 * HIGH * DUTY) / 8)
    assert d["time_s"]["high"] == pytest.approx(flops / (H100 * LOW * DUTY) / 8)
    busy_hours = card_s * DUTY / 3600  # all cards together
    assert d["gpu_hours"] == pytest.approx(busy_hours)
    assert d["energy_kwh"] == pytest.approx(busy_hours * 0.700)
    assert d["cloud_cost_usd"] == pytest.approx(busy_hours * 3.99)
    assert 4 * 3600 < d["time_s"]["value"] < 5 * 3600  # 4.7 hours


def test_lora_takes_two_thirds_of_full(runner):
    args = ["finetune", "h100-sxm", "llama-3-8b", "--tokens", "1e9"]
    full = run(runner, [*args, "--method", "full"])
    lora = run(runner, [*args, "--method", "lora"])
    n = full["finetune_flops"] / 6e9
    expected = 4 * n * 1e9 + 6 * lora["settings"]["adapter_parameters"] * 1e9
    assert lora["finetune_flops"] == pytest.approx(expected)
    assert 0.66 < lora["time_s"]["value"] / full["time_s"]["value"] < 0.69


def test_given_mfu_price_and_cloud_rate(runner):
    base = ["finetune", "h100-sxm", "llama-3-8b", "--method", "full", "--tokens", "1e9"]
    d = run(runner, [*base, "--mfu", "0.2", "--utilization", "1", "--cloud-rate", "2"])
    flops = d["finetune_flops"]
    assert d["time_s"]["value"] == pytest.approx(flops / (H100 * 0.2))
    assert d["time_s"]["high"] == d["time_s"]["value"]  # the lowest MFU in the range
    assert d["cloud_cost_usd"] == pytest.approx(flops / (H100 * 0.2) / 3600 * 2)


def test_no_tokens_no_run_but_the_same_keys(runner):
    d = run(runner, ["finetune", "rtx-4090", "llama-3-8b"])
    for key in ("finetune_flops", "time_s", "cloud_cost_usd", "energy_kwh"):
        assert key in d
        assert d[key] is None


def test_text_answer_states_the_assumption(runner):
    args = ["finetune", "rtx-4090", "llama-3-8b", "--method", "qlora", "--tokens", "1e8"]
    en = runner.invoke(cli, args, catch_exceptions=False).output
    assert "Time for 100 million tokens:" in en
    assert "4·N·D + 6·N_adapter·D" in en
    assert "QLoRA, §3" in en
    de = runner.invoke(cli, [*args, "--lang", "de"], catch_exceptions=False).output
    assert "Zeit für 100 Mio. Token:" in de.replace("\xa0", " ")
    assert "Dettmers et al. 2023" in de


def test_a_tpu_fine_tunes_at_bf16(runner):
    d = run(runner, ["finetune", "tpu-v5e", "llama-3-8b", "--tokens", "1e8"])
    assert d["training_precision"] == "bf16"
    assert d["time_s"]["value"] > 0
