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
import re
from collections import Counter
from pathlib import Path

from analysis.errors import Location
from analysis.sources.plan_import.assemble import ImportResult, SourceError, split_code, target_token
from analysis.sources.plan_import.text import is_header_line, parse_lines

EDGE = 3  # lines at the top and at the bottom of a page where running headers and footers sit
_PAGE_NUMBER = re.compile(
    r"^(?:(?:стр\.?|страница|page)\s*(\d+)(?:\s*(?:из|of|/)\s*\d+)?|[-–—]\s*(\d+)\s*[-–—]|(\d+)\s*(?:из|of|/)\s*\d+)$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")

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
    split = [text.replace("\r\n", "\n").replace("\r", "\n").split("\n") for text in pages]
    kept = _without_running_lines(split)
    lines = []
    for number, page_lines in enumerate(split, start=1):
        page = f"{path}, page {number}"
        lines += [
            (Location(file=page, row=row), line)
            for row, line in enumerate(page_lines, 1)
            if (number - 1, row - 1) in kept
        ]
    if not any(line.strip() for _, line in lines):
        raise SourceError(
            Location(file=str(path)),
            "the PDF has no text layer",
            "it is probably a scan: run OCR on it first, or import the DOCX or the extracted text",
        )
    logger.debug("%s: %d pages, %d lines of text", path, len(pages), len(lines))
    return lines


def _edges(lines: list[str]) -> list[int]:
    """Indices of the first and last ``EDGE`` non-empty lines of a page."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(filled[:EDGE] + filled[-EDGE:]))


def _without_running_lines(pages: list[list[str]]) -> set[tuple[int, int]]:
    """``(page, line)`` of every line but running headers, footers and page numbers."""
    shapes = Counter()
    for lines in pages:
        shapes.update({_DIGITS.sub("#", lines[i].strip()) for i in _edges(lines)})
    running = {shape for shape, count in shapes.items() if count >= max(2, (len(pages) + 1) // 2)}
    kept = set()
    for page, lines in enumerate(pages):
        edges = set(_edges(lines))
        for index, line in enumerate(lines):
            text = line.strip()
            if index in edges and not _is_plan_line(text):
                number = _PAGE_NUMBER.match(text)
                value = int(next(g for g in number.groups() if g)) if number else None
                if _DIGITS.sub("#", text) in running or value in (page, page + 1):
                    logger.debug(
                        "page %d: %r left out as a running header, footer or page number", page + 1, text
                    )
                    continue
            kept.add((page, index))
    return kept


def _is_plan_line(text: str) -> bool:
    """A line the plan is made of: a table header or year line, target cells, or a coded row."""
    tokens = text.split()
    return (
        not tokens
        or is_header_line(text)
        or all(re.fullmatch(r"(?:19|20)\d{2}", t) for t in tokens)
        or all(target_token(t) is not None for t in tokens)
        or bool(split_code(text)[0])
    )


def read_pdf_file(path: str | Path) -> ImportResult:
    """Import a plan from a PDF's text layer."""
    return parse_lines(pdf_text_lines(path), str(path))
