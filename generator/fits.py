"""What fits: the inverse answers of ``infer`` and ``finetune`` (the longest context, the best
weight format, the largest rank and sequence) and, when a plan does not fit, the changes that
make it fit (``fixes``).

``infer_answers`` and ``finetune_answers`` gather them as ``infer --json`` and ``finetune --json``
print them (the calculator's vectors too).

Every answer asks the plan itself (``local.infer`` / ``local.finetune``) through a *builder*:
``build(**changes)`` returns the reader's plan with ``changes`` to its settings (``gpu=`` for
another card, ``gpus=``, ``quant=``, ``context=`` …), so the inverse answers and the fixes use the
same memory model as the answer they invert. Memory grows with context, sequence, rank and batch,
so the largest value that fits is found by bisection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from generator import tuning
from generator.data import Catalog
from generator.largest import finetune_bytes, finetune_kind, largest_parameters
from generator.local import Plan, cards_needed
from generator.results import Setup
from generator.schema import Gpu, Model

Build = Callable[..., Plan]

MAX_CONTEXT = 10_000_000  # the CLI's bound on --context and --seq: a model without a known context
MAX_RANK = 4096  # the CLI's bound on --rank


def largest_finetune(catalog: Catalog, gpu: Gpu, plan: Plan) -> float:
    """The largest model a fine-tuning plan's method fits on its cards (sharded: all of them)."""
    cards = plan.gpus if plan.settings["sharding"] == "sharded" else 1
    bytes_per_param = finetune_bytes(catalog)[finetune_kind(plan.settings)]
    return largest_parameters(catalog, gpu, bytes_per_param, cards)


# ---------------------------------------------------------------- inverse answers


def largest_int(fits: Callable[[int], bool], lo: int, hi: int) -> int | None:
    """The largest n in [lo, hi] with ``fits(n)``, where fits holds up to some n and not beyond;
    None when not even ``lo`` fits."""
    if not fits(lo):
        return None
    if fits(hi):
        return hi
    while hi - lo > 1:  # fits(lo), not fits(hi)
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    return lo


def _cap(plan: Plan) -> int:
    return plan.settings["model_context"] or MAX_CONTEXT


def max_context(build: Build, plan: Plan) -> int | None:
    """The longest context that fits at the asked formats, batch and cards, at most the model's
    context length; None when the KV cache cannot be computed or nothing fits."""
    if "kv_cache" not in plan.memory:
        return None
    return largest_int(lambda c: build(context=c).fits, 1, _cap(plan))


def best_quant(catalog: Catalog, build: Build) -> str | None:
    """The highest-precision weight format (most bits per weight; ties: formats.yaml's order)
    that fits at the asked context; None when none does."""
    assert catalog.local is not None
    formats = sorted(catalog.local.weight_formats.values(), key=lambda f: -f.bits_per_weight.value)
    return next((f.id for f in formats if build(quant=f.id).fits), None)


def max_rank(build: Build, plan: Plan) -> int | None:
    """The largest LoRA rank that fits (1 … 4096); None for full fine-tuning, when the adapters
    cannot be computed, or when not even rank 1 fits."""
    if "adapters" not in plan.memory:
        return None
    return largest_int(lambda r: build(rank=r).fits, 1, MAX_RANK)


def max_seq(build: Build, plan: Plan) -> int | None:
    """The longest training sequence that fits, at most the model's context length; None when
    the activations cannot be computed or not even one token fits."""
    if "activations" not in plan.memory:
        return None
    return largest_int(lambda s: build(seq=s).fits, 1, _cap(plan))


# ---------------------------------------------------------------- fixes


@dataclass(frozen=True)
class Fix:
    """A change that makes the plan fit: ``options`` added to the reader's command (and, for
    another card, ``gpu`` in place of its GPU argument) give an answer that fits."""

    change: str  # what changes: batch, kv_cache, quant, context, quant_context, method, …, gpu
    options: list[str]
    per_gpu_bytes: float
    gpu: str | None = None
    fits: bool = True

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        if self.gpu is None:
            del d["gpu"]
        return d


