"""Numbers on the pages the Russian way (``analysis.reports.labels.number_text`` and ``percent``):
grouped thousands, a decimal comma, no exponent and no «-0»."""

from __future__ import annotations

import pytest

from analysis.reports.labels import number_text, percent

G = "\u00a0"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e9, f"1{G}000{G}000{G}000"),
        (3.5, "3,5"),
        (-0.0, "0"),
        (-0.001, "0"),
        (1 / 3, "0,33"),
        (1234.5, f"1{G}234,5"),
        (12, "12"),
        (float("nan"), "—"),
        (None, "—"),
        (float("inf"), "—"),
    ],
)
def test_number_text(value, text):
    assert number_text(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.45, "45%"), (-0.001, "0%"), (1e8, f"10{G}000{G}000{G}000%"), (float("nan"), "—")],
)
def test_percent(value, text):
    assert percent(value) == text
