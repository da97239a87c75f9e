"""Property: any mutation of the shipped data either validates or is one clean error, exit 1.

Hypothesis mutates one data file per example, either as YAML data (a value replaced by another
type, a huge number, a long or exotic string; a key or item deleted, duplicated or renamed) or as
text (snippets inserted: anchors, tags, tabs, brackets, impossible dates; spans deleted, lines
doubled). `gpu-year validate` must end with exit 0, or exit 1 and a message naming a data file,
never an exception, and within the deadline. Derandomized: the same examples on every run.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import paths
from generator.cli import cli
from generator.data import DATA_FILES

TEXTS = {name: (paths.DATA / name).read_text(encoding="utf-8") for name in DATA_FILES}
DOCS = {name: yaml.safe_load(text) for name, text in TEXTS.items()}

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**60), max_value=10**60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.text(min_size=280, max_size=320),  # around the 300-character limit of names
    st.dates().map(str),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=8), st.integers(), max_size=3),
)
SNIPPETS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "&a ",
            "*a",
            "<<: *a\n",
            "!!python/object/apply:os.system ['true']",
            "!!binary AAAA",
            "\t",
            ": ",
            "\n- ",
            "[",
            "{",
            "'",
            '"',
            "2017-02-30",
            "9" * 5000,
            "1e999",
            ".nan",
            "\x00",
            "\ufeff",
            "?",
            "---\n",
            "%YAML 1.1\n",
        ]
    ),
)


def mutate_doc(data: st.DataObject, doc: Any) -> Any:
    """Walk a few steps into ``doc`` and replace, delete, duplicate or rename what is there."""
    root = {"": doc}
    parent, key, node = root, "", doc
    for _ in range(data.draw(st.integers(0, 6), label="depth")):
        if isinstance(node, dict) and node:
            k = data.draw(st.sampled_from(sorted(node, key=str)), label="key")
        elif isinstance(node, list) and node:
            k = data.draw(st.integers(0, len(node) - 1), label="index")
        else:
            break
        parent, key, node = node, k, node[k]
    op = data.draw(st.sampled_from(["replace", "delete", "duplicate", "rename"]), label="op")
    if op == "replace" or parent is root:
        parent[key] = data.draw(VALUES, label="value")
    elif op == "delete" or (op == "rename" and isinstance(parent, list)):
        del parent[key]
    elif op == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(node))
    else:  # rename a key, or duplicate a mapping's value under another key
        new = data.draw(st.text(min_size=1, max_size=20), label="new key")
        parent[new] = copy.deepcopy(node) if op == "duplicate" else parent.pop(key)
    return root[""]


def mutate_text(data: st.DataObject, text: str) -> str:
    at = data.draw(st.integers(0, len(text)), label="position")
    op = data.draw(st.sampled_from(["insert", "delete", "double line", "truncate"]), label="op")
    if op == "insert":
        return text[:at] + data.draw(SNIPPETS, label="snippet") + text[at:]
    if op == "delete":
        return text[:at] + text[at + data.draw(st.integers(1, 300), label="length") :]
    if op == "truncate":
        return text[:at]
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at) + 1 or len(text)
    return text[:end] + text[start:end] + text[end:]


@settings(
    max_examples=40,
    deadline=timedelta(seconds=5),
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_any_mutation_validates_or_is_one_clean_error(data):
    name = data.draw(st.sampled_from(DATA_FILES), label="file")
    if data.draw(st.booleans(), label="as text"):
        text = mutate_text(data, TEXTS[name])
    else:
        doc = mutate_doc(data, copy.deepcopy(DOCS[name]))
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "data"
        shutil.copytree(paths.DATA, target)
        (target / name).write_bytes(text.encode("utf-8", "surrogatepass"))
        result = CliRunner().invoke(
            cli, ["validate", "--data", str(target)], catch_exceptions=False
        )
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        assert result.output.startswith("Error: "), result.output
        assert any(f"{target}/{f}" in result.output for f in DATA_FILES), result.output[:500]
        assert len(result.output) < 50_000
    else:
        assert result.output.startswith("OK: ")
