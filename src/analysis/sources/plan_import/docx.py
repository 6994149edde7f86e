"""Read a plan from a Word document: its tables, read from the document's XML as Word shows it.

What Word shows is what is read:

- text in content controls (``w:sdt``, form-like templates) — a control still showing its
  placeholder is empty; rows and cells wrapped in controls are rows and cells;
- every run of a paragraph (hyperlinks, fields, smart tags); hidden text is left out;
- superscript and subscript digits and asterisks are footnote signs, not digits of a value
  (``9`` + superscript ``1`` reads ``9¹``, which the table of marks reads as 9, with a note);
- tracked changes as if accepted: insertions taken, deletions left out — each named in the
  summary's notes (the table, row and text); a row deleted with tracking is left out;
- merged cells (``gridSpan``, ``vMerge``), ``gridBefore``/``gridAfter``;
- tables nested in a cell, read row by row.

Which columns hold what is decided by :mod:`.table`. A document whose plan is not a table (the
plan typed as paragraphs with tabs) is read as text by :mod:`.text`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from analysis.errors import Location
from analysis.sources.plan_import.assemble import ImportResult, SourceError, assemble
from analysis.sources.plan_import.table import Cell, read_tables
from analysis.sources.plan_import.text import parse_lines

logger = logging.getLogger(__name__)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WRAPPERS = {f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}smartTag", f"{_W}ins", f"{_W}moveTo"}
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def read_docx_file(path: str | Path) -> ImportResult:
    """Import a plan from the tables of a .docx (or, without a plan table, from its paragraphs)."""
    import zipfile

    from lxml import etree

    path = Path(path)
    source = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            root = etree.fromstring(archive.read("word/document.xml"))
    except (zipfile.BadZipFile, KeyError, OSError, etree.XMLSyntaxError) as exc:
        raise SourceError(
            Location(file=source), f"не удалось открыть документ Word: {exc}", "это файл .docx?"
        ) from exc
    body = root.find(f"{_W}body")
    tables = [(f"таблица {n}", _grid(tbl)) for n, tbl in enumerate(_children(body, "tbl"), start=1)]
    read = read_tables(tables, source)
    if read is None:
        lines = [
            (Location(file=source, sheet="текст", row=n), _paragraph_text(p, []))
            for n, p in enumerate(_children(body, "p"), start=1)
        ]
        if not any(line.strip() for _, line in lines):
            raise SourceError(
                Location(file=source),
                "в документе нет таблицы с годами в заголовке (например, 2024 2025 2026)",
                "план мероприятий должен быть таблицей Word, в заголовке которой названы годы",
            )
        result = parse_lines(lines, source)
        result.parts[:0] = [f"текст документа: абзацев {len(lines)} (таблицы плана нет)"]
        return result
    result = assemble(read.pieces, read.years, source, read.notes)
    result.parts = read.parts
    return result


def _children(element, tag: str) -> list:
    """Children with the tag, looking through content controls and similar wrappers."""
    out = []
    for child in element:
        if child.tag == f"{_W}{tag}":
            out.append(child)
        elif child.tag in _WRAPPERS and not _placeholder(child):
            out += _children(child, tag)
    return out


def _placeholder(element) -> bool:
    """A content control still showing its placeholder text («Щелкните здесь…»): empty."""
    props = element.find(f"{_W}sdtPr") if element.tag == f"{_W}sdt" else None
    return props is not None and props.find(f"{_W}showingPlcHdr") is not None


def _grid(tbl) -> list[list[Cell]]:
    """The table as a rectangle of cells, one per layout-grid column, merges made explicit."""
    rows: list[list[Cell]] = []
    width = 0
    for tr in _children(tbl, "tr"):
        props = tr.find(f"{_W}trPr")
        if props is not None and props.find(f"{_W}del") is not None:
            continue  # a row deleted with tracked changes
        r = len(rows)
        before = _val(props, "gridBefore") if props is not None else 0
        cells: list[Cell] = [Cell("", (r, c)) for c in range(before)]
        for tc in _children(tr, "tc"):
            column = len(cells)
            tc_props = tc.find(f"{_W}tcPr")
            span = _val(tc_props, "gridSpan") or 1 if tc_props is not None else 1
            merge = tc_props.find(f"{_W}vMerge") if tc_props is not None else None
            if merge is not None and merge.get(f"{_W}val", "continue") == "continue" and rows:
                above = rows[-1][column] if column < len(rows[-1]) else Cell("", (r, column))
                cells += [Cell(above.text, above.origin, True)] * span
                continue
            changes: list[str] = []
            texts = [_paragraph_text(p, changes) for p in _children(tc, "p")]
            nested = tuple(_nested(t) for t in _children(tc, "tbl"))
            cells += [Cell("\n".join(texts), (r, column), False, nested, tuple(changes))] * span
        rows.append(cells)
        width = max(width, len(cells))
    for r, cells in enumerate(rows):
        cells += [Cell("", (r, c)) for c in range(len(cells), width)]
    return rows


def _nested(tbl) -> tuple[tuple[str, ...], ...]:
    """A table nested in a cell, as rows of cell texts (merged cells repeated)."""
    rows = []
    for tr in _children(tbl, "tr"):
        cells = []
        for tc in _children(tr, "tc"):
            props = tc.find(f"{_W}tcPr")
            span = (_val(props, "gridSpan") or 1) if props is not None else 1
            text = "\n".join(_paragraph_text(p, []) for p in _children(tc, "p"))
            cells += [text] + [""] * (span - 1)
        rows.append(tuple(cells))
    return tuple(rows)


def _val(props, tag: str) -> int:
    element = props.find(f"{_W}{tag}") if props is not None else None
    try:
        return int(element.get(f"{_W}val")) if element is not None else 0
    except (TypeError, ValueError):
        return 0


def _paragraph_text(p, changes: list[str]) -> str:
    """The paragraph as Word shows it with tracked changes accepted; footnote signs in
    superscript or subscript become superscript characters; changes are described in ``changes``."""
    out = []
    for run in p.iter(f"{_W}r"):
        if _inside(run, p, {f"{_W}del", f"{_W}moveFrom"}):
            deleted = "".join(t.text or "" for t in run.iter(f"{_W}delText"))
            if deleted.strip():
                changes.append(f"удаление «{deleted.strip()}» (исправление) не учтено")
            continue
        props = run.find(f"{_W}rPr")
        if (props is not None and props.find(f"{_W}vanish") is not None) or _in_placeholder(run, p):
            continue
        align = props.find(f"{_W}vertAlign") if props is not None else None
        script = align is not None and align.get(f"{_W}val") in ("superscript", "subscript")
        text = ""
        for node in run:
            if node.tag == f"{_W}t":
                text += node.text or ""
            elif node.tag == f"{_W}tab":
                text += "\t"
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                text += "\n"
        if script and text.strip() and all(c.isdigit() or c == "*" for c in text.strip()):
            text = text.strip().translate(_SUPERSCRIPT)
        if text.strip() and _inside(run, p, {f"{_W}ins", f"{_W}moveTo"}):
            changes.append(f"вставка «{text.strip()}» (исправление) принята")
        out.append(text)
    return "".join(out)


def _in_placeholder(element, stop) -> bool:
    parent = element.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == f"{_W}sdt" and _placeholder(parent):
            return True
        parent = parent.getparent()
    return False


def _inside(element, stop, tags: set[str]) -> bool:
    parent = element.getparent()
    while parent is not None and parent is not stop:
        if parent.tag in tags:
            return True
        parent = parent.getparent()
    return False
