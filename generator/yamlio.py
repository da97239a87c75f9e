"""Reading the catalog's YAML safely, and the problems a data file can have.

Every problem names the file, the entry and the field (and the line, where the parser knows it);
``DataError`` carries them all at once. The loader refuses aliases, deep nesting, huge files and
numbers, so no input makes the work unbounded.
"""

from __future__ import annotations

import math
import re
import reprlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# ---------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data: where it is and what is expected."""

    file: str
    entry: str
    field: str
    message: str
    line: int | None = None  # in the file, where the entry or field is known

    def __str__(self) -> str:
        line = f"line {self.line}" if self.line else ""
        where = ": ".join(p for p in (self.file, line, self.entry, self.field) if p)
        return f"{where}: {self.message}"


MAX_SHOWN = 100  # problems listed in one message; a file of garbage can have thousands


class DataError(Exception):
    """The catalog has problems; ``problems`` lists all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        n = len(problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the data:"
        lines = [f"  - {p}" for p in problems[:MAX_SHOWN]]
        if n > MAX_SHOWN:
            lines.append(f"  … and {n - MAX_SHOWN} more (fix these first)")
        super().__init__("\n".join([head, *lines]))


# ---------------------------------------------------------------- YAML

MAX_FILE_BYTES = 5_000_000  # the shipped files are about 70 kB each
MAX_DEPTH = 50  # the catalog nests five levels deep


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML loader for the catalog: strict, bounded, and it remembers line numbers.

    - YAML 1.2 floats: YAML 1.1 (PyYAML's default) reads ``175e9`` as a *string*.
    - Duplicate keys are errors, not "the last one wins".
    - Values Python cannot hold (``2017-02-30``, a 5000-digit integer) are errors at their line.
    - ``lines`` maps each constructed mapping and list (by ``id``) to the line of each key or item.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.lines: dict[int, dict[Any, int]] = {}

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    "a key must be a single word, not a list or mapping",
                    key_node.start_mark,
                ) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {SHORT.repr(key)}", key_node.start_mark
                )
            seen[key] = True
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_map(self, node):
        data: dict[Any, Any] = {}
        yield data
        data.update(self.construct_mapping(node))
        self.lines[id(data)] = {
            self.construct_object(k): k.start_mark.line + 1 for k, _ in node.value
        }

    def construct_yaml_seq(self, node):
        data: list[Any] = []
        yield data
        data.extend(self.construct_sequence(node))
        self.lines[id(data)] = {i: n.start_mark.line + 1 for i, n in enumerate(node.value)}

    def construct_yaml_int(self, node):
        digits = len(node.value)
        if digits > 40:  # far beyond any figure; Python refuses above 4300 digits anyway
            raise yaml.constructor.ConstructorError(
                None, None, f"a number with {digits} digits is too long", node.start_mark
            )
        return super().construct_yaml_int(node)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as e:
            raise yaml.constructor.ConstructorError(
                None, None, f"{describe(node.value)} is not a valid date ({e})", node.start_mark
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def _check_tree(root: yaml.Node) -> None:
    """Refuse aliases and deep nesting before anything is built from the node tree.

    An alias makes one node appear in several places; expanding a few of them nine levels deep
    ("billion laughs") is billions of values. The catalog needs no aliases, so any is an error.
    """
    seen: set[int] = set()
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "YAML aliases (&anchor … *anchor) are not allowed in the catalog; "
                "write the value out",
                node.start_mark,
            )
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise yaml.constructor.ConstructorError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", node.start_mark
            )
        if isinstance(node, yaml.MappingNode):
            stack.extend((n, depth + 1) for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((n, depth + 1) for n in node.value)


@dataclass(frozen=True)
class Document:
    """A parsed YAML file and the line of every key and list item in it."""

    data: Any
    lines: dict[int, dict[Any, int]]

    def line(self, *path: Any, start: Any = None) -> int | None:
        """Line of the deepest part of ``path`` found below ``start`` (default: the root)."""
        node, found = self.data if start is None else start, None
        for part in path:
            table = self.lines.get(id(node))
            if table is None or part not in table:
                break
            found, node = table[part], node[part]
        return found


def parse_yaml(path: Path) -> Document:
    """Parse one YAML file; every problem reading or parsing it raises ``DataError``."""
    name = str(path)

    def fail(message: str, line: int | None = None, column: int | None = None) -> DataError:
        where = f"line {line}, column {column}" if line else ""
        return DataError([Problem(name, where, "", message)])

    try:
        size = path.stat().st_size
        if path.is_dir():
            raise fail("is a directory; expected a YAML file")
        if size > MAX_FILE_BYTES:
            raise fail(
                f"the file has {size:,} bytes; a catalog file is far smaller (limit "
                f"{MAX_FILE_BYTES:,})"
            )
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise fail("file not found") from None
    except UnicodeDecodeError as e:
        msg = f"not UTF-8 (byte 0x{e.object[e.start]:02x} at offset {e.start}); save it as UTF-8"
        raise fail(msg) from None
    except OSError as e:
        raise fail(f"cannot read it: {e.strerror or e}") from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise fail("the file is empty")
        _check_tree(node)
        doc = loader.construct_document(node)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        what = getattr(e, "problem", None) or str(e)[:200]
        if not isinstance(e, yaml.constructor.ConstructorError):
            what = f"YAML syntax error: {what}"
        raise fail(what, *((mark.line + 1, mark.column + 1) if mark else ())) from None
    except RecursionError:
        raise fail(f"nested more than {MAX_DEPTH} levels deep") from None
    finally:
        loader.dispose()
    if doc is None:
        raise fail("the file is empty")
    return Document(doc, loader.lines)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; syntax, encoding and emptiness problems raise ``DataError``."""
    return parse_yaml(path).data


# Characters that steer a terminal or reorder text instead of showing: C0 and C1 controls (ESC
# starts every terminal escape), DEL, and the Unicode bidirectional embeddings and isolates.
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def control_in(text: str, allow: str = "") -> str | None:
    """The first control character of ``text`` (other than those in ``allow``), or None."""
    return next((c for c in CONTROLS.findall(text) if c not in allow), None)


def strip_controls(text: str) -> str:
    """``text`` without control characters, line breaks kept: safe to print to a terminal."""
    return CONTROLS.sub(lambda m: m.group() if m.group() == "\n" else "", text)


SHORT = reprlib.Repr()  # bounded: a value from the data may be huge or deeply nested
# (and escaped: a control character in it is shown as \x1b or \u202e, never sent as it is)
SHORT.maxlevel, SHORT.maxstring, SHORT.maxother, SHORT.maxlong = 2, 60, 60, 60
SHORT.maxdict = SHORT.maxlist = SHORT.maxtuple = SHORT.maxset = 3


def describe(value: Any) -> str:
    """A short description of a value from the data: never formats more than a few items of it."""
    if isinstance(value, str):
        return f"the string {SHORT.repr(value)}"
    if isinstance(value, bool):
        return f"the boolean {value}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value}"
    if isinstance(value, int) and abs(value) > 10**60:
        return f"a number with {len(str(abs(value)))} digits"
    return SHORT.repr(value)
