"""Read a plan from text: the text layer of a PDF, as extractors and copy-paste give it.

The table starts after its header, whose year line (``2024 2025 2026``) gives the year columns;
everything above it (the «Приложение № 2» title block) is not part of the table. Each later line
is one of:

- a repeated table header at the top of a page (``№``, ``п/п``, «Наименование результата
  мероприятия», «Значение по итогам года», the same year line, a column-number line) — skipped;
- a line that starts with a code (``1.``, ``1.1``, ``1.1.4.``, ``38.02.01``), then name text,
  then, optionally, one target cell per year at the end;
- a line of target cells only (``да - -``, ``9 10 10``; fewer cells than years when the last ones
  are blank);
- name text continuing the current row.

Page-break debris is tolerated: CRLF or CR line ends, form feeds, leading spaces, empty lines, a
word hyphenated across lines, and page numbers — a number alone on its line that continues the
pages' count (1 or 2, then one more each time) and cannot be a target where it stands (under a
section or group, or beyond the year columns of its row), or that continues a count already
found, is read as a page number, with a warning. A row whose line ends with fewer target cells
than years and has no others (a table row whose last cells were empty: ``40.02.02
Правоохранительная деятельность - да``) keeps them as its first cells, with the warning of a
missing cell. Line numbers in messages are the source's own.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from analysis.errors import Location
from analysis.sources.plan_import.assemble import (
    PROGRAMME_CODE,
    ImportResult,
    Piece,
    SourceError,
    assemble,
    split_code,
    target_token,
)

logger = logging.getLogger(__name__)

_NUMBER_ONLY = re.compile(r"^\d+$")
_YEAR = re.compile(r"^(?:19|20)\d{2}$")
_YEAR_WORDS = {"г.", "г", "гг.", "год", "года"}
_HEADER_PHRASES = sorted(
    [
        "№ п/п",
        "№п/п",
        "№",
        "п/п",
        "наименование результата мероприятия",
        "наименование результата",
        "наименование мероприятия",
        "наименование показателя",
        "наименование",
        "значение по итогам года",
        "значение показателя по итогам года",
        "значение показателя",
        "значение по",  # a header cell wrapped over two lines: «Значение по» / «итогам года»
        "значение",
        "по итогам года",
        "итогам года",
    ],
    key=len,
    reverse=True,
)


def read_text_file(path: str | Path) -> ImportResult:
    """Import a plan from a text file (UTF-8; a UTF-8 BOM and cp1251 are accepted too)."""
    path = Path(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        logger.info("%s is not UTF-8; reading it as cp1251", path)
        text = data.decode("cp1251")
    return parse_text(text, str(path))


def parse_text(text: str, source: str = "<text>") -> ImportResult:
    """Import a plan from the text of a document; ``source`` names it in messages."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return parse_lines(((Location(file=source, row=n), line) for n, line in enumerate(lines, 1)), source)


def parse_lines(lines: Iterable[tuple[Location, str]], source: str) -> ImportResult:
    """Import a plan from located lines (a PDF reader gives page-and-line locations)."""
    years: list[str] = []
    collecting_years = False
    after_header = False
    open_cells: int | None = None  # cells so far of the current indicator/programme row
    pieces: list[Piece] = []
    notes: list[str] = []
    numbers: list[tuple[int, int]] = []  # (piece index, value) of numbers alone on their line
    for where, raw in lines:
        line = raw.replace("\f", " ").replace("\xa0", " ").strip()
        if not line:
            continue
        found = _years(line)
        if found and (not years or collecting_years):
            years.extend(found)
            collecting_years = after_header = True
            continue
        collecting_years = False
        if not years:
            continue  # the title block above the table
        if found is not None or is_header_line(line):
            if found is not None and found != years:
                raise SourceError(where, f"a repeated table header names other years than {years}", value=raw)
            after_header = True
            continue
        if after_header and _is_column_numbers(line, len(years)):
            continue
        after_header = False
        piece = _piece(line, where, raw, len(years), open_cells)
        if _NUMBER_ONLY.match(line):
            numbers.append((len(pieces), int(line)))
        if pieces and open_cells is None and not piece.code and _NUMBER_ONLY.match(line):
            # A number wrapped onto its own line in a section or group name («№\n387»).
            notes.append(
                f"{where}: {line!r} on a line of its own under a section or group is read "
                "as part of its name — check the source document"
            )
            piece = Piece(where, raw, name=line)
        if piece.code:
            open_cells = 0 if PROGRAMME_CODE.match(piece.code) or piece.code.count(".") == 2 else None
        if piece.cells and open_cells is not None:
            open_cells += len(piece.cells)
        pieces.append(piece)
    if not years:
        raise SourceError(
            Location(file=source),
            "no table header with the year columns (e.g. 2024 2025 2026)",
            "is this the plan of measures (Appendix 2)?",
        )
    if years != sorted(set(years)):
        raise SourceError(Location(file=source), "the header years must increase", value=years)
    pieces = _split_trailing_cells(pieces, len(years), {i for i, _ in numbers})
    pieces, pages = _without_page_numbers(pieces, numbers, len(years))
    notes = [n for n in notes if not any(f"{p.where}:" in n for p in pages)]
    notes += [
        f"{p.where}: {p.text.strip()!r} on a line of its own is read as a page number — check the source "
        "document"
        for p in pages
    ]
    logger.debug("%s: %d pieces, years %s", source, len(pieces), years)
    result = assemble(pieces, years, source)
    for note in notes:
        logger.debug(note)
    result.warnings[:0] = notes
    return result


