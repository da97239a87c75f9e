"""Wording the code assembles: counts in the form for their number, ranges that do not repeat their
value, help texts that name only options the command has, and `list` as a table with a header."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.i18n import L10n
from tests.conftest import write_mini_data


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output.replace("\u00a0", " ")


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [
        ("en", "1 GPU for 30 days", "2 GPUs for 30 days"),
        ("de", "1 GPU für 30 Tage", "2 GPUs für 30 Tage"),
    ],
)
def test_a_counted_string_takes_the_form_for_its_number(lang, one, two):
    f = L10n(lang)
    assert f.plural("compare.gpus_for_days", 1, gpus="1", days="30") == one
    assert f.plural("compare.gpus_for_days", 2, gpus="2", days="30") == two
    with pytest.raises(TypeError, match="takes a count"):
        f.text("compare.gpus_for_days", gpus="1", days="30")


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [
        ("en", ["1 day", "1 card"], ["2 days", "2 cards"]),
        ("de", ["1 Tag", "1 Karte"], ["2 Tage", "2 Karten"]),
    ],
)
def test_template_plurals_go_through_ngettext(lang, one, two):
    n_ = L10n(lang).ngettext
    card = (
        "{memory} → at least {cards} card just to hold it",
        "{memory} → at least {cards} cards just to hold it",
    )
    for n, expected in ((1, one), (2, two)):
        assert n_("{days} day", "{days} days", n).format(days=n) == expected[0]
        assert expected[1] in n_(*card, n).format(memory="12 GiB", cards=n)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "2 GPUs for 30 days, 1 GPU for 90 days"),
        ("de", "2 GPUs für 30 Tage, 1 GPU für 90 Tage"),
    ],
)
def test_compare_says_1_gpu_not_1_gpus(lang, expected):
    # 6 × 10⁹ × 2·10¹⁰ = 1.2 × 10²⁰ FLOP at 100 TFLOPS × 40 % MFU × 90 % duty = 3.6 × 10¹³ FLOP/s:
    # 30 days (2.592 × 10⁶ s) need 1.2e20 / 9.33e19 = 1.29 → 2 cards, 90 days 0.43 → 1 card
    out = run(
        "compare", "custom", "custom", "--tflops", "100", "--precision", "bf16", "--memory", "80",
        "--params", "1e9", "--tokens", "2e10", "--mfu", "0.4", "--utilization", "0.9",
        "--lang", lang,
    )  # fmt: skip
    assert expected in out


def test_validate_counts_in_the_form_for_the_number(tmp_path):
    def one_model(gpus, models, scenario):
        models["models"] = [m for m in models["models"] if m["id"] == "gpt-3.5"]
        scenario["claims"] = []

    data = write_mini_data(tmp_path / "data", one_model)
    assert run("validate", "--data", str(data)).startswith("OK: 5 GPUs, 1 model and the scenario")


def test_a_range_does_not_repeat_its_value():
    f = L10n("en")
    # 3.14e23 is the low end: one bound is news, the other is the value itself
    shown = f.span(3.14e23, 3.14e23, 2.58e24, f.sci).replace("\u00a0", " ")
    assert shown == "3.14 × 10²³ (up to 2.58 × 10²⁴ on other estimates)"
    assert f.span(40.2, 39.4, 40.2, f.num, estimates=False) == "40.2 (or only 39.4)"
    assert (
        L10n("de").span(40.2, 39.4, 40.2, L10n("de").num, estimates=False) == "40,2 (oder nur 39,4)"
    )
    out = run("compare", "rtx-4070-ti", "gpt-3.5")
    assert "other estimates up to 2.58 × 10²⁴ FLOP" in out
    assert "plausible range 3.14 × 10²³" not in out


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_help_names_only_options_the_command_has(name):
    command = cli.commands[name]
    have = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
    texts = [command.help or "", *(getattr(p, "help", None) or "" for p in command.params)]
    named = {o for text in texts for o in re.findall(r"--[a-z][a-z0-9-]*", text)}
    assert named - have == set()
    help_text = CliRunner().invoke(cli, [name, "--help"], catch_exceptions=False).output
    assert "--precision" not in help_text or "--precision" in have


def test_help_check_has_teeth():
    @click.command()
    @click.option("--tflops", help="Peak at --precision.")
    def fake(tflops):
        """Uses --tflops."""

    have = {o for p in fake.params for o in p.opts}
    named = set(re.findall(r"--[a-z][a-z0-9-]*", fake.help + fake.params[0].help))
    assert named - have == {"--precision"}


LONG = "Accelerator With A Really Long Marketing Name Of Sixty Chars"


@pytest.mark.parametrize(("what", "lang"), [("gpus", "en"), ("models", "en"), ("gpus", "de")])
def test_list_has_a_header_and_keeps_its_columns_with_a_60_character_name(tmp_path, what, lang):
    assert len(LONG) == 60

    def rename(gpus, models, scenario):
        (gpus if what == "gpus" else models)[what][0]["name"] = LONG

    data = write_mini_data(tmp_path / "data", rename)
    lines = run("list", what, "--lang", lang, "--data", str(data)).splitlines()
    header = {
        "gpus": {
            "en": ["id", "name", "memory", "FP32 TFLOPS", "FP8 TFLOPS"],
            "de": ["Kennung", "Name", "Speicher", "FP32 TFLOPS"],
        },
        "models": {"en": ["id", "name", "parameters", "training compute", "figure"]},
    }
    assert all(word in lines[0] for word in header[what][lang])
    assert len(lines) == 1 + (5 if what == "gpus" else 4)  # the mini catalog: 5 GPUs, 4 models
    # the name column is 40 characters wide: the long name is cut to 39 and "…"
    assert LONG[:39].rstrip() + "…" in lines[1]
    assert LONG not in "\n".join(lines)
    # a right-aligned column ends where its header ends, in every row
    column = header[what][lang][2]
    end = lines[0].index(column) + len(column)
    assert all(line[end - 1] != " " and line[end] == " " for line in lines)
