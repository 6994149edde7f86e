"""Plan-vs-fact and staffing reports for Professionalitet educational clusters.

The package's folders follow the flow, and a stage imports only the stages before it
(``make lint`` checks it with import-linter):

- core: ``errors``, ``settings`` (the project's folders), ``tables`` (the processed tables);
- ``sources`` — registry, plans, the collection form, reading workbooks and CSVs;
- ``ingest`` — cleaning, pseudonyms, great-expectations validation, the ingest run;
- ``metrics`` — fulfilment, staffing, reconciliation, completeness;
- ``reports`` — the helpers the report notebooks call;
- ``api`` — the stable API for ad hoc work, also reachable from here: ``analysis.load_tables()``,
  ``analysis.load_cluster_year(...)``, ``analysis.load_region(...)``, ``analysis.plan_cells(...)``,
  ``analysis.compare_clusters(...)``, ``analysis.cells_not_met(...)``, ``analysis.findings(...)``,
  ``analysis.cluster_history(...)`` (see ``help(analysis.api)``);
- ``site`` — the build: prepare data, run the notebooks, publish the HTML and the index;
- ``demo`` and ``bench`` — generated data and benchmarks, apart from the rest;
- ``cli`` and ``commands`` — ``python -m analysis``, on top.

``import analysis`` stays cheap (no pandas): the API is imported on first use of one of its names.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# The names of analysis.api offered at the top level (analysis.api.__all__ is this list).
API = (
    "NotInDataError",
    "Tables",
    "cells_not_met",
    "cluster_history",
    "compare_clusters",
    "findings",
    "load_cluster_year",
    "load_region",
    "load_tables",
    "plan_cells",
)
__all__ = [*API, "__version__"]


def __getattr__(name: str):
    if name in API:
        value = getattr(importlib.import_module("analysis.api"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *API})
