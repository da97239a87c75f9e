"""Number formatting and string catalogs in both languages."""

from __future__ import annotations

import pytest

from generator import messages
from generator.i18n import LANGS, L10n, md_escape

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


@pytest.mark.parametrize(
    ("lang", "cards", "euros", "dollars", "kwh", "price"),
    [
        ("en", "3.17 × 10¹⁸", "€5.48 × 10¹⁹", "$1.00 × 10¹⁵", "8.33 × 10²¹", "€0.00"),
        ("de", "3,17 × 10¹⁸", "5,48 × 10¹⁹ €", "1,00 × 10¹⁵ $", "8,33 × 10²¹", "0,00 €"),
    ],
)
def test_extreme_figures_by_significant_digits_on_scales_that_exist(
    lang, cards, euros, dollars, kwh, price
):
    """Float noise printed as an exact count, "€54800000T" and "-€0.00" came out before.

    3,170,979,198,380,000,256 has 19 digits: 3.17 × 10¹⁸."""
    f = L10n(lang)
    got = [
        f.integer(3_170_979_198_380_000_256),
        f.money(5.48e19, "EUR"),  # Babel's compact form has nothing beyond T
        f.money(1e15, "USD"),
        f.num(8.33e21),
        f.money(-0.0, "EUR"),
    ]
    assert [g.replace(NB, " ") for g in got] == [cards, euros, dollars, kwh, price]
    assert f.integer(59_604_645) == ("59,604,645" if lang == "en" else "59.604.645")  # exact
    assert f.integer(999_999_999_999_999) == (
        "999,999,999,999,999" if lang == "en" else "999.999.999.999.999"
    )
    assert f.money(9.99e14, "USD").replace(NB, " ") == ("$999T" if lang == "en" else "999 Bio. $")
    assert [f.pct(-0.0), f.fixed(-0.0, 2), f.integer(-0.0)] == [
        "0%" if lang == "en" else f"0{NB}%",
        "0.00" if lang == "en" else "0,00",
        "0",
    ]


@pytest.mark.parametrize("lang", [lang for lang in messages.languages() if lang != "en"])
def test_catalog_translates_every_message_and_nothing_else(lang):
    """What `pybabel extract` finds must be translated, not fuzzy, with English's placeholders."""
    assert messages.problems(lang) == []


def test_catalog_problems_are_found(tmp_path):
    """The check above has teeth: a fuzzy entry, an untranslated one and a wrong placeholder."""
    from babel.messages.pofile import read_po, write_po

    po_path = messages.catalog_path("de", tmp_path)
    po_path.parent.mkdir(parents=True)
    with messages.catalog_path("de").open("rb") as f:
        po = read_po(f, locale="de")
    po.get("years", context="units.years").flags.add("fuzzy")
    po.get("year", context="units.year").string = ""
    verdict = next(m for m in po if m.context == "compare.verdict.unknown")
    verdict.string = "Unbekannt: {modell}"  # English has {model}
    with po_path.open("wb") as f:
        write_po(f, po)
    found = "\n".join(messages.problems("de", tmp_path))
    assert "'years' (units.years) is not translated, or fuzzy" in found
    assert "'year' (units.year) is not translated" in found
    assert "'compare.verdict.unknown' has placeholders other than English" in found
    with pytest.raises(messages.MissingTranslation, match=r"units\.years"):
        messages.strings("de", tmp_path)


def test_missing_string_names_the_key():
    with pytest.raises(KeyError, match=r"'no\.such\.key' is missing in .*en\.yaml"):
        L10n("de").text("no.such.key")


def test_md_escape_neutralises_markup():
    assert md_escape("<script>a|b*c_d</script>\nx") == r"&lt;script&gt;a\|b\*c\_d&lt;/script&gt; x"


@pytest.mark.parametrize("lang", LANGS)
def test_years_pick_a_readable_unit(lang):
    f = L10n(lang)
    assert f.years(2.0).startswith("2")
    assert f.years(0.5).startswith("183")  # days
    assert f.years(1 / 365 / 24 * 5).startswith("5")  # hours
