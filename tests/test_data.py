"""Bad input: every case exits non-zero with one clear message naming file, entry and field."""

from __future__ import annotations

import math

import pytest

from generator.cli import cli
from generator.coverage import figure_paths
from generator.data import load_catalog
from generator.yamlio import DataError


def validate(runner, data_dir):
    # an exception escaping `validate` is raised here, not hidden in the result
    return runner.invoke(cli, ["validate", "--data", str(data_dir)], catch_exceptions=False)


def first_gpu(doc):
    return doc["gpus"][0]


CASES = [
    # (file, change, expected pieces of the message)
    (
        "gpus.yaml",
        lambda d: first_gpu(d).pop("memory_gib"),
        ["gpus[0] (id 'gtx-1080-ti')", "memory_gib", "required field is missing"],
    ),
    (
        "gpus.yaml",
        lambda d: first_gpu(d).update(memory_gib="eleven"),
        ["memory_gib", "expected a number, got the string 'eleven'"],
    ),
    ("gpus.yaml", lambda d: first_gpu(d).update(colour="red"), ["colour", "unknown field"]),
    (
        "gpus.yaml",
        lambda d: first_gpu(d).update(memory_gib=0),
        ["memory_gib", "expected a number > 0"],
    ),
    ("gpus.yaml", lambda d: first_gpu(d).update(memory_gib=-11), ["memory_gib", "> 0"]),
    (
        "gpus.yaml",
        lambda d: first_gpu(d).update(memory_gib=math.nan),
        ["memory_gib", "finite number"],
    ),
    (
        "gpus.yaml",
        lambda d: first_gpu(d).update(memory_gib=math.inf),
        ["memory_gib", "finite number"],
    ),
    (
        "gpus.yaml",
        lambda d: next(g for g in d["gpus"] if "peak_tflops" in g)["peak_tflops"].update(
            fp32=11.3e12
        ),
        ["peak_tflops.fp32", "TFLOPS", "FLOP/s instead of TFLOPS"],
    ),
    (
        "gpus.yaml",
        lambda d: d["gpus"][1].update(id="gtx-1080-ti"),
        ["gpus[1]", "duplicate id 'gtx-1080-ti'"],
    ),
    (
        "gpus.yaml",
        lambda d: first_gpu(d).update(id="GTX 1080 Ti"),
        ["gpus[0]", "id", "lower-case slug"],
    ),
    (
        "gpus.yaml",
        lambda d: first_gpu(d).update(id="../../etc"),
        ["gpus[0]", "id", "lower-case slug"],
    ),
    ("gpus.yaml", lambda d: first_gpu(d).update(id="index"), ["gpus[0]", "id", "reserved"]),
    (
        "gpus.yaml",
        lambda d: first_gpu(d).update(sources=[]),
        ["gpus[0]", "sources", "at least 1 item"],
    ),
    (
        "gpus.yaml",
        lambda d: first_gpu(d).update(launch_price_usd=1.0, sources=first_gpu(d)["sources"][:1]),
        ["gpus[0]", "no source supports this figure"],
    ),
    (
        "gpus.yaml",
        lambda d: first_gpu(d)["sources"][0].update(fields=["memory_gb"]),
        ["sources[0].fields", "no field named 'memory_gb'"],
    ),
    (
        "gpus.yaml",
        lambda d: first_gpu(d).update(release_date="spring 2017"),
        ["release_date", "expected a date YYYY-MM-DD"],
    ),
    (
        "models.yaml",
        lambda d: d["models"][1]["training_hardware"].update(gpu="v100-sxm3"),
        [
            "models[1] (id 'gpt-3')",
            "training_hardware.gpu",
            "unknown GPU 'v100-sxm3'",
            "did you mean v100-sxm2",
        ],
    ),
    (
        "models.yaml",
        lambda d: d["models"][1].update(parameters="175 billion"),
        ["models[1]", "parameters", "got the string '175 billion'"],
    ),
    (
        "models.yaml",
        lambda d: d["models"][1]["training_compute"].update(low=1e24),
        ["training_compute", "low"],
    ),
    (
        "scenario.yaml",
        lambda d: d["question"].update(gpu="rtx-4075"),
        ["scenario.yaml", "question", "gpu", "unknown GPU 'rtx-4075'"],
    ),
    (
        "scenario.yaml",
        lambda d: d["question"].update(model="gpt-5"),
        ["question", "model", "unknown model 'gpt-5'"],
    ),
    (
        "scenario.yaml",
        lambda d: d["question"].update(gpu="tpu-v4"),
        ["question", "precision", "tpu-v4 has no fp32 peak"],
    ),
    (
        "scenario.yaml",
        lambda d: d["question"].update(utilization=1.5),
        ["question.utilization", "less than or equal to 1"],
    ),
]


