"""The command line: answers in both languages, JSON, lookups and option errors."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from generator.cli import cli
from generator.data import json_schemas

JSON_KEYS = {
    "gpu",
    "model",
    "precision",
    "utilization",
    "duration_s",
    "peak_flops",
    "budget_flops",
    "training_flops",
    "training_flops_low",
    "training_flops_high",
    "training_flops_method",
    "ratio",
    "gpu_years_needed",
    "training_memory_bytes",
    "inference_memory_bytes",
    "gpu_memory_bytes",
    "min_gpus_for_memory",
    "fits_training",
}


def run(runner, *args):
    # an exception escaping the command is raised here, not hidden in the result
    return runner.invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize(
    ("lang", "start", "verdict", "pieces"),
    [
        ("en", "Can one NVIDIA GeForce RTX 4070 Ti running one year at 90% utilization", "No: ",
         ["1.14 × 10²¹ FLOP", "3.14 × 10²³ FLOP", "0.36%", "276 years", "Whole run", "duty cycle"]),
        ("de", "Kann eine NVIDIA GeForce RTX 4070 Ti, die ein Jahr lang", "Nein: ",
         ["1,14 × 10²¹ FLOP", "3,14 × 10²³ FLOP", "0,36 %", "276 Jahre", "Ganzer Lauf",
          "zeitliche Auslastung bei voller Spitzenleistung"]),
    ],
)  # fmt: skip
def test_headline_question_in_both_languages(runner, lang, start, verdict, pieces):
    r = run(runner, "compare", "rtx-4070-ti", "gpt-3.5", "--lang", lang)
    assert r.exit_code == 0
    out = r.output.replace("\u00a0", " ")
    assert out.startswith(start)
    assert f"\n{verdict}" in out
    for piece in pieces:
        assert piece in out
    if lang == "de":
        for english in ("years", "needs", "memory", " the ", "share"):
            assert english not in out.lower()


def test_json_has_the_documented_keys_and_raw_numbers(runner):
    r = run(runner, "compare", "rtx-4070-ti", "gpt-3.5", "--json")
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert set(data) >= JSON_KEYS
    assert data["duration_s"] == 365 * 86400
    assert data["peak_flops"] == pytest.approx(40.09e12, rel=1e-3)
    assert data["budget_flops"] == data["peak_flops"] * 0.9 * data["duration_s"]
    assert data["ratio"] == data["budget_flops"] / data["training_flops"]
    assert data["fits_training"] is False


def test_options_override_the_scenario(runner):
    base = json.loads(run(runner, "compare", "rtx-4090", "llama-2-7b", "--json").output)
    fast = json.loads(
        run(
            runner,
            "compare",
            "rtx-4090",
            "llama-2-7b",
            "--json",
            "--precision",
            "bf16",
            "--utilization",
            "0.5",
            "--years",
            "2",
        ).output
    )
    assert (fast["precision"], fast["utilization"], fast["years"]) == ("bf16", 0.5, 2)
    assert fast["budget_flops"] == pytest.approx(
        base["budget_flops"] * 2 * (0.5 / 0.9) * 165.2 / 82.6
    )


def test_names_resolve_case_insensitively(runner):
    a = json.loads(run(runner, "compare", "NVIDIA GeForce RTX 4090", "GPT-3 175B", "--json").output)
    assert (a["gpu"], a["model"]) == ("rtx-4090", "gpt-3")
    b = json.loads(run(runner, "compare", "RTX-4090", "Gpt-3", "--json").output)
    assert (b["gpu"], b["model"]) == ("rtx-4090", "gpt-3")


def test_unknown_id_suggests_close_ones(runner):
    r = run(runner, "compare", "rtx-4007-ti", "gpt-3.5")
    assert r.exit_code == 2
    assert "unknown GPU 'rtx-4007-ti'" in r.output
    assert "rtx-4070-ti" in r.output


@pytest.mark.parametrize("value", ["0", "1.5", "-0.2", "nan"])
def test_utilization_outside_0_1_is_rejected(runner, value):
    r = run(runner, "compare", "rtx-4090", "gpt-3", "--utilization", value)
    assert r.exit_code == 2
    assert "--utilization" in r.output


def test_precision_the_gpu_lacks(runner):
    r = run(runner, "compare", "v100-sxm2", "gpt-3", "--precision", "bf16")
    assert r.exit_code == 2
    assert "V100 SXM2 32 GB has no bf16 peak; choose one it has: fp32, fp16" in r.output


def test_unknown_compute_still_answers_memory(runner):
    r = run(runner, "compare", "rtx-4090", "mistral-7b")
    assert r.exit_code == 0
    assert r.output.startswith("Can one")
    assert "Unknown:" in r.output


def test_list_and_list_json(runner, catalog):
    r = run(runner, "list", "gpus")
    assert r.exit_code == 0
    assert len(r.output.splitlines()) == 1 + len(catalog.gpus)  # a header row, one row per GPU
    models = json.loads(run(runner, "list", "models", "--json").output)
    assert [m["id"] for m in models] == list(catalog.models)


def test_committed_schema_is_current(runner):
    r = run(runner, "schema", "--check")
    assert r.exit_code == 0, r.output
    assert set(json_schemas()) == {
        "gpus.schema.json",
        "models.schema.json",
        "scenario.schema.json",
        "architectures.schema.json",
        "formats.schema.json",
        "measurements.schema.json",
    }


def test_stale_schema_is_reported(runner, tmp_path):
    (tmp_path / "gpus.schema.json").write_text("{}")
    r = run(runner, "schema", "--check", "--out", str(tmp_path))
    assert r.exit_code == 1
    assert "gpus.schema.json" in r.output


def test_python_dash_m_works():
    out = subprocess.run(
        [sys.executable, "-m", "generator", "--help"], capture_output=True, text=True, check=True
    )
    assert "Usage: gpu-year" in out.stdout


def test_infer_reads_the_catalog_once_and_checks_formats_against_its_data(
    runner, edit, data_copy, monkeypatch
):
    """Format ids are checked against the --data given, wherever it stands on the line, after
    the one load of the catalog (option callbacks used to load it once per format option)."""
    from generator import cli as cli_module

    def add_format(doc):
        q4 = next(f for f in doc["weight_formats"] if f["id"] == "q4_0")
        doc["weight_formats"].append(
            {**copy.deepcopy(q4), "id": "q4_0-local", "name": "Q4_0 local"}
        )

    edit("formats.yaml", add_format)
    loads = []
    real = cli_module.load_catalog
    monkeypatch.setattr(cli_module, "load_catalog", lambda d: loads.append(d) or real(d))
    args = ["infer", "4090", "llama-3-8b", "--quant", "q4_0-local", "--kv-cache", "q8_0"]
    r = runner.invoke(cli, [*args, "--data", str(data_copy)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert loads == [data_copy]
    r = runner.invoke(cli, ["infer", "4090", "llama-3-8b", "--quant", "q4_0-local"])
    assert r.exit_code == 2
    assert "Invalid value for '--quant': expected one of fp16, fp8, " in r.output
    assert "q2_k, got 'q4_0-local'" in r.output
    r = runner.invoke(cli, ["infer", "4090", "llama-3-8b", "--kv-cache", "int3"])
    assert r.exit_code == 2
    assert "Invalid value for '--kv-cache': expected one of fp16, fp8, q8_0, q4_0, got 'int3'" in (
        r.output
    )
