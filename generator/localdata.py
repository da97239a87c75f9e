"""The catalog's data for running and fine-tuning locally: weight formats, KV-cache formats,
fine-tuning bytes, overheads and published speed measurements (``formats.yaml`` and
``measurements.yaml``), validated like the rest of the catalog.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    ValidationError,
)

from generator.coverage import NOT_FIGURES, check_sources
from generator.schema import Count, Id, Localized, Ordered, Quantity, Sourced, Strict, Text
from generator.validation import entry_label, load_list, problems_from, suggest
from generator.yamlio import DataError, Document, Problem, parse_yaml

# ---------------------------------------------------------------- running and fine-tuning locally

LOCAL_FILES = ("formats.yaml", "measurements.yaml")


class Spread(Ordered):
    """A figure with the ends of its published range."""

    value: Quantity(1e-6, 1e6, "as stated by the field")
    low: Quantity(1e-6, 1e6, "as stated by the field")
    high: Quantity(1e-6, 1e6, "as stated by the field")


FormatId = Annotated[
    str, Field(strict=True, pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$", description="e.g. q4_k_m")
]


class TensorMix(Strict):
    """How llama.cpp's k-quant "mixes" (Q4_K_M, Q5_K_M) store a model's tensors.

    Most weights at ``base`` bits, the output matrix at ``output``, and the attention values and
    MLP down-projections at ``more_bits`` in the layers llama.cpp's ``use_more_bits`` picks (the
    first and last eighth and every third layer between: half of them).
    """

    base: Quantity(1, 16, "bits per weight")
    output: Quantity(1, 16, "bits per weight")
    more_bits: Quantity(1, 16, "bits per weight")


class WeightFormat(Sourced):
    """A format model weights are downloaded in, with its effective bits per weight.

    ``bits_per_weight`` is the published figure; with a ``mix`` the bits of a model whose
    architecture is known are computed from its tensors instead (``local.bits_per_weight``).
    """

    id: FormatId
    name: Localized
    bits_per_weight: Spread
    mix: TensorMix | None = None


class KvFormat(Sourced):
    """A precision of the KV cache."""

    id: FormatId
    name: Text
    bits_per_value: Quantity(1, 32, "bits per cached value")


class FinetuneBytes(Sourced):
    """Bytes per parameter of fine-tuning in mixed precision, and QLoRA's 4-bit base."""

    weight_bytes: Quantity(0.5, 8, "bytes per parameter")
    gradient_bytes: Quantity(0.5, 8, "bytes per parameter")
    adam_bytes: Quantity(1, 32, "bytes per parameter")
    adam_8bit_bytes: Quantity(1, 32, "bytes per parameter")
    adapter_bytes: Quantity(1, 64, "bytes per adapter parameter")
    nf4_bits: Quantity(1, 16, "bits per parameter")
    logits_bytes: Quantity(1, 8, "bytes per logit")


class Overhead(Sourced):
    gb_per_gpu: Spread


class LocalPages(Strict):
    """What GPU and model pages list: a few common models, GPUs and formats (a choice)."""

    models: list[Id] = Field(min_length=1, max_length=12)
    gpus: list[Id] = Field(min_length=1, max_length=12)
    formats: list[FormatId] = Field(min_length=1, max_length=6)
    context: Count(1, 10_000_000, "tokens")


class Measurement(Sourced):
    """A published speed: tokens per second of one model in one format on one GPU."""

    id: Id
    gpu: Id
    model: Id
    parameters: Quantity(1e6, 1e15, "parameters")
    format: FormatId
    kind: Literal["decode", "prefill"]
    tokens: Count(1, 10_000_000, "tokens")
    tokens_per_s: Quantity(0.01, 1e7, "tokens per second")
    software: Localized


@dataclass(frozen=True)
class Local:
    """Formats, fine-tuning bytes, overhead and speed measurements (``formats.yaml``, ...)."""

    weight_formats: dict[str, WeightFormat]
    kv_formats: dict[str, KvFormat]
    finetune: FinetuneBytes
    overhead: Overhead
    pages: LocalPages
    measurements: dict[str, Measurement]

    @cached_property
    def measurement_sources(self) -> list[dict[str, str]]:
        """The measurements' sources, each once (every speed figure cites all of them)."""
        return source_dicts(s for m in self.measurements.values() for s in m.sources)


