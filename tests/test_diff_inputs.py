"""`gpu-year diff` refuses what is not results or data, and cleans up after --against."""

from __future__ import annotations

import json
import tempfile

import pytest
from click.testing import CliRunner

from generator import paths
from generator.cli import cli
from generator.diff import load
from tests.conftest import write_mini_data

NOT_RESULTS = {
    "package.json": {"name": "x", "version": "1.0.0", "dependencies": {}},
    "a list": [1, 2, 3],
    "a string": "results",
    "gpus as a list": {"headline": {}, "gpus": [], "models": {}, "pairs": {}},
    "no pairs": {"headline": {}, "gpus": {"a": {}}, "models": {"b": {}}},
    "empty catalog": {"headline": {}, "gpus": {}, "models": {}, "pairs": {}},
    "figures that are not objects": {
        "headline": {},
        "gpus": {"a": 1},
        "models": {"b": {}},
        "pairs": {},
    },
    "a pair row that is a number": {
        "headline": {},
        "gpus": {"a": {}},
        "models": {"b": {}},
        "pairs": {"a": 5},
    },
}


@pytest.fixture(scope="module")
def results_json(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("results")
    path = tmp / "results.json"
    path.write_text(json.dumps(load(write_mini_data(tmp / "data"))), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", list(NOT_RESULTS))
@pytest.mark.parametrize("side", ["old", "new"])
def test_json_that_is_not_results_is_refused(tmp_path, results_json, case, side):
    other = tmp_path / "other.json"
    other.write_text(json.dumps(NOT_RESULTS[case]), encoding="utf-8")
    pair = [str(other), str(results_json)] if side == "old" else [str(results_json), str(other)]
    result = CliRunner().invoke(cli, ["diff", *pair], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "No figure changed" not in result.output
    assert f"Error: {other}" in result.output
    assert "results" in result.output


def test_deeply_nested_json_is_refused(tmp_path, results_json):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", str(deep), str(results_json)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "cannot read results" in result.output


def test_hostile_data_directory_is_a_data_error(tmp_path, results_json):
    data = write_mini_data(tmp_path / "data")
    (data / "gpus.yaml").write_text("gpus: &a [*a]\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", str(results_json), str(data)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "gpus.yaml" in result.output


def test_against_leaves_no_temporary_copy(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    args = ["diff", "--against", "HEAD", "--data", str(paths.DATA)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("rev", "message"),
    [
        ("--output={tmp}/x", "is not a revision (it starts with '-')"),
        ("-p", "is not a revision (it starts with '-')"),
        ("no-such-branch", "no such commit in"),
        ("HEAD:data", "no such commit in"),  # a tree, not a commit
    ],
)
def test_against_takes_a_revision_and_never_an_option(tmp_path, rev, message):
    """`--against=--output=PATH` used to reach `git show` as an option and write PATH:data/*."""
    (tmp_path / "x:data").mkdir()  # where the injected option wrote the data files
    rev = rev.format(tmp=tmp_path)
    args = ["diff", f"--against={rev}", "--data", str(paths.DATA)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: --against {rev[:40]!r}"[:-1])  # long ones end in …
    assert message in result.output
    assert "e.g. --against HEAD" in result.output
    assert [p.name for p in tmp_path.rglob("*")] == ["x:data"]
