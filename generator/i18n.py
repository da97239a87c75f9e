"""Localization: short strings per language and every number formatted through Babel.

German and English differ in more than the decimal mark: ``1,14 × 10²¹`` vs ``1.14 × 10²¹``,
``0,36 %`` vs ``0.36%``, ``175 Mrd.`` vs ``175 billion`` (an English billion is a German Milliarde).
"""

from __future__ import annotations

import functools
import html
import math
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import (
    NumberPattern,
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    get_currency_symbol,
    parse_pattern,
)
from markupsafe import Markup

from generator.messages import CATALOGS, gettext, languages, ngettext, plural_rule, strings

LANGS = ("en", "de")
LOCALES = Path(__file__).parent / "locales"  # the English source strings (en.yaml)
NBSP = "\u00a0"
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
# From here on numbers are scientific: CLDR has no larger words than trillion, and the integer
# digits of a float turn into noise (3,170,979,198,380,000,256 for 3.17 × 10²¹).
SCIENTIFIC_FROM = 1e15


# Characters that start Markdown markup in running text (``|`` ends a table cell, ``{`` starts an
# attribute list). Only characters Python-Markdown can escape: any other backslash would show.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|])")


_SPACE = re.compile(r"[ \t\r\n\f\v\u2028\u2029]+")  # not \s: no-break spaces are meant


def md_escape(value: Any) -> str:
    """Text from data, safe inside Markdown and HTML: one line, HTML-escaped, Markdown-escaped."""
    text = _SPACE.sub(" ", str(value))
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def plain(value: Any) -> str:
    """Text from data for charts and the terminal: one line, nothing else changed."""
    return _SPACE.sub(" ", str(value))


def exact(x: float) -> Decimal:
    """The shortest decimal form of ``x`` (what Python prints); −0 is 0, never shown as "-0"."""
    return Decimal(repr(float(x) + 0.0))


def round_sig(x: float, sig: int) -> Decimal:
    """``x`` rounded to ``sig`` significant digits, as an exact Decimal (half away from zero)."""
    d = exact(x)
    if d == 0:
        return d
    return d.quantize(Decimal(f"1e{d.adjusted() - sig + 1}"), rounding=ROUND_HALF_UP)


@functools.lru_cache(maxsize=1 << 16)
def _format_decimal(digits: str, pattern: str, lang: str) -> str:
    return _pattern(pattern).apply(Decimal(digits), Locale.parse(lang))


@functools.lru_cache(maxsize=1 << 14)
def _format_compact(digits: str, kind: str, fraction_digits: int, lang: str) -> str:
    return format_compact_decimal(
        Decimal(digits),
        format_type=kind,
        fraction_digits=fraction_digits,
        locale=Locale.parse(lang),
    )


@functools.cache
def _pattern(pattern: str) -> NumberPattern:
    return parse_pattern(pattern)


