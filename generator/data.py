"""Load and validate the catalog in ``data/``: GPUs, models and the scenario.

Every problem is collected and reported together, each naming the file, the entry (index and id)
and the field, so one run of ``gpu-year validate`` shows everything that needs fixing.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from generator.coverage import check_sources, figure_paths
from generator.yamlio import (
    SHORT,
    DataError,
    Document,
    Problem,
    control_in,
    describe,
    parse_yaml,
    read_yaml,
)

if TYPE_CHECKING:
    from generator import localdata

__all__ = ["DataError", "Problem", "figure_paths", "read_yaml"]  # re-exported for callers

DATA_FILES = ("gpus.yaml", "models.yaml", "scenario.yaml")
# Optional: the architecture rates GPU entries derive peaks from (absent in old revisions).
ARCH_FILE = "architectures.yaml"
PRECISIONS = ("fp32", "tf32", "fp16", "bf16", "fp8")
LANGS = ("en", "de")
ID_PATTERN = r"^[a-z0-9][a-z0-9.-]{0,63}$"
# Ids become file names (``gpus/<id>.en.md``): no names Windows reserves, none that collide with
# the index pages, none that look like a language suffix.
RESERVED_IDS = {"index", "con", "prn", "aux", "nul"} | {
    f"{p}{i}" for p in ("com", "lpt") for i in range(10)
}


# ---------------------------------------------------------------- field types


def _magnitude(lo: float, hi: float, unit: str, hint: str = ""):
    def check(v: float) -> float:
        if not lo <= v <= hi:
            extra = f"; {hint}" if hint else ""
            raise ValueError(f"expected {unit} between {lo:g} and {hi:g}, got {v:g}{extra}")
        return v

    return AfterValidator(check)


def Quantity(lo: float, hi: float, unit: str, hint: str = "") -> Any:
    """A strictly positive, finite number with a plausible range (catches unit mix-ups)."""
    return Annotated[
        float,
        Field(strict=True, allow_inf_nan=False, gt=0, json_schema_extra={"unit": unit}),
        _magnitude(lo, hi, unit, hint),
    ]


def Count(lo: int, hi: int, unit: str) -> Any:
    return Annotated[int, Field(strict=True, ge=lo, le=hi, json_schema_extra={"unit": unit})]


def _check_id(v: str) -> str:
    if v in RESERVED_IDS or v.rsplit(".", 1)[-1] in (*LANGS, "md", "svg", "json", "csv"):
        raise ValueError(f"{v!r} is reserved (it would clash with a generated file name)")
    return v


Id = Annotated[
    str,
    Field(strict=True, pattern=ID_PATTERN, description="lower-case slug, e.g. rtx-4070-ti"),
    AfterValidator(_check_id),
]


def _printable(text: str, allow: str = "", where: str = "") -> str:
    """``text``, refused when it holds a control character: it would reach terminals raw."""
    c = control_in(text, allow)
    if c is not None:
        raise ValueError(
            f"contains the control character U+{ord(c):04X}{where} (at character "
            f"{text.index(c) + 1}): names and texts are printed to terminals and pages, where it "
            "could rewrite or reorder what is shown; remove it"
        )
    return text


Text = Annotated[str, Field(strict=True, min_length=1, max_length=300), AfterValidator(_printable)]
Prose = Annotated[  # notes may run over several lines
    str,
    Field(strict=True, min_length=1, max_length=2000),
    AfterValidator(lambda v: _printable(v, allow="\n")),
]
LANG_NAMES = {"en": "English", "de": "German"}


def _localized(v: Any) -> str | dict[str, str]:
    """Free text shown on pages: one language-neutral string, or ``{en: …, de: …}`` (all)."""

    def text(s: Any, where: str = "") -> str:
        if not isinstance(s, str):
            raise ValueError(f"expected text{where}, got {describe(s)}")
        if not s.strip() or len(s) > 300:
            raise ValueError(f"expected 1 to 300 characters{where}, got {len(s)}")
        return _printable(s, where=where)

    if isinstance(v, dict):
        unknown = [k for k in v if k not in LANGS]
        if unknown:
            raise ValueError(
                f"unknown language {SHORT.repr(unknown[0])}: give exactly {', '.join(LANGS)}"
            )
        missing = [lang for lang in LANGS if lang not in v]
        if missing:
            which = " and ".join(f"{LANG_NAMES[m]} ({m})" for m in missing)
            raise ValueError(
                f"missing the {which} translation: give every language ({', '.join(LANGS)}), "
                "or one plain string if the text is the same in all of them (a proper name)"
            )
        return {lang: text(v[lang], f" in {lang}") for lang in LANGS}
    if isinstance(v, str):
        return text(v)
    raise ValueError(f"expected text or a mapping {{en: …, de: …}}, got {describe(v)}")


Localized = Annotated[
    Any,
    PlainValidator(_localized),
    WithJsonSchema(
        {
            "description": (
                "text shown on pages: a plain string when it is the same in every language "
                "(a proper name), else one text per language"
            ),
            "anyOf": [
                {"type": "string", "minLength": 1, "maxLength": 300},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": list(LANGS),
                    "properties": {
                        lang: {"type": "string", "minLength": 1, "maxLength": 300} for lang in LANGS
                    },
                },
            ],
        }
    ),
]


def _maybe_localized(v: Any) -> str | dict[str, str] | None:
    return None if v is None else _localized(v)


MaybeLocalized = Annotated[
    Any,
    PlainValidator(_maybe_localized),
    WithJsonSchema({"anyOf": [*Localized.__metadata__[1].json_schema["anyOf"], {"type": "null"}]}),
]


def text_in(value: Any, lang: str) -> Any:
    """A ``Localized`` value in ``lang``: the string itself or its ``lang`` entry."""
    return value[lang] if isinstance(value, dict) else value


def localize(value: Any, lang: str) -> Any:
    """``value`` (JSON-like data) with every ``{en: …, de: …}`` mapping replaced by its ``lang``
    text: page contexts and chart data are language-neutral, this picks one language's view."""
    if isinstance(value, dict):
        if value and set(value) == set(LANGS):
            return value[lang]
        return {k: localize(v, lang) for k, v in value.items()}
    if isinstance(value, list):
        return [localize(v, lang) for v in value]
    return value


