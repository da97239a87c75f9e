"""Peaks derived from an architecture's per-unit rate × units × boost clock.

The rules are checked on a hand calculation; ``MAKER_TABLES`` checks every derived card against
the figures its maker prints (whitepaper appendix, spec page), within 1 %: the makers round to
one decimal and some quote a clock rounded to 5 MHz, which moves a figure by at most ~0.3 %.
"""

from __future__ import annotations

import copy

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


def stated(doc):
    """The first GPU entry that states its peaks (the one these tests derive instead)."""
    return next(g for g in doc["gpus"] if "peak_tflops" in g)


def derive_first(doc):
    """Append a copy of a stated GPU that derives its peaks from ``ARCH`` instead."""
    g = copy.deepcopy(stated(doc))
    g.update(id="test-derived", name="Test Derived GPU")
    g.pop("qualifier", None)
    del g["peak_tflops"]
    g["derivation"] = {"architecture": "test-arch", "units": 128, "boost_clock_mhz": 2520}
    g["sources"][0]["fields"].append("derivation")
    doc["gpus"].append(g)


def test_derived_peaks_are_rate_times_units_times_clock(edit, data_copy):
    edit("architectures.yaml", lambda d: d["architectures"].append(ARCH))
    edit("gpus.yaml", derive_first)
    gpu = load_catalog(data_copy).gpus["test-derived"]
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
            lambda d: d["gpus"][-1]["derivation"].update(architecture="nope"),
            ["derivation.architecture", "unknown architecture 'nope'"],
        ),
        (
            lambda d: d["gpus"][-1].update(peak_tflops={"fp32": 1.0}),
            ["give either peak_tflops or derivation"],
        ),
        (lambda d: d["gpus"][-1]["derivation"].update(units=0), ["derivation.units"]),
        (
            lambda d: d["gpus"][-1]["sources"][0]["fields"].remove("derivation"),
            ["derivation.units", "no source"],
        ),
        (
            lambda d: d["gpus"][-1].update(inference_tflops={"fp16": 9.0}),
            ["inference_tflops is computed"],
        ),
    ],
)
def test_bad_derivations_name_the_field(edit, data_copy, runner, change, pieces):
    edit("architectures.yaml", lambda d: d["architectures"].append(ARCH))
    edit("gpus.yaml", lambda d: (derive_first(d), change(d)))
    result = runner.invoke(cli, ["validate", "--data", str(data_copy)], catch_exceptions=False)
    assert result.exit_code == 1
    for piece in pieces:
        assert piece in result.output


# Dense peak TFLOPS as NVIDIA prints them, for checking the derived peaks (tests/test_derivation.py,
# MAKER_TABLES). fp16/bf16 = tensor FP16/BF16 with FP32 accumulate; fp8 = FP8 with FP32 accumulate;
# the first number of NVIDIA's "dense/sparse" pairs. Only precisions the table prints are listed.
#
# NVIDIA_TABLES: figures whose printed text was read in this session (a verbatim reproduction of
# the table, or a transcription quoting the table row by row).
# NVIDIA_TABLES_UNCHECKED: figures from the same whitepapers/datasheets that could NOT be re-read
# here (the PDFs are not in the search corpus); they are the values previously stored in the
# catalog or recalled from the printed tables. Re-read the cited table before merging them into
# MAKER_TABLES; they are not independent of the derivation until then.