@pytest.mark.parametrize(("file", "change", "expected"), CASES)
def test_bad_value_is_named(runner, edit, data_copy, file, change, expected):
    edit(file, change)
    result = validate(runner, data_copy)
    assert result.exit_code == 1
    assert f"data/{file}" in result.output
    for piece in expected:
        assert piece in result.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"gpus:\n  - id: a\n   name: [\n", ["gpus.yaml", "line 3", "YAML syntax error"]),
        (b"", ["gpus.yaml", "the file is empty"]),
        (b"gpus:\n  - name: caf\xe9\n", ["gpus.yaml", "not UTF-8", "0xe9"]),
        (b"gpus:\n  - id: a\n    id: b\n", ["gpus.yaml", "line 3", "duplicate key 'id'"]),
        (b"- id: a\n", ["gpus.yaml", "expected a mapping with one key 'gpus'"]),
    ],
)
def test_unreadable_file_is_named(runner, data_copy, text, expected):
    (data_copy / "gpus.yaml").write_bytes(text)
    result = validate(runner, data_copy)
    assert result.exit_code == 1
    for piece in expected:
        assert piece in result.output


def test_all_problems_are_reported_together(runner, edit, data_copy):
    def break_two(d):
        d["gpus"][0]["memory_gib"] = "x"
        d["gpus"][3]["vendor"] = ""

    edit("gpus.yaml", break_two)
    edit("models.yaml", lambda d: d["models"][0].pop("organization"))
    result = validate(runner, data_copy)
    assert "3 problems in the data" in result.output
    assert "gpus[0]" in result.output
    assert "gpus[3]" in result.output
    assert "models[0]" in result.output


def test_yaml_1_1_exponent_floats_are_read_as_numbers(data_copy):
    # PyYAML reads 175e9 and 175.0e9 as strings; the catalog reads them as the numbers they are.
    path = data_copy / "models.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("parameters: 175.0e+9", "parameters: 175e9", 1), encoding="utf-8")
    assert "175e9" in path.read_text(encoding="utf-8")
    assert load_catalog(data_copy).models["gpt-3"].parameters == 175e9


def test_missing_data_directory(runner, tmp_path):
    result = validate(runner, tmp_path / "nope")
    assert result.exit_code == 1
    assert "data directory not found" in result.output


def test_shipped_data_is_valid_and_every_figure_sourced(catalog):
    assert len(catalog.gpus) >= 24
    assert len(catalog.models) >= 20
    for entry in [*catalog.gpus.values(), *catalog.models.values(), catalog.scenario]:
        assert entry.sources, entry
        cited = {f for s in entry.sources for f in s.fields}
        for path in figure_paths(entry):
            assert any(path == c or path.startswith(c + ".") for c in cited), (path, entry)