def map_text(fn: Any, value: Any) -> Any:
    """``fn`` applied to each language's text of a ``Localized`` value."""
    return {k: fn(v) for k, v in value.items()} if isinstance(value, dict) else fn(value)


class Named:
    """An entry with a proper ``name`` and an optional localized ``qualifier`` ("per chip")."""

    def label(self, lang: str) -> str:
        """The display name in ``lang``: ``Google Cloud TPU v4 (pro Chip)``."""
        q = getattr(self, "qualifier", None)
        return self.name if q is None else f"{self.name} ({text_in(q, lang)})"

    @property
    def labels(self) -> Any:
        """The display name in every language: a string, or ``{en: …, de: …}`` when it differs."""
        if not isinstance(getattr(self, "qualifier", None), dict):
            return self.label(LANGS[0])
        return {lang: self.label(lang) for lang in LANGS}


TFlops = Quantity(
    0.01, 100_000, "TFLOPS (10¹² FLOP/s)", "is it written in FLOP/s instead of TFLOPS?"
)
# Shares of time or of a peak, and how long a GPU runs: bounded away from 0, so that no figure
# derived from them (GPU-years, GPUs needed, energy) overflows or rounds to nothing.
MIN_FRACTION = 0.001
YEARS_RANGE = (0.001, 1000)
Fraction = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=MIN_FRACTION, le=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Source(Strict):
    """A published document that supports some of the entry's figures."""

    url: HttpUrl
    title: Text
    lang: Annotated[str, Field(pattern=r"^[a-z]{2}$", description="language of the document")] = (
        "en"
    )
    fields: list[Annotated[str, Field(pattern=r"^[a-z0-9_.]+$")]] = Field(min_length=1)
    secondary: bool = Field(
        default=False,
        description=(
            "true when the document only repeats figures whose primary source could not be found"
        ),
    )


class Note(Strict):
    """A remark on one field (or ``general``), in both languages."""

    field: Annotated[str, Field(pattern=r"^[a-z0-9_.]+$")]
    en: Prose
    de: Prose


class Sourced(Strict):
    notes: list[Note] = []
    sources: list[Source] = Field(min_length=1)


# ---------------------------------------------------------------- GPUs


class Peaks(Strict):
    """Dense peak throughput per precision, in TFLOPS; a missing key means the chip lacks it."""

    fp32: TFlops | None = None
    tf32: TFlops | None = None
    fp16: TFlops | None = None
    bf16: TFlops | None = None
    fp8: TFlops | None = None

    @model_validator(mode="after")
    def _some(self):
        if not any(getattr(self, p) for p in PRECISIONS):
            raise ValueError("give at least one precision (fp32, tf32, fp16, bf16, fp8)")
        return self


class CloudPrice(Strict):
    usd_per_hour: Quantity(0.01, 1000, "USD per GPU-hour")
    provider: Localized
    as_of: date


QUALIFIER = Field(
    default=None,
    description=(
        "the descriptive part of the display name, shown in parentheses after name: "
        "{en: per chip, de: pro Chip}"
    ),
)


FlopPerClock = Quantity(0.01, 1_000_000, "FLOP per clock and unit")


