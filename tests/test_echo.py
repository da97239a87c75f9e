"""What the command line echoes of typed and data text: no terminal controls, at most 60 characters.

Issue 22, items 4 and 5: a name with an escape sequence passed `validate` and `list` printed it
raw (it can retitle or clear the terminal); an unknown 100,000-character argument was echoed in
full.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.yamlio import describe
from tests.conftest import write_mini_data

CONTROLS = {  # text: the first control character in it
    "\x1b]0;owned\x07": "U+001B",  # OSC: sets the terminal's title
    "\x1b[2J": "U+001B",  # CSI: clears the screen
    "\x9b2J": "U+009B",  # the same as one C1 character
    "\r": "U+000D",  # returns to the start of the line, to overprint it
    "\u202e": "U+202E",  # RIGHT-TO-LEFT OVERRIDE: shows the rest reversed
    "\u2066": "U+2066",  # LEFT-TO-RIGHT ISOLATE
}
RAW = ("\x1b", "\x07", "\x9b", "\r", "\u202e", "\u2066")


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def assert_clean(output: str) -> None:
    assert not any(c in output for c in RAW), repr(output)


@pytest.mark.parametrize("control", CONTROLS)
@pytest.mark.parametrize(
    ("what", "field", "value"),
    [
        ("gpus", "name", "Evil{} 9000"),
        ("gpus", "qualifier", {"en": "per{} chip", "de": "pro Chip"}),
        ("gpus", "vendor", "Evil{} Inc."),
        ("models", "name", "Evil{} 9000"),
        ("models", "organization", "Evil{} Lab"),
    ],
)
def test_a_control_character_in_a_shown_text_is_refused(tmp_path, control, what, field, value):
    def change(gpus, models, scenario):
        entry = {"gpus": gpus, "models": models}[what][what][0]
        entry[field] = (
            {k: v.format(control) for k, v in value.items()}
            if isinstance(value, dict)
            else value.format(control)
        )

    r = invoke("list", what, "--data", str(write_mini_data(tmp_path / "data", change)))
    assert r.exit_code == 1
    expected = f"{field}: contains the control character {CONTROLS[control]}"
    assert expected in r.output, r.output
    assert "remove it" in r.output
    assert_clean(r.output)


def test_a_tab_in_a_name_is_refused_a_line_break_in_a_note_is_not(tmp_path):
    def tab(gpus, models, scenario):
        gpus["gpus"][0]["name"] = "RTX\t9000"

    data = write_mini_data(tmp_path / "data", tab)
    r = invoke("validate", "--data", str(data))
    assert r.exit_code == 1
    assert "contains the control character U+0009 (at character 4)" in r.output

    def note(gpus, models, scenario):
        gpus["gpus"][0]["notes"] = [{"field": "general", "en": "one\ntwo", "de": "eins\nzwei"}]

    r = invoke("validate", "--data", str(write_mini_data(tmp_path / "data2", note)))
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("control", CONTROLS)
@pytest.mark.parametrize(
    "args",
    [
        ["compare", "{}", "gpt-3"],
        ["compare", "4090", "{}"],
        ["plan", "gpt-3", "--gpu", "{}"],
        ["infer", "{}", "llama-2-7b"],
        ["finetune", "rtx-4090", "{}"],
        ["list", "gpus", "--lang", "{}"],
        ["compare", "4090", "gpt-3", "--utilization", "{}"],
        ["infer", "4090", "llama-2-7b", "--quant", "{}"],
        ["validate", "{}"],  # an extra argument, echoed by click as it is
        ["validate", "--data", "{}"],  # a path, in the data error
        ["{}"],  # no such command
        ["validate", "--x{}"],  # no such option
    ],
)
def test_typed_text_is_echoed_without_controls(args, control):
    r = invoke(*(a.replace("{}", f"a{control}b") for a in args))
    assert r.exit_code in (1, 2)
    assert "Error: " in r.output
    assert_clean(r.output)


LONG = "x" * 100_000


@pytest.mark.parametrize(
    "args",
    [
        ["compare", LONG, "gpt-3"],
        ["compare", "4090", LONG],
        ["plan", "gpt-3", "--gpu", LONG],
        ["instead", LONG],
        ["infer", LONG, "llama-2-7b"],
        ["finetune", "rtx-4090", LONG],
        ["list", "gpus", "--lang", LONG],
        ["list", "gpus", f"--lang={LONG}"],
        ["list", LONG],
        ["compare", "4090", "gpt-3", "--precision", LONG],
        ["compare", "4090", "gpt-3", "--utilization", LONG],
        ["compare", "4090", "gpt-3", "--gpus", LONG],
        ["infer", "4090", "llama-2-7b", "--quant", LONG],
        ["validate", LONG],
        ["validate", f"--{LONG}"],
        [LONG],
        ["diff", LONG, LONG],
    ],
)
def test_a_huge_argument_is_echoed_as_60_characters(args):
    r = invoke(*args)
    assert r.exit_code == 2
    assert "Error: " in r.output
    assert "x" * 61 not in r.output
    assert "..." + "x" * 28 in r.output  # reprlib's 60 characters, quotes included
    assert len(r.output) < 1000


def test_data_values_are_described_escaped():
    assert describe("a\x1b[2Jb\u202ec") == "the string 'a\\x1b[2Jb\\u202ec'"