Candidate = tuple[str, list[str], dict[str, Any]]  # change, options, settings for the builder


def _first(build: Build, candidates: Iterable[Candidate]) -> Fix | None:
    """The first candidate (least change first) whose plan fits."""
    for change, options, settings in candidates:
        plan = build(**settings)
        if plan.fits:
            return Fix(change, options, plan.per_gpu.value, settings.get("gpu"))
    return None


def _shorter(name: str, option: str, asked: int, longest: int | None) -> list[Candidate]:
    """The longest ``name`` that fits (``max_context`` / ``max_seq``), when shorter than asked."""
    if longest is None or longest >= asked:
        return []
    return [(name, [option, str(longest)], {name: longest})]


def _smaller_batch(build: Build, asked: int) -> list[Candidate]:
    """The largest batch below the asked one that fits, as a candidate (none when none fits)."""
    n = largest_int(lambda b: build(batch=b).fits, 1, asked - 1) if asked > 1 else None
    return [] if n is None else [("batch", ["--batch", str(n)], {"batch": n})]


def _hardware(catalog: Catalog, build: Build, plan: Plan, gpu: Gpu, custom: bool) -> list[Fix]:
    """More cards of the same kind, then the smallest catalog card with more memory that holds
    the plan on as many cards as asked (none offered for a custom GPU: its options would go)."""
    fixes = []
    n = cards_needed(lambda k: build(gpus=k))
    if n and n > plan.gpus:
        fixes.append(Fix("gpus", ["--gpus", str(n)], build(gpus=n).per_gpu.value))
    if not custom:
        bigger = sorted(
            (g for g in catalog.gpus.values() if g.memory_gib > gpu.memory_gib),
            key=lambda g: g.memory_gib,
        )
        card = _first(build, (("gpu", [], {"gpu": g.id}) for g in bigger))
        if card:
            fixes.append(card)
    return fixes


def infer_fixes(
    catalog: Catalog, build: Build, plan: Plan, gpu: Gpu, custom: bool, longest: int | None
) -> list[Fix]:
    """Changes that make an ``infer`` plan fit, least change first: a smaller batch (no loss of
    quality), a lower-precision KV cache, then weight format (each the highest precision that
    fits), a shorter context (``longest``: ``max_context``), or, when neither alone does, both
    together; more cards of the same kind, another card. Empty when the plan fits."""
    if plan.fits:
        return []
    assert catalog.local is not None
    s = plan.settings
    loc = catalog.local
    kv_bits = loc.kv_formats[s["kv_cache"]].bits_per_value
    kv = sorted(
        (f for f in loc.kv_formats.values() if f.bits_per_value < kv_bits),
        key=lambda f: -f.bits_per_value,
    )
    bits = loc.weight_formats[s["quant"]].bits_per_weight.value
    quants = sorted(
        (f for f in loc.weight_formats.values() if f.bits_per_weight.value < bits),
        key=lambda f: -f.bits_per_weight.value,
    )
    steps = [
        _smaller_batch(build, s["batch"]),
        [("kv_cache", ["--kv-cache", f.id], {"kv_cache": f.id}) for f in kv],
        [("quant", ["--quant", f.id], {"quant": f.id}) for f in quants],
        _shorter("context", "--context", s["context"], longest),
    ]
    fixes = [fix for step in steps if (fix := _first(build, step))]
    if not any(f.change in ("quant", "context") for f in fixes):
        fixes += _quant_and_context(build, plan, quants)
    return fixes + _hardware(catalog, build, plan, gpu, custom)


SHORT_CONTEXT = 4096  # a format with a shorter longest context is no answer to "run it"


