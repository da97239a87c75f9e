"""Short strings: English source in ``locales/en.yaml``, other languages in gettext catalogs.

The English strings are keyed (``compare.verdict.enough``) because code picks them by key.
A string that counts something has a form per number, ``{one: "{n} GPU", other: "{n} GPUs"}``,
and becomes a gettext plural entry (``msgid_plural``; each language's ``Plural-Forms`` rule picks
the form). ``pybabel extract`` (``babel.cfg``) reads them with :func:`extract_yaml`, the key as
message context and the English text as message id, together with the ``_()`` and
``ngettext()`` calls of the templates;
``pybabel update`` merges them into ``locale/<lang>/LC_MESSAGES/messages.po``, which translators
edit in Poedit or Weblate. A translation that is missing, fuzzy, or made for older English text
is an error here, never a silent fallback to English.

``make messages`` extracts and updates; ``make test`` fails when a catalog is out of date.
"""

from __future__ import annotations

import gettext as _gettext
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from babel.messages.pofile import read_po

from generator.yamlio import read_yaml

HERE = Path(__file__).parent
SOURCE = HERE / "locales" / "en.yaml"
CATALOGS = HERE / "locale"
DOMAIN = "messages"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
PLURAL_KEYS = {"one", "other"}  # en.yaml: a mapping of exactly these is one counted string
Text = str | tuple[str, ...]  # a message, or its forms by number (singular, plural, …)


class MissingTranslation(KeyError):
    """A message without a usable translation in a language's catalog."""


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Text]:
    out: dict[str, Text] = {}
    for k, v in d.items():
        if not isinstance(k, str):  # YAML 1.1 reads a bare yes/no key as a boolean
            raise TypeError(f"string key {prefix}{k!r} is not text: quote it")
        if isinstance(v, dict) and set(v) == PLURAL_KEYS:
            out[f"{prefix}{k}"] = (str(v["one"]), str(v["other"]))
        elif isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = str(v)
    return out


def placeholders(text: Text) -> set[str]:
    """The ``{names}`` a message (every form of it) fills in."""
    forms = (text,) if isinstance(text, str) else text
    return {name for form in forms for name in _PLACEHOLDER.findall(form)}


@cache
def english() -> dict[str, Text]:
    """The English source strings by dotted key (counted ones as their two forms)."""
    return _flatten(read_yaml(SOURCE))  # rejects duplicate keys


def catalog_path(lang: str, root: Path = CATALOGS) -> Path:
    return root / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages(root: Path = CATALOGS) -> tuple[str, ...]:
    """English and every language with a catalog under ``root``."""
    return ("en", *sorted(p.name for p in root.iterdir() if catalog_path(p.name, root).exists()))


def _read(lang: str, root: Path):
    with catalog_path(lang, root).open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


@cache
def translations(lang: str, root: Path = CATALOGS) -> dict[tuple[str | None, Text], Text]:
    """(context, English) -> translation for every usable entry of a language's catalog; a
    counted message is keyed by its English forms and gives one translation per plural form."""
    return {
        (m.context, m.id): m.string
        for m in _read(lang, root)
        if m.id and not m.fuzzy and (m.string if isinstance(m.id, str) else all(m.string))
    }


@cache
def plural_rule(lang: str, root: Path = CATALOGS):
    """``n`` -> index of the form to use: the ``Plural-Forms`` rule of the language's catalog
    (English: one for 1, the other form for everything else)."""
    expr = "(n != 1)" if lang == "en" else _read(lang, root).plural_expr
    rule = _gettext.c2py(expr)
    return lambda n: rule(int(n)) if float(n).is_integer() else rule(2)  # 1.5 days: plural


def extracted(root: Path = HERE.parent) -> dict[tuple[str | None, str], str]:
    """Every message ``pybabel extract -F babel.cfg`` finds: (context, English) -> where."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (root / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    return {
        (context, message): f"{name}:{line}"
        for name, line, message, _comments, context in extract_from_dir(
            root, method_map, options_map
        )
    }


def problems(lang: str, root: Path = CATALOGS) -> list[str]:
    """Every message the language lacks (missing, fuzzy or made for older English), every
    translation left over from removed English, and placeholders that differ from English."""
    if lang == "en":
        return []
    have = translations(lang, root)
    wanted = extracted()
    out = [
        f"{lang}: {where}: {text!r} ({context}) is not translated, or fuzzy"
        for (context, text), where in wanted.items()
        if (context, text) not in have
    ]
    out += [
        f"{lang}: {text!r} ({context}) is translated but no longer used: run `make messages`"
        for context, text in have
        if (context, text) not in wanted
    ]
    for (context, text), done in have.items():
        if placeholders(done) != placeholders(text):
            out.append(f"{lang}: {context or text!r} has placeholders other than English")
    return out


@cache
def strings(lang: str, root: Path = CATALOGS) -> dict[str, Text]:
    """The keyed strings of one language; raises ``MissingTranslation`` naming every gap."""
    if lang == "en":
        return english()
    have = translations(lang, root)
    gaps = [key for key, text in english().items() if (key, text) not in have]
    if gaps:
        raise MissingTranslation(f"{lang}: not translated (or fuzzy): {', '.join(gaps[:5])}")
    return {key: have[(key, text)] for key, text in english().items()}


def gettext(lang: str, root: Path = CATALOGS):
    """``_()`` for templates: the translation of an English text without context."""
    if lang == "en":
        return lambda text: text
    have = translations(lang, root)

    def _(text: str) -> str:
        try:
            return have[(None, text)]
        except KeyError:
            raise MissingTranslation(f"{lang}: {text!r} is not translated") from None

    return _


def ngettext(lang: str, root: Path = CATALOGS):
    """``ngettext()`` for templates: the form of an English text without context for ``n``."""
    rule = plural_rule(lang, root)
    if lang == "en":
        return lambda singular, plural, n: (singular, plural)[rule(n)]
    have = translations(lang, root)

    def n_(singular: str, plural: str, n: int) -> str:
        try:
            return have[(None, (singular, plural))][rule(n)]
        except KeyError:
            raise MissingTranslation(f"{lang}: {singular!r} is not translated") from None

    return n_


def extract_yaml(fileobj, keywords, comment_tags, options):
    """Babel extractor for the English source: key as context, text as message id."""
    root = yaml.compose(fileobj.read().decode("utf-8"))

    def walk(node, prefix: str):
        for k, v in node.value:
            key = f"{prefix}{k.value}"
            forms = (
                {f.value: n.value for f, n in v.value} if isinstance(v, yaml.MappingNode) else {}
            )
            if set(forms) == PLURAL_KEYS:  # as npgettext(context, singular, plural, n)
                yield (v.start_mark.line + 1, "npgettext", (key, forms["one"], forms["other"]), [])
            elif isinstance(v, yaml.MappingNode):
                yield from walk(v, key + ".")
            else:
                # as pgettext(context, message): Babel's default keywords take the key as context
                yield (v.start_mark.line + 1, "pgettext", (key, v.value), [])

    yield from walk(root, "")
