"""`gpu-year diff`: what a data change does to the figures, for review in a pull request."""

from __future__ import annotations

import json

from generator import paths
from generator.cli import cli
from generator.diff import compare, load
from tests.conftest import write_mini_data


def faster_4090(gpus, models, scenario):
    # BF16 is derived: 128 SMs × 512 FLOP per clock × 3,051.7578125 MHz = 200.0 TFLOPS
    rtx = next(g for g in gpus["gpus"] if g["id"] == "rtx-4090")
    rtx["derivation"]["boost_clock_mhz"] = 3051.7578125


def test_one_changed_value_shows_old_new_and_relative_change(runner, tmp_path):
    old = write_mini_data(tmp_path / "old")
    new = write_mini_data(tmp_path / "new", faster_4090)
    result = runner.invoke(cli, ["diff", str(old), str(new)], catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    row = next(line for line in lines if "`gpus.rtx-4090.peak_flops.bf16`" in line)
    assert "1.652 × 10¹⁴" in row
    assert "2.000 × 10¹⁴" in row
    assert "+21.10%" in row  # 200 / 165.15 (128 × 512 × 2,520 MHz)
    assert any("`pairs.rtx-4090.gpt-3.years_best`" in line for line in lines)
    assert not any("rtx-4070-ti" in line for line in lines)  # nothing else moved


def test_added_and_removed_entries(tmp_path):
    def drop_mi300x(gpus, models, scenario):
        gpus["gpus"] = [g for g in gpus["gpus"] if g["id"] != "mi300x"]
        scenario["chart_gpus"].remove("mi300x")

    old = load(write_mini_data(tmp_path / "old"))
    new = load(write_mini_data(tmp_path / "new", drop_mi300x))
    d = compare(old, new)
    assert d.removed == ["gpus.mi300x"]
    assert d.added == []
    assert not any("mi300x" in key for key, *_ in d.changed)
    assert compare(new, old).added == ["gpus.mi300x"]


def test_results_files_and_exit_code(runner, tmp_path):
    old = load(write_mini_data(tmp_path / "old"))
    (tmp_path / "a.json").write_text(json.dumps(old))
    (tmp_path / "b.json").write_text(json.dumps(old))
    same = runner.invoke(
        cli, ["diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--exit-code"]
    )
    assert (same.exit_code, same.output) == (0, "No figure changed.\n")
    new = load(write_mini_data(tmp_path / "new", faster_4090))
    (tmp_path / "b.json").write_text(json.dumps(new))
    moved = runner.invoke(
        cli, ["diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--exit-code"]
    )
    assert moved.exit_code == 1


def test_against_a_git_revision(runner):
    result = runner.invoke(
        cli, ["diff", "--against", "HEAD", "--data", str(paths.DATA)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output


def test_unreadable_input_is_a_clear_error(runner, tmp_path):
    (tmp_path / "broken.json").write_text("{not json")
    result = runner.invoke(
        cli, ["diff", str(tmp_path / "broken.json"), str(tmp_path / "broken.json")]
    )
    assert result.exit_code == 1
    assert "cannot read results" in result.output
    usage = runner.invoke(cli, ["diff", str(tmp_path / "broken.json")], catch_exceptions=False)
    assert usage.exit_code == 2
