"""Finding a catalog entry by what people type: ids, names, short names (``4090``, ``llama 3 8b``).

A typed name answers for one entry or for none: an ambiguous or unknown one raises
``UnknownEntry`` listing the candidates, so no name silently answers for another product.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

from generator.schema import LANGS, Gpu, Model, Named
from generator.yamlio import SHORT


class UnknownEntry(LookupError):
    """An id or name that is not in the catalog; the message lists the close entries."""


# Words a name may carry or leave out ("NVIDIA GeForce RTX 4090" is the "RTX 4090", the "4090"):
# makers, product lines and families that never tell two entries apart on their own.
BRAND_WORDS = frozenset(
    {"nvidia", "geforce", "rtx", "gtx", "tesla", "amd", "radeon", "rx", "instinct", "intel", "arc"}
    | {"apple", "google", "cloud", "meta"}
)
MAX_LISTED = 8  # entries an ambiguous look-up lists


def _tokens(text: str) -> list[str]:
    """``text`` in the pieces people type: Unicode-normalized (NFKC), case-folded, split into
    runs of letters (of any script) and of digits, a "." between digits kept, everything else a
    separator: ``Qwen2.5-7B`` → ``qwen``, ``2.5``, ``7``, ``b``."""
    s = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    out: list[str] = []
    run = prev = ""
    for i, c in enumerate(s):
        kind = "a" if unicodedata.category(c)[0] in "LM" else "9" if c.isdecimal() else ""
        if c == "." and prev == "9" and s[i + 1 : i + 2].isdecimal():
            kind = "9"  # 2.5, 3.1
        if run and kind != prev:
            out.append(run)
            run = ""
        run += c if kind else ""
        prev = kind
    return [*out, run] if run else out


def folded(text: str) -> str:
    """``text`` without case, separators and punctuation: ``RTX 4090`` → ``rtx4090``, and
    ``Ускоритель-1`` → ``ускоритель1`` (letters of every script are kept)."""
    return "".join(_tokens(text))


def labels(entry: Named) -> list[str]:
    """The names an entry is found by: its display name in every language (without repeats)."""
    return list(dict.fromkeys(entry.label(lang) for lang in LANGS))


@dataclass(frozen=True)
class _Name:
    """One name of an entry as look-ups compare it."""

    folded: str
    tokens: frozenset[str]  # a query matches when each of its tokens is one of these
    required: frozenset[str]  # … and names this entry alone when it has all of these


def _names(eid: str, entry: Named) -> list[_Name]:
    """The id and the display names; brand words and the qualifier ("40-core GPU") are optional."""

    def name(full: str, core: str) -> _Name:
        return _Name(folded(full), frozenset(_tokens(full)), frozenset(_tokens(core)) - BRAND_WORDS)

    return [name(eid, eid), *(name(label, entry.name) for label in labels(entry))]


def resolve(key: str, entries: dict[str, Gpu] | dict[str, Model], what: str) -> str:
    """The id of the entry ``key`` names: its id or display name (ignoring case, spaces and
    punctuation), or whole words of one that fit no other entry.

    ``rtx-4090``, ``RTX 4090`` and ``4090`` find the RTX 4090; ``4070`` finds the RTX 4070, never
    the 4070 Ti, and ``T4`` never the M4. ``UnknownEntry`` when no entry or several fit: a bare
    ``V100`` with a SXM2 and a PCIe card lists both, ``GTX 1080`` with only a 1080 Ti in the
    catalog asks for it, a typo lists the closest entries.
    """
    names = {eid: _names(eid, e) for eid, e in entries.items()}
    k, query = folded(key), frozenset(_tokens(key))
    exact = [eid for eid, ns in names.items() if k and any(n.folded == k for n in ns)]
    if len(exact) == 1:
        return exact[0]
    whole, more = [], []  # entries the words name fully, and those with words left over
    for eid, ns in names.items():
        fits = [n for n in ns if query and query <= n.tokens]
        if fits:
            (whole if any(n.required <= query for n in fits) else more).append(eid)
    if len(whole) == 1:
        return whole[0]

    def shown(ids: list[str]) -> str:
        listed = [f"{i} ({entries[i].label(LANGS[0])})" for i in ids[:MAX_LISTED]]
        rest = f" and {len(ids) - MAX_LISTED} more" if len(ids) > MAX_LISTED else ""
        return ", ".join(listed) + rest

    typed, listing = SHORT.repr(key), f"`gpu-year list {what.lower()}s` shows all ids"
    if len(whole) + len(more) > 1:
        raise UnknownEntry(
            f"ambiguous {what} {typed}: it matches {shown(whole + more)}; give one of these ids"
            + (f" ({listing})" if len(whole) + len(more) > MAX_LISTED else "")
        )
    if more:
        raise UnknownEntry(f"no {what} named {typed}; did you mean {shown(more)}?")
    back = {n.folded: eid for eid, ns in names.items() for n in ns}
    close = difflib.get_close_matches(k, back, n=10, cutoff=0.5)
    ids = list(dict.fromkeys(back[c] for c in close))[:3]
    hint = f" Did you mean {shown(ids)}?" if ids else ""
    raise UnknownEntry(f"unknown {what} {typed}.{hint} ({listing})")