NVIDIA_TABLES: dict[str, dict[str, float]] = {
    # NVIDIA Turing GPU Architecture (whitepaper), Table 1 "Comparison of NVIDIA Pascal GP102 and
    # Turing TU102"; read in its verbatim reproduction in "NVIDIA Turing Architecture In-Depth",
    # https://developer.nvidia.com/blog/nvidia-turing-architecture-in-depth/
    # (whitepaper: https://www.nvidia.com/content/dam/en-zz/Solutions/design-
    # visualization/technologies/turing-architecture/NVIDIA-Turing-Architecture-Whitepaper.pdf)
    # GTX 1080 Ti column (1,582 MHz); RTX 2080 Ti "Reference" column (1,545 MHz), not Founders
    # Edition.
    "gtx-1080-ti": {"fp32": 11.3},
    "rtx-2080-ti": {"fp32": 13.4, "fp16": 53.8},
    # NVIDIA Ampere GA102 GPU Architecture (whitepaper), Appendix A "GeForce RTX 3090",
    # https://www.nvidia.com/content/PDF/nvidia-ampere-ga-102-gpu-architecture-whitepaper-v2.pdf
    # ("Peak FP32 TFLOPS (non-Tensor) 35.6", "Peak FP16 Tensor TFLOPS with FP32 Accumulate 71/142").
    "rtx-3090": {"fp32": 35.6, "fp16": 71.0},
    # NVIDIA Ada GPU Architecture (whitepaper v2.02+), Appendix A "GeForce RTX 4090 Full
    # Specifications",
    # https://images.nvidia.com/aem-dam/Solutions/geforce/ada/nvidia-ada-gpu-architecture.pdf
    # (FP8/FP32-accumulate row as corrected in v2.02: 330.3/660.6).
    "rtx-4090": {"fp32": 82.6, "fp16": 165.2, "bf16": 165.2, "fp8": 330.3},
    # NVIDIA RTX Blackwell GPU Architecture (whitepaper), "Appendix C: Blackwell GB205 GPU" (RTX
    # 5070),
    # https://images.nvidia.com/aem-dam/Solutions/geforce/blackwell/nvidia-rtx-blackwell-gpu-architecture.pdf
    # ("Peak BF16 Tensor TFLOPS 61.7/123.5").
    "rtx-5070": {"bf16": 61.7},
}

NVIDIA_TABLES_UNCHECKED: dict[str, dict[str, float]] = {
    # NVIDIA Turing GPU Architecture (whitepaper), appendix tables comparing GTX 1080 / RTX 2080
    # (TU104)
    # and GTX 1070 / RTX 2070 (TU106), "Reference" columns (2080: 1,710 MHz; 2070: 1,620 MHz),
    # https://www.nvidia.com/content/dam/en-zz/Solutions/design-visualization/technologies/turing-architecture/NVIDIA-Turing-Architecture-Whitepaper.pdf
    "rtx-2080": {"fp32": 10.1, "fp16": 40.3},
    "rtx-2070": {"fp32": 7.5, "fp16": 29.9},
    # NVIDIA Ampere GA102 GPU Architecture (whitepaper V2.0),
    # https://www.nvidia.com/content/PDF/nvidia-ampere-ga-102-gpu-architecture-whitepaper-v2.pdf
    # - Table "GeForce RTX 3080 vs RTX 2080 SUPER" (main text):
    "rtx-3080-10gb": {"fp32": 29.8, "tf32": 29.8, "fp16": 59.5, "bf16": 59.5},
    "rtx-2080-super": {"fp32": 11.2, "fp16": 44.6},
    # - Appendix A "GeForce RTX 3070" and "GeForce RTX 3090" (TF32/BF16 rows):
    "rtx-3070": {"fp32": 20.3, "tf32": 20.3, "fp16": 40.6, "bf16": 40.6},
    "rtx-3090": {"tf32": 35.6, "bf16": 71.0},
    # - Appendix C "RTX A6000" (and the RTX A6000 datasheet: 38.7 TFLOPS FP32, 309.7 sparse tensor):
    "rtx-a6000": {"fp32": 38.7, "fp16": 154.8, "bf16": 154.8},
    # NVIDIA Ada GPU Architecture (whitepaper),
    # https://images.nvidia.com/aem-dam/Solutions/geforce/ada/nvidia-ada-gpu-architecture.pdf
    # - Table 1 (RTX 3090 Ti vs RTX 4090) and Appendix A (RTX 4090 TF32 row; "RTX 4080 16GB";
    #   "RTX 4080 12GB", the chip sold as RTX 4070 Ti):
    "rtx-3090-ti": {"fp32": 40.0, "tf32": 40.0, "fp16": 80.0, "bf16": 80.0},
    "rtx-4090": {"tf32": 82.6},
    "rtx-4080": {"fp32": 48.7, "tf32": 48.7, "fp16": 97.5, "bf16": 97.5, "fp8": 194.9},
    "rtx-4070-ti": {"fp32": 40.1, "tf32": 40.1, "fp16": 80.2, "bf16": 80.2, "fp8": 160.4},
    # NVIDIA RTX 6000 Ada Generation datasheet (91.1 TFLOPS FP32; 1,457.0 sparse FP8 -> 728.5
    # dense),
    # https://www.nvidia.com/content/dam/en-zz/Solutions/design-visualization/rtx-6000/proviz-rtx-6000-ada-datasheet-2616456-r5.pdf
    # and NVIDIA RTX Blackwell PRO GPU Architecture (whitepaper v1.0), comparison table (364 dense
    # BF16),
    # https://www.nvidia.com/content/dam/en-zz/Solutions/design-visualization/quadro-product-literature/NVIDIA-RTX-Blackwell-PRO-GPU-Architecture-v1.0.pdf
    "rtx-6000-ada": {"fp32": 91.1, "bf16": 364.0, "fp8": 728.5},
    # NVIDIA RTX Blackwell GPU Architecture (whitepaper), RTX 5090 table and the appendices for
    # GB203 (RTX 5080, RTX 5070 Ti) and GB205 (RTX 5070),
    # https://images.nvidia.com/aem-dam/Solutions/geforce/blackwell/nvidia-rtx-blackwell-gpu-architecture.pdf
    "rtx-5090": {"fp32": 104.8, "fp16": 209.5, "bf16": 209.5, "fp8": 419.0},
    "rtx-5080": {"fp32": 56.3, "fp16": 112.6, "bf16": 112.6, "fp8": 225.1},
    "rtx-5070-ti": {"fp32": 43.9, "fp16": 87.9, "bf16": 87.9, "fp8": 175.8},
    "rtx-5070": {"fp32": 30.9, "fp16": 61.7, "fp8": 123.5},
}


