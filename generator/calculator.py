"""What the browser calculator reads, and the vectors that keep it equal to the Python engine.

The calculator (``templates/static/assets/javascripts/engine.js``) answers three questions in the
browser: train (a port of ``results.compare``), fine-tune and run (ports of ``local.finetune`` and
``local.infer``). It reads ``calculator.json``: the catalog figures those need, with everything that
depends only on a model, a format or a GPU already computed here (training compute and memory,
shape terms of the KV cache and activations, LoRA widths, bits per weight, the speed model's
per-GPU coefficients), so only the per-question arithmetic exists twice. ``vectors`` runs the
Python engine on thousands of questions of all three kinds; the tests replay them through the ES
module (in Chromium, and in V8 without a browser) and fail on any relative difference above 1e-9.
"""

from __future__ import annotations

import random
from dataclasses import asdict
from typing import Any

from generator import fits, local
from generator.custom import custom_gpu, custom_model
from generator.data import Catalog
from generator.largest import finetune_bytes, overhead_bytes
from generator.results import (
    REACH,
    Setup,
    compare,
    mfu_prior,
    model_memory,
    training_compute,
    training_precision,
)
from generator.schema import PRECISIONS, Gpu, Model


def speed_coefficients(gpu: Gpu, cal: local.Calibration) -> dict[str, Any]:
    """The per-GPU terms of ``local.infer``'s speed model, which engine.js ``runSpeed`` applies.

    Decode seconds per token = bytes read / ``read_bytes_per_s`` (bandwidth × the device class's
    efficiency) + ``token_cost_s``, or the batch's FLOP / ``flops_per_s`` (16-bit inference peak ×
    the class's compute efficiency; None without a peak) when that is longer; the ranges are the
    value times the class's ``decode_ratio`` / ``prefill_ratio``. With ``runSpeed`` (and
    ``customSpeed`` for a GPU of one's own) this is the only place that knows the shape of the
    speed model: change the three together.
    """
    return _class_speed(
        cal.classes[local.device_class(gpu)], local._bandwidth(gpu), local.inference_peak(gpu)
    )


def _class_speed(k: local.SpeedClass, bandwidth: float, peak: float) -> dict[str, Any]:
    return {
        "read_bytes_per_s": bandwidth * k.bandwidth_efficiency,
        "token_cost_s": k.token_cost_s,
        "flops_per_s": peak * k.compute_efficiency if peak else None,
        "decode_ratio": list(k.decode_ratio),
        "prefill_ratio": list(k.prefill_ratio),
    }


def _gpu(g: Gpu, cal: local.Calibration | None) -> dict[str, Any]:
    return {
        "name": g.labels,  # a string, or {en: …, de: …}: calculator.js picks the page's language
        "memory_gib": g.memory_gib,
        "board_power_w": g.board_power_w,
        "peaks": {p: g.peak(p) for p in PRECISIONS if g.peak(p)},
        "cloud_usd_per_hour": g.cloud_price.usd_per_hour if g.cloud_price else None,
        "speed": speed_coefficients(g, cal) if cal else None,
        "device_class": local.device_class(g),
        "sources": [{"url": str(s.url), "title": s.title, "fields": s.fields} for s in g.sources],
    }


def _shape(m: Model) -> dict[str, Any]:
    """What fine-tuning and running need of a model's architecture (``local.shape``), with the
    LoRA adapter parameters per layer and unit of rank for each target set."""
    s = local.shape(m)
    lora = None
    if s.layers and s.d_model and s.q_width and s.kv_width:
        width = local.mlp_width(m.parameters, s.layers, s.d_model, s.q_width, s.kv_width, s.vocab)
        lora = {  # one layer, rank 1: engine.js multiplies by layers and rank as local.py does
            t: local.lora_parameters(1, s.d_model, s.q_width, s.kv_width, width, 1, t)
            for t in local.TARGETS
        }
    return {
        "layers": s.layers,
        "d_model": s.d_model,
        "vocab": s.vocab,
        "kv_values": s.kv_values,
        "context": s.context,
        "window": s.window,
        "local_layers": s.local_layers,
        "lora_per_layer_rank": lora,
    }


