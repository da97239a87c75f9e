"""Absurd numbers on the command line are refused; every number allowed gives an answer."""

from __future__ import annotations

import itertools
import json
import math

import pytest
from click.testing import CliRunner

from generator import answer
from generator.cli import cli
from generator.results import compare, training_compute
from generator.schema import MIN_FRACTION, PRECISIONS, YEARS_RANGE


@pytest.mark.parametrize(
    "options",
    [
        ["--utilization", "1e-320"],  # was an OverflowError in calc.gpus_needed
        ["--utilization", "0.0001"],
        ["--years", "1e-320"],
        ["--years", "1e-300", "--utilization", "1e-300"],  # was decimal.InvalidOperation
        ["--years", "1e309"],  # inf
        ["--years", "-inf"],
        ["--years", "99999999999999999999999999"],
    ],
)
def test_absurd_numbers_are_bad_parameters(options):
    args = ["compare", "rtx-4090", "gpt-3", *options]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{options[0]}'" in result.output
    assert "is not in the range" in result.output


def test_every_allowed_corner_gives_a_finite_answer(catalog):
    """The extreme GPUs and models at the extreme settings: no exception, no inf or nan."""
    gpus = catalog.gpus.values()
    peak = lambda g: max(g.peak(p) or 0 for p in PRECISIONS)  # noqa: E731
    pick_gpus = {
        min(gpus, key=peak).id,
        max(gpus, key=peak).id,
        min(gpus, key=lambda g: g.memory_gib).id,
        max(gpus, key=lambda g: g.memory_gib).id,
    }
    models = list(catalog.models.values())
    known = [m for m in models if training_compute(m)]
    flops = lambda m: training_compute(m).flops  # noqa: E731
    pick_models = {
        min(known, key=flops).id,
        max(known, key=flops).id,
        min(models, key=lambda m: m.parameters).id,
        max(models, key=lambda m: m.parameters).id,
        *[m.id for m in models if not training_compute(m)][:1],
    }
    corners = list(itertools.product((MIN_FRACTION, 1.0), YEARS_RANGE))
    checked = 0
    for gid, mid in itertools.product(sorted(pick_gpus), sorted(pick_models)):
        for precision in (p for p in PRECISIONS if catalog.gpus[gid].peak(p)):
            for utilization, years in corners:
                c = compare(
                    catalog, gid, mid, utilization=utilization, precision=precision, years=years
                )
                json.dumps(c.to_json(), allow_nan=False)  # raises on inf or nan
                for lang in ("en", "de"):
                    text = answer.render(c, catalog.gpus[gid], catalog.models[mid], catalog, lang)
                    assert "nan" not in text.lower().split(), text
                assert c.ratio is None or all(
                    map(math.isfinite, (c.ratio.value, c.ratio.low, c.ratio.high))
                )
                checked += 1
    assert checked > 50
