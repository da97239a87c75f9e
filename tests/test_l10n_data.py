"""Free text from data/ in every language: validated like any field, and German pages carry none
of its English."""

from __future__ import annotations

from typing import Any

import pytest

from generator.lookup import resolve
from generator.schema import LANGS, localize
from tests.sitecheck import html_pages, parse
from tests.test_data import validate


def _translated(value: Any) -> list[dict[str, str]]:
    """Every text of the data given per language: ``{en, de}`` values and notes, ``name_en`` and
    ``name_de`` pairs (recipes, regions, claims), as ``{lang: text}``."""
    out = []
    if isinstance(value, dict):
        if all(isinstance(value.get(lang), str) for lang in LANGS):
            out.append({lang: value[lang] for lang in LANGS})
        for key, v in value.items():
            if key.endswith("_en") and isinstance(v, str):
                pair = {lang: value.get(key[:-2] + lang) for lang in LANGS}
                if all(isinstance(t, str) for t in pair.values()):
                    out.append(pair)
            out += _translated(v)
    elif isinstance(value, list):
        for v in value:
            out += _translated(v)
    return out


def catalog_json(catalog) -> list[Any]:
    entries = [*catalog.gpus.values(), *catalog.models.values()]
    raw: list[Any] = [e.model_dump(mode="json") for e in entries]
    raw += [e.labels for e in entries]  # display names with their qualifiers
    raw.append(catalog.scenario.model_dump(mode="json"))
    if catalog.local:
        loc = catalog.local
        raw += [f.model_dump(mode="json") for f in loc.weight_formats.values()]
        raw += [f.model_dump(mode="json") for f in loc.kv_formats.values()]
        raw += [m.model_dump(mode="json") for m in loc.measurements.values()]
        raw += [loc.finetune.model_dump(mode="json"), loc.overhead.model_dump(mode="json")]
    return raw


def _data_texts(catalog) -> list[dict[str, str]]:
    # the same in both languages (a proper name written per language) says nothing
    return [t for t in _translated(catalog_json(catalog)) if t["en"] != t["de"]]


def test_localized_data_exists(catalog):
    texts = _data_texts(catalog)
    assert {"en": "per chip", "de": "pro Chip"} in texts
    assert len(texts) > 100  # notes, names, hardware, compute attributions, ...


def _titles(value: Any) -> set[str]:
    """Titles of the cited documents: in their own language (``lang``), not the page's."""
    if isinstance(value, dict):
        own = {value["title"]} if "url" in value and isinstance(value.get("title"), str) else set()
        return own.union(*(_titles(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_titles(v) for v in value))
    return set()


def test_german_pages_carry_no_english_text_from_the_data(catalog, built):
    """Every text of the page, marked as another language or not (a German page must not show
    the English of a text the data has in German), except code and the titles of sources."""
    texts = _data_texts(catalog)
    titles = sorted(_titles(catalog_json(catalog)), key=len, reverse=True)
    pages = {}
    for rel in html_pages(built.out):
        text = parse(built.out / "de" / rel).all_text
        for title in titles:
            text = text.replace(title, " ")
        pages[rel] = text
    offenders = {}
    for rel, text in pages.items():
        found = sorted({t["en"] for t in texts if t["en"] in text})
        if found:
            offenders[rel] = found
    assert offenders == {}
    # and the German texts are there: the check reads the text the way pages show it
    everything = " ".join(pages.values())
    shown = [t["de"] for t in texts if t["de"] in everything]
    assert "Google Cloud TPU v4 (pro Chip)" in shown
    assert "Google TPU v4 (zwei gleich große TPU-v4-Pods)" in shown
    assert "OpenAI, GPT-3-Paper (Brown et al. 2020), Tabelle D.1" in shown
    assert len(shown) > len(texts) // 2


def test_labels_compose_name_and_qualifier(catalog):
    tpu = catalog.gpus["tpu-v4"]
    assert tpu.name == "Google Cloud TPU v4"
    assert tpu.label("en") == "Google Cloud TPU v4 (per chip)"
    assert tpu.label("de") == "Google Cloud TPU v4 (pro Chip)"
    assert catalog.gpus["rtx-4090"].labels == "NVIDIA GeForce RTX 4090"  # language-neutral
    assert localize({"x": tpu.labels}, "de") == {"x": "Google Cloud TPU v4 (pro Chip)"}


@pytest.mark.parametrize(
    "key", ["TPU v4", "tpu v4 per chip", "tpu v4 pro chip", "Google Cloud TPU v4 (per chip)"]
)
def test_names_are_found_in_any_language(catalog, key):
    assert resolve(key, catalog.gpus, "GPU") == "tpu-v4"


def _drop_german(d):
    d["models"][2]["training_hardware"]["name"].pop("de")


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        (
            "models.yaml",
            _drop_german,
            [
                "models.yaml: line ",
                "models[2] (id 'gpt-3.5')",
                "training_hardware.name",
                "missing the German (de) translation",
            ],
        ),
        (
            "gpus.yaml",
            lambda d: d["gpus"][-3]["qualifier"].update(fr="par puce"),
            ["gpus.yaml: line ", "qualifier", "unknown language 'fr'"],
        ),
        (
            "models.yaml",
            lambda d: d["models"][1]["training_compute"].update(by={"en": "x", "de": 3}),
            ["training_compute.by", "expected text in de, got 3"],
        ),
    ],
)
def test_missing_translation_is_a_problem(runner, edit, data_copy, file, change, expected):
    edit(file, change)
    result = validate(runner, data_copy)
    assert result.exit_code == 1
    for piece in expected:
        assert piece in result.output


def test_two_entries_with_one_label_are_a_problem(runner, edit, data_copy):
    def clash(d):
        v5p = next(g for g in d["gpus"] if g["id"] == "tpu-v5p")
        v5p["name"] = "Google Cloud TPU v4"  # same name and qualifier as v4

    edit("gpus.yaml", clash)
    result = validate(runner, data_copy)
    assert result.exit_code == 1
    assert "is already the name of gpus[" in result.output