class Rates(Strict):
    """Dense FLOP per clock and unit (SM, CU, core) per precision; FMA counts as 2 FLOP."""

    fp32: FlopPerClock | None = None
    tf32: FlopPerClock | None = None
    fp16: FlopPerClock | None = None
    bf16: FlopPerClock | None = None
    fp8: FlopPerClock | None = None

    def tflops(self, units: int, clock_mhz: float) -> dict[str, float]:
        """The peaks these rates give on ``units`` units at ``clock_mhz``, in TFLOPS."""
        return {
            p: rate * units * clock_mhz * 1e6 / 1e12
            for p in PRECISIONS
            if (rate := getattr(self, p)) is not None
        }


class GpuArchitecture(Sourced):
    """A maker's per-unit throughput for one architecture (and segment: GeForce halves the
    FP32-accumulate tensor rate that workstation parts of the same chip run at full speed)."""

    id: Id
    name: Text
    vendor: Text
    unit: Text = Field(description="what the rates are per: SM, CU, Xe-core, GPU core")
    flop_per_clock: Rates
    inference_flop_per_clock: Rates | None = Field(
        default=None,
        description=(
            "rates inference kernels reach where they differ from the training rates, e.g. "
            "GeForce tensor FP16 with FP16 accumulate; unset precisions fall back to "
            "flop_per_clock"
        ),
    )


class Derivation(Strict):
    """The inputs a GPU's peaks are computed from: architecture rate × units × boost clock."""

    architecture: Id
    units: Count(1, 100_000, "SMs, CUs or cores")
    boost_clock_mhz: Quantity(100, 10_000, "MHz")


