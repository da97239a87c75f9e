"""Asking your own question: GPU counts, deadlines, custom hardware and models, plan, instead.

Expected numbers are hand calculations from the formulas and datasheet figures written here.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re

import pytest
from click.testing import CliRunner

from generator import results
from generator.cli import cli

H100_BF16 = 989.4e12  # NVIDIA H100 SXM5 datasheet: dense BF16 (989.4 TFLOPS; 1,979 with sparsity)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def ok_json(*args: str):
    r = invoke(*args, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


@pytest.mark.parametrize(
    ("typed", "gpu_id"),
    [("RTX 4090", "rtx-4090"), ("4090", "rtx-4090"), ("rtx4090", "rtx-4090"), ("h800", "h800")],
)
def test_gpu_found_by_what_people_type(typed, gpu_id):
    assert ok_json("compare", typed, "gpt-2")["gpu"] == gpu_id


@pytest.mark.parametrize(("typed", "model_id"), [("llama 2 7b", "llama-2-7b"), ("GPT 3", "gpt-3")])
def test_model_found_by_what_people_type(typed, model_id):
    assert ok_json("compare", "4090", typed)["model"] == model_id


def test_ambiguous_fragment_lists_the_candidates():
    r = invoke("compare", "A100", "gpt-2")
    assert r.exit_code == 2
    assert "a100-40gb" in r.stderr
    assert "a100-80gb" in r.stderr


def test_plan_7b_on_2t_tokens_in_30_days_on_h100():
    """The issue's question: 6 × 7e9 × 2e12 = 8.4e22 FLOP at 40 % MFU in 30 days.

    Convention: the duty cycle multiplies the MFU (the share of the time the cards compute), so
    cards computing around the clock (--utilization 1) need 8.4e22 / (989.4e12 × 0.4 × 30 × 86,400)
    = 81.9 → 82 cards, and at the scenario's 90 % duty cycle 91.
    """
    args = ("plan", "custom", "--params", "7e9", "--tokens", "2e12", "--days", "30")
    rows = ok_json(*args, "--gpu", "h100-sxm", "--utilization", "1", "--mfu", "0.4")
    assert pytest.approx(81.9, abs=0.05) == 8.4e22 / (H100_BF16 * 0.4 * 30 * 86_400)
    assert rows[0]["cards_for_compute"] == 82
    rows = ok_json(*args, "--gpu", "h100-sxm", "--mfu", "0.4")
    assert rows[0]["cards_for_compute"] == math.ceil(8.4e22 / (H100_BF16 * 0.4 * 0.9 * 2_592_000))


def test_plan_is_sorted_by_cloud_cost_and_writes_csv():
    rows = ok_json("plan", "llama-2-7b", "--days", "90")
    costs = [r["cloud_cost_usd"] for r in rows if r["cloud_cost_usd"] is not None]
    assert costs == sorted(costs)
    assert rows[-1]["cloud_cost_usd"] is None  # GPUs without a price come last
    r = invoke("plan", "llama-2-7b", "--days", "90", "--csv")
    table = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [t["gpu"] for t in table] == [row["gpu"] for row in rows]
    assert {"cards", "gpu_hours", "energy_kwh", "cloud_cost_usd"} <= set(table[0])


def test_gpt_3_on_eight_rtx_4090():
    one = ok_json("compare", "4090", "gpt-3")
    eight = ok_json("compare", "4090", "gpt-3", "--gpus", "8")
    assert eight["realistic_years_with_gpus"] == pytest.approx(
        one["realistic_gpu_years_needed"] / 8
    )
    assert eight["years_with_gpus"] == pytest.approx(one["gpu_years_needed"] / 8)
    assert eight["budget_flops"] == pytest.approx(8 * one["budget_flops"])
    # 175e9 parameters × 16 bytes = 2.8 TB of state alone: 24 GiB cards needed ≥ 2.8e12 / 25.8e9
    assert eight["min_gpus_for_memory"] >= math.ceil(175e9 * 16 / (24 * 2**30)) == 109
    assert eight["training_memory_per_gpu_bytes"] == pytest.approx(
        eight["training_memory_bytes"] / 8
    )
    assert not eight["fits_training"]
    text = invoke("compare", "4090", "gpt-3", "--gpus", "8").stdout
    assert "8 × NVIDIA GeForce RTX 4090" in text
    assert f"at least {eight['min_gpus_for_memory']} GPUs" in text
    assert "communication" in text


def test_custom_gpu_and_model_match_the_formulas():
    c = ok_json(
        "compare", "custom", "custom", "--tflops", "100", "--precision", "bf16", "--memory", "32",
        "--params", "7e9", "--tokens", "2e12", "--utilization", "1",
    )  # fmt: skip
    assert c["training_flops"] == pytest.approx(6 * 7e9 * 2e12)
    assert c["budget_flops"] == pytest.approx(100e12 * 365 * 86_400)
    assert c["training_state_bytes"] == pytest.approx(7e9 * 16)
    assert c["gpu_memory_bytes"] == 32 * 2**30


def test_days_price_and_cloud_rate_reach_the_answer():
    c = ok_json(
        "compare", "4090", "gpt-2", "--days", "73", "--price-kwh", "0.10", "--cloud-rate", "2",
    )  # fmt: skip
    assert c["years"] == pytest.approx(0.2)
    assert c["cloud_cost_usd"] == pytest.approx(c["run_gpu_hours"] * 2)
    assert c["run_electricity_cost"] == pytest.approx(c["run_energy_kwh"] * 0.10)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["3.17 × 10¹⁸ cards", "1.39 × 10²⁰ kWh ≈ €5.56 × 10¹⁹", "≈ $2.78 × 10²² at"]),
        ("de", ["3,17 × 10¹⁸ Karten", "1,39 × 10²⁰ kWh ≈ 5,56 × 10¹⁹ €", "≈ 2,78 × 10²² $ bei"]),
    ],
)
def test_an_extreme_custom_question_prints_significant_figures(lang, expected):
    """By hand: the budget is 10¹⁰ FLOP/s × 0.001 × 31,536 s = 3.1536 × 10¹¹ FLOP, so 10³⁰ FLOP
    need 3.17 × 10¹⁸ cards. Realistically 10¹⁰ × 0.001 × 0.001 = 10⁴ FLOP/s: 10²⁶ s, of which the
    cards compute 0.1 %, 2.78 × 10¹⁹ GPU-hours; × 5 kW = 1.39 × 10²⁰ kWh, × 0.40 = 5.56 × 10¹⁹ €;
    × $1,000 = $2.78 × 10²². Printed before: 3,170,979,198,380,000,256 cards, €55600000T."""
    r = invoke(
        "compare", "custom", "custom", "--tflops", "0.01", "--precision", "fp32", "--memory",
        "0.25", "--power", "5000", "--params", "1e15", "--flops", "1e30", "--days", "0.365",
        "--mfu", "0.001", "--utilization", "0.001", "--cloud-rate", "1000", "--price-kwh", "0.4",
        "--lang", lang,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    text = r.stdout.replace("\u00a0", " ")
    for piece in expected:
        assert piece in text
    assert not re.search(r"\d{1,3}(?:[,.]\d{3}){5,}", text), "no count of 16 digits or more"
    assert not re.search(r"\d{4,}(?:T|Bio)", text), "no scale word with a 4-digit mantissa"


@pytest.mark.parametrize("lang", ["en", "de"])
def test_negative_zero_price_is_zero(lang):
    r = invoke("compare", "4090", "gpt-2", "--price-kwh", "-0.0", "--lang", lang)
    assert r.exit_code == 0, r.output
    assert ("at €0.00 per kWh" if lang == "en" else "bei 0,00\u00a0€ pro kWh") in r.stdout
    assert "-€" not in r.stdout
    assert "-0" not in r.stdout
    assert ok_json("compare", "4090", "gpt-2", "--price-kwh", "-0.0")["electricity_price_kwh"] == 0
    assert (
        '"electricity_price_kwh": 0.0'
        in invoke("compare", "4090", "gpt-2", "--price-kwh", "-0.0", "--json").stdout
    )


@pytest.mark.parametrize("lang", ["en", "de"])
def test_compare_text_prints_the_whole_run(lang):
    r = invoke("compare", "4090", "gpt-2", "--lang", lang, "--cloud-rate", "2")
    run = "Whole run" if lang == "en" else "Ganzer Lauf"
    assert run in r.stdout
    assert "kWh" in r.stdout
    assert ("$" if lang == "en" else "\u00a0$") in r.stdout


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("compare", "4090", "gpt-2", "--gpus", "0"), "--gpus"),
        (("compare", "4090", "gpt-2", "--days", "-1"), "--days"),
        (("compare", "4090", "gpt-2", "--mfu", "1.5"), "--mfu"),
        (("compare", "4090", "gpt-2", "--mfu", "nan"), "--mfu"),
        (("compare", "custom", "gpt-2", "--tflops", "abc", "--memory", "8"), "--tflops"),
        (("compare", "custom", "gpt-2", "--memory", "8"), "--tflops"),
        (("compare", "custom", "gpt-2", "--tflops", "80"), "--memory"),
        (("compare", "4090", "custom", "--params", "7e9"), "--tokens"),
        (("compare", "4090", "custom", "--tokens", "1e12"), "--params"),
        (("compare", "4090", "gpt-2", "--tflops", "3"), "--tflops"),
        (("compare", "4090", "gpt-2", "--years", "1", "--days", "3"), "--days"),
        (("plan", "gpt-2", "--days", "0"), "--days"),
        (("instead", "4090", "--gpus", "-2"), "--gpus"),
    ],
)
@pytest.mark.parametrize("as_json", [False, True])
def test_bad_input_is_one_clear_error(args, option, as_json):
    r = invoke(*args, *(["--json"] if as_json else []))
    assert r.exit_code == 2
    assert option in r.stderr
    assert r.stdout == ""  # no partial JSON, no half an answer


def test_instead_matches_chinchilla_by_hand():
    r = ok_json("instead", "4090", "--gpus", "2", "--days", "90")
    # 2 × 165.2 TFLOPS BF16 (Ada whitepaper, FP32 accumulate) × 40 % MFU × 90 % × 90 days
    budget = 2 * 165.2e12 * 0.4 * 0.9 * 90 * 86_400
    assert r["budget_flops"] == pytest.approx(budget, rel=1e-3)
    # Chinchilla: D = 20 N, C = 6 N D = 120 N²
    assert r["chinchilla_params"] == pytest.approx(math.sqrt(budget / 120), rel=1e-3)
    # 16 bytes per parameter beside the 1 GB framework overhead on each card, as finetune counts
    expected = 2 * (24 * 2**30 - 1e9) / 16
    assert r["largest_trainable"]["mixed-precision-adamw"] == pytest.approx(expected)


def test_site_instead_figures_come_from_the_same_function(catalog):
    r = results.compute_all(catalog)
    one = results.instead(catalog, "rtx-4090", results.Setup.from_scenario(catalog, years=1))
    assert r.gpus["rtx-4090"].chinchilla_params == one.chinchilla_params
    assert r.gpus["rtx-4090"].largest_trainable == one.largest_trainable


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("compare", ("compare", "4070 ti", "gpt-3.5")),
        ("compare", ("compare", "4090", "mistral-7b", "--gpus", "4")),  # compute unknown: nulls
        ("plan", ("plan", "llama-2-7b", "--days", "30")),
        ("instead", ("instead", "4090", "--gpus", "2")),
    ],
)
def test_json_output_matches_its_published_schema(name, args):
    import jsonschema

    from generator import paths

    schema = json.loads((paths.DATA / "schema" / "output" / f"{name}.schema.json").read_text())
    jsonschema.validate(ok_json(*args), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"gpu": 1}, schema)  # the schema has teeth


def test_custom_gpu_for_finetune_and_infer():
    """A custom GPU works for fine-tuning and inference; decoding speed follows the bandwidth."""
    base = ("infer", "custom", "llama-3-8b", "--tflops", "165", "--memory", "24")
    one, two, four = (ok_json(*base, "--bandwidth", str(bw)) for bw in (1000, 2000, 4000))
    catalog_card = ok_json("infer", "rtx-4090", "llama-3-8b")
    assert one["memory_bytes"] == catalog_card["memory_bytes"]  # memory does not depend on speed
    # time per token = bytes / (bandwidth × efficiency) + a fixed cost: the bandwidth part halves
    # with each doubling, so the time saved from 1 to 2 TB/s is twice that from 2 to 4 TB/s
    t = [1 / r["decode_tokens_per_s"] for r in (one, two, four)]
    assert t[0] - t[1] == pytest.approx(2 * (t[1] - t[2]))
    assert t[0] > t[1] > t[2]
    tune = ok_json("finetune", "custom", "llama-3-8b", "--tflops", "165", "--memory", "24")
    assert tune["fits"] == ok_json("finetune", "rtx-4090", "llama-3-8b")["fits"]
    r = invoke("infer", "custom", "llama-3-8b", "--tflops", "165", "--memory", "24")
    assert r.exit_code == 2
    assert "--bandwidth" in r.stderr


# ---------------------------------------------------------------- the basis of the verdict (21.4)


def test_tpu_answers_compare_at_its_fastest_training_precision():
    """Google publishes no FP32 figure for the TPU v5e: the question counts its 197 TFLOPS BF16."""
    r = ok_json("compare", "tpu-v5e", "gpt-2")
    assert r["precision"] == "bf16"
    assert r["budget_flops"] == pytest.approx(197e12 * 0.9 * 365 * 86_400)
    text = invoke("compare", "tpu-v5e", "gpt-2").output
    assert "the card has no FP32 peak, so its fastest training precision" in text


def test_every_card_without_an_fp32_peak_answers_compare(catalog):
    without = [g for g in catalog.gpus.values() if not g.peak("fp32")]
    assert without  # the TPUs
    for g in without:
        c = results.compare(catalog, g, "gpt-2")
        assert c.precision == results.training_precision(g)
        assert invoke("compare", g.id, "gpt-2", "--json").exit_code == 0


def test_an_asked_precision_the_card_lacks_is_still_refused():
    r = CliRunner().invoke(cli, ["compare", "tpu-v5e", "gpt-2", "--precision", "fp32"])
    assert r.exit_code == 2
    assert "has no fp32 peak" in r.output


def test_the_verdict_names_its_basis_beside_the_realistic_time():
    """H200 × GPT-2: 'within reach' at the FP32 peak (67 TFLOPS × 90 %), while the realistic
    rate (989.4 TFLOPS BF16 × 40 % × 90 %) takes 1.92 × 10²¹ / 356 TFLOPS = 62.4 days."""
    text = invoke("compare", "h200", "gpt-2").output
    lines = text.splitlines()
    verdict = next(i for i, line in enumerate(lines) if line.startswith("Not with one card"))
    assert lines[verdict + 1].startswith("(The verdict counts the FP32 peak at 90% duty cycle")
    assert "BF16 peak × 40% MFU, one card takes 62.4\u00a0days" in lines[verdict + 1]
    de = invoke("compare", "h200", "gpt-2", "--lang", "de").output
    assert "Das Urteil rechnet mit der FP32-Spitzenleistung bei 90\u00a0% Auslastung" in de
