"""Number formatting and string catalogs in both languages."""

from __future__ import annotations

import re

import pytest

from generator.i18n import LANGS, L10n, md_escape, strings

NB = "\u00a0"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["1.14 × 10²¹", "3.14 × 10²³", "0.36%", "276", "175 billion parameters"]),
        ("de", ["1,14 × 10²¹", "3,14 × 10²³", "0,36 %", "276", "175 Mrd. Parameter"]),
    ],
)
def test_headline_numbers(lang, expected):
    f = L10n(lang)
    got = [
        f.sci(1.138e21),
        f.sci(3.14e23),
        f.pct(0.003624),
        f.num(275.9),
        f.count(175e9, "parameters"),
    ]
    assert [g.replace(NB, " ") for g in got] == expected


def test_scientific_rounding_renormalises_the_mantissa():
    # Babel's format_scientific gives 10,00E21 here; ours carries into the exponent.
    assert L10n("de").sci(9.996e21) == f"1,00{NB}×{NB}10²²"
    assert L10n("en").sci(-3.2e-5) == f"-3.20{NB}×{NB}10⁻⁵"


def test_german_words_for_large_counts():
    de, en = L10n("de"), L10n("en")
    assert de.count(2.5e12, "tokens") == "2,5 Billionen Tokens"
    assert en.count(2.5e12, "tokens") == "2.5 trillion tokens"
    assert de.count(1.75e9).replace(NB, " ") == "1,75 Mrd."
    assert en.count(124e6) == "124 million"


def test_percent_spacing_and_money():
    assert L10n("de").pct(0.435) == f"43,5{NB}%"
    assert L10n("en").pct(0.435) == "43.5%"
    assert L10n("de").money(886.2, "EUR") == f"886{NB}€"
    assert L10n("en").money(12.5, "USD") == "$12.50"


def test_catalogs_have_the_same_keys_and_placeholders():
    en, de = strings("en"), strings("de")
    assert set(en) == set(de), set(en) ^ set(de)
    for key in en:
        assert de[key].strip(), f"empty German string {key}"
        fields = lambda s: sorted(re.findall(r"{(\w+)}", s))  # noqa: E731
        assert fields(en[key]) == fields(de[key]), key


def test_missing_string_names_the_key_and_language():
    with pytest.raises(KeyError, match=r"'no\.such\.key' is missing in de\.yaml"):
        L10n("de").text("no.such.key")


def test_md_escape_neutralises_markup():
    assert md_escape("<script>a|b*c_d</script>\nx") == r"&lt;script&gt;a\|b\*c\_d&lt;/script&gt; x"


@pytest.mark.parametrize("lang", LANGS)
def test_years_pick_a_readable_unit(lang):
    f = L10n(lang)
    assert f.years(2.0).startswith("2")
    assert f.years(0.5).startswith("183")  # days
    assert f.years(1 / 365 / 24 * 5).startswith("5")  # hours
