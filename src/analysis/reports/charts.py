"""Charts for the reports (matplotlib). They take the tables the metric functions return.

Text from the inputs is drawn as plain text (``chart_text``): a «$» is a dollar, never the start
of TeX (matplotlib's mathtext), and a character the chart font has no glyph for (an emoji, a
zero-width space) is replaced before drawing — matplotlib would otherwise draw an empty box and
print a warning naming this file, which a report must not carry.
"""

from __future__ import annotations

import functools
import io
import unicodedata

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager

from analysis.metrics import fulfilment as f
from analysis.reports.labels import STATUS_COLOURS, STATUS_RU

CHART_STATUSES = [f.MET, f.PARTLY_MET, f.NOT_MET, f.PENDING, f.NO_DATA, f.BEYOND_PLAN]
MISSING_GLYPH = "□"  # in place of a character the chart font cannot draw


@functools.cache
def _font_characters() -> frozenset[int]:
    """The code points the charts' font (matplotlib's default sans-serif) has glyphs for."""
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties(family=plt.rcParams["font.family"]))
    return frozenset(FT2Font(path).get_charmap())


def chart_text(text, limit: int = 80) -> str:
    """``text`` as a chart may draw it: format characters (zero-width, bidi controls) dropped,
    a character the font lacks shown as «□», and every «$» escaped so that mathtext never
    starts (``затраты от $5 до $10`` keeps its spaces; ``$\\x{y}$`` is not parsed); cut to
    ``limit`` characters with «…», so that no name widens a chart beyond its page."""
    known = _font_characters()
    out = []
    for char in unicodedata.normalize("NFC", str(text)):
        if unicodedata.category(char) == "Cf":
            continue
        if char in "\n\t":
            out.append(" " if char == "\t" else char)
        elif ord(char) not in known:
            out.append(MISSING_GLYPH)
        else:
            out.append("\\$" if char == "$" else char)
    if len(out) > limit:
        out = [*out[: limit - 1], "…"]
    return "".join(out)


def status_by_group_chart(counts: pd.DataFrame, title: str) -> plt.Figure:
    """Stacked horizontal bars: plan cells of each result group by status.

    ``counts`` is ``fulfilment.status_counts(cells, ["group", ...])`` with a ``label`` column.
    """
    counts = counts.iloc[::-1]
    height = 0.45 * len(counts) + 1.6
    fig, ax = plt.subplots(figsize=(9, height), layout="constrained")
    left = pd.Series(0.0, index=counts.index)
    for status in CHART_STATUSES:
        values = counts[status].astype(float)
        if values.sum() == 0:
            continue
        ax.barh(
            [chart_text(t) for t in counts["label"]],
            values,
            left=left,
            color=STATUS_COLOURS[status],
            label=STATUS_RU[status],
        )
        left += values
    ax.set_xlabel("Число плановых значений (ячеек плана)")
    ax.set_title(chart_text(title), loc="left", fontsize=11)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    fig.legend(loc="outside lower center", ncols=3, frameon=False, fontsize=9)
    # Closed so that only the returned figure is shown, once, where the caller displays it.
    plt.close(fig)
    return fig


class Chart:
    """A figure shown in a notebook as a PNG with its alternative text (for screen readers and
    for the HTML export, which otherwise marks the image as undescribed)."""

    def __init__(self, figure: plt.Figure, alt: str):
        self.figure = figure
        self.alt = alt

    def _repr_mimebundle_(self, include=None, exclude=None):
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=100)
        return {"image/png": buffer.getvalue(), "text/plain": self.alt}, {"image/png": {"alt": self.alt}}
