"""Import a cluster's plan from its source documents into the canonical plan files.

One module per concern: :mod:`.marks` (the one table of target marks), :mod:`.assemble` (pieces →
canonical rows, the shared tree rules and cross-checks), :mod:`.text` (text layers, pdftotext,
browser copies), :mod:`.pdf` (PDF file), :mod:`.table` (column roles of any table),
:mod:`.docx` (Word), :mod:`.sheet` (Appendix 2 in .xlsx/.csv), :mod:`.federal` (the operator's
performance indicators from .xlsx), :mod:`.summary` and :mod:`.preview` (what was read, for a
person to check) and :mod:`.revision` (what changed against the current plan; previous versions
kept). Imports only ``analysis.errors`` and ``analysis.sources``.
"""
