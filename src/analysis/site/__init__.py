"""Site: the build — prepare the processed data, run every report, publish HTML — stage 5.

Owns preparing ``data/processed/`` from ``data/raw/`` (``prepare``), running the report
notebooks with papermill and exporting them with nbconvert (``build``), the project's Jupyter
kernel (``kernel``) and the index page (``index``, ``templates/``).

May import: ``analysis.reports``, ``analysis.metrics``, ``analysis.ingest``,
``analysis.sources`` and the core modules.
"""
