"""The files offered for download beside the pages: results, catalog, calculator and matrix data."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from generator.data import Catalog, json_schemas
from generator.results import Results, dumps
from generator.schema import text_in


def calculator_json(catalog: Catalog) -> bytes:
    """The catalog as the browser calculator reads it (compact: every page may load it)."""
    from generator import calculator

    text = json.dumps(calculator.data(catalog), ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode()


def matrix_json(catalog: Catalog, results: Results) -> bytes:
    """What the matrix page's table reads: display names (a string, or one per language) and,
    for every GPU and every model whose training compute is known, the years in the best case
    and at the realistic rate, unrounded. Grows with GPUs × models, so it is a file the page
    loads, not HTML. With the assumptions of those years (each GPU's training precision, the
    scenario's duty cycle and MFU), which the links into the calculator carry."""
    known = [mid for mid, r in results.models.items() if r.compute]
    s = catalog.scenario
    data = {
        "precision": {gid: g.training_precision for gid, g in results.gpus.items()},
        "utilization": s.question.utilization,
        "mfu": s.reference_mfu.value,
        "gpus": {gid: g.name for gid, g in catalog.gpus.items()},
        "models": {mid: catalog.models[mid].name for mid in known},
        "years": {
            gid: {mid: [row[mid].years_best.value, row[mid].years_realistic] for mid in known}
            for gid, row in results.pairs.items()
        },
    }
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def csv_text(rows: list[dict[str, Any]]) -> str:
    """Rows as CSV with a header, raw numbers, empty cells for missing values."""

    def cell(v: Any) -> Any:
        # A text cell starting with = + - @ is run as a formula by spreadsheets: quote it.
        if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + v
        return "" if v is None else v

    header = list(rows[0]) if rows else []
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([cell(r[k]) for k in header] for r in rows)  # every row has the same keys
    return buf.getvalue()


def _csv(rows: list[dict[str, Any]]) -> bytes:
    return csv_text(rows).encode()


def downloads(catalog: Catalog, results: Results) -> dict[str, bytes]:
    """results.json/.csv, the catalog as JSON and CSV, and the JSON Schema of the data files."""
    gpus = [
        {
            "id": g.id,
            "name": g.label("en"),  # the downloads are in English, like their column names
            "vendor": g.vendor,
            "class": g.class_,
            "release_date": g.release_date.isoformat(),
            "memory_gib": g.memory_gib,
            "memory_bandwidth_gbs": g.memory_bandwidth_gbs,
            "board_power_w": g.board_power_w,
            **{f"{p}_tflops": g.peak(p) for p in ("fp32", "tf32", "fp16", "bf16", "fp8")},
            "launch_price_usd": g.launch_price_usd,
            "cloud_usd_per_hour": g.cloud_price.usd_per_hour if g.cloud_price else None,
            "sources": " ".join(str(s.url) for s in g.sources),
        }
        for g in catalog.gpus.values()
    ]
    models = []
    for m in catalog.models.values():
        c = results.models[m.id].compute
        hw = m.training_hardware
        models.append(
            {
                "id": m.id,
                "name": m.label("en"),
                "organization": text_in(m.organization, "en"),
                "release_date": m.release_date.isoformat(),
                "parameters": m.parameters,
                "active_parameters": m.active_parameters,
                "training_tokens": m.training_tokens,
                "training_flops": c and c.flops,
                "training_flops_low": c and c.low,
                "training_flops_high": c and c.high,
                "training_flops_method": c.method if c else "unknown",
                "training_hardware": text_in(hw.name, "en") if hw else None,
                "gpu_hours": hw.gpu_hours if hw else None,
                "sources": " ".join(str(s.url) for s in m.sources),
            }
        )
    pairs = []
    for gid, row in results.pairs.items():
        for mid, p in row.items():
            pairs.append(
                {
                    "gpu": gid,
                    "model": mid,
                    "years_best": p.years_best and p.years_best.value,
                    "years_best_low": p.years_best and p.years_best.low,
                    "years_best_high": p.years_best and p.years_best.high,
                    "years_realistic": p.years_realistic,
                    **{
                        f"gpus_for_{d}_days": (p.gpus_needed or {}).get(d)
                        for d in (f"{t:g}" for t in catalog.scenario.target_days)
                    },
                    "min_gpus_for_memory": p.min_gpus_for_memory,
                    "fits_training": p.fits_training,
                    **{f"fits_inference_{k}": v for k, v in p.fits_inference.items()},
                    "run_gpu_hours": p.run_gpu_hours,
                    "run_energy_kwh": p.run_energy_kwh,
                    "run_electricity_cost": p.run_electricity_cost,
                    "run_cloud_cost_usd": p.run_cloud_cost_usd,
                }
            )
    catalog_json = {
        "gpus": [g.model_dump(mode="json", by_alias=True) for g in catalog.gpus.values()],
        "models": [m.model_dump(mode="json") for m in catalog.models.values()],
        "scenario": catalog.scenario.model_dump(mode="json"),
    }
    out = {
        "results.json": dumps(results).encode(),
        "calculator.json": calculator_json(catalog),
        "matrix.json": matrix_json(catalog, results),
        "results.csv": _csv(pairs),
        "catalog.json": (json.dumps(catalog_json, indent=1, ensure_ascii=False) + "\n").encode(),
        "gpus.csv": _csv(gpus),
        "models.csv": _csv(models),
    }
    out.update({f"schema/{name}": text.encode() for name, text in json_schemas().items()})
    return out
