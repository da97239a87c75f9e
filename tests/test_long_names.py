"""Whatever passes `validate` can be drawn: the longest names the data allows fit every chart."""

from __future__ import annotations

import pytest

from generator import charts
from generator.data import load_catalog
from generator.results import compute_all
from tests.conftest import write_mini_data

NAMES = {
    "300 letters": "W" * 300,  # W is the widest Latin letter
    "300 words": " ".join(["Accelerator"] * 25)[:300],
    "wide unicode": "超大规模加速器" * 42 + "…",
    "markup": "$\\frac{1}{0}$ <b>|</b> " * 12,
}


# DejaVu Sans lacks CJK glyphs; the SVG keeps text as text and the browser finds a font for it.
@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
@pytest.mark.parametrize("name", list(NAMES))
def test_the_longest_allowed_names_render_in_every_chart(tmp_path, name):
    text = NAMES[name]
    assert len(text) <= 300

    def rename(gpus, models, scenario):
        for g in gpus["gpus"]:
            g["name"] = f"{text[: 300 - len(g['id'])]}{g['id']}"  # names stay unique
        for m in models["models"]:
            m["name"] = f"{text[: 300 - len(m['id'])]}{m['id']}"

    catalog = load_catalog(write_mini_data(tmp_path / "data", rename))
    specs = charts.build_charts(catalog, compute_all(catalog))
    assert specs
    for spec in specs:
        svg = charts.render(spec.kind, spec.payload, "en", spec.path)  # ValueError before
        assert svg.startswith(b"<?xml"), spec.path
        width, height = charts.size_px(spec.kind, spec.payload)
        assert 0 < width < 2000
        assert 0 < height < 5000
