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


def text_inches(texts, fontsize: float | str) -> float:
    """The width, in inches, of the widest of ``texts`` in the charts' font at ``fontsize``
    (points, or matplotlib's «medium» and the like)."""
    renderer = _measuring_renderer()
    prop = font_manager.FontProperties(size=fontsize)
    widths = [renderer.get_text_width_height_descent(str(t), prop, ismath=False)[0] for t in texts]
    return max(widths, default=0.0) / renderer.dpi


@functools.cache
def _measuring_renderer():
    """An Agg renderer at 72 dpi kept only to measure text (its metrics are cached per renderer)."""
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(1, 1, 72)


def set_margins(
    fig: plt.Figure, *, left: float, right: float, top: float, bottom: float, between: float = 0.0
):
    """Place the axes by margins given in inches, once: what matplotlib's constrained layout finds
    by measuring every tick label on each draw (a fifth of a chart's cost), worked out from what
    the chart knows it holds — the longest label, the rows of its legend."""
    width, height = fig.get_size_inches()
    left = min(left, 0.6 * width)  # a label longer than that is cut at the edge, the bars kept
    axes = len(fig.axes) or 1
    inner = width - left - right
    fig.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        top=1 - top / height,
        bottom=bottom / height,
        wspace=between * axes / max(inner - between * (axes - 1), 0.1),
    )


def legend_below(fig: plt.Figure, handles, labels, ncols: int = 3) -> int:
    """The chart's legend centred under its axes; returns the number of rows it takes."""
    fig.legend(
        handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=ncols, frameon=False, fontsize=9
    )
    return -(-len(labels) // ncols)


def _bars(ax, left, widths, colour: str, label: str) -> None:
    """Horizontal bars of height 0.8 centred on rows 0, 1, …, as ``barh`` draws them, but as one
    collection: ``barh`` makes an artist per bar and updates the limits for each, a third of a
    chart's cost."""
    from matplotlib.collections import PolyCollection

    verts = [
        [(x, y - 0.4), (x + w, y - 0.4), (x + w, y + 0.4), (x, y + 0.4)]
        for y, (x, w) in enumerate(zip(left, widths, strict=True))
        if w > 0
    ]
    ax.add_collection(PolyCollection(verts, facecolors=colour, edgecolors="none", label=label), autolim=False)


def status_by_group_chart(counts: pd.DataFrame, title: str) -> plt.Figure:
    """Stacked horizontal bars: plan cells of each result group by status.

    ``counts`` is ``fulfilment.status_counts(cells, ["group", ...])`` with a ``label`` column.
    """
    counts = counts.iloc[::-1].reset_index(drop=True)
    labels = [chart_text(t) for t in counts["label"]]
    height = 0.45 * len(counts) + 1.6
    fig, ax = plt.subplots(figsize=(9, height))
    left = pd.Series(0.0, index=counts.index)
    for status in CHART_STATUSES:
        values = counts[status].astype(float)
        if values.sum() == 0:
            continue
        _bars(ax, left, values, STATUS_COLOURS[status], STATUS_RU[status])
        left += values
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(-0.6, len(labels) - 0.4)
    ax.set_xlim(0, max(float(left.max()) if len(left) else 0.0, 1.0))
    ax.set_xlabel("Число плановых значений (ячеек плана)")
    ax.set_title(chart_text(title), loc="left", fontsize=11)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    rows = legend_below(fig, *ax.get_legend_handles_labels())
    set_margins(
        fig,
        left=text_inches(labels, plt.rcParams["ytick.labelsize"]) + 0.2,
        right=0.15,
        top=0.35,
        bottom=0.65 + 0.2 * rows,
    )
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
