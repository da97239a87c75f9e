"""Inverse answers and fixes of ``infer`` and ``finetune`` (issue 21.2), and the one largest-model
figure (issue 21.4). Expected values are hand calculations from the catalog's inputs (parameters,
layers, bits per weight), written out here.
"""

from __future__ import annotations

import json
import math

import pytest

from generator import fits, local
from generator.cli import cli

GIB = 2**30
OVERHEAD = 1e9  # formats.yaml: 1 GB of framework memory per card


def run(runner, args: list[str]) -> dict:
    r = runner.invoke(cli, [*args, "--json"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


# ---------------------------------------------------------------- bisection


def test_largest_int_finds_the_boundary():
    assert fits.largest_int(lambda n: n <= 37, 1, 100) == 37
    assert fits.largest_int(lambda n: n <= 500, 1, 100) == 100
    assert fits.largest_int(lambda n: False, 1, 100) is None
    assert fits.largest_int(lambda n: n <= 1, 1, 2) == 1


# ---------------------------------------------------------------- the case


def test_70b_on_two_3090s_at_32k_suggests_the_q8_kv_cache(catalog, runner):
    """Llama 3 70B (70.55 B parameters, 80 layers, 8 KV heads of 128) in Q4_K_M (4.80 bits per
    weight, the published figure for 70B models) at 32,768 tokens: 42.3 GB of weights + 10.74 GB
    of FP16 cache + 2 × 1 GB = 27.5 GB per card of 25.77 GB. With the cache in Q8_0 (8.5 bits per
    value) it is 5.70 GB: 25.0 GB per card."""
    args = ["infer", "rtx-3090", "llama-3-70b", "--gpus", "2", "--quant", "q4_k_m"]
    d = run(runner, [*args, "--context", "32768"])
    assert d["fits"] is False
    weights = catalog.models["llama-3-70b"].parameters * 4.80 / 8
    kv_q8 = 80 * 2 * 8 * 128 * 32768 * 8.5 / 8
    fix = next(f for f in d["fixes"] if f["change"] == "kv_cache")
    assert fix["options"] == ["--kv-cache", "q8_0"]
    # 0.5 %: llama.cpp's 4.80 is rounded; the per-model tensor mix gives 4.799
    assert fix["per_gpu_bytes"] == pytest.approx((weights + kv_q8 + 2 * OVERHEAD) / 2, rel=0.005)
    assert fix["per_gpu_bytes"] <= 24 * GIB
    assert d["fixes"][0] is fix  # the least change comes first
    # the model's context is 8,192 tokens: the longest context is capped there
    assert d["max_context_tokens"] == 8192
    # Q4_0 (4.5 bits): (39.69 + 10.74 + 2) / 2 = 26.2 GB, too much; GPTQ 4-bit (4.156): 24.7 GB
    assert d["best_quant"] == "gptq-4bit"


def test_longest_context_by_hand(runner):
    """Llama 3.1 70B (128 k context) in Q4_K_M on two 3090s: the cache holds
    (2 × 24 GiB − 2 × 1 GB − 42.3 GB) / (80 × 2 × 8 × 128 × 2 bytes) tokens, at the 4.80 bits
    per weight llama.cpp publishes for 70B models in Q4_K_M."""
    d = run(runner, ["infer", "rtx-3090", "llama-3.1-70b", "--gpus", "2", "--quant", "q4_k_m"])
    weights = 70.553706496e9 * 4.80 / 8
    per_token = 80 * 2 * 8 * 128 * 2
    expected = math.floor((2 * 24 * GIB - 2 * OVERHEAD - weights) / per_token)
    # 4.80 is rounded (the model's tensor mix gives 4.799): ±0.5 % of the weights, ~650 tokens
    assert abs(d["max_context_tokens"] - expected) <= 0.005 * weights / per_token
    assert 20_000 < expected < 23_000


def test_max_context_is_the_models_when_everything_fits(runner):
    d = run(runner, ["infer", "h100-sxm", "llama-3-8b", "--quant", "q4_k_m"])
    assert d["fits"] is True
    assert d["fixes"] == []
    assert d["max_context_tokens"] == 8192
    assert d["best_quant"] == "fp16"  # 16 GB of weights fit 80 GB


def test_full_finetuning_suggests_8bit_adam_and_qlora(runner):
    """GPT-2 1.5B, full fine-tuning with Adam: 16 bytes per parameter = 24.9 GiB on a 24 GiB card;
    8-bit Adam (10 bytes) fits, and so do LoRA and QLoRA."""
    d = run(runner, ["finetune", "rtx-4090", "gpt-2", "--method", "full"])
    assert d["fits"] is False
    options = [f["options"] for f in d["fixes"]]
    assert options[0] == ["--optimizer", "adam8bit"]
    assert ["--method", "qlora"] in options
    assert options.index(["--method", "lora"]) < options.index(["--method", "qlora"])
    assert [f["change"] for f in d["fixes"]][-2:] == ["gpus", "gpu"]  # hardware last


def test_full_8b_on_a_4090_offers_qlora_not_8bit_adam(runner):
    """Llama 3 8B: 10 bytes per parameter with 8-bit Adam is 80 GB, far above 24 GiB."""
    d = run(runner, ["finetune", "rtx-4090", "llama-3-8b", "--method", "full"])
    changes = {tuple(f["options"]) for f in d["fixes"]}
    assert ("--method", "qlora") in changes
    assert ("--optimizer", "adam8bit") not in changes


def test_longest_sequence_and_largest_rank(catalog, runner):
    """QLoRA of Llama 3 8B on a 12 GiB RTX 3060: with checkpointing a token keeps
    (2 × 32 layers + 34) × 4096 bytes of activations and 4 × 128,256 bytes of logits, so the
    longest sequence is about (12 GiB − weights − adapters − 1 GB) / 914,432 bytes."""
    d = run(runner, ["finetune", "rtx-3060", "llama-3-8b", "--method", "qlora"])
    p = catalog.models["llama-3-8b"].parameters
    adapters = d["settings"]["adapter_parameters"] * 16
    room = 12 * GIB - p * 4.127 / 8 - adapters - OVERHEAD
    assert d["max_seq"] == pytest.approx(room / ((2 * 32 + 34) * 4096 + 4 * 128256), abs=2)
    build = lambda **kw: local.finetune(catalog, "rtx-3060", "llama-3-8b", **kw)  # noqa: E731
    assert build(seq=d["max_seq"]).fits
    assert not build(seq=d["max_seq"] + 1).fits
    assert build(rank=d["max_rank"]).fits
    assert not build(rank=d["max_rank"] + 1).fits


def test_full_finetuning_has_no_rank(runner):
    d = run(runner, ["finetune", "rtx-4090", "llama-3-8b", "--method", "full"])
    assert d["max_rank"] is None


# ---------------------------------------------------------------- every fix, replayed


CASES = [
    ["infer", "rtx-3090", "llama-3-70b", "--gpus", "2", "--quant", "q4_k_m", "--context", "32768"],
    ["infer", "rtx-3060", "llama-3-8b", "--quant", "fp16", "--batch", "16"],
    ["infer", "rtx-4060", "tests/fixtures/hf/Llama-3.1-8B/config.json", "--quant", "fp16"],
    [
        "infer",
        "custom",
        "llama-3-8b",
        "--tflops",
        "50",
        "--memory",
        "8",
        "--bandwidth",
        "500",
        "--quant",
        "fp16",
    ],
    ["infer", "rtx-4090", "mixtral-8x7b", "--quant", "q8_0", "--kv-cache", "fp16"],
    ["infer", "rtx-5090", "llama-3.1-70b", "--quant", "q8_0", "--context", "131072"],
    ["finetune", "rtx-4090", "llama-3-8b", "--method", "full"],
    ["finetune", "rtx-4090", "gpt-2", "--method", "full"],
    [
        "finetune",
        "rtx-3090",
        "llama-3-8b",
        "--method",
        "lora",
        "--batch",
        "8",
        "--no-checkpointing",
    ],
    [
        "finetune",
        "rtx-4090",
        "llama-3-8b",
        "--method",
        "full",
        "--gpus",
        "4",
        "--sharding",
        "replicated",
    ],
    ["finetune", "rtx-3060", "llama-3-70b", "--method", "qlora", "--seq", "8192"],
]


@pytest.mark.parametrize("args", CASES, ids=lambda a: "-".join(a[:3]))
def test_every_fix_added_to_its_command_fits(runner, args):
    d = run(runner, args)
    assert d["fits"] is False
    assert d["fixes"], "a plan that does not fit offers at least one fix"
    for fix in d["fixes"]:
        assert fix["fits"] is True
        cmd = [args[0], fix.get("gpu", args[1]), *args[2:], *fix["options"]]
        again = run(runner, cmd)
        assert again["fits"] is True, (cmd, again["per_gpu_bytes"])
        assert again["per_gpu_bytes"] == pytest.approx(fix["per_gpu_bytes"])


def test_fixes_in_the_text_answer_both_languages(runner):
    args = ["infer", "rtx-3090", "llama-3-70b", "--gpus", "2", "--context", "32768"]
    en = runner.invoke(cli, args, catch_exceptions=False).output
    assert "To make it fit:" in en
    assert "--kv-cache q8_0" in en
    de = runner.invoke(cli, [*args, "--lang", "de"], catch_exceptions=False).output
    assert "So passt es:" in de
    assert "--kv-cache q8_0" in de
    assert "pro Karte" in de


# ---------------------------------------------------------------- one largest-model figure


def test_one_largest_model_figure_for_the_4090(catalog, runner):
    """The RTX 4090 page showed QLoRA up to 34.8 B (0.74 bytes, no overhead) and one section later
    48 B (0.516 bytes beside 1 GB). One figure now: (24 GiB − 1 GB) / 0.74 = 33.5 B, and the same
    for full training (16 bytes: 1.55 B) and LoRA (2 bytes: 12.4 B) everywhere."""
    from generator import results

    room = 24 * GIB - OVERHEAD
    expected = {"full": room / 16, "lora": room / 2, "qlora": room / 0.74}
    section = local.gpu_section(catalog, "rtx-4090")
    fits_list = results.compute_all(catalog).gpus["rtx-4090"].largest_trainable
    instead = run(runner, ["instead", "rtx-4090"])["largest_trainable"]
    recipe = {r.kind: r.id for r in catalog.scenario.recipes}
    for kind, n in expected.items():
        assert section["largest_finetune"][kind] == pytest.approx(n)
        assert fits_list[recipe[kind]] == pytest.approx(n)
        assert instead[recipe[kind]] == pytest.approx(n)
        tune = run(runner, ["finetune", "rtx-4090", "llama-3-8b", "--method", kind])
        assert tune["largest_model_parameters"] == pytest.approx(n)
    assert section["bytes_per_param"]["qlora"] == 0.74
    # inference: FP16 weights take 2 bytes on the page's format table and in instead alike
    assert section["largest_run"]["fp16"] == pytest.approx(room / 2)
    assert run(runner, ["instead", "rtx-4090"])["largest_inference"]["fp16"] == pytest.approx(
        room / 2
    )


def test_largest_model_on_several_cards(catalog):
    from generator.largest import largest_parameters

    gpu = catalog.gpus["rtx-3090"]
    assert largest_parameters(catalog, gpu, 2, 4) == pytest.approx(4 * (24 * GIB - OVERHEAD) / 2)


def test_format_and_context_together_when_neither_alone_fits(runner):
    """Llama 3.1 8B (128 k context) in FP16 on an 8 GiB card: no format holds 131,072 tokens of
    FP16 cache (16 GiB), and FP16 weights (15 GiB) fit no context; the highest-precision format
    that still reaches 4,096 tokens does, with its longest context."""
    args = ["infer", "rtx-4060", "tests/fixtures/hf/Llama-3.1-8B/config.json", "--quant", "fp16"]
    d = run(runner, args)
    assert d["best_quant"] is None
    assert d["max_context_tokens"] is None
    fix = next(f for f in d["fixes"] if f["change"] == "quant_context")
    quant, context = fix["options"][1], int(fix["options"][3])
    assert context >= 4096
    assert run(runner, [*args, "--quant", quant, "--context", str(context + 1)])["fits"] is False


def test_custom_gpu_gets_no_card_fix(runner):
    d = run(runner, ["infer", "custom", "llama-3-8b", "--tflops", "50", "--memory", "8",
                     "--bandwidth", "500", "--quant", "fp16"])  # fmt: skip
    assert d["fixes"]
    assert all(f["change"] != "gpu" for f in d["fixes"])
