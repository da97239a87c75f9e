"""A GPU or a model given on the command line instead of taken from the catalog.

They pass the same validation as catalog entries (the pydantic models of ``data.py``), so an
impossible value gets the same message as in a YAML file, with the option named instead of the
field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from generator.schema import Gpu, Model

CUSTOM = "custom"
# Custom entries are not shown on the site, but the models require a source: this one says where
# the figures came from.
_SOURCE = {"url": "https://gpu-year.invalid/command-line", "title": "given on the command line"}
_GPU_OPTIONS = {
    "peak_tflops": "--tflops",
    "memory_gib": "--memory",
    "memory_bandwidth_gbs": "--bandwidth",
    "board_power_w": "--power",
}
_MODEL_OPTIONS = {
    "parameters": "--params",
    "active_parameters": "--active-params",
    "training_tokens": "--tokens",
    "training_compute": "--flops",
}


class CustomError(ValueError):
    """A custom entry with missing or impossible values; ``option`` names the culprit."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option


def _validate(cls: type[Gpu] | type[Model], raw: dict[str, Any], options: dict[str, str]) -> Any:
    try:
        return cls.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        loc = [str(p) for p in first["loc"]]
        option = next((options[p] for p in loc if p in options), "--" + loc[0])
        raise CustomError(option, first["msg"].removeprefix("Value error, ")) from None


def custom_gpu(
    tflops: float | None,
    precision: str,
    memory_gib: float | None,
    bandwidth_gbs: float | None = None,
    power_w: float | None = None,
) -> Gpu:
    """A GPU with one dense peak (``tflops`` at ``precision``) and ``memory_gib`` of memory."""
    for value, option in ((tflops, "--tflops"), (memory_gib, "--memory")):
        if value is None:
            raise CustomError(option, f"a custom GPU needs {option}")
    figures = ["peak_tflops", "memory_gib", "memory_bandwidth_gbs", "board_power_w"]
    raw = {
        "id": CUSTOM,
        "name": f"custom GPU ({tflops:g} TFLOPS {precision.upper()}, {memory_gib:g} GiB)",
        "vendor": "custom",
        "class": "consumer",
        "release_date": date.today(),
        "memory_gib": memory_gib,
        # bandwidth only feeds inference speed; 1 GB/s stands in when it is not given
        "memory_bandwidth_gbs": bandwidth_gbs or 1.0,
        "board_power_w": power_w,
        "peak_tflops": {precision: tflops},
        "sources": [{**_SOURCE, "fields": figures}],
    }
    return _validate(Gpu, raw, _GPU_OPTIONS)


def custom_model(
    params: float | None,
    active_params: float | None = None,
    tokens: float | None = None,
    flops: float | None = None,
) -> Model:
    """A model with ``params`` parameters and either its training ``tokens`` or ``flops``."""
    if params is None:
        raise CustomError("--params", "a custom model needs --params (its parameter count)")
    if tokens is None and flops is None:
        raise CustomError("--tokens", "a custom model needs --tokens or --flops")
    raw: dict[str, Any] = {
        "id": CUSTOM,
        "name": "custom model",
        "organization": "custom",
        "release_date": date.today(),
        "open_weights": False,
        "parameters": params,
        "active_parameters": active_params,
        "training_tokens": tokens,
        "sources": [{**_SOURCE, "fields": ["parameters", "active_parameters", "training_tokens"]}],
    }
    if flops is not None:
        raw["training_compute"] = {"flops": flops, "kind": "estimated", "by": _SOURCE["title"]}
        raw["sources"][0]["fields"].append("training_compute")
    return _validate(Model, raw, _MODEL_OPTIONS)