def _takes_cells(code: str) -> bool:
    return bool(PROGRAMME_CODE.match(code)) or code.count(".") == 2


def _rows(pieces: list[Piece]) -> list[tuple[int, int]]:
    """``(first, end)`` piece indices of each row: a piece with a code and those up to the next."""
    starts = [i for i, p in enumerate(pieces) if p.code]
    return list(zip(starts, [*starts[1:], len(pieces)], strict=True))


def _split_trailing_cells(pieces: list[Piece], width: int, numbers: set[int]) -> list[Piece]:
    """A row that takes values but got none, whose code line's name ends with fewer target cells
    than years: those are its cells (its last cells were empty), not part of its name. Lone
    numbers that may be page numbers do not count as its values."""
    out = list(pieces)
    for first, end in _rows(pieces):
        start = pieces[first]
        if not _takes_cells(start.code) or any(
            p.cells for i, p in enumerate(pieces[first:end], first) if i not in numbers
        ):
            continue
        tokens = start.name.split()
        trailing = 0
        while trailing < len(tokens) and target_token(tokens[len(tokens) - 1 - trailing]) is not None:
            trailing += 1
        if 0 < trailing < width and trailing < len(tokens):
            cells = tuple(target_token(t) for t in tokens[-trailing:])
            out[first] = replace(start, name=" ".join(tokens[:-trailing]), cells=cells)
    return out


def _without_page_numbers(
    pieces: list[Piece], numbers: list[tuple[int, int]], width: int
) -> tuple[list[Piece], list[Piece]]:
    """Drop the lone numbers that are page numbers (see the module docstring); also return them."""
    owner = {}
    for first, end in _rows(pieces):
        for index in range(first, end):
            owner[index] = first
    cells = {first: sum(len(p.cells) for p in pieces[first:end]) for first, end in _rows(pieces)}
    dropped: set[int] = set()
    expected: set[int] = {1, 2}
    found = False
    for index, value in numbers:
        if value not in expected or pieces[index].code:
            continue
        row = owner.get(index)
        takes = row is not None and _takes_cells(pieces[row].code) and not pieces[index].name
        fits = takes and cells[row] <= width
        if found or not fits:
            dropped.add(index)
            if takes:
                cells[row] -= 1
            expected, found = {value + 1}, True
    return [p for i, p in enumerate(pieces) if i not in dropped], [pieces[i] for i in sorted(dropped)]


def _piece(line: str, where: Location, raw: str, width: int, open_cells: int | None) -> Piece:
    tokens = line.split()
    cells = [target_token(t) for t in tokens]
    if all(c is not None for c in cells):
        code, _ = split_code(line)
        # «1.5» alone is a value or a group code: a value while the current row still takes values.
        if not code or (open_cells is not None and open_cells + len(cells) <= width):
            return Piece(where, raw, cells=tuple(cells))
    code, rest = split_code(line)
    rest_tokens = rest.split()
    rest_cells = [target_token(t) for t in rest_tokens]
    if code and rest_tokens and all(c is not None for c in rest_cells):
        return Piece(where, raw, code=code, cells=tuple(rest_cells))
    trailing = 0
    for cell in reversed(rest_cells):
        if cell is None or trailing == width:
            break
        trailing += 1
    if trailing == width:
        return Piece(
            where, raw, code=code, name=" ".join(rest_tokens[:-width]), cells=tuple(rest_cells[-width:])
        )
    return Piece(where, raw, code=code, name=rest)


def _years(line: str) -> list[str] | None:
    """The years of a year-header line (``2024 2025 2026``, ``2024 г. 2025 г.``), else None."""
    tokens = [t.strip(",;") for t in line.split()]
    years = [t for t in tokens if _YEAR.match(t)]
    if years and all(_YEAR.match(t) or t.lower() in _YEAR_WORDS for t in tokens):
        return years
    return None


def is_header_line(line: str) -> bool:
    """A line made only of the table header's phrases (possibly followed by the years)."""
    rest = " ".join(line.lower().split())
    matched = False
    while rest:
        for phrase in _HEADER_PHRASES:
            if rest.startswith(phrase) and (len(rest) == len(phrase) or rest[len(phrase)] == " "):
                rest = rest[len(phrase) :].strip()
                matched = True
                break
        else:
            return matched and _years(rest) is not None
    return matched


def _is_column_numbers(line: str, width: int) -> bool:
    """The «1 2 3 4 5» line some tables put under their header."""
    tokens = line.split()
    return len(tokens) >= width + 1 and tokens == [str(i) for i in range(1, len(tokens) + 1)]
