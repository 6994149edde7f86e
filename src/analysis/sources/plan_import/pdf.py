"""Read a plan from a PDF with a text layer: extract each page's text, then read it as text.

Messages name the page and the line within the page's extracted text. A PDF without a text
layer (a scan) is refused: it needs OCR first.
"""

from __future__ import annotations

import logging
from pathlib import Path

from analysis.errors import Location
from analysis.sources.plan_import.assemble import ImportResult, SourceError
from analysis.sources.plan_import.text import parse_lines

logger = logging.getLogger(__name__)


def pdf_text_lines(path: str | Path) -> list[tuple[Location, str]]:
    """The text layer of a PDF as located lines: ``(Location(file='<path>, page N', row=line), text)``."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    path = Path(path)
    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, OSError, ValueError) as exc:
        raise SourceError(
            Location(file=str(path)), f"cannot read the PDF: {exc}", "is it a PDF file?"
        ) from exc
    lines = []
    for number, text in enumerate(pages, start=1):
        page = f"{path}, page {number}"
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines += [(Location(file=page, row=row), line) for row, line in enumerate(text.split("\n"), 1)]
    if not any(line.strip() for _, line in lines):
        raise SourceError(
            Location(file=str(path)),
            "the PDF has no text layer",
            "it is probably a scan: run OCR on it first, or import the DOCX or the extracted text",
        )
    logger.debug("%s: %d pages, %d lines of text", path, len(pages), len(lines))
    return lines


def read_pdf_file(path: str | Path) -> ImportResult:
    """Import a plan from a PDF's text layer."""
    return parse_lines(pdf_text_lines(path), str(path))
