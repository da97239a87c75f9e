"""Bad and hostile data: every case ends in one message naming file, line and cause, exit 1.

The cases come from the classes of issue 10: errors raised outside the YAML parser (a directory
instead of a file, an impossible date, a number Python refuses to convert), input that costs
unbounded work (aliases, deep nesting, garbage with thousands of problems) and entries that
`validate` used to accept but nothing could tell apart (two entries with one name).
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli

BOMB_LEVELS = "bcdefghi"  # with `a`, nine levels: 9⁹ ≈ 387 million strings when expanded


def replace_once(name: str, old: str, new: str) -> Callable[[Path], None]:
    def change(data: Path) -> None:
        path = data / name
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def regex_once(name: str, pattern: str, new: str) -> Callable[[Path], None]:
    def change(data: Path) -> None:
        path = data / name
        text, n = re.subn(pattern, new, path.read_text(encoding="utf-8"), count=1)
        assert n == 1, pattern
        path.write_text(text, encoding="utf-8")

    return change


def directory_instead_of_file(data: Path) -> None:
    (data / "models.yaml").unlink()
    (data / "models.yaml").mkdir()


def alias_bomb(data: Path) -> None:
    lines = ["    a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    prev = "a"
    for level in BOMB_LEVELS:
        lines.append(f"    {level}: &{level} [{', '.join([f'*{prev}'] * 9)}]")
        prev = level
    replace_once("gpus.yaml", "  - id: rtx-4090\n", "  - id: rtx-4090\n" + "\n".join(lines) + "\n")(
        data
    )
    regex_once("gpus.yaml", r"name: NVIDIA GeForce RTX 4090\n", "name: *i\n")(data)


def deep_nesting(data: Path) -> None:
    replace_once("models.yaml", "name: GPT-3.5\n", f"name: {'[' * 5000}{']' * 5000}\n")(data)


def thousands_of_problems(data: Path) -> None:
    fields = ", ".join(f"field{i}: {i}" for i in range(5000))
    (data / "gpus.yaml").write_text(f"gpus:\n  - {{{fields}}}\n", encoding="utf-8")


CASES = {
    # errors raised outside the YAML parser
    "file is a directory": (directory_instead_of_file, ["models.yaml", "is a directory"]),
    "impossible date": (
        regex_once("gpus.yaml", r"release_date: [0-9-]+", "release_date: 2017-02-30"),
        ["gpus.yaml", "line ", "'2017-02-30' is not a valid date", "day is out of range"],
    ),
    "impossible month": (
        regex_once("models.yaml", r"release_date: [0-9-]+", "release_date: 2023-13-01"),
        ["models.yaml", "line ", "'2023-13-01' is not a valid date"],
    ),
    "integer beyond Python's conversion limit": (
        regex_once("gpus.yaml", r"memory_gib: [0-9.]+", "memory_gib: " + "9" * 5000),
        ["gpus.yaml", "line ", "a number with 5000 digits is too long"],
    ),
    "integer field with a huge value": (
        regex_once("models.yaml", r"layers: [0-9]+", "layers: " + "7" * 39),
        ["models.yaml", "line ", "architecture.layers", "less than or equal to 10000"],
    ),
    "key that is a list": (
        replace_once(
            "gpus.yaml", "  - id: rtx-4090\n", "  - id: rtx-4090\n    ? [a, b]\n    : 1\n"
        ),
        ["gpus.yaml", "line ", "a key must be a single word"],
    ),
    "a duty cycle that rounds to nothing": (
        regex_once("scenario.yaml", r"utilization: [0-9.]+", "utilization: 1.0e-320"),
        ["scenario.yaml", "line ", "question.utilization", "greater than or equal to 0.001"],
    ),
    # unbounded work from small input
    "alias bomb, nine levels": (alias_bomb, ["gpus.yaml", "line ", "aliases", "not allowed"]),
    "nesting 5000 deep": (deep_nesting, ["models.yaml", "line ", "nest"]),
    "5000 unknown fields": (thousands_of_problems, ["5008 problems", "and 4908 more"]),
    "a megabyte-long name": (
        replace_once("gpus.yaml", "name: NVIDIA GeForce RTX 4090", "name: " + "x" * 1_000_000),
        ["gpus.yaml", "line ", "gpus[", "name", "at most 300 characters"],
    ),
    # what validate accepted but no lookup could tell apart
    "two GPUs with one name": (
        replace_once(
            "gpus.yaml", "name: NVIDIA GeForce RTX 4090", "name: NVIDIA GeForce RTX 4070 Ti"
        ),
        ["gpus.yaml", "line ", "id 'rtx-4090'", "name", "already the name of gpus["],
    ),
    "two models whose names differ only in case and spaces": (
        replace_once("models.yaml", "name: GPT-3.5\n", "name: ' gpt-3 '\n"),
        ["models.yaml", "line ", "id 'gpt-3.5'", "already the", "of models["],
    ),
}


@pytest.mark.parametrize("command", ["validate", "build"])
@pytest.mark.parametrize("case", list(CASES))
def test_bad_data_is_one_clean_message(tmp_path, case, command):
    change, pieces = CASES[case]
    data = tmp_path / "data"
    shutil.copytree(Path(__file__).parent.parent / "data", data)
    change(data)
    args = [command, "--data", str(data)]
    if command == "build":
        args += ["--out", str(tmp_path / "site")]
    started = time.monotonic()
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert time.monotonic() - started < 10, "bounded work: the error must come at once"
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: "), result.output
    for piece in pieces:
        assert piece in result.output, (piece, result.output[:2000])
    assert len(result.output) < 20_000, "never format a whole value into a message"
    assert not (tmp_path / "site").exists()


def test_a_name_that_looks_like_a_formula_stays_text_in_the_cli_csv(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(Path(__file__).parent.parent / "data", data)
    replace_once("gpus.yaml", "name: NVIDIA GeForce RTX 4090\n", "name: '=HYPERLINK(\"x\")'\n")(
        data
    )
    args = ["list", "gpus", "--csv", "--data", str(data)]
    out = CliRunner().invoke(cli, args, catch_exceptions=False).output
    row = next(line for line in out.splitlines() if line.startswith("rtx-4090,"))
    # quoted with ' so that a spreadsheet shows the text instead of running it (OWASP CSV injection)
    assert row.startswith('rtx-4090,"\'=HYPERLINK(""x"")",')