# Dense peaks as the makers print them, for tests/test_derivation.py (±1 %): {gpu id: {precision:
# TFLOPS}}.
# AMD prints "Peak Single Precision" (FP32, counting RDNA 3/4 dual issue) and "Peak Half Precision"
# at the
# boost clock. For RDNA 2 the half-precision figure is packed vector FP16 (the rdna2 fp16 rate); for
# RDNA 3
# it is the WMMA rate (512 FLOP/clock/CU, same as rdna3 fp16). For RDNA 4 AMD's "half precision"
# figure is
# the VECTOR rate (half the WMMA rate the catalog uses), so only FP32 is listed for RDNA 4 cards.
# Intel (Arc) prints INT8 TOPS only, no TFLOPS: no Intel entries. Apple and Strix Halo: no maker
# TFLOPS
# for derived entries (Apple entries state peak_tflops directly), so none here.
# Caveat: the amd.com pages themselves could not be opened in this environment; the figures below
# are
# AMD's spec-page values as quoted in launch coverage and in copies of the spec tables (noted per
# block).

AMD_TABLES: dict[str, dict[str, float]] = {
    # AMD Radeon RX 6000 (RDNA 2) product pages, "Peak Single/Half Precision Compute Performance":
    # https://www.amd.com/en/products/graphics/desktops/radeon/6000-series/amd-radeon-rx-6950-xt.html
    # (6950/6750/6650 XT figures as quoted by HotHardware at the May 2022 launch:
    #  https://hothardware.com/news/amd-radeon-rx-6950-xt-6760-6650-faster-memory-clocks)
    "rx-6950-xt": {"fp32": 23.65, "fp16": 47.31},
    # https://www.amd.com/en/products/graphics/desktops/radeon/6000-series/amd-radeon-rx-6900-xt.html
    "rx-6900-xt": {"fp32": 23.04, "fp16": 46.08},
    # https://www.amd.com/en/products/graphics/desktops/radeon/6000-series/amd-radeon-rx-6800-xt.html
    "rx-6800-xt": {"fp32": 20.74, "fp16": 41.47},
    # https://www.amd.com/en/products/graphics/desktops/radeon/6000-series/amd-radeon-rx-6800.html
    "rx-6800": {"fp32": 16.17, "fp16": 32.33},
    # https://www.amd.com/en/products/graphics/desktops/radeon/6000-series/amd-radeon-rx-6750-xt.html
    "rx-6750-xt": {"fp32": 13.31, "fp16": 26.62},
    # https://www.amd.com/en/products/graphics/desktops/radeon/6000-series/amd-radeon-rx-6700-xt.html
    "rx-6700-xt": {"fp32": 13.21, "fp16": 26.43},
    # AMD product specifications (spec database), Radeon RX 6650 XT:
    # https://www.amd.com/en/products/specifications/graphics
    "rx-6650-xt": {"fp32": 10.79, "fp16": 21.59},
    # https://www.amd.com/en/products/graphics/desktops/radeon/6000-series/amd-radeon-rx-6600-xt.html
    "rx-6600-xt": {"fp32": 10.6, "fp16": 21.21},
    # https://www.amd.com/en/products/graphics/desktops/radeon/6000-series/amd-radeon-rx-6600.html
    # (8.93 TFLOPS also quoted by Moneycontrol at launch)
    "rx-6600": {"fp32": 8.93, "fp16": 17.86},
    # AMD Radeon RX 7000 (RDNA 3) product pages and RDNA 3 launch press release (3 November 2022):
    # https://www.amd.com/en/products/graphics/desktops/radeon/7000-series/amd-radeon-rx-7900xtx.html
    # (launch figures 61.4 / 122.8; the current page rounds to 61 / 123)
    "rx-7900-xtx": {"fp32": 61.4, "fp16": 122.8},
    # https://www.amd.com/en/products/graphics/desktops/radeon/7000-series/amd-radeon-rx-7900xt.html
    # (page prints 52 / 103, rounded)
    "rx-7900-xt": {"fp32": 52, "fp16": 103},
    # https://www.amd.com/en/products/graphics/desktops/radeon/7000-series/amd-radeon-rx-7900-gre.html
    "rx-7900-gre": {"fp32": 46, "fp16": 92},
    # https://www.amd.com/en/products/graphics/desktops/radeon/7000-series/amd-radeon-rx-7800-xt.html
    # (FP16 matrix; the page's separate "FP16 vector" figure equals the FP32 figure)
    "rx-7800-xt": {"fp32": 37.3, "fp16": 74.6},
    # https://www.amd.com/en/products/graphics/desktops/radeon/7000-series/amd-radeon-rx-7700-xt.html
    "rx-7700-xt": {"fp32": 35.2, "fp16": 70.3},
    # https://www.amd.com/en/products/graphics/desktops/radeon/7000-series/amd-radeon-rx-7600-xt.html
    "rx-7600-xt": {"fp32": 22.6, "fp16": 45.1},
    # https://www.amd.com/en/products/graphics/desktops/radeon/7000-series/amd-radeon-rx-7600.html
    "rx-7600": {"fp32": 21.75, "fp16": 43.5},
    # AMD Radeon PRO W7900 product page:
    # https://www.amd.com/en/products/graphics/workstations/radeon-pro/w7900.html
    "radeon-pro-w7900": {"fp32": 61.3, "fp16": 122.6},
    # AMD Radeon RX 9000 (RDNA 4) product pages, "Peak Single Precision" only (see header):
    # https://www.amd.com/en/products/graphics/desktops/radeon/9000-series/amd-radeon-rx-9070xt.html
    # (48.7 TFLOPS also quoted by PurePC / Multiplayer.it at the 28 February 2025 launch)
    "rx-9070-xt": {"fp32": 48.7},
    # https://www.amd.com/en/products/graphics/desktops/radeon/9000-series/amd-radeon-rx-9070.html
    "rx-9070": {"fp32": 36.1},
    # https://www.amd.com/en/products/graphics/desktops/radeon/9000-series/amd-radeon-rx-9060xt.html
    # (25.6 TFLOPS for both memory sizes, quoted at the Computex 2025 announcement)
    "rx-9060-xt-16gb": {"fp32": 25.6},
    "rx-9060-xt-8gb": {"fp32": 25.6},
}

# {gpu id: {precision: TFLOPS}}: every maker's table, one entry per (card, precision).
MAKER_TABLES = [
    (gid, precision, printed)
    for table in (NVIDIA_TABLES, NVIDIA_TABLES_UNCHECKED, AMD_TABLES)
    for gid, row in table.items()
    for precision, printed in row.items()
]


@pytest.mark.parametrize(("gid", "precision", "printed"), MAKER_TABLES)
def test_derivation_reproduces_the_makers_tables(catalog, gid, precision, printed):
    gpu = catalog.gpus[gid]
    assert gpu.derivation is not None, f"{gid} states its peaks instead of deriving them"
    assert gpu.peak(precision) == pytest.approx(printed, rel=0.01)
