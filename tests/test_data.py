"""Bad input: every case exits non-zero with one clear message naming file, entry and field."""

from __future__ import annotations

import math

import pytest

from generator.cli import cli
from generator.data import DataError, figure_paths, load_catalog


def validate(runner, data_dir):
    result = runner.invoke(cli, ["validate", "--data", str(data_dir)])
    assert "Traceback" not in result.output
    return result


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
        lambda d: first_gpu(d)["peak_tflops"].update(fp32=11.3e12),
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
        lambda d: d["question"].update(gpu="rtx-4070"),
        ["scenario.yaml", "question", "gpu", "unknown GPU 'rtx-4070'"],
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
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 0
    assert result.output.startswith("OK: ")


def test_data_error_lists_each_problem():
    with pytest.raises(DataError) as err:
        load_catalog("/nonexistent/data")
    assert len(err.value.problems) == 1