class Gpu(Named, Sourced):
    id: Id
    name: Text
    qualifier: MaybeLocalized = QUALIFIER
    vendor: Text
    class_: Literal["consumer", "workstation", "datacenter"] = Field(alias="class")
    architecture: MaybeLocalized = None
    release_date: date
    memory_gib: Quantity(0.25, 4096, "GiB", "memory is given in GiB, not bytes")
    memory_options_gib: list[Quantity(0.25, 4096, "GiB")] | None = Field(
        default=None,
        description="the memory sizes sold for this chip (unified memory); memory_gib is one",
    )
    memory_type: MaybeLocalized = None
    memory_bandwidth_gbs: Quantity(1, 100_000, "GB/s")
    board_power_w: Quantity(1, 5000, "watts") | None = None
    derivation: Derivation | None = Field(
        default=None,
        description="compute peak_tflops from an architecture's rates instead of stating it",
    )
    peak_tflops: Peaks | None = None
    inference_tflops: Peaks | None = Field(
        default=None,
        description="set by the loader from a derivation: the peaks inference kernels reach",
        json_schema_extra={"readOnly": True},
    )
    launch_price_usd: Quantity(1, 1_000_000, "USD") | None = None
    cloud_price: CloudPrice | None = None

    @model_validator(mode="before")
    @classmethod
    def _computed(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and "inference_tflops" in raw:
            raise ValueError("inference_tflops is computed from derivation; remove it")
        return raw

    @model_validator(mode="after")
    def _peaks(self):
        if (self.derivation is None) == (self.peak_tflops is None):
            raise ValueError("give either peak_tflops or derivation (which computes them)")
        if self.memory_options_gib and self.memory_gib not in self.memory_options_gib:
            raise ValueError("memory_gib must be one of memory_options_gib")
        return self

    def peak(self, precision: str) -> float | None:
        """Dense peak in TFLOPS at ``precision`` or None."""
        return getattr(self.peak_tflops, precision)

    def inference_peak_at(self, precision: str) -> float | None:
        """The peak inference kernels reach at ``precision`` (FP16 accumulate on GeForce)."""
        faster = self.inference_tflops and getattr(self.inference_tflops, precision)
        return faster or self.peak(precision)

    def derived(self, arch: GpuArchitecture) -> Gpu:
        """This GPU with peak_tflops (and inference_tflops) computed from ``arch``."""
        d = self.derivation
        assert d is not None
        train = arch.flop_per_clock.tflops(d.units, d.boost_clock_mhz)
        infer = (
            arch.inference_flop_per_clock.tflops(d.units, d.boost_clock_mhz)
            if arch.inference_flop_per_clock
            else {}
        )
        return self.model_copy(
            update={
                "peak_tflops": Peaks(**train),
                "inference_tflops": Peaks(**(train | infer)) if infer else None,
            }
        )


# ---------------------------------------------------------------- models


class TrainingCompute(Strict):
    flops: Quantity(1e15, 1e30, "FLOP")
    kind: Literal["reported", "estimated"]
    by: Localized
    low: Quantity(1e15, 1e30, "FLOP") | None = None
    high: Quantity(1e15, 1e30, "FLOP") | None = None
    derived_from: Literal["hardware"] | None = Field(
        default=None,
        description=(
            "'hardware' when flops was itself computed from accelerator-hours × an assumed "
            "utilization (Epoch AI's hardware method), so an MFU implied by it only returns "
            "the assumption"
        ),
    )

    @model_validator(mode="after")
    def _ordered(self):
        if self.low is not None and self.low > self.flops:
            raise ValueError(f"low ({self.low:g}) is above flops ({self.flops:g})")
        if self.high is not None and self.high < self.flops:
            raise ValueError(f"high ({self.high:g}) is below flops ({self.flops:g})")
        return self


class TrainingHardware(Strict):
    gpu: Id | None = None
    name: Localized
    count: Count(1, 10_000_000, "accelerators") | None = None
    gpu_hours: Quantity(1, 1e10, "accelerator-hours") | None = None
    precision: Literal["fp8"] | None = Field(
        default=None,
        description="set where the run multiplied in FP8 (DeepSeek-V3); else BF16/FP16 is assumed",
    )


class Architecture(Strict):
    layers: Count(1, 10_000, "layers") | None = None
    d_model: Count(1, 1_000_000, "hidden size") | None = None
    heads: Count(1, 10_000, "attention heads") | None = None
    kv_heads: Count(1, 10_000, "key/value heads") | None = None
    kv_cache_dim: Count(1, 1_000_000, "cached values per token and layer") | None = None
    context_length: Count(1, 100_000_000, "tokens") | None = None
    vocab_size: Count(1, 10_000_000, "tokens") | None = None
    attention_window: Count(1, 100_000_000, "tokens") | None = Field(
        default=None,
        description=(
            "tokens a local-attention layer caches: the sliding window or the attention chunk size"
        ),
    )
    local_layers: Count(1, 10_000, "layers") | None = Field(
        default=None,
        description=(
            "how many layers use attention_window; unset with a window set means all layers do"
        ),
    )

    @model_validator(mode="after")
    def _heads(self):
        if (
            self.heads
            and self.kv_heads
            and (self.kv_heads > self.heads or self.heads % self.kv_heads)
        ):
            raise ValueError(f"kv_heads ({self.kv_heads}) must divide heads ({self.heads})")
        return self

    @model_validator(mode="after")
    def _local(self):
        if self.local_layers is not None and self.attention_window is None:
            raise ValueError("local_layers needs attention_window (the window those layers use)")
        if self.local_layers is not None and self.layers and self.local_layers > self.layers:
            raise ValueError(f"local_layers ({self.local_layers}) exceeds layers ({self.layers})")
        return self


class Model(Named, Sourced):
    id: Id
    name: Text
    qualifier: MaybeLocalized = QUALIFIER
    organization: Localized
    release_date: date
    open_weights: bool
    parameters: Quantity(1e6, 1e15, "parameters", "write 175.0e9 for 175 billion")
    active_parameters: Quantity(1e6, 1e15, "parameters") | None = None
    training_tokens: Quantity(1e6, 1e16, "tokens") | None = None
    estimated: list[Annotated[str, Field(pattern=r"^[a-z0-9_.]+$")]] = []  # field paths
    training_compute: TrainingCompute | None = None
    training_hardware: TrainingHardware | None = None
    architecture: Architecture | None = None

    @model_validator(mode="after")
    def _consistent(self):
        if self.active_parameters and self.active_parameters > self.parameters:
            raise ValueError("active_parameters exceeds parameters (the total)")
        return self

    @property
    def is_moe(self) -> bool:
        return self.active_parameters is not None

    @property
    def compute_parameters(self) -> float:
        """Parameters that do work per token: active for mixture-of-experts, else all."""
        return self.active_parameters or self.parameters


# ---------------------------------------------------------------- scenario


class Question(Strict):
    gpu: Id
    model: Id
    years: Quantity(*YEARS_RANGE, "years")
    utilization: Fraction
    precision: Literal["fp32", "tf32", "fp16", "bf16", "fp8"]


class Range(Strict):
    value: Fraction
    low: Fraction
    high: Fraction

    @model_validator(mode="after")
    def _ordered(self):
        if not self.low <= self.value <= self.high:
            raise ValueError("expected low ≤ value ≤ high")
        return self


class Recipe(Sourced):
    """Memory per parameter of a way to train: full training, LoRA, QLoRA."""

    id: Id
    kind: Literal["full", "lora", "qlora"]
    name_en: Text
    name_de: Text
    bytes_per_param: Quantity(0.1, 64, "bytes per parameter")
    breakdown: dict[str, Quantity(0.01, 64, "bytes per parameter")] = {}
    # the low end: a leaner accounting of the same method (no FP32 master copy)
    lean_bytes_per_param: Quantity(0.1, 64, "bytes per parameter") | None = None

    @model_validator(mode="after")
    def _sum(self):
        total = sum(self.breakdown.values())
        if self.breakdown and not math.isclose(total, self.bytes_per_param, rel_tol=1e-6):
            raise ValueError(f"breakdown sums to {total:g}, not {self.bytes_per_param:g}")
        if (self.lean_bytes_per_param or 0) > self.bytes_per_param:
            raise ValueError("expected lean_bytes_per_param ≤ bytes_per_param")
        return self


class Activations(Strict):
    batch_size: Count(1, 100_000, "sequences")
    sequence_length: Count(1, 10_000_000, "tokens")
    recompute: Literal["none", "selective", "full"]


class Inference(Strict):
    batch_size: Count(1, 100_000, "sequences")
    kv_cache_bytes: Quantity(0.25, 8, "bytes per value")
    weight_bytes: dict[Literal["fp16", "int8", "int4"], Quantity(0.1, 8, "bytes per parameter")]


class Electricity(Strict):
    price_per_kwh: Quantity(0.001, 10, "currency units per kWh")
    currency: Literal["EUR", "USD"]
    region_en: Text
    region_de: Text
    as_of: date


class Claim(Sourced):
    """A popular figure the site recomputes: "GPT-3 takes 35 years on an A100"."""

    id: Id
    text_en: Prose
    text_de: Prose
    model: Id
    gpu: Id | None = None
    precision: Literal["fp32", "tf32", "fp16", "bf16", "fp8"] | None = None
    tflops: TFlops | None = None  # when the claim assumes a bare throughput instead of a GPU
    utilization: Fraction
    claimed_years: Quantity(0.001, 1e9, "years")

    @model_validator(mode="after")
    def _basis(self):
        if (self.gpu is None) == (self.tflops is None):
            raise ValueError("give either gpu (with precision) or tflops")
        if self.gpu and not self.precision:
            raise ValueError("a claim about a GPU needs its precision")
        return self


class Scenario(Sourced):
    question: Question
    year_days: Quantity(360, 366, "days")
    reference_mfu: Range
    training_recipe: Id
    recipes: list[Recipe] = Field(min_length=1)
    activations: Activations
    inference: Inference
    electricity: Electricity
    target_days: list[Quantity(1, 36_500, "days")] = Field(min_length=1)
    chart_gpus: list[Id] = Field(
        min_length=1, description="GPUs drawn as budget lines and VRAM marks"
    )
    small_models: list[Quantity(1e6, 1e13, "parameters")] = Field(min_length=1)
    small_model_gpus: list[Id] = Field(min_length=1)
    claims: list[Claim] = []

    def recipe(self, rid: str) -> Recipe:
        return next(r for r in self.recipes if r.id == rid)


# ---------------------------------------------------------------- the catalog


@dataclass(frozen=True)
class Catalog:
    """The validated data: GPUs and models keyed by id (in file order), and the scenario."""

    gpus: dict[str, Gpu]
    models: dict[str, Model]
    scenario: Scenario
    local: localdata.Local | None = None  # formats.yaml and measurements.yaml, when present
    architectures: dict[str, GpuArchitecture] = dataclasses.field(default_factory=dict)

    def gpu(self, key: str) -> Gpu:
        """A GPU by id (directly: the engine looks ids up in loops) or by what people type."""
        return self.gpus.get(key) or self.gpus[resolve(key, self.gpus, "GPU")]

    def model(self, key: str) -> Model:
        """A model by id, or by what people type."""
        return self.models.get(key) or self.models[resolve(key, self.models, "model")]


class UnknownEntry(LookupError):
    """An id or name that is not in the catalog; the message lists the close entries."""


# Words a name may carry or leave out ("NVIDIA GeForce RTX 4090" is the "RTX 4090", the "4090"):
# makers, product lines and families that never tell two entries apart on their own.
BRAND_WORDS = frozenset(
    {"nvidia", "geforce", "rtx", "gtx", "tesla", "amd", "radeon", "rx", "instinct", "intel", "arc"}
    | {"apple", "google", "cloud", "meta"}
)
MAX_LISTED = 8  # entries an ambiguous look-up lists


def _tokens(text: str) -> list[str]:
    """``text`` in the pieces people type: Unicode-normalized (NFKC), case-folded, split into
    runs of letters (of any script) and of digits, a "." between digits kept, everything else a
    separator: ``Qwen2.5-7B`` → ``qwen``, ``2.5``, ``7``, ``b``."""
    s = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    out: list[str] = []
    run = prev = ""
    for i, c in enumerate(s):
        kind = "a" if unicodedata.category(c)[0] in "LM" else "9" if c.isdecimal() else ""
        if c == "." and prev == "9" and s[i + 1 : i + 2].isdecimal():
            kind = "9"  # 2.5, 3.1
        if run and kind != prev:
            out.append(run)
            run = ""
        run += c if kind else ""
        prev = kind
    return [*out, run] if run else out


def _folded(text: str) -> str:
    """``text`` without case, separators and punctuation: ``RTX 4090`` → ``rtx4090``, and
    ``Ускоритель-1`` → ``ускоритель1`` (letters of every script are kept)."""
    return "".join(_tokens(text))


def _labels(entry: Named) -> list[str]:
    """The names an entry is found by: its display name in every language (without repeats)."""
    return list(dict.fromkeys(entry.label(lang) for lang in LANGS))


@dataclass(frozen=True)
class _Name:
    """One name of an entry as look-ups compare it."""

    folded: str
    tokens: frozenset[str]  # a query matches when each of its tokens is one of these
    required: frozenset[str]  # … and names this entry alone when it has all of these


def _names(eid: str, entry: Named) -> list[_Name]:
    """The id and the display names; brand words and the qualifier ("40-core GPU") are optional."""

    def name(full: str, core: str) -> _Name:
        return _Name(
            _folded(full), frozenset(_tokens(full)), frozenset(_tokens(core)) - BRAND_WORDS
        )

    return [name(eid, eid), *(name(label, entry.name) for label in _labels(entry))]


def resolve(key: str, entries: dict[str, Gpu] | dict[str, Model], what: str) -> str:
    """The id of the entry ``key`` names: its id or display name (ignoring case, spaces and
    punctuation), or whole words of one that fit no other entry.

    ``rtx-4090``, ``RTX 4090`` and ``4090`` find the RTX 4090; ``4070`` finds the RTX 4070, never
    the 4070 Ti, and ``T4`` never the M4. ``UnknownEntry`` when no entry or several fit: a bare
    ``V100`` with a SXM2 and a PCIe card lists both, ``GTX 1080`` with only a 1080 Ti in the
    catalog asks for it, a typo lists the closest entries.
    """
    names = {eid: _names(eid, e) for eid, e in entries.items()}
    k, query = _folded(key), frozenset(_tokens(key))
    exact = [eid for eid, ns in names.items() if k and any(n.folded == k for n in ns)]
    if len(exact) == 1:
        return exact[0]
    whole, more = [], []  # entries the words name fully, and those with words left over
    for eid, ns in names.items():
        fits = [n for n in ns if query and query <= n.tokens]
        if fits:
            (whole if any(n.required <= query for n in fits) else more).append(eid)
    if len(whole) == 1:
        return whole[0]

    def shown(ids: list[str]) -> str:
        listed = [f"{i} ({entries[i].label(LANGS[0])})" for i in ids[:MAX_LISTED]]
        rest = f" and {len(ids) - MAX_LISTED} more" if len(ids) > MAX_LISTED else ""
        return ", ".join(listed) + rest

    typed, listing = SHORT.repr(key), f"`gpu-year list {what.lower()}s` shows all ids"
    if len(whole) + len(more) > 1:
        raise UnknownEntry(
            f"ambiguous {what} {typed}: it matches {shown(whole + more)}; give one of these ids"
            + (f" ({listing})" if len(whole) + len(more) > MAX_LISTED else "")
        )
    if more:
        raise UnknownEntry(f"no {what} named {typed}; did you mean {shown(more)}?")
    back = {n.folded: eid for eid, ns in names.items() for n in ns}
    close = difflib.get_close_matches(k, back, n=10, cutoff=0.5)
    ids = list(dict.fromkeys(back[c] for c in close))[:3]
    hint = f" Did you mean {shown(ids)}?" if ids else ""
    raise UnknownEntry(f"unknown {what} {typed}.{hint} ({listing})")


def _entry_label(kind: str, i: int, raw: Any) -> str:
    rid = raw.get("id") if isinstance(raw, dict) else None
    return f"{kind}[{i}]" + (f" (id {SHORT.repr(rid)})" if isinstance(rid, str) else "")


def _problems_from(
    err: ValidationError, file: str, entry: str, doc: Document | None = None, raw: Any = None
) -> Iterator[Problem]:
    """One problem per pydantic error, with the line of the field when ``doc`` is given."""
    for e in err.errors(include_url=False):
        field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e["loc"]).lstrip(".")
        kind, got = e["type"], e.get("input")
        if kind == "extra_forbidden":
            msg = "unknown field (check the spelling; see data/schema/ for the allowed fields)"
        elif kind == "missing":
            msg = "required field is missing"
        elif kind in ("float_type", "int_type", "float_parsing", "int_parsing"):
            number = "a whole number" if kind.startswith("int") else "a number"
            msg = f"expected {number}, got {describe(got)}"
        elif kind == "finite_number":
            msg = f"expected a finite number, got {describe(got)}"
        elif kind == "greater_than":
            msg = f"expected a number > 0, got {describe(got)}"
        elif kind == "string_pattern_mismatch" and field.endswith("id"):
            msg = f"expected a lower-case slug like 'rtx-4070-ti', got {describe(got)}"
        elif kind == "date_type" or kind.startswith("date_"):
            msg = f"expected a date YYYY-MM-DD, got {describe(got)}"
        else:
            msg = e["msg"].removeprefix("Value error, ")
            if got is not None and kind not in ("value_error", "model_type", "list_type"):
                msg += f" (got {describe(got)})"
        line = doc.line(*e["loc"], start=raw) if doc is not None else None
        yield Problem(file, entry, field, msg, line)


