"""The value-with-range type: arithmetic keeps low ≤ value ≤ high, input forms give one."""

from __future__ import annotations

import pytest

from generator.localdata import Spread
from generator.schema import Range
from generator.span import ZERO, Span


def test_sums_of_spans_and_numbers_add_end_to_end():
    a, b = Span(2.0, 1.0, 4.0), Span(10.0, 9.0, 12.0)
    assert a + b == Span(12.0, 10.0, 16.0)
    assert a + 1 == Span(3.0, 2.0, 5.0)
    assert sum([a, b]) == a + b  # sum() starts from the number 0
    assert ZERO + a == a


def test_scaling_keeps_the_ends_in_order():
    a = Span(2.0, 1.0, 4.0)
    assert a * 3 == 3 * a == Span(6.0, 3.0, 12.0)
    assert a / 2 == Span(1.0, 0.5, 2.0)
    assert a * -1 == Span(-2.0, -4.0, -1.0)  # a negative factor swaps the ends


def test_map_of_a_decreasing_function_swaps_the_ends():
    bytes_read = Span(4e9, 3.5e9, 4.5e9)
    bandwidth = 1e12  # bytes/s
    tokens_per_s = bytes_read.map(lambda b: bandwidth / b, decreasing=True)
    assert tokens_per_s == Span(250.0, bandwidth / 4.5e9, bandwidth / 3.5e9)
    assert tokens_per_s.low <= tokens_per_s.value <= tokens_per_s.high
    assert bytes_read.map(lambda b: b / 2) == Span(2e9, 1.75e9, 2.25e9)


@pytest.mark.parametrize("form", [Range, Spread])
def test_input_forms_check_the_order_once_and_give_a_span(form):
    assert form(value=0.4, low=0.3, high=0.55).span == Span(0.4, 0.3, 0.55)
    with pytest.raises(ValueError, match="low ≤ value ≤ high"):
        form(value=0.2, low=0.3, high=0.55)
