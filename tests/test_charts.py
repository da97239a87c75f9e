"""Chart text as drawn: inside the drawing and apart from other text, in every chart."""

from __future__ import annotations

import matplotlib as mpl
import pytest
from matplotlib.figure import Figure

from generator import charts
from generator.i18n import LANGS
from generator.results import compute_all


def test_the_checker_finds_text_outside_the_drawing_and_text_on_text():
    with mpl.rc_context(charts.STYLE):
        fig = Figure(figsize=(3, 2))
        fig.text(0.95, 0.5, "runs off the right edge")
        fig.text(0.1, 0.2, "first label")
        fig.text(0.12, 0.21, "second label")  # 0.36 in right of the first, 0.02 in higher
        fig.text(0.1, 0.8, "alone")
        problems = charts.layout_problems(fig)
    assert problems == [
        "outside the drawing: 'runs off the right edge'",
        "overlap: 'first label' and 'second label'",
    ]


def test_the_checker_ignores_tick_labels_it_does_not_draw():
    with mpl.rc_context(charts.STYLE):
        fig = Figure(figsize=(4, 3))
        ax = fig.add_subplot()
        ax.plot([1, 2], [1, 2])
        ax.set_xticks([1, 1.5, 2])
        ax.set_xlim(1.2, 1.8)  # the ticks at 1 and 2 fall outside: matplotlib does not draw them
        assert charts.layout_problems(fig) == []


@pytest.fixture(scope="module")
def specs(catalog):
    return charts.build_charts(catalog, compute_all(catalog))


@pytest.mark.parametrize("lang", LANGS)
def test_every_chart_keeps_its_text_inside_and_apart(specs, lang):
    problems = {}
    for spec in specs:
        with mpl.rc_context(charts.STYLE):
            found = charts.layout_problems(charts.draw(spec.kind, spec.payload, lang))
        if found:
            problems[spec.path] = found
    assert problems == {}