def test_validate_summary(runner):
    result = runner.invoke(cli, ["validate"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.output.startswith("OK: ")


def test_data_error_lists_each_problem():
    with pytest.raises(DataError) as err:
        load_catalog("/nonexistent/data")
    assert len(err.value.problems) == 1


# ---------------------------------------------------------------- audited values (Dec 2026 audit)


def test_mi250x_is_one_gcd_half_a_module(catalog):
    # AMD prints per OAM module 128 GB, 8,192-bit HBM2e at 3.2 Gb/s, 560 W, 47.9 / 383 TFLOPS;
    # ROCm shows each of the two GCDs as one GPU.
    g = catalog.gpus["mi250x"]
    assert g.memory_gib == 64
    assert g.memory_bandwidth_gbs == pytest.approx(4096 * 3.2 / 8)  # 1,638.4 GB/s
    assert g.board_power_w == 280
    assert g.peak_tflops.fp32 == pytest.approx(47.9 / 2, rel=0.01)
    assert g.peak_tflops.fp16 == pytest.approx(383 / 2, rel=0.01)
    assert "GCD" in g.label("en")


def test_gpt2_compute_is_epochs_current_estimate_with_its_range(catalog):
    # Epoch AI: 6 × 1.5e9 × 10.67e9 tokens × 20 epochs = 1.92e21 ("speculative"); 12 epochs most
    # likely (1.15e21); 100 epochs 9.6e21. The early-2024 value 4.3e21 is superseded.
    tc = catalog.models["gpt-2"].training_compute
    assert tc.kind == "estimated"
    assert tc.flops == pytest.approx(1.92e21)
    assert tc.low == pytest.approx(6 * 1.5e9 * 40e9 / 0.75 / 5 * 12, rel=0.01)
    assert tc.high == pytest.approx(9.6e21)


def test_deepseek_v3_trained_on_h800_with_h100_sxm_peaks(catalog):
    ds = catalog.models["deepseek-v3"]
    assert ds.training_hardware.gpu == "h800"
    assert ds.training_hardware.gpu_hours == pytest.approx(2.788e6)  # report, Table 1
    h800, h100 = catalog.gpus["h800"], catalog.gpus["h100-sxm"]
    assert h800.peak_tflops == h100.peak_tflops


def test_olmo_2_32b_compute_is_6nd_not_reported(catalog):
    m = catalog.models["olmo-2-32b"]
    assert m.training_compute.kind == "estimated"
    assert m.training_compute.flops == pytest.approx(6 * m.parameters * 6.56e12, rel=0.01)


def test_bloom_and_llama_3_70b_compute_is_derived_from_hardware(catalog):
    bloom = catalog.models["bloom"].training_compute
    # Epoch AI: 384 A100 × 314 TFLOPS × 117 days × 0.3
    assert bloom.flops == pytest.approx(384 * 314e12 * 117 * 86_400 * 0.3, rel=0.001)
    assert bloom.derived_from == "hardware"
    assert catalog.models["llama-3-70b"].training_compute.derived_from == "hardware"
    assert catalog.models["gpt-3"].training_compute.derived_from is None  # reported


def test_parameters_are_exact_counts_not_nominal(catalog):
    # Llama 2 config.json: 6,738,415,616 and 68,976,648,192 parameters.
    assert catalog.models["llama-2-7b"].parameters == pytest.approx(6.74e9, rel=0.001)
    assert catalog.models["llama-2-70b"].parameters == pytest.approx(68.98e9, rel=0.001)
    assert catalog.models["llama-2-7b"].name == "Llama 2 7B"


def test_local_attention_windows(catalog):
    mistral = catalog.models["mistral-7b"].architecture
    assert (mistral.attention_window, mistral.local_layers) == (4096, None)  # all 32 layers
    maverick = catalog.models["llama-4-maverick"].architecture
    assert (maverick.attention_window, maverick.local_layers) == (8192, 36)
    assert maverick.layers - maverick.local_layers == 12  # every 4th layer is global


def test_local_layers_cannot_exceed_layers(runner, edit, data_copy):
    edit(
        "models.yaml",
        lambda d: next(m for m in d["models"] if m["id"] == "llama-4-maverick")[
            "architecture"
        ].update(local_layers=49),
    )
    result = validate(runner, data_copy)
    assert result.exit_code == 1
    assert "local_layers (49) exceeds layers (48)" in result.output


def test_every_secondary_source_is_explained_in_a_note(catalog):
    # A secondary source must be said so on the page: some note of the entry names it as such.
    words = ("secondary", "only source", "third-party", "estimate", "rumour", "leak")
    entries = [*catalog.gpus.values(), *catalog.models.values()]
    flagged = [e for e in entries if any(s.secondary for s in e.sources)]
    assert len(flagged) >= 10
    for e in flagged:
        text = " ".join(n.en.lower() for n in e.notes)
        assert any(w in text for w in words), e.id
