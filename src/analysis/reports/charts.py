"""Charts for the reports (matplotlib). They take the tables the metric functions return."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import pandas as pd

from analysis.metrics import fulfilment as f
from analysis.reports.labels import STATUS_COLOURS, STATUS_RU

CHART_STATUSES = [f.MET, f.PARTLY_MET, f.NOT_MET, f.PENDING, f.NO_DATA, f.BEYOND_PLAN]


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
        ax.barh(counts["label"], values, left=left, color=STATUS_COLOURS[status], label=STATUS_RU[status])
        left += values
    ax.set_xlabel("Число плановых значений (ячеек плана)")
    ax.set_title(title, loc="left", fontsize=11)
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
