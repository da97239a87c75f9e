"""How long a fine-tuning run takes and what it costs (``gpu-year finetune --tokens N``).

The compute of a run over D tokens (examples × sequence × epochs), with N the parameters a token
passes through:

- full fine-tuning: 6·N·D, as pre-training (Kaplan et al. 2020): 2·N·D forward, 4·N·D backward
  (gradients of the activations and of the weights, 2·N·D each);
- LoRA: the frozen weights get no weight gradient, so 4·N·D, plus 6·N_a·D for the N_a adapter
  parameters, which are trained in full. Hu et al. 2021 ("LoRA", arXiv 2106.09685, §4.2) measure
  a 25 % speed-up over full fine-tuning of GPT-3 175B "as we do not need to calculate the gradient
  for the vast majority of the parameters" (the FLOP saving is a third);
- QLoRA: the same, plus dequantizing the 4-bit weights to BF16 before each use, forward and
  backward (Dettmers et al. 2023, "QLoRA", arXiv 2305.14314, §3: "we dequantize the storage data
  type to the computation data type to perform the forward and backward pass, but we only compute
  weight gradients for the LoRA parameters"): about one multiplication per weight and pass, once
  per micro-batch. That is well under 1 % of the FLOP at a few thousand tokens per micro-batch;
  what makes QLoRA slower in practice is the memory traffic of those kernels, which only a lower
  MFU captures.

Model FLOPs, as MFU counts them: the forward pass that gradient checkpointing recomputes is not
added (it lowers the MFU a run achieves instead). Time follows from the realistic rate of
``results`` (training peak × MFU × duty cycle) with ideal scaling over the cards; the range spans
the reference MFU range; energy and cloud cost come from ``results.run_costs``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from generator import calc, results
from generator.data import Catalog
from generator.local import Plan
from generator.results import Setup
from generator.schema import Gpu, Model
from generator.span import Span

DEQUANT_FLOP = 1  # per weight and pass: scale the NF4 code by its block's constant


def finetune_flops(
    method: str,
    parameters: float,
    active: float,
    adapters: float,
    tokens: float,
    tokens_per_step: float,
    passes: int,
) -> float:
    """Model FLOPs of fine-tuning over ``tokens`` (see the module's docstring).

    ``active``: parameters per token (a mixture of experts uses a few experts), ``parameters``: all
    of them (QLoRA dequantizes every stored weight once per micro-batch of ``tokens_per_step`` and
    pass, ``passes`` = forward, backward and the recomputation of checkpointing).
    """
    if method == "full":
        return 6 * active * tokens
    flops = 4 * active * tokens + 6 * adapters * tokens
    if method == "qlora":
        flops += DEQUANT_FLOP * parameters * passes * tokens / tokens_per_step
    return flops


@dataclass(frozen=True)
class TuneRun:
    """A fine-tuning run of ``tokens`` on the plan's cards at the realistic rate."""

    tokens: float
    finetune_flops: float
    training_precision: str
    realistic_share: float  # MFU × duty cycle
    time_s: Span  # wall-clock on all cards: value, low (highest MFU), high (lowest MFU)
    gpu_hours: float  # busy hours of all cards together
    energy_kwh: float | None  # None: the board power is not published
    electricity_cost: float | None
    electricity_price_kwh: float
    electricity_currency: str
    cloud_rate_usd: float | None
    cloud_cost_usd: float | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def tune_run(
    catalog: Catalog, gpu: Gpu, model: Model, plan: Plan, tokens: float, setup: Setup
) -> TuneRun:
    """Time, energy and cost of fine-tuning ``model`` per ``plan`` over ``tokens`` tokens."""
    s = plan.settings
    flops = finetune_flops(
        s["method"],
        model.parameters,
        model.compute_parameters,
        s["adapter_parameters"] or 0.0,
        tokens,
        s["seq"] * s["batch"],
        3 if s["checkpointing"] else 2,
    )
    precision = results.training_precision(gpu)
    peak = results.peak_flops(gpu, precision)
    duty, ref = setup.utilization, catalog.scenario.reference_mfu
    year = calc.seconds(1, catalog.scenario.year_days)

    def card_seconds(mfu: float) -> float:
        return flops / (peak * results.realistic_share(mfu, duty))

    slow, fast = min(setup.mfu, ref.low), max(setup.mfu, ref.high)
    time = Span(card_seconds(setup.mfu), card_seconds(fast), card_seconds(slow)) / plan.gpus
    run = results.run_costs(
        gpu,
        card_seconds(setup.mfu) / year,
        duty,
        catalog.scenario.year_days,
        setup.price_kwh,
        setup.cloud_rate,
    )
    return TuneRun(
        tokens=tokens,
        finetune_flops=flops,
        training_precision=precision,
        realistic_share=results.realistic_share(setup.mfu, duty),
        time_s=time,
        gpu_hours=run.gpu_hours or 0.0,
        energy_kwh=run.energy_kwh,
        electricity_cost=run.electricity_cost,
        electricity_price_kwh=setup.price_kwh,
        electricity_currency=catalog.scenario.electricity.currency,
        cloud_rate_usd=run.cloud_rate,
        cloud_cost_usd=run.cloud_cost_usd,
    )
