"""Site: the build — prepare the processed data, run every report, publish HTML — stage 5.

Owns preparing ``data/processed/`` from ``data/raw/`` (``prepare``), running the report
notebooks with papermill and exporting them with nbconvert (``build``), the project's Jupyter
kernel (``kernel``) and the index page (``index``, ``templates/``).

May import: ``analysis.reports``, ``analysis.metrics``, ``analysis.ingest``,
``analysis.sources`` and the core modules.
"""

import sys

# jsonschema, which nbformat, papermill and great-expectations import, compiles the IRI grammar of
# the optional package rfc3987_syntax when that is importable: 0.9 s of CPU in every process that
# builds or runs a report (a portable report's own interpreter included), for the "iri" format
# checks that nothing here asks for. The build's processes go without it.
sys.modules.setdefault("rfc3987_syntax", None)