def _load_list(
    path: Path, key: str, cls: type[Strict], problems: list[Problem], docs: dict[str, Document]
) -> dict[str, Any]:
    file = str(path)
    try:
        doc = docs[file] = parse_yaml(path)
    except DataError as e:
        problems.extend(e.problems)
        return {}
    data = doc.data
    if not isinstance(data, dict) or set(data) != {key} or not isinstance(data[key], list):
        problems.append(
            Problem(file, "", "", f"expected a mapping with one key {key!r} holding a list")
        )
        return {}
    out: dict[str, Any] = {}
    names: dict[str, str] = {}  # a name or id, folded -> which entry has it and as what
    for i, raw in enumerate(data[key]):
        label = _entry_label(key, i, raw)
        line = doc.line(key, i)
        if not isinstance(raw, dict):
            problems.append(
                Problem(file, label, "", f"expected a mapping, got {describe(raw)}", line)
            )
            continue
        try:
            entry = cls.model_validate(raw)
        except ValidationError as err:
            problems.extend(_problems_from(err, file, label, doc, raw))
            continue
        problems.extend(
            dataclasses.replace(p, line=p.line or doc.line(*_loc(p.field), start=raw) or line)
            for p in check_sources(entry, file, label)
        )
        if entry.id in out:
            problems.append(
                Problem(file, label, "id", f"duplicate id {entry.id!r}", doc.line("id", start=raw))
            )
            continue
        # `compare` and the pages find entries by name too: two with one name would be ambiguous.
        shown = _labels(entry) if isinstance(entry, Named) else []  # measurements have no name
        for what, value in (*(("name", n) for n in shown), ("id", entry.id)):
            folded = _folded(value)
            if not folded:
                problems.append(
                    Problem(
                        file,
                        label,
                        what,
                        f"{describe(value)} has no letter or digit: `compare` and the pages find "
                        "entries by name",
                        doc.line(what, start=raw),
                    )
                )
                continue
            other = names.setdefault(folded, f"the {what} of {label}")
            if not other.endswith(f" of {label}"):
                problems.append(
                    Problem(
                        file,
                        label,
                        what,
                        f"{describe(value)} is already {other}: `compare` and the pages could "
                        "not tell the two apart (names and ids must differ, ignoring case, spaces "
                        "and punctuation)",
                        doc.line(what, start=raw),
                    )
                )
        out[entry.id] = entry
    return out