class L10n:
    """Strings and number formats of one language (``en`` or ``de``)."""

    def __init__(self, lang: str, catalogs: Path = CATALOGS):
        """``catalogs``: where the languages' .po files are (another folder adds a language)."""
        if lang not in languages(catalogs):
            have = ", ".join(languages(catalogs))
            raise ValueError(f"unsupported language {lang!r} (use one of {have})")
        self.lang = lang
        self.locale = Locale.parse(lang)
        self._strings = strings(lang, catalogs)
        self.gettext = gettext(lang, catalogs)
        self.ngettext = ngettext(lang, catalogs)
        self._plural = plural_rule(lang, catalogs)

    def _decimal(self, d: Decimal, pattern: str) -> str:
        """Babel's format_decimal, each number formatted once per build (pages repeat them)."""
        return _format_decimal(str(d), pattern, self.lang)

    # ------------------------------------------------------------ strings

    def _template(self, key: str, n: int | None) -> str:
        """The string under ``key``; for a counted one (``one``/``other`` forms) the form the
        language uses for ``n``."""
        try:
            template = self._strings[key]
        except KeyError:
            raise KeyError(f"string {key!r} is missing in {LOCALES / 'en.yaml'}") from None
        if isinstance(template, tuple) != (n is not None):
            need = "a count: use plural()" if n is None else "no count: use text()"
            raise TypeError(f"string {key!r} takes {need}")
        return template if n is None else template[min(self._plural(n), len(template) - 1)]

    def text(self, key: str, **kwargs: Any) -> str:
        """A plain string (terminal, charts) with ``{placeholders}`` filled in."""
        template = self._template(key, None)
        return template.format(**{k: plain(v) for k, v in kwargs.items()}) if kwargs else template

    def plural(self, key: str, n: int, /, **kwargs: Any) -> str:
        """``text`` of a counted string in the form for ``n`` (1 GPU, 2 GPUs; 1 Karte, 2 Karten);
        the count itself is one of the ``kwargs``, formatted by the caller."""
        return self._template(key, n).format(**{k: plain(v) for k, v in kwargs.items()})

    def t(self, key: str, **kwargs: Any) -> Markup:
        """A string for Markdown pages; arguments from data are escaped unless already Markup."""
        return self._markup(self._template(key, None), kwargs)

    def tp(self, key: str, n: int, /, **kwargs: Any) -> Markup:
        """``t`` of a counted string in the form for ``n``."""
        return self._markup(self._template(key, n), kwargs)

    @staticmethod
    def _markup(template: str, kwargs: dict[str, Any]) -> Markup:
        args = {k: v if isinstance(v, Markup) else Markup(md_escape(v)) for k, v in kwargs.items()}
        return Markup(template.format(**args) if kwargs else template)

    # ------------------------------------------------------------ numbers

    def sci(self, x: float, sig: int = 3) -> str:
        """``1.14 × 10²¹`` / ``1,14 × 10²¹``; rounds first, so 9.996e21 gives 1.00 × 10²²."""
        if x == 0:
            return "0"
        d = round_sig(x, sig)
        exp = d.adjusted()
        mantissa = d.scaleb(-exp)
        m = self._decimal(mantissa, "0." + "0" * (sig - 1))
        return f"{m}{NBSP}×{NBSP}10{str(exp).translate(_SUPERSCRIPT)}"

    def num(self, x: float, sig: int = 3) -> str:
        """A number to ``sig`` significant digits with the language's grouping and decimal mark
        (``sci`` from 10¹⁵)."""
        if x == 0:
            return "0"
        if abs(x) >= SCIENTIFIC_FROM:
            return self.sci(x, sig)
        d = round_sig(x, sig)
        decimals = max(0, sig - 1 - d.adjusted())
        return self._decimal(d, "#,##0." + "#" * decimals if decimals else "#,##0")

    def fixed(self, x: float, decimals: int) -> str:
        """A number with exactly ``decimals`` decimals (``0.90``)."""
        fmt = "#,##0." + "0" * decimals if decimals else "#,##0"
        return self._decimal(exact(x), fmt)

    def value(self, x: float, sig: int = 3) -> str:
        """``num`` for everyday magnitudes, ``sci`` beyond a million or below a thousandth."""
        return self.num(x, sig) if x == 0 or 1e-3 <= abs(x) < 1e6 else self.sci(x, sig)

    def pct(self, x: float) -> str:
        """A share as a percentage: whole from 100 %, one decimal from 1 %, two digits below."""
        v = float(x) * 100
        if v >= 100 or v == 0:
            decimals = 0
        elif v >= 1:
            decimals = 1
        else:
            decimals = min(6, 1 - math.floor(math.log10(v)))
        d = exact(v).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        s = self._decimal(d, "0." + "0" * decimals if d % 1 else "0")
        return f"{s}{NBSP}%" if self.lang == "de" else f"{s}%"

    def integer(self, n: float) -> str:
        """A whole count, exact and grouped: ``4,196`` / ``4.196``; from 10¹⁵ (where a float's
        last digits are noise) ``sci``: ``3.17 × 10²¹``."""
        if abs(n) >= SCIENTIFIC_FROM:
            return self.sci(n)
        return self._decimal(Decimal(int(n)), "#,##0")

    def span(self, value: float, low: float, high: float, fmt: Any, estimates: bool = True) -> str:
        """A figure with its range, each end formatted by ``fmt``; says which end it is.

        ``0.36% (down to 0.044% on other estimates)`` rather than repeating the point value as
        if it were a separate bound; equal ends after rounding show the value alone.
        ``estimates=False`` for a range that follows from uncertain inputs rather than from other
        published estimates: ``40.2 GiB (or only 39.4 GiB)``.
        """
        v, lo, hi = fmt(value), fmt(low), fmt(high)
        if lo == hi:
            return v
        if v == lo:
            return self.text("range.up_to" if estimates else "range.or_up_to", value=v, high=hi)
        if v == hi:
            return self.text("range.down_to" if estimates else "range.or_down_to", value=v, low=lo)
        return self.text("range.between", value=v, low=lo, high=hi)

    def count(self, x: float, noun: str | None = None) -> str:
        """Large counts in words: ``175 billion parameters`` / ``175 Mrd. Parameter``.

        German uses ``Mio.``/``Mrd.`` and spells out ``Billionen`` (an English trillion).
        Beyond 10¹⁵ the scientific form is used (CLDR has no larger words).
        """
        if abs(x) >= SCIENTIFIC_FROM:
            s = self.sci(x)
        elif abs(x) < 1e6:
            s = self.num(x)
        else:
            d = round_sig(x, 3)
            mantissa_digits = (d.adjusted() % 3) + 1
            kind = "long" if self.lang == "en" or abs(x) >= 1e12 else "short"
            s = _format_compact(str(d), kind, max(0, 3 - mantissa_digits), self.lang)
        if noun:
            s = f"{s} {self.text('units.' + noun)}"
        return s

    def bytes(self, x: float) -> str:
        """Memory in binary units: ``12 GiB``, ``2.55 TiB``."""
        for unit, size in (("PiB", 2**50), ("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
            if abs(x) >= size or unit == "MiB":
                return f"{self.num(x / size)}{NBSP}{unit}"
        raise AssertionError("unreachable")

    def flops(self, x: float) -> str:
        """A FLOP count: ``1.14 × 10²¹ FLOP``."""
        return f"{self.sci(x)}{NBSP}FLOP"

    def tflops(self, flops_per_s: float) -> str:
        """A throughput in TFLOPS: ``40.1 TFLOPS``."""
        return f"{self.num(flops_per_s / 1e12)}{NBSP}TFLOPS"

    def factor(self, x: float) -> str:
        """A ratio as a multiple: ``276×``."""
        return f"{self.value(x)}×"

    def years(self, x: float) -> str:
        """A duration given in years, in the unit that reads best (hours, days or years)."""
        if x >= 1 or x == 0:
            return f"{self.value(x)}{NBSP}{self.text('units.years' if x != 1 else 'units.year')}"
        days = x * 365
        if days >= 1:
            return f"{self.num(days)}{NBSP}{self.text('units.days' if days != 1 else 'units.day')}"
        return f"{self.num(days * 24)}{NBSP}{self.text('units.hours')}"

    def duration(self, years: float) -> str:
        """A running time in prose: ``one year`` / ``ein Jahr`` for exactly one, else ``years``."""
        return self.text("units.one_year") if years == 1 else self.years(years)

    def money(self, x: float, currency: str) -> str:
        """Money: ``$12.50``, ``$1,230`` / ``1.230 $``, ``$3.06 million``.

        Cents below 100, three significant digits above (like every other figure), words from a
        million, scientific notation where the words end: ``$3.29 × 10²¹`` / ``3,29 × 10²¹ $``.
        """
        if abs(x) >= SCIENTIFIC_FROM:
            symbol = get_currency_symbol(currency, self.locale)
            return f"{symbol}{self.sci(x)}" if self.lang == "en" else f"{self.sci(x)}{NBSP}{symbol}"
        if abs(x) >= 1e6:
            d = round_sig(x, 3)
            digits = max(0, 2 - d.adjusted() % 3)
            return format_compact_currency(d, currency, locale=self.locale, fraction_digits=digits)
        if abs(x) >= 1000:
            x = round_sig(x, 3)
        cents = abs(x) < 100
        x = exact(x).quantize(Decimal("0.01" if cents else "1"), rounding=ROUND_HALF_UP)
        pattern = "#,##0.00" if cents else "#,##0"
        pattern = f"¤{pattern}" if self.lang == "en" else f"{pattern}{NBSP}¤"
        return format_currency(
            x, currency, format=pattern, locale=self.locale, currency_digits=False
        )

    def date(self, d: date | str, style: str = "month") -> str:
        """``January 2023`` / ``Januar 2023``; ``style='day'`` gives the full date."""
        d = date.fromisoformat(d) if isinstance(d, str) else d
        return format_date(d, "MMMM y" if style == "month" else "long", locale=self.locale)

    def yesno(self, flag: bool) -> str:
        return self.text("common.yes" if flag else "common.no")
