"""Sources: the inputs as they arrive, read into plain frames — stage 1 of the flow.

Owns the cluster registry (``registry``), the plan model and its canonical files (``plan``,
``federal``), importing plans from PDF/DOCX/XLSX (``plan_import/``), the collection form
(``forms``: its sheets and headings; ``template``: the Excel file sent to clusters), reading
filled-in workbooks and CSV folders (``workbook``; ``xlsx`` reads a workbook within bounds with
python-calamine), the participant organisations (``participants``), the simple facts CSV
(``facts``) and the cell-reading rules every reader shares (``normalise``).

May import: ``analysis.errors``, ``analysis.settings``, ``analysis.tables`` — nothing above.
"""
