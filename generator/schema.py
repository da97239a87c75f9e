"""The schema of ``data/``: typed fields with their checks, and the entries they make up.

GPUs (with the architecture rates they derive peaks from), models and the scenario, as pydantic
models; every check of a single entry lives here. Reading files and reporting problems is
``validation``; cross-file checks and the loaded ``Catalog`` are ``data``.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)

from generator.span import Span
from generator.yamlio import (
    SHORT,
    control_in,
    describe,
)

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


class Ordered(Strict):
    """An input form of a figure with its range (subclasses type the three fields): the order
    is checked once, here, and ``span`` gives it to computations."""

    value: float
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self):
        if not self.low <= self.value <= self.high:
            raise ValueError("expected low ≤ value ≤ high")
        return self

    @property
    def span(self) -> Span:
        return Span(self.value, self.low, self.high)


class Range(Ordered):
    value: Fraction
    low: Fraction
    high: Fraction


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