def _quant_and_context(build: Build, plan: Plan, quants: list) -> list[Fix]:
    """When neither a format nor a context alone fits: the highest-precision format whose
    longest context reaches the asked one or 4,096 tokens, with that context."""
    if "kv_cache" not in plan.memory:
        return []
    want = min(plan.settings["context"], SHORT_CONTEXT)
    for f in quants:
        n = largest_int(
            lambda c, q=f.id: build(quant=q, context=c).fits, 1, plan.settings["context"]
        )
        if n is not None and n >= want:
            options = ["--quant", f.id, "--context", str(n)]
            return [Fix("quant_context", options, build(quant=f.id, context=n).per_gpu.value)]
    return []


def finetune_fixes(
    catalog: Catalog, build: Build, plan: Plan, gpu: Gpu, custom: bool, longest: int | None
) -> list[Fix]:
    """Changes that make a ``finetune`` plan fit, least change first: a smaller micro-batch
    (gradient accumulation keeps the effective batch), gradient checkpointing, sharding the
    state over the cards, 8-bit Adam, LoRA then QLoRA (each that fits), a shorter sequence, more
    cards of the same kind, another card. ``longest`` is ``max_seq``. Empty when the plan
    fits."""
    if plan.fits:
        return []
    s = plan.settings
    steps: list[list[Candidate]] = [_smaller_batch(build, s["batch"])]
    if not s["checkpointing"]:
        steps.append([("checkpointing", ["--checkpointing"], {"checkpointing": True})])
    if s["sharding"] == "replicated" and plan.gpus > 1:
        steps.append([("sharding", ["--sharding", "sharded"], {"sharding": "sharded"})])
    if s["method"] == "full" and s["optimizer"] == "adam":
        steps.append([("optimizer", ["--optimizer", "adam8bit"], {"optimizer": "adam8bit"})])
    lighter = {"full": ["lora", "qlora"], "lora": ["qlora"], "qlora": []}[s["method"]]
    steps += [[("method", ["--method", m], {"method": m})] for m in lighter]
    steps.append(_shorter("seq", "--seq", s["seq"], longest))
    fixes = [fix for step in steps if (fix := _first(build, step))]
    return fixes + _hardware(catalog, build, plan, gpu, custom)


# ---------------------------------------------------------------- all answers of a question


def infer_answers(catalog: Catalog, build: Build, plan: Plan, gpu: Gpu, custom: bool) -> dict:
    """What ``infer`` answers besides the plan: the longest context, the best weight format and
    the fixes (``Fix`` objects)."""
    longest = max_context(build, plan)
    return {
        "max_context_tokens": longest,
        "best_quant": best_quant(catalog, build),
        "fixes": infer_fixes(catalog, build, plan, gpu, custom, longest),
    }


def finetune_answers(
    catalog: Catalog,
    build: Build,
    plan: Plan,
    gpu: Gpu,
    custom: bool,
    model: Model,
    tokens: float | None,
    setup: Setup,
) -> dict:
    """What ``finetune`` answers besides the plan: the largest rank, sequence and model, the fixes
    (``Fix`` objects) and, for ``tokens`` processed, the run's time and cost (else all None)."""
    longest = max_seq(build, plan)
    run = tokens and tuning.tune_run(catalog, gpu, model, plan, tokens, setup)
    return {
        "max_rank": max_rank(build, plan),
        "max_seq": longest,
        "largest_model_parameters": largest_finetune(catalog, gpu, plan),
        "fixes": finetune_fixes(catalog, build, plan, gpu, custom, longest),
        **(run.to_json() if run else dict.fromkeys(tuning.TuneRun.__dataclass_fields__)),
    }


def plan_json(plan: Plan, cards: int | None, answers: dict) -> dict[str, Any]:
    """``finetune --json`` / ``infer --json``: the plan, the fewest cards that hold it and the
    answers (fixes last)."""
    fixes = [f.to_json() for f in answers["fixes"]]
    rest = {k: v for k, v in answers.items() if k != "fixes"}
    return {**plan.to_json(), "cards_needed": cards, **rest, "fixes": fixes}
