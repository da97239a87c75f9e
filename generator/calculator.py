"""What the browser calculator reads, and the vectors that keep it equal to the Python engine.

The calculator (``templates/static/assets/javascripts/engine.js``) ports ``results.compare`` to
the browser. It reads ``calculator.json``: the catalog figures the comparison needs, with each
model's training compute and memory already computed here, so only the per-question arithmetic
exists twice. ``vectors`` runs the Python engine on thousands of questions; the tests replay them
through the ES module (in Chromium, and in V8 without a browser) and fail on any relative
difference above 1e-9.
"""

from __future__ import annotations

import random
from typing import Any

from generator.custom import custom_gpu, custom_model
from generator.data import PRECISIONS, Catalog, Gpu, Model
from generator.results import (
    REACH,
    Setup,
    compare,
    model_memory,
    training_compute,
    training_precision,
)


def _gpu(g: Gpu) -> dict[str, Any]:
    return {
        "name": g.labels,  # a string, or {en: …, de: …}: calculator.js picks the page's language
        "memory_gib": g.memory_gib,
        "board_power_w": g.board_power_w,
        "peaks": {p: g.peak(p) for p in PRECISIONS if g.peak(p)},
        "cloud_usd_per_hour": g.cloud_price.usd_per_hour if g.cloud_price else None,
        "sources": [{"url": str(s.url), "title": s.title, "fields": s.fields} for s in g.sources],
    }


def _model(m: Model, catalog: Catalog) -> dict[str, Any]:
    c = training_compute(m)
    mem = model_memory(m, catalog)
    return {
        "name": m.labels,
        "parameters": m.parameters,
        "active_parameters": m.active_parameters,
        "training_tokens": m.training_tokens,
        "compute": c
        and {"flops": c.flops, "low": c.low, "high": c.high, "method": c.method, "by": c.by},
        "memory": {
            "state": mem.state,
            "activations": mem.activations,
            "inference_fp16": mem.inference_weights["fp16"],  # weights only
            "kv_cache": mem.kv_cache,
        },
        "sources": [{"url": str(s.url), "title": s.title, "fields": s.fields} for s in m.sources],
    }


def data(catalog: Catalog) -> dict[str, Any]:
    """The catalog as the calculator needs it (``calculator.json``)."""
    s = catalog.scenario
    return {
        "scenario": {
            "gpu": s.question.gpu,
            "model": s.question.model,
            "utilization": s.question.utilization,
            "precision": s.question.precision,
            "years": s.question.years,
            "year_days": s.year_days,
            "mfu": s.reference_mfu.value,
            "mfu_low": s.reference_mfu.low,
            "mfu_high": s.reference_mfu.high,
            "price_kwh": s.electricity.price_per_kwh,
            "currency": s.electricity.currency,
            "target_days": s.target_days,
            "bytes_per_param": s.recipe(s.training_recipe).bytes_per_param,
            "fp16_bytes": s.inference.weight_bytes["fp16"],
            "reach": REACH,
        },
        "gpus": {gid: _gpu(g) for gid, g in catalog.gpus.items()},
        "models": {mid: _model(m, catalog) for mid, m in catalog.models.items()},
    }


def vectors(catalog: Catalog, n_random: int = 300, seed: int = 2026) -> list[dict[str, Any]]:
    """Questions and the Python engine's answers: every catalog pair at the scenario's settings,
    ``n_random`` random ones (GPU counts, periods, MFU, prices, custom entries), and edge cases."""
    rng = random.Random(seed)
    gpus, models = list(catalog.gpus), list(catalog.models)
    question = catalog.scenario.question.precision

    def basis(gid: str) -> str:  # the question's precision where the GPU has it (TPUs lack FP32)
        g = catalog.gpus[gid]
        return question if g.peak(question) else training_precision(g)

    cases: list[dict[str, Any]] = [
        {"gpu": g, "model": m, "precision": basis(g)} for g in gpus for m in models
    ]
    for _ in range(n_random):
        case: dict[str, Any] = {
            "gpu": rng.choice(gpus),
            "model": rng.choice(models),
            "gpus": rng.choice([1, 1, 2, 8, 64, 1000]),
            "years": rng.choice([1, 0.25, 30 / 365, 3.5]),
            "utilization": rng.choice([0.9, 1, 0.5, 0.05]),
            "mfu": rng.choice([0.4, 0.3, 0.55, 0.1]),
            "price_kwh": rng.choice([0.39, 0.1, 0]),
            "cloud_rate": rng.choice([None, 2.5]),
        }
        g = catalog.gpus[case["gpu"]]
        case["precision"] = rng.choice([p for p in PRECISIONS if g.peak(p)])
        if rng.random() < 0.2:
            case["gpu"] = "custom"
            case["custom_gpu"] = {
                "tflops": rng.choice([10, 83.5, 1000]),
                "precision": case["precision"],
                "memory_gib": rng.choice([8, 24, 80]),
                "power_w": rng.choice([None, 300]),
            }
        if rng.random() < 0.2:
            case["model"] = "custom"
            params = rng.choice([1.3e9, 7e9, 70e9])
            case["custom_model"] = {
                "params": params,
                "active_params": rng.choice([None, params / 4]),
                "tokens": rng.choice([None, 2e12]),
                "flops": None,
            }
            if case["custom_model"]["tokens"] is None:
                case["custom_model"]["flops"] = rng.choice([1e21, 3.3e23])
        cases.append(case)
    # edges: exactly one period's compute on one card, the reach boundary, tiny and huge counts
    cases += [
        {"gpu": "rtx-4090", "model": "gpt-2", "gpus": 1_000_000},
        {"gpu": "rtx-4090", "model": "llama-3.1-405b", "gpus": 1, "years": 1000},
        {"gpu": "gtx-1080-ti", "model": "gpt-3.5", "utilization": 1e-3},
    ]
    return [{"input": c, "output": answer(catalog, c)} for c in cases]


def answer(catalog: Catalog, case: dict[str, Any]) -> dict[str, Any]:
    """The Python engine's comparison for one calculator question."""
    gpu: Any = case["gpu"]
    if gpu == "custom":
        cg = case["custom_gpu"]
        gpu = custom_gpu(cg["tflops"], cg["precision"], cg["memory_gib"], None, cg["power_w"])
    model: Any = case["model"]
    if model == "custom":
        cm = case["custom_model"]
        model = custom_model(cm["params"], cm["active_params"], cm["tokens"], cm["flops"])
    settings = {
        k: case.get(k)
        for k in ("utilization", "precision", "years", "gpus", "mfu", "price_kwh", "cloud_rate")
    }
    return compare(catalog, gpu, model, Setup.from_scenario(catalog, **settings)).to_json()
