"""Reading entry lists from YAML and turning pydantic's errors into ``Problem`` s.

Each problem names the file, the entry (index and id), the field and, where found, the line; the
loaders collect them all so one run reports everything (``data`` and ``localdata`` use this).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from generator.coverage import check_sources
from generator.lookup import folded, labels
from generator.schema import Named, Strict
from generator.yamlio import SHORT, DataError, Document, Problem, describe, parse_yaml


def entry_label(kind: str, i: int, raw: Any) -> str:
    rid = raw.get("id") if isinstance(raw, dict) else None
    return f"{kind}[{i}]" + (f" (id {SHORT.repr(rid)})" if isinstance(rid, str) else "")


def problems_from(
    err: ValidationError, file: str, entry: str, doc: Document | None = None, raw: Any = None
) -> Iterator[Problem]:
    """One problem per pydantic error, with the line of the field when ``doc`` is given."""
    for e in err.errors(include_url=False):
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e["loc"]).lstrip(".")
        kind, got = e["type"], e.get("input")
        if kind == "extra_forbidden":
            msg = "unknown field (check the spelling; see data/schema/ for the allowed fields)"
        elif kind == "missing":
            msg = "required field is missing"
        elif kind in ("float_type", "int_type", "float_parsing", "int_parsing"):
            number = "a whole number" if kind.startswith("int") else "a number"
            msg = f"expected {number}, got {describe(got)}"
        elif kind == "finite_number":
            msg = f"expected a finite number, got {describe(got)}"
        elif kind == "greater_than":
            msg = f"expected a number > 0, got {describe(got)}"
        elif kind == "string_pattern_mismatch" and field.endswith("id"):
            msg = f"expected a lower-case slug like 'rtx-4070-ti', got {describe(got)}"
        elif kind == "date_type" or kind.startswith("date_"):
            msg = f"expected a date YYYY-MM-DD, got {describe(got)}"
        else:
            msg = e["msg"].removeprefix("Value error, ")
            if got is not None and kind not in ("value_error", "model_type", "list_type"):
                msg += f" (got {describe(got)})"
        line = doc.line(*e["loc"], start=raw) if doc is not None else None
        yield Problem(file, entry, field, msg, line)


def load_list(
    path: Path, key: str, cls: type[Strict], problems: list[Problem], docs: dict[str, Document]
) -> dict[str, Any]:
    file = str(path)
    try:
        doc = docs[file] = parse_yaml(path)
    except DataError as e:
        problems.extend(e.problems)
        return {}
    data = doc.data
    if not isinstance(data, dict) or set(data) != {key} or not isinstance(data[key], list):
        problems.append(
            Problem(file, "", "", f"expected a mapping with one key {key!r} holding a list")
        )
        return {}
    out: dict[str, Any] = {}
    names: dict[str, str] = {}  # a name or id, folded -> which entry has it and as what
    for i, raw in enumerate(data[key]):
        label = entry_label(key, i, raw)
        line = doc.line(key, i)
        if not isinstance(raw, dict):
            problems.append(
                Problem(file, label, "", f"expected a mapping, got {describe(raw)}", line)
            )
            continue
        try:
            entry = cls.model_validate(raw)
        except ValidationError as err:
            problems.extend(problems_from(err, file, label, doc, raw))
            continue
        problems.extend(
            dataclasses.replace(p, line=p.line or doc.line(*_loc(p.field), start=raw) or line)
            for p in check_sources(entry, file, label)
        )
        if entry.id in out:
            problems.append(
                Problem(file, label, "id", f"duplicate id {entry.id!r}", doc.line("id", start=raw))
            )
            continue
        # `compare` and the pages find entries by name too: two with one name would be ambiguous.
        shown = labels(entry) if isinstance(entry, Named) else []  # measurements have no name
        for what, value in (*(("name", n) for n in shown), ("id", entry.id)):
            token = folded(value)
            if not token:
                problems.append(
                    Problem(
                        file,
                        label,
                        what,
                        f"{describe(value)} has no letter or digit: `compare` and the pages find "
                        "entries by name",
                        doc.line(what, start=raw),
                    )
                )
                continue
            other = names.setdefault(token, f"the {what} of {label}")
            if not other.endswith(f" of {label}"):
                problems.append(
                    Problem(
                        file,
                        label,
                        what,
                        f"{describe(value)} is already {other}: `compare` and the pages could "
                        "not tell the two apart (names and ids must differ, ignoring case, spaces "
                        "and punctuation)",
                        doc.line(what, start=raw),
                    )
                )
        out[entry.id] = entry
    return out


def with_line(p: Problem, docs: dict[str, Document]) -> Problem:
    """``p`` with the line of its entry and field, when it has none yet and they are found."""
    doc = docs.get(p.file)
    if p.line or doc is None:
        return p
    line = doc.line(*_loc(re.sub(r" \(id .*\)$", "", p.entry)), *_loc(p.field))
    return dataclasses.replace(p, line=line) if line else p


def _loc(field: str) -> list[Any]:
    """``sources[0].fields`` -> ``["sources", 0, "fields"]``."""
    return [int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", field) if p]


def suggest(key: str, known: dict[str, Any]) -> str:
    close = difflib.get_close_matches(key, list(known), n=3, cutoff=0.5)
    return f" (did you mean {', '.join(close)}?)" if close else ""
