"""Peaks derived from an architecture's per-unit rate × units × boost clock.

The rules are checked on a hand calculation; ``MAKER_TABLES`` checks every derived card against
the figures its maker prints (whitepaper appendix, spec page), within 1 %: the makers round to
one decimal and some quote a clock rounded to 5 MHz, which moves a figure by at most ~0.3 %.
"""

from __future__ import annotations

import pytest

from generator.cli import cli
from generator.data import load_catalog

ARCH = {
    "id": "test-arch",
    "name": "Test architecture",
    "vendor": "NVIDIA",
    "unit": "SM",
    "flop_per_clock": {"fp32": 256, "fp16": 512},
    "inference_flop_per_clock": {"fp16": 1024},
    "sources": [
        {
            "url": "https://example.org/wp",
            "title": "WP",
            "fields": ["flop_per_clock", "inference_flop_per_clock"],
        }
    ],
}


def derive_first(doc):
    g = doc["gpus"][0]
    del g["peak_tflops"]
    g["derivation"] = {"architecture": "test-arch", "units": 128, "boost_clock_mhz": 2520}
    g["sources"][0]["fields"].append("derivation")


def test_derived_peaks_are_rate_times_units_times_clock(edit, data_copy):
    edit("architectures.yaml", lambda d: d.update(architectures=[ARCH]))
    edit("gpus.yaml", derive_first)
    gpu = next(iter(load_catalog(data_copy).gpus.values()))
    # 256 FLOP × 128 SM × 2,520 MHz = 82,575.36 GFLOP/s; ×2 for 512 FLOP, ×4 for 1024
    assert gpu.peak("fp32") == pytest.approx(82.57536, rel=1e-9)
    assert gpu.peak("fp16") == pytest.approx(165.15072, rel=1e-9)
    assert gpu.peak("bf16") is None
    assert gpu.inference_peak_at("fp16") == pytest.approx(330.30144, rel=1e-9)
    assert gpu.inference_peak_at("fp32") == pytest.approx(82.57536, rel=1e-9)


@pytest.mark.parametrize(
    ("change", "pieces"),
    [
        (
            lambda d: d["gpus"][0]["derivation"].update(architecture="nope"),
            ["derivation.architecture", "unknown architecture 'nope'"],
        ),
        (
            lambda d: d["gpus"][0].update(peak_tflops={"fp32": 1.0}),
            ["give either peak_tflops or derivation"],
        ),
        (lambda d: d["gpus"][0]["derivation"].update(units=0), ["derivation.units"]),
        (
            lambda d: d["gpus"][0]["sources"][0]["fields"].remove("derivation"),
            ["derivation.units", "no source"],
        ),
        (
            lambda d: d["gpus"][0].update(inference_tflops={"fp16": 9.0}),
            ["inference_tflops is computed"],
        ),
    ],
)
def test_bad_derivations_name_the_field(edit, data_copy, runner, change, pieces):
    edit("architectures.yaml", lambda d: d.update(architectures=[ARCH]))
    edit("gpus.yaml", lambda d: (derive_first(d), change(d)))
    result = runner.invoke(cli, ["validate", "--data", str(data_copy)], catch_exceptions=False)
    assert result.exit_code == 1
    for piece in pieces:
        assert piece in result.output


# Dense figures as the makers print them: {gpu id: {precision: TFLOPS}}.
MAKER_TABLES: dict[str, dict[str, float]] = {}


@pytest.mark.parametrize("gid", sorted(MAKER_TABLES))
def test_derivation_reproduces_the_makers_tables(catalog, gid):
    gpu = catalog.gpus[gid]
    assert gpu.derivation is not None, f"{gid} states its peaks instead of deriving them"
    for precision, printed in MAKER_TABLES[gid].items():
        assert gpu.peak(precision) == pytest.approx(printed, rel=0.01), precision
