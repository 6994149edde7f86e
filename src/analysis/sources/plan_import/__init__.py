"""Import a cluster's plan from its source documents into the canonical plan files.

One module per concern: :mod:`.assemble` (pieces → canonical rows, the shared tree rules),
:mod:`.text` (PDF text layer), :mod:`.docx` (Word table), :mod:`.pdf` (PDF file),
:mod:`.federal` (the operator's performance indicators from .xlsx) and :mod:`.revision`
(what changed against the current plan; previous versions kept).
"""
