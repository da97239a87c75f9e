"""The typed data of each kind of page: one view model per template, as Material's blog plugin
hands its templates ``Post`` and ``View`` objects.

A page template reads the fields of its view (by name, at the top level) and the helpers of
``pages.PageHelpers``, nothing else; ``tests/test_views.py`` checks every template against its
view. Field values are the results as JSON-like data (``to_json``, ``asdict``), because the page
cache keys a page by its view's content and ``localize`` picks each language's text in them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

Data = dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class PageView:
    """What every page reads."""

    template: ClassVar[str]  # pages/<template>.md.j2

    scenario: Data  # the scenario as data, with its numbered sources and citations
    headline: Data  # the question's comparison, as ``compare --json`` prints it
    verdict: str  # its overall answer (``results.overall``)
    names: dict[str, Data]  # display names: ``gpus``/``models`` -> id -> name
    chart_sizes: dict[str, tuple[int, int]]  # chart path -> width and height in pixels

    def context(self) -> Data:
        """The fields as the template's names (and as the page cache's key)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, kw_only=True)
class IndexView(PageView):
    template = "index"
    hub: Data  # the "fine-tune or run" figures of the common cards and models
    gpu: Data  # the question's GPU and model as data, and the model's results
    model: Data
    model_result: Data


@dataclass(frozen=True, kw_only=True)
class MethodView(PageView):
    template = "method"
    run: Data | None  # formats, fine-tuning bytes, overhead, calibration (None: no formats.yaml)
    mfu_prior: Data | None  # the MFU band by model size (None: no runs with published hours)
    year_seconds: float


@dataclass(frozen=True, kw_only=True)
class QuestionView(PageView):
    template = "question"
    per_precision: dict[str, Data]  # the question at each precision the card has
    claims: list[Data]  # each published claim with its same-basis rows
    training_precision: str
    sources: list[Data]
    cites: dict[str, list[int]]  # field -> its source numbers
    peak_tera: float  # the worked example: the peak in 10¹² FLOP/s
    high_factor: float | None  # the high estimate over the central one
    rounded_years: float | None  # GPU-years from the budget rounded to three digits
    model: Data


@dataclass(frozen=True, kw_only=True)
class GpusView(PageView):
    template = "gpus"
    gpus: dict[str, Data]
    groups: list[Data]
    years: list[int]  # release years, for the timeline's filter
    results: dict[str, Data]
    headline_pairs: dict[str, Data]  # each GPU with the question's model


@dataclass(frozen=True, kw_only=True)
class ModelsView(PageView):
    template = "models"
    models: dict[str, Data]
    results: dict[str, Data]
    headline_pairs: dict[str, Data]  # each model on the question's GPU


@dataclass(frozen=True, kw_only=True)
class MatrixView(PageView):
    template = "matrix"
    known_models: list[str]  # models with a known training compute (the matrix's columns)
    heatmap: dict[str, list[str]]  # the heat map's GPUs and models
    realistic_factor: float  # realistic years ÷ best-case years: 1 / reference MFU


@dataclass(frozen=True, kw_only=True)
class InsteadView(PageView):
    template = "instead"
    gpu_results: dict[str, Data]
    recipes: list[Data]
    full_recipe: str
    checks: list[Data]  # the seed answer's small runs, checked per GPU


@dataclass(frozen=True, kw_only=True)
class RunView(PageView):
    template = "run"
    hub: Data


@dataclass(frozen=True, kw_only=True)
class SourcesView(PageView):
    template = "sources"
    bibliography: list[Data]  # every source once, with what it supports


@dataclass(frozen=True, kw_only=True)
class CalculatorView(PageView):
    template = "calculator"
    calc_rows: list[Data]  # the answer rows: field of compare --json and its format
    formats: dict[str, Data] | None  # weight formats for the run form (None: no formats.yaml)


@dataclass(frozen=True, kw_only=True)
class DataView(PageView):
    template = "data"
    counts: dict[str, int]


@dataclass(frozen=True, kw_only=True)
class GpuView(PageView):
    """One GPU's page: its figures, the selected models on it, what it runs and fine-tunes."""

    template = "gpu"
    gpu: Data
    result: Data
    pairs: dict[str, Data]  # model id -> the pair's results (the selected models)
    summary: Data  # shortest and longest years, for the chart's alt text
    models: dict[str, Data]
    shown: dict[str, int]  # models shown ``n`` of ``of``
    run: Data | None
    answer: Data  # the page's opening answer: the question's model on this card


@dataclass(frozen=True, kw_only=True)
class ModelView(PageView):
    """One model's page: its figures, the selected GPUs for it, what running it takes."""

    template = "model"
    model: Data
    result: Data
    pairs: dict[str, Data]  # GPU id -> the pair's results (the selected GPUs)
    summary: Data
    gpus: dict[str, Data]
    shown: dict[str, int]
    hardware_gpu: Data | None  # the catalog GPU it was trained on, if listed
    run: Data | None
    answer: Data  # the opening answer: on the question's card and on the fastest one
