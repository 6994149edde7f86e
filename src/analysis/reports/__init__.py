"""Reports: what the report notebooks call — tables, texts and charts in Russian — stage 4.

Owns the cluster-year report (``cluster``), its staffing sections (``staffing``), the region
report (``region``), the national report (``national``) and its tile-grid map of the regions
(``tilemap``), charts (``charts``), the reader-facing words for statuses, states and metrics
(``labels``), the escaped HTML every report displays (``markup``: input text reaches a page only
through it), the downloadable tables (``downloads``) and the provenance block (``provenance``).
Notebooks import ``from analysis import reports`` and call ``reports.cluster.…``.

May import: ``analysis.metrics``, ``analysis.sources`` and the core modules.
"""

from analysis.reports import (
    charts,
    cluster,
    downloads,
    labels,
    markup,
    national,
    provenance,
    region,
    staffing,
    tilemap,
)

__all__ = [
    "charts",
    "cluster",
    "downloads",
    "labels",
    "markup",
    "national",
    "provenance",
    "region",
    "staffing",
    "tilemap",
]
