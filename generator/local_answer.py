"""Terminal answers of ``gpu-year finetune`` and ``gpu-year infer``, in English or German."""

from __future__ import annotations

from typing import Any

from generator import calc
from generator.data import Catalog
from generator.fits import Fix
from generator.i18n import L10n, plain
from generator.largest import finetune_bytes, finetune_kind
from generator.local import MAX_CARDS, Plan
from generator.schema import Gpu, text_in
from generator.span import Span


def _span(f: L10n, s: Span, fmt) -> str:
    """``12.4 (range 8.64 – 17)``, ``40.2 GiB (or only 39.4 GiB)``: the ends of the range
    whenever they differ after rounding, the value not repeated as one of them."""
    return f.span(s.value, s.low, s.high, fmt, estimates=False)


def _table(f: L10n, plan: Plan, labels: dict[str, str]) -> list[str]:
    rows = [(labels[k], _span(f, v, f.bytes)) for k, v in plan.memory.items()]
    rows.append((f.text("local.total"), _span(f, plan.total, f.bytes)))
    width = max(len(a) for a, _ in rows)
    out = [f"  {a:<{width}}  {b}" for a, b in rows[:-1]]
    out.append("  " + "─" * (width + 12))
    out.append(f"  {rows[-1][0]:<{width}}  {rows[-1][1]}")
    for part in plan.unknown:
        out.append("  " + f.text("local.unknown_part", part=f.text("local.part." + part)))
    return out


def _verdict(f: L10n, plan: Plan, cards: int | None) -> str:
    key = "local.fits" if plan.fits else "local.does_not_fit"
    text = f.text(key, per_gpu=f.bytes(plan.per_gpu.value), memory=f.bytes(plan.gpu_memory_bytes))
    if not plan.fits:
        text += " " + (
            f.text("local.cards_needed", n=f.integer(cards))
            if cards
            else f.text("local.cards_beyond", n=f.integer(MAX_CARDS))
        )
    if not plan.complete:
        text += " " + f.text("local.lower_bound")
    return text


def _fixes(f: L10n, catalog: Catalog, plan: Plan, fixes: list[Fix]) -> list[str]:
    """ "To make it fit:" and one line per change: the options to add, what they change, and the
    memory per card then."""
    if not fixes:
        return []
    loc = catalog.local
    assert loc is not None

    def what(fix: Fix) -> str:
        value = fix.options[-1] if fix.options else ""
        words = {
            "kv_cache": lambda: {"kv": loc.kv_formats[value].name},
            "quant": lambda: {"quant": text_in(loc.weight_formats[value].name, f.lang)},
            "quant_context": lambda: {
                "quant": text_in(loc.weight_formats[fix.options[1]].name, f.lang),
                "n": f.integer(int(value)),
            },
            "method": lambda: {"method": f.text("local.method." + value)},
            "gpu": lambda: {"gpu": catalog.gpus[fix.gpu].label(f.lang)},
        }.get(fix.change, lambda: {"n": f.integer(int(value))} if value.isdigit() else {})()
        return f.text("local.fix." + fix.change, **words)

    rows = [(" ".join(fix.options) or f"GPU {fix.gpu}", fix) for fix in fixes]
    width = max(len(a) for a, _ in rows)
    return [f.text("local.fixes")] + [
        "  "
        + f"{a:<{width}}  "
        + f.text("local.fix_line", what=what(fix), per_gpu=f.bytes(fix.per_gpu_bytes))
        for a, fix in rows
    ]


def _run(f: L10n, catalog: Catalog, plan: Plan, run: dict[str, Any]) -> list[str]:
    """Time, energy and cost of a fine-tuning run (``tuning.TuneRun`` as JSON), and its FLOP."""
    year = calc.seconds(1, catalog.scenario.year_days)
    t = run["time_s"]
    price = f.money(run["electricity_price_kwh"], run["electricity_currency"])
    lines = [
        f.text(
            "local.run" if plan.gpus == 1 else "local.run_n",
            tokens=f.count(run["tokens"]),
            # the range is the MFU band's, not other published estimates
            time=f.span(t["value"] / year, t["low"] / year, t["high"] / year, f.years, False),
            n=f.integer(plan.gpus),
            flops=f.flops(run["finetune_flops"]),
            precision=run["training_precision"].upper(),
            share=f.pct(run["realistic_share"]),
        ),
        f.text("local.run_flops." + plan.settings["method"]),
    ]
    if run["energy_kwh"] is not None:
        cost = f.money(run["electricity_cost"], run["electricity_currency"])
        kwh = f.num(run["energy_kwh"])
        lines.append(f.text("local.run_energy", kwh=kwh, cost=cost, price=price))
    hours = f.count(run["gpu_hours"])
    if run["cloud_cost_usd"] is None:
        lines.append(f.text("local.run_no_cloud", hours=hours))
    else:
        lines.append(
            f.text(
                "local.run_cloud",
                cost=f.money(run["cloud_cost_usd"], "USD"),
                rate=f.money(run["cloud_rate_usd"], "USD"),
                hours=hours,
            )
        )
    return lines


def _sources(f: L10n, plan: Plan) -> list[str]:
    return [f.text("local.sources")] + [
        f"  - {plain(s['title'])}: {s['url']}" for s in plan.sources
    ]