def source_dicts(sources: Iterable[Any]) -> list[dict[str, str]]:
    """Sources as figures cite them (url, title, lang), each URL once, in their order."""
    seen: dict[str, dict[str, str]] = {}
    for s in sources:
        seen.setdefault(str(s.url), {"url": str(s.url), "title": s.title, "lang": s.lang})
    return list(seen.values())


class _FormatsFile(Strict):
    weight_formats: list[dict[str, Any]] = Field(min_length=1)
    kv_formats: list[dict[str, Any]] = Field(min_length=1)
    finetune: FinetuneBytes
    overhead: Overhead
    pages: LocalPages


NOT_FIGURES.update({"software", "format", "pages"})


def _load_formats(
    file: str, raw: Any, gpus: dict, models: dict, problems: list[Problem]
) -> tuple[_FormatsFile | None, dict[str, Any], dict[str, Any]]:
    """Validate ``formats.yaml``: the entries of both format lists and the page choices."""
    try:
        doc = _FormatsFile.model_validate(raw)
    except ValidationError as err:
        problems.extend(problems_from(err, file, ""))
        return None, {}, {}
    problems.extend(check_sources(doc.finetune, file, "finetune"))
    problems.extend(check_sources(doc.overhead, file, "overhead"))
    weights: dict[str, Any] = {}
    kv: dict[str, Any] = {}
    for key, cls, out in (("weight_formats", WeightFormat, weights), ("kv_formats", KvFormat, kv)):
        for i, entry in enumerate(getattr(doc, key)):
            label = entry_label(key, i, entry)
            try:
                e = cls.model_validate(entry)
            except ValidationError as err:
                problems.extend(problems_from(err, file, label))
                continue
            problems.extend(check_sources(e, file, label))
            if e.id in out:
                problems.append(Problem(file, label, "id", f"duplicate id {e.id!r}"))
            out[e.id] = e
    for key, known in (("models", models), ("gpus", gpus), ("formats", weights)):
        for i, k in enumerate(getattr(doc.pages, key)):
            if known and k not in known:
                msg = f"unknown id {k!r}{suggest(k, known)}"
                problems.append(Problem(file, "pages", f"{key}[{i}]", msg))
    return doc, weights, kv


def load_local(
    d: Path, gpus: dict, models: dict, problems: list[Problem], docs: dict[str, Document]
) -> Local | None:
    """Read ``formats.yaml`` and ``measurements.yaml``; None when neither exists (old data).

    ``docs`` collects the parsed files, so that problems get their line numbers.
    """
    if not any((d / f).exists() for f in LOCAL_FILES):
        return None
    n = len(problems)
    if n:  # an entry that failed validation is missing: do not report references to it too
        gpus, models = {}, {}
    doc, weights, kv = None, {}, {}
    try:
        ffile = d / "formats.yaml"
        raw = (docs.setdefault(str(ffile), parse_yaml(ffile))).data
        doc, weights, kv = _load_formats(str(ffile), raw, gpus, models, problems)
    except DataError as e:
        problems.extend(e.problems)
    mfile = d / "measurements.yaml"
    meas = load_list(mfile, "measurements", Measurement, problems, docs)
    for i, m in enumerate(meas.values()):
        label = entry_label("measurements", i, {"id": m.id})
        for key, known in (("gpu", gpus), ("model", models), ("format", weights)):
            k = getattr(m, key)
            if known and k not in known:
                problems.append(
                    Problem(str(mfile), label, key, f"unknown id {k!r}{suggest(k, known)}")
                )
    if len(problems) > n or doc is None:
        return None
    return Local(weights, kv, doc.finetune, doc.overhead, doc.pages, meas)


def local_json_schemas() -> dict[str, str]:
    """JSON Schema documents for ``formats.yaml`` and ``measurements.yaml``."""
    formats = _FormatsFile.model_json_schema(by_alias=True)
    props = formats["properties"]
    defs = formats.setdefault("$defs", {})
    for key, cls in (("weight_formats", WeightFormat), ("kv_formats", KvFormat)):
        item = cls.model_json_schema(by_alias=True)
        defs.update(item.pop("$defs", {}))
        props[key]["items"] = item
    formats["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    item = Measurement.model_json_schema(by_alias=True)
    mdefs = item.pop("$defs", {})
    measurements = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "gpu-year measurements",
        "type": "object",
        "additionalProperties": False,
        "required": ["measurements"],
        "properties": {"measurements": {"type": "array", "items": item}},
        "$defs": mdefs,
    }
    return {
        k: json.dumps(v, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        for k, v in (
            ("formats.schema.json", formats),
            ("measurements.schema.json", measurements),
        )
    }
