"""A figure with its range, the one shape computations pass such figures in.

The data's input forms (``schema.Range``, ``localdata.Spread``) check ``low ≤ value ≤ high`` once,
when the file is read, and give a ``Span`` with ``.span``; the arithmetic here keeps that order
(a sum of spans, a span times or divided by a non-negative number, a monotone map). JSON output
stays flat (``*_low``/``*_high`` keys), as the output schemas pin it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """``value`` with the ends ``low`` and ``high`` of its range."""

    value: float
    low: float
    high: float

    @staticmethod
    def of(x: float) -> Span:
        """An exact figure: a range of one point."""
        return Span(x, x, x)

    def __add__(self, other: Span | float) -> Span:
        o = other if isinstance(other, Span) else Span.of(other)
        return Span(self.value + o.value, self.low + o.low, self.high + o.high)

    __radd__ = __add__  # sum(spans) starts from 0

    def __mul__(self, k: float) -> Span:
        ends = (self.low * k, self.high * k)
        return Span(self.value * k, min(ends), max(ends))

    __rmul__ = __mul__

    def __truediv__(self, k: float) -> Span:
        ends = (self.low / k, self.high / k)
        return Span(self.value / k, min(ends), max(ends))

    def map(self, fn: Callable[[float], float], decreasing: bool = False) -> Span:
        """``fn`` of each end, for a monotone ``fn``; a decreasing one swaps the ends
        (bytes read per token → tokens/s)."""
        low, high = (self.high, self.low) if decreasing else (self.low, self.high)
        return Span(fn(self.value), fn(low), fn(high))


ZERO = Span.of(0.0)
