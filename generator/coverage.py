"""Which figures of an entry need a source, and which sources cover them.

A figure is any numeric or factual field (``NOT_FIGURES`` lists the exceptions: ids, names,
notes); each must be named in some source's ``fields``, or be inside a field that is.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

from pydantic import (
    BaseModel,
)

from generator.yamlio import Problem

if TYPE_CHECKING:
    from generator.schema import Sourced


def _field_paths(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Every field path of a schema model (``peak_tflops.fp16``), skipping notes and sources."""
    for name, info in model.model_fields.items():
        if name in ("notes", "sources"):
            continue
        path = prefix + (info.alias or name)
        yield path
        sub = [
            a
            for a in getattr(info.annotation, "__args__", (info.annotation,))
            if isinstance(a, type)
        ]
        for t in sub:
            if issubclass(t, BaseModel):
                yield from _field_paths(t, path + ".")


# Fields that name or classify rather than measure, and the scenario's own choices (assumptions
# the site states as such): no source needed.
NOT_FIGURES = {
    "id",
    "name",
    "vendor",
    "class",
    "organization",
    "architecture",
    "memory_type",
    "unit",
    "derivation.architecture",
    "open_weights",
    "estimated",
    "training_compute.kind",
    "training_compute.by",
    "training_hardware.gpu",
    "training_hardware.name",
    "cloud_price.provider",
    "kind",
    "name_en",
    "name_de",
    "question",
    "year_days",
    "target_days",
    "activations",
    "inference",
    "chart_gpus",
    "training_recipe",
    "electricity.currency",
    "small_models",
    "small_model_gpus",
    "claims",
    "text_en",
    "text_de",
    "gpu",
    "model",
    "precision",
    "utilization",
}


def figure_paths(entry: BaseModel, prefix: str = "") -> Iterator[str]:
    """Paths of the figures an entry actually states (numbers and dates), which need a source."""
    for name, info in type(entry).model_fields.items():
        value = getattr(entry, name)
        path = prefix + (info.alias or name)
        if name in ("notes", "sources") or value is None or path in NOT_FIGURES:
            continue
        if name in ("peak_tflops", "inference_tflops") and getattr(entry, "derivation", None):
            continue  # computed from the derivation's inputs, which carry the sources
        if isinstance(value, BaseModel):
            yield from figure_paths(value, path + ".")
        elif isinstance(value, int | float | date) and not isinstance(value, bool):
            yield path


def _covered(path: str, fields: set[str]) -> bool:
    parts = path.split(".")
    return any(".".join(parts[:i]) in fields for i in range(1, len(parts) + 1))


def check_sources(entry: Sourced, file: str, label: str) -> Iterator[Problem]:
    known = set(_field_paths(type(entry)))
    cited: set[str] = set()
    for i, src in enumerate(entry.sources):
        for f in src.fields:
            if f not in known:
                yield Problem(file, label, f"sources[{i}].fields", f"no field named {f!r}")
            cited.add(f)
    for path in figure_paths(entry):
        if not _covered(path, cited):
            yield Problem(
                file, label, path, "no source supports this figure (list it in a source's `fields`)"
            )
    for i, note in enumerate(entry.notes):
        if note.field != "general" and note.field not in known:
            yield Problem(file, label, f"notes[{i}].field", f"no field named {note.field!r}")
    for i, path in enumerate(getattr(entry, "estimated", [])):
        if path not in known:
            yield Problem(file, label, f"estimated[{i}]", f"no field named {path!r}")