def _with_line(p: Problem, docs: dict[str, Document]) -> Problem:
    """``p`` with the line of its entry and field, when it has none yet and they are found."""
    doc = docs.get(p.file)
    if p.line or doc is None:
        return p
    line = doc.line(*_loc(re.sub(r" \(id .*\)$", "", p.entry)), *_loc(p.field))
    return dataclasses.replace(p, line=line) if line else p


def _loc(field: str) -> list[Any]:
    """``sources[0].fields`` -> ``["sources", 0, "fields"]``."""
    return [int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", field) if p]


def _suggest(key: str, known: dict[str, Any]) -> str:
    close = difflib.get_close_matches(key, list(known), n=3, cutoff=0.5)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def load_catalog(directory: str | Path) -> Catalog:
    """Load, validate and cross-check ``gpus.yaml``, ``models.yaml`` and ``scenario.yaml``.

    Raises ``DataError`` listing every problem found.
    """
    d = Path(directory)
    problems: list[Problem] = []
    if not d.is_dir():
        raise DataError([Problem(str(d), "", "", "data directory not found")])
    docs: dict[str, Document] = {}
    archs = (
        _load_list(d / ARCH_FILE, "architectures", GpuArchitecture, problems, docs)
        if (d / ARCH_FILE).is_file()
        else {}
    )
    gpus = _load_list(d / "gpus.yaml", "gpus", Gpu, problems, docs)
    gpus = dict(_derive(gpus, archs, str(d / "gpus.yaml"), problems))
    models = _load_list(d / "models.yaml", "models", Model, problems, docs)

    mfile = str(d / "models.yaml")
    for i, m in enumerate(models.values()):
        hw = m.training_hardware
        if hw and hw.gpu and gpus and hw.gpu not in gpus:
            label = _entry_label("models", i, {"id": m.id})
            problems.append(
                Problem(
                    mfile,
                    label,
                    "training_hardware.gpu",
                    f"unknown GPU {hw.gpu!r}{_suggest(hw.gpu, gpus)}",
                )
            )

    scenario = None
    sfile = str(d / "scenario.yaml")
    sdoc = None
    try:
        sdoc = docs[sfile] = parse_yaml(d / "scenario.yaml")
        if not isinstance(sdoc.data, dict):
            raise DataError([Problem(sfile, "", "", "expected a mapping")])
        scenario = Scenario.model_validate(sdoc.data)
    except DataError as e:
        problems.extend(e.problems)
    except ValidationError as err:
        problems.extend(_problems_from(err, sfile, "", sdoc))
    if scenario is not None:
        problems.extend(check_sources(scenario, sfile, ""))
        for key in ("recipes", "claims"):
            for i, r in enumerate(getattr(scenario, key)):
                problems.extend(check_sources(r, sfile, _entry_label(key, i, {"id": r.id})))
        problems.extend(_check_scenario(scenario, gpus, models, sfile))
    from generator.localdata import load_local  # it builds on the models here

    local = load_local(d, gpus, models, problems, docs)
    if problems:
        raise DataError([_with_line(p, docs) for p in problems])
    assert scenario is not None
    return Catalog(gpus=gpus, models=models, scenario=scenario, local=local, architectures=archs)


def _derive(
    gpus: dict[str, Gpu], archs: dict[str, GpuArchitecture], file: str, problems: list[Problem]
) -> Iterator[tuple[str, Gpu]]:
    """Every GPU, those with a derivation given their computed peaks."""
    for i, (gid, g) in enumerate(gpus.items()):
        if g.derivation is None:
            yield gid, g
        elif (arch := archs.get(g.derivation.architecture)) is None:
            name = g.derivation.architecture
            problems.append(
                Problem(
                    file,
                    _entry_label("gpus", i, {"id": gid}),
                    "derivation.architecture",
                    f"unknown architecture {name!r} (not in {ARCH_FILE}){_suggest(name, archs)}",
                )
            )
        else:
            yield gid, g.derived(arch)


def _check_scenario(s: Scenario, gpus: dict, models: dict, file: str) -> Iterator[Problem]:
    q = s.question
    if gpus and q.gpu not in gpus:
        yield Problem(file, "question", "gpu", f"unknown GPU {q.gpu!r}{_suggest(q.gpu, gpus)}")
    elif gpus and gpus[q.gpu].peak(q.precision) is None:
        have = ", ".join(p for p in PRECISIONS if gpus[q.gpu].peak(p))
        yield Problem(
            file, "question", "precision", f"{q.gpu} has no {q.precision} peak (it has: {have})"
        )
    if models and q.model not in models:
        yield Problem(
            file, "question", "model", f"unknown model {q.model!r}{_suggest(q.model, models)}"
        )
    for key in ("chart_gpus", "small_model_gpus"):
        for i, g in enumerate(getattr(s, key)):
            if gpus and g not in gpus:
                yield Problem(file, "", f"{key}[{i}]", f"unknown GPU {g!r}{_suggest(g, gpus)}")
    yield from _check_claims(s, gpus, models, file)
    ids = [r.id for r in s.recipes]
    if s.training_recipe not in ids:
        yield Problem(
            file, "", "training_recipe", f"no recipe {s.training_recipe!r} (have: {', '.join(ids)})"
        )
    if len(set(ids)) != len(ids):
        yield Problem(file, "", "recipes", "duplicate recipe id")


def _check_claims(s: Scenario, gpus: dict, models: dict, file: str) -> Iterator[Problem]:
    for i, c in enumerate(s.claims):
        label = _entry_label("claims", i, {"id": c.id})
        if c.gpu and gpus and c.gpu not in gpus:
            yield Problem(file, label, "gpu", f"unknown GPU {c.gpu!r}{_suggest(c.gpu, gpus)}")
        elif c.gpu and gpus and c.precision and gpus[c.gpu].peak(c.precision) is None:
            yield Problem(file, label, "precision", f"{c.gpu} has no {c.precision} peak")
        if models and c.model not in models:
            yield Problem(
                file, label, "model", f"unknown model {c.model!r}{_suggest(c.model, models)}"
            )
        elif (
            models
            and models[c.model].training_compute is None
            and not models[c.model].training_tokens
        ):
            yield Problem(
                file, label, "model", f"{c.model} has no training compute to compare with"
            )


def json_schemas() -> dict[str, str]:
    from generator import localdata

    """JSON Schema documents for the three data files, keyed by file name."""

    def wrap(key: str, cls: type[BaseModel]) -> dict:
        item = cls.model_json_schema(by_alias=True)
        defs = item.pop("$defs", {})
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": f"gpu-year {key}",
            "type": "object",
            "additionalProperties": False,
            "required": [key],
            "properties": {key: {"type": "array", "items": item}},
            "$defs": defs,
        }

    scenario = Scenario.model_json_schema(by_alias=True)
    scenario["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    docs = {
        "gpus.schema.json": wrap("gpus", Gpu),
        "models.schema.json": wrap("models", Model),
        "scenario.schema.json": scenario,
        "architectures.schema.json": wrap("architectures", GpuArchitecture),
    }
    return {
        k: json.dumps(v, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        for k, v in docs.items()
    } | localdata.local_json_schemas()
