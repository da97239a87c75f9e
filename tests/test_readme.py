"""The README's command-line examples run, and its quoted outputs are what the commands print."""

from __future__ import annotations

import re
import shlex

import pytest
from click.testing import CliRunner

from generator import paths
from generator.cli import cli

README = (paths.ROOT / "README.md").read_text(encoding="utf-8")
# `.venv/bin/gpu-year ARGS` lines in sh blocks, `$ gpu-year ARGS` (with \ continuations) in console
COMMANDS = [
    m.replace("\\\n", " ")
    for m in re.findall(r"^(?:\.venv/bin/|\$ )gpu-year ((?:[^\n]*\\\n)*[^\n#]*)", README, re.M)
]
SKIP = ("build", "serve", "diff", "schema")  # slow or writing: covered by their own tests


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.split()[0] not in SKIP])
def test_readme_command_runs(command):
    r = CliRunner().invoke(cli, shlex.split(command), catch_exceptions=False)
    assert r.exit_code == 0, r.output


def test_readme_quotes_real_output():
    """Each console block's first lines are exactly what the command prints."""
    blocks = re.findall(r"```console\n\$ gpu-year ((?:[^\n]*\\\n)*[^\n]*)\n(.*?)```", README, re.S)
    assert len(blocks) >= 3
    for command, shown in blocks:
        args = shlex.split(command.replace("\\\n", " "))
        out = CliRunner().invoke(cli, args, catch_exceptions=False).output.replace("\u00a0", " ")
        for line in shown.rstrip("\n").splitlines():
            if line != "…":
                assert line in out.splitlines(), f"{command}: {line!r} not printed"


def test_readme_counts_are_the_catalogs(catalog):
    """A count the README states is checked against the data; the site's descriptions state none
    (each page's description counts the catalog when it is built)."""
    m = re.search(r"for (\d+) accelerators and (\d+) language models", README)
    assert m, "the README no longer states the counts: drop this test"
    assert (int(m[1]), int(m[2])) == (len(catalog.gpus), len(catalog.models))
    config = (paths.ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    counted = r"\d+\s+(?:accelerators|GPUs|language models|models|Beschleuniger|Sprachmodelle)"
    assert re.findall(counted, config) == []


def test_contributing_gives_every_module_its_line():
    """The module map names each module of generator/ once; the README links to it."""
    text = (paths.ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    mapped = re.findall(r"^\| `(\w+\.py)` \| \S", text, re.M)
    modules = [p.name for p in (paths.ROOT / "generator").glob("*.py") if p.name != "__init__.py"]
    assert sorted(mapped) == sorted(modules)
    assert "[CONTRIBUTING.md](CONTRIBUTING.md)" in README