def _header(f: L10n, catalog: Catalog, plan: Plan, key: str, gpu: Gpu | None, **kw: str) -> str:
    gpu, model = gpu or catalog.gpus[plan.gpu], catalog.models[plan.model]
    return f.text(
        key,
        model=model.label(f.lang),
        n=f.integer(plan.gpus),
        gpu=gpu.label(f.lang),
        memory=f.bytes(plan.gpu_memory_bytes),
        **kw,
    )


def _longest(f: L10n, key: str, n: int | None, cap: int | None) -> list[str]:
    if n is None:
        return []
    return [f.text(key + ("_model" if n == cap else ""), n=f.integer(n))]


def render_finetune(
    plan: Plan,
    catalog: Catalog,
    lang: str,
    cards: int | None = None,
    gpu: Gpu | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    f = L10n(lang)
    s = plan.settings
    method = f.text("local.method." + s["method"])
    lines = [_header(f, catalog, plan, "local.finetune_title", gpu, method=method)]
    setup = [
        f.text("local.seq_batch", seq=f.integer(s["seq"]), batch=f.integer(s["batch"])),
        f.text("local.checkpointing." + ("on" if s["checkpointing"] else "off")),
    ]
    if s["method"] == "full":
        setup.append(f.text("local.optimizer." + s["optimizer"]))
    else:
        adapters = s["adapter_parameters"]
        setup.insert(
            0,
            f.text(
                "local.adapters",
                rank=f.integer(s["rank"]),
                targets=f.text("local.targets." + s["targets"]),
                n=f.count(adapters) if adapters else "?",
            ),
        )
    if plan.gpus > 1:
        setup.append(f.text("local.sharding." + s["sharding"]))
    lines += [", ".join(setup), "", _verdict(f, plan, cards)]
    extra = extra or {}
    answers = _longest(f, "local.max_seq", extra.get("max_seq"), s["model_context"])
    if extra.get("max_rank") is not None:
        answers.insert(0, f.text("local.max_rank", n=f.integer(extra["max_rank"])))
    if extra.get("largest_model_parameters") is not None:
        answers.append(
            f.text(
                "local.largest_model",
                method=method,
                n=f.count(extra["largest_model_parameters"], "parameters"),
                bpp=f.num(finetune_bytes(catalog)[finetune_kind(s)]),
            )
        )
    lines += answers + _fixes(f, catalog, plan, extra.get("fixes", []))
    if extra.get("tokens"):
        lines += ["", *_run(f, catalog, plan, extra)]
    lines += ["", f.text("local.memory_all")]
    labels = {k: f.text("local.part." + k) for k in plan.memory}
    if s["method"] == "qlora":
        labels["weights"] = f.text("local.part.weights_nf4")
    lines += _table(f, plan, labels)
    lines += [""] + [f.text("local.warning." + w) for w in plan.warnings]
    lines += _sources(f, plan)
    return "\n".join(line for line in lines if line is not None)


def render_infer(
    plan: Plan,
    catalog: Catalog,
    lang: str,
    cards: int | None = None,
    gpu: Gpu | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    f = L10n(lang)
    s = plan.settings
    loc = catalog.local
    assert loc is not None
    fmt = loc.weight_formats[s["quant"]]
    lines = [_header(f, catalog, plan, "local.infer_title", gpu, quant=text_in(fmt.name, f.lang))]
    setup = [
        f.text("local.context", context=f.integer(s["context"]), batch=f.integer(s["batch"])),
        f.text("local.kv_cache", kv=loc.kv_formats[s["kv_cache"]].name),
    ]
    if s["window"]:
        setup.append(f.text("local.window", window=f.integer(s["window"])))
    if plan.gpus > 1:
        setup.append(f.text("local.layer_split"))
    lines += [", ".join(setup), "", _verdict(f, plan, cards)]
    extra = extra or {}
    lines += _longest(f, "local.max_context", extra.get("max_context_tokens"), s["model_context"])
    if "best_quant" in extra:
        best = extra["best_quant"]
        lines.append(
            f.text(
                "local.best_quant",
                context=f.integer(s["context"]),
                quant=text_in(loc.weight_formats[best].name, f.lang),
            )
            if best
            else f.text("local.no_quant", context=f.integer(s["context"]))
        )
    lines += _fixes(f, catalog, plan, extra.get("fixes", []))
    lines += ["", f.text("local.memory_all")]
    labels = {k: f.text("local.part." + k) for k in plan.memory}
    labels["weights"] = f.text("local.part.weights_bits", bits=f.num(s["bits_per_weight"], 4))
    lines += _table(f, plan, labels)
    lines.append("")
    lines.append(
        f.text("local.decode", speed=_span(f, plan.speed["decode"], f.num))
        + (
            " " + f.text("local.decode_total", speed=f.num(plan.speed["decode_total"].value))
            if s["batch"] > 1
            else ""
        )
    )
    if "prefill" in plan.speed:
        lines.append(f.text("local.prefill", speed=_span(f, plan.speed["prefill"], f.num)))
    lines.append(f.text("local.speed_note"))
    warn = [
        f.text("local.warning." + w, context=f.integer(s["model_context"] or 0))
        for w in plan.warnings
    ]
    lines += ["", *warn]
    lines += _sources(f, plan)
    return "\n".join(lines)
