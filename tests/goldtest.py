"""Golden files, after coverage.py's tests/goldtest.py: compare output with a reviewed copy.

On a mismatch the test prints a diff and writes the actual output to tests/actual/ (ignored by
git). `make gold` rewrites the golden files; review the diff before committing them.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

GOLD = Path(__file__).parent / "gold"
ACTUAL = Path(__file__).parent / "actual"


def compare(name: str, actual: str, update: bool) -> None:
    """Fail with a diff unless ``actual`` equals ``tests/gold/<name>`` (or rewrite it)."""
    gold = GOLD / name
    if update:
        gold.parent.mkdir(parents=True, exist_ok=True)
        gold.write_text(actual, encoding="utf-8")
        return
    expected = gold.read_text(encoding="utf-8") if gold.exists() else ""
    if actual != expected:
        out = ACTUAL / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(actual, encoding="utf-8")
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                f"tests/gold/{name}",
                f"tests/actual/{name}",
                n=2,
            )
        )
        pytest.fail(
            f"{name} differs from its golden copy (actual output in {out}; "
            f"`make gold` accepts it):\n{diff[:6000]}",
            pytrace=False,
        )
