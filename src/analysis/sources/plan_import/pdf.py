"""Read a plan from a PDF with a text layer: extract each page's text, then read it as text.

Before the text is read, what a printer adds to every page is taken out: running headers and
footers (a line among the first or last three of at least half the pages, the same once its
digits are ignored — a date, a file name with «1/3») and page numbers written as such at a page's
top or bottom («- 2 -», «Стр. 2», «2 из 5», «2/5»). Lines the plan is made of never go: the
table's repeated header, year lines, lines of target cells and lines that start with a code. A
bare «2» is left to the text reader, which tells a page number from a target by where it stands.

Messages name the page and the line within the page's extracted text. A PDF without a text layer
(a scan) is refused: it needs OCR first.
"""

from __future__ import annotations

import logging
from pathlib import Path

from analysis.errors import Location
from analysis.sources.plan_import.assemble import ImportResult, SourceError
from analysis.sources.plan_import.text import parse_lines, without_running_lines

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
            Location(file=str(path)), f"не удалось прочитать PDF: {exc}", "это файл PDF?"
        ) from exc
    split = [text.replace("\r\n", "\n").replace("\r", "\n").split("\n") for text in pages]
    kept = without_running_lines(split)
    lines = []
    for number, page_lines in enumerate(split, start=1):
        page = f"{path}, стр. {number}"
        lines += [
            (Location(file=page, row=row), line)
            for row, line in enumerate(page_lines, 1)
            if (number - 1, row - 1) in kept
        ]
    if not any(line.strip() for _, line in lines):
        raise SourceError(
            Location(file=str(path)),
            "в PDF нет текстового слоя",
            "вероятно, это скан: распознайте его (OCR) или импортируйте DOCX либо извлечённый текст",
        )
    logger.debug("%s: %d pages, %d lines of text", path, len(pages), len(lines))
    return lines


def read_pdf_file(path: str | Path) -> ImportResult:
    """Import a plan from a PDF's text layer."""
    return parse_lines(pdf_text_lines(path), str(path))
