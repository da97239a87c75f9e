"""The largest model a card holds: one figure, one formula, for the GPU pages, ``instead``,
``finetune`` and the inference tables alike (issue 21.4).

The bytes per parameter of fine-tuning are the scenario's recipes (full training 16, LoRA 2,
QLoRA 0.74) and, with local data, full fine-tuning with 8-bit Adam; each card keeps the framework
overhead that ``finetune`` and ``infer`` count (formats.yaml).
"""

from __future__ import annotations

from typing import Any

from generator import calc
from generator.data import Catalog
from generator.schema import Gpu

METHODS = ("full", "full8", "lora", "qlora")


def overhead_bytes(catalog: Catalog) -> float:
    """Framework memory each card takes before any model (formats.yaml), 0 without local data."""
    return catalog.local.overhead.gb_per_gpu.value * 1e9 if catalog.local else 0.0


def finetune_bytes(catalog: Catalog) -> dict[str, float]:
    """Bytes per parameter of each way to fine-tune: the scenario's recipes (full, LoRA, QLoRA;
    the first recipe of each kind) and, with local data, full fine-tuning with 8-bit Adam
    (16-bit weights and gradients and the 8-bit optimizer state of formats.yaml)."""
    out: dict[str, float] = {}
    for r in catalog.scenario.recipes:
        out.setdefault(r.kind, r.bytes_per_param)
    if catalog.local:
        ft = catalog.local.finetune
        out["full8"] = ft.weight_bytes + ft.gradient_bytes + ft.adam_8bit_bytes
    return {k: out[k] for k in METHODS if k in out}


def finetune_kind(settings: dict[str, Any]) -> str:
    """The ``finetune_bytes`` key of a fine-tuning plan's settings."""
    full8 = settings["method"] == "full" and settings["optimizer"] == "adam8bit"
    return "full8" if full8 else settings["method"]


def largest_parameters(catalog: Catalog, gpu: Gpu, bytes_per_param: float, cards: int = 1) -> float:
    """The largest model (parameters) whose ``bytes_per_param`` fit on ``cards`` × ``gpu``:
    cards × (memory − framework overhead) / bytes per parameter.

    The state is split over the cards, each of which keeps the overhead. What else comes on top
    is what the bytes leave out: activations for full training and LoRA, the KV cache for
    inference; QLoRA's 0.74 bytes (the paper's 65 B on 48 GB) already include adapters and
    working memory.
    """
    room = gpu.memory_gib * calc.GIB - overhead_bytes(catalog)
    return cards * max(0.0, room) / bytes_per_param