def _model(m: Model, catalog: Catalog) -> dict[str, Any]:
    c = training_compute(m)
    mem = model_memory(m, catalog)
    return {
        "name": m.labels,
        "parameters": m.parameters,
        "active_parameters": m.active_parameters,
        "open_weights": m.open_weights,
        "shape": _shape(m),
        # formats with a tensor mix (Q4_K_M): this model's bits per weight (local.bits_per_weight)
        "bits_per_weight": {
            fid: asdict(local.bits_per_weight(f, m))
            for fid, f in (catalog.local.weight_formats.items() if catalog.local else [])
            if f.mix
        },
        "training_tokens": m.training_tokens,
        "compute": c
        and {"flops": c.flops, "low": c.low, "high": c.high, "method": c.method, "by": c.by},
        "memory": {
            "state": mem.state,
            "state_lean": mem.state_lean,
            "activations": mem.activations,
            "inference_fp16": mem.inference_weights["fp16"],  # weights only
            "kv_cache": mem.kv_cache,
        },
        "sources": [{"url": str(s.url), "title": s.title, "fields": s.fields} for s in m.sources],
    }


def data(catalog: Catalog) -> dict[str, Any]:
    """The catalog as the calculator needs it (``calculator.json``)."""
    s = catalog.scenario
    prior = mfu_prior(catalog)
    cal = local.calibration(catalog) if catalog.local else None
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
            # MFU band by model size (results.mfu_prior); null: use mfu_low/mfu_high
            "mfu_prior": prior
            and {
                "intercept": prior.intercept,
                "slope": prior.slope,
                "low": prior.low,
                "high": prior.high,
                "top": prior.top,
            },
            "price_kwh": s.electricity.price_per_kwh,
            "currency": s.electricity.currency,
            "target_days": s.target_days,
            "bytes_per_param": s.recipe(s.training_recipe).bytes_per_param,
            "lean_bytes_per_param": s.recipe(s.training_recipe).lean_bytes_per_param,
            "fp16_bytes": s.inference.weight_bytes["fp16"],
            "reach": REACH,
        },
        "gpus": {gid: _gpu(g, cal) for gid, g in catalog.gpus.items()},
        "models": {mid: _model(m, catalog) for mid, m in catalog.models.items()},
        "local": _local(catalog, cal),
    }


def _local(catalog: Catalog, cal: local.Calibration | None) -> dict[str, Any] | None:
    """Formats, fine-tuning bytes, overhead and sources of fine-tuning and running (None without
    formats.yaml): everything ``local.finetune`` / ``local.infer`` read besides GPU and model."""
    loc = catalog.local
    if loc is None or cal is None:
        return None
    ft = loc.finetune
    return {
        "weight_formats": {
            k: {
                "name": f.name,
                "bits_per_weight": f.bits_per_weight.model_dump(),
                "sources": local._sources(f),
            }
            for k, f in loc.weight_formats.items()
        },
        "kv_formats": {
            k: {"name": f.name, "bits_per_value": f.bits_per_value, "sources": local._sources(f)}
            for k, f in loc.kv_formats.items()
        },
        "finetune": {
            **ft.model_dump(exclude={"sources", "notes"}),
            "sources": local._sources(ft),
        },
        "overhead": asdict(local._overhead(loc)),
        "overhead_sources": local._sources(loc.overhead),
        "measurement_sources": local._sources(*loc.measurements.values()),
        # a GPU of one's own is a discrete card (local.device_class): customSpeed's terms
        "custom_speed": _class_speed(cal.classes["discrete"], 1.0, 1.0),
        "max_cards": local.MAX_CARDS,
        # the largest model a card fine-tunes (largest.py): bytes per parameter of each method
        "largest_bytes_per_param": finetune_bytes(catalog),
        "overhead_bytes": overhead_bytes(catalog),
    }


