"""Reports: what the report notebooks call — tables, texts and charts in Russian — stage 4.

Owns the cluster-year report (``cluster``), its staffing sections (``staffing``), the region
report (``region``), charts (``charts``) and the reader-facing words for statuses and metrics
(``labels``). Notebooks import ``from analysis import reports`` and call ``reports.cluster.…``.

May import: ``analysis.metrics``, ``analysis.sources`` and the core modules.
"""

from analysis.reports import charts, cluster, labels, region, staffing

__all__ = ["charts", "cluster", "labels", "region", "staffing"]