def vectors(catalog: Catalog, n_random: int = 300, seed: int = 2026) -> list[dict[str, Any]]:
    """Questions of all three kinds and the Python engine's answers, as a plain list of
    ``{"input": question, "output": answer}``; a question's ``mode`` (absent: train) says which.

    Train: every GPU with the headline model and every model with the headline GPU, each GPU with
    a model spread by its index (so every entry appears twice at least) at the scenario's
    settings, ``n_random`` random ones (GPU counts, periods, MFU, prices, custom entries) and edge
    cases; fine-tune and run: see ``_local_cases``. Bounded: the count grows with the catalog's
    entries, not with its pairs.
    """
    rng = random.Random(seed)
    gpus, models = list(catalog.gpus), list(catalog.models)
    question = catalog.scenario.question.precision

    def basis(gid: str) -> str:  # the question's precision where the GPU has it (TPUs lack FP32)
        g = catalog.gpus[gid]
        return question if g.peak(question) else training_precision(g)

    q = catalog.scenario.question
    pairs = [(g, q.model) for g in gpus] + [(q.gpu, m) for m in models]
    pairs += [(g, models[(7 * i) % len(models)]) for i, g in enumerate(gpus)]
    cases: list[dict[str, Any]] = [
        {"gpu": g, "model": m, "precision": basis(g)} for g, m in dict.fromkeys(pairs)
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
    cal = local.calibration(catalog) if catalog.local else None
    cases += _local_cases(catalog, random.Random(seed + 1), n_random)
    return [{"input": c, "output": answer(catalog, c, cal)} for c in cases]


def _local_cases(catalog: Catalog, rng: random.Random, n_random: int) -> list[dict[str, Any]]:
    """Fine-tune and run questions: every catalog model with each method and each page format at
    the CLI's defaults, ``n_random`` random ones of each (settings, card counts, GPUs of one's
    own, fine-tuning runs over some tokens) and edge cases (the cards limit, the longest inputs,
    the issue's 70B example)."""
    loc = catalog.local
    if loc is None:
        return []
    gpus, models = list(catalog.gpus), list(catalog.models)
    first = loc.pages.gpus[0]
    cases: list[dict[str, Any]] = [
        {"mode": "finetune", "gpu": first, "model": m, "method": meth}
        for m in models
        for meth in local.METHODS
    ]
    cases += [
        {"mode": "run", "gpu": first, "model": m, "quant": f}
        for m in models
        for f in loc.pages.formats
    ]
    for _ in range(n_random):
        case: dict[str, Any] = {
            "mode": "finetune",
            "gpu": rng.choice(gpus),
            "model": rng.choice(models),
            "method": rng.choice(local.METHODS),
            "rank": rng.choice([1, 8, 16, 64, 4096]),
            "targets": rng.choice(local.TARGETS),
            "seq": rng.choice([1, 512, 2048, 8192, 131_072]),
            "batch": rng.choice([1, 1, 4, 16]),
            "gpus": rng.choice([1, 1, 2, 4, 8, 64, 1024]),
            "optimizer": rng.choice(local.OPTIMIZERS),
            "sharding": rng.choice(local.SHARDING),
            "checkpointing": rng.choice([True, False]),
            "tokens": rng.choice([None, 1, 1e6, 2e8, 5e9]),
            "utilization": rng.choice([None, 1, 0.5]),
            "mfu": rng.choice([None, 0.2, 0.55]),
            "price_kwh": rng.choice([None, 0, 0.1]),
            "cloud_rate": rng.choice([None, 2.5]),
        }
        if rng.random() < 0.15:
            case["gpu"] = "custom"
            case["custom_gpu"] = {
                "tflops": rng.choice([20, 165, 1000]),
                "memory_gib": rng.choice([8, 24, 80, 192]),
                "power_w": rng.choice([None, 350]),
            }
        cases.append(case)
    for _ in range(n_random):
        case = {
            "mode": "run",
            "gpu": rng.choice(gpus),
            "model": rng.choice(models),
            "quant": rng.choice(list(loc.weight_formats)),
            "context": rng.choice([None, 1, 2048, 8192, 32_768, 131_072, 1_000_000]),
            "batch": rng.choice([1, 1, 4, 64]),
            "kv_cache": rng.choice(list(loc.kv_formats)),
            "gpus": rng.choice([1, 1, 2, 4, 8]),
        }
        if rng.random() < 0.15:
            case["gpu"] = "custom"
            case["custom_gpu"] = {
                "tflops": rng.choice([20, 165, 1000]),
                "memory_gib": rng.choice([8, 24, 96]),
                "bandwidth_gbs": rng.choice([100, 1008, 3350]),
            }
        cases.append(case)
    cases += [
        {"mode": "run", "gpu": "rtx-3090", "model": "llama-3-70b", "gpus": 2, "quant": "q4_k_m",
         "context": 32_768, "kv_cache": "fp16"},
        {"mode": "finetune", "gpu": "gtx-1080-ti", "model": "llama-3.1-405b", "method": "full",
         "gpus": 64},  # not even the cards limit holds it
        {"mode": "finetune", "gpu": "rtx-4090", "model": "llama-3-8b", "method": "lora",
         "rank": 4096, "seq": 10_000_000, "batch": 65_536, "checkpointing": False},
        {"mode": "run", "gpu": "rtx-4090", "model": "llama-3-8b", "context": 10_000_000,
         "batch": 65_536, "gpus": 1024},
    ]  # fmt: skip
    return cases


def answer(catalog: Catalog, case: dict[str, Any], cal: local.Calibration | None = None) -> dict:
    """The Python engine's answer to one calculator question: ``compare --json`` for train,
    ``finetune --json`` / ``infer --json`` for the other modes."""
    if case.get("mode") in ("finetune", "run"):
        return local_answer(catalog, case, cal)
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


FINETUNE_SETTINGS = ("method", "rank", "targets", "seq", "batch", "optimizer", "sharding",
                     "checkpointing")  # fmt: skip
RUN_SETTINGS = ("quant", "context", "batch", "kv_cache")
TUNE_SETTINGS = ("utilization", "mfu", "price_kwh", "cloud_rate")  # the time of a fine-tuning run


def local_answer(
    catalog: Catalog, case: dict[str, Any], cal: local.Calibration | None = None
) -> dict[str, Any]:
    """``finetune --json`` or ``infer --json`` for a question (the plan, the fewest cards that
    hold it, the inverse answers, the fixes and, to fine-tune with ``tokens``, the run's time and
    cost); unset settings take the CLI's defaults. A GPU of one's own needs its memory and 16-bit
    peak, and to run a model also its bandwidth."""
    finetuning = case["mode"] == "finetune"
    custom = case["gpu"] == "custom"
    if custom:
        cg = case["custom_gpu"]
        precision = "bf16" if finetuning else "fp16"  # as the CLI reads --tflops
        gpu = custom_gpu(
            cg["tflops"], precision, cg["memory_gib"], cg.get("bandwidth_gbs"), cg.get("power_w")
        )
    else:
        gpu = catalog.gpu(case["gpu"])
    ask = {k: case[k] for k in (FINETUNE_SETTINGS if finetuning else RUN_SETTINGS) if k in case}
    ask["gpus"] = case.get("gpus", 1)
    model = case["model"]
    cal = cal or local.calibration(catalog)

    def build(gpu: Gpu = gpu, **changes: Any) -> local.Plan:
        if finetuning:
            return local.finetune(catalog, gpu, model, **{**ask, **changes})
        return local.infer(catalog, gpu, model, cal=cal, **{**ask, **changes})

    plan = build()
    cards = plan.gpus if plan.fits else local.cards_needed(lambda n: build(gpus=n))
    if finetuning:
        setup = Setup.from_scenario(catalog, **{k: case.get(k) for k in TUNE_SETTINGS})
        m, tokens = catalog.model(model), case.get("tokens")
        extra = fits.finetune_answers(catalog, build, plan, gpu, custom, m, tokens, setup)
    else:
        extra = fits.infer_answers(catalog, build, plan, gpu, custom)
    return fits.plan_json(plan, cards, extra)
