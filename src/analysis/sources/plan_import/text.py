"""Read a plan from text: the text layer of a PDF, ``pdftotext`` (with or without ``-layout``),
a copy from a browser or a word processor.

The table starts after its header, whose year line gives the year columns (``2024 2025 2026``,
``2024 год``, «на 2024 год», the word «год» wrapped onto a line of its own, or the years at the end
of a one-line header); everything above it (the «Приложение № 2» title block, an approval block)
is not part of the table. Each later line is one of:

- a repeated table header at the top of a page (``№``, ``п/п``, «Наименование результата
  мероприятия», «Значение по итогам года», the same years, a column-number line) — skipped;
- a line that starts with a code (``1.``, ``1.1``, ``1.1.4.``, ``38.02.01``, also a bullet
  «– 38.02.01»), then name text, then, optionally, one cell per year at the end;
- a line of year cells only (``да - -``, ``9 10 10``; fewer cells than years when the last ones
  are blank);
- name text continuing the current row;
- a signature or approval block after the plan («СОГЛАСОВАНО», «УТВЕРЖДАЮ», «М.П.», a line of
  underscores) or notes («Примечание», a footnote) — left out up to the next coded row, with a note.

Cells: a tab separates cells (a browser copy), so a tab-separated row gives its year cells by
position, empty ones included. Otherwise the cells are the tokens at the end of a line; in
``pdftotext -layout`` output (the years far to the right of the header line) each token goes to
the year column it stands under. A token that is not a mark («?», «н/д») where a year cell
stands is named as a problem, not taken into the title.

Page-break debris is tolerated: CRLF or CR line ends, form feeds (the pages of ``pdftotext``,
whose running headers and footers are left out as in :mod:`.pdf`), leading spaces, empty lines, a
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
import statistics
from collections import Counter
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
    value_among_last_words,
)
from analysis.sources.plan_import.marks import is_mark, looks_like_value

logger = logging.getLogger(__name__)

_NUMBER_ONLY = re.compile(r"^\d+$")
_YEAR = re.compile(r"^(?:19|20)\d{2}$")
_YEAR_WORDS = {"г.", "г", "гг.", "год", "года", "на", "/", "(план)", "план"}
_BULLETS = {"-", "–", "—", "•", "·", "▪", "●", "◦", "*", "○", "■"}
_TOKEN = re.compile(r"\S+")
END_OF_TABLE = re.compile(
    r"^(?:согласовано|утверждаю|утверждено|утвержден[аы]?|м\.\s?п\.|подпис[ьи]|\(подпись\)|"
    r"примечани[ея]|сноск[аи])(?:\W|$)|^(?:\*+|[¹²³⁴⁵⁶⁷⁸⁹]+)\s*[А-Яа-яЁёA-Za-z]|_{3,}",
    re.IGNORECASE,
)
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
        "плановое значение",
        "код",
        "код программы",
        "результат",
        "показатель",
    ],
    key=len,
    reverse=True,
)
EDGE = 3  # lines at the top and at the bottom of a page where running headers and footers sit
_PAGE_NUMBER = re.compile(
    r"^(?:(?:стр\.?|страница|page)\s*(\d+)(?:\s*(?:из|of|/)\s*\d+)?|[-–—]\s*(\d+)\s*[-–—]|(\d+)\s*(?:из|of|/)\s*\d+)$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
# A page's own number at the end of a printed header or footer line («file:///…/plan.html 1/3»).
_PAGE_OF = re.compile(r"(?:^|\s)(\d+)\s*(?:/|из|of)\s*(\d+)$")
_ALIGN = 2.5  # characters a value may stand off its column's centre in a laid-out page


def read_text_file(path: str | Path) -> ImportResult:
    """Import a plan from a text file (UTF-8; a UTF-8 BOM, UTF-16 with a BOM and cp1251 too)."""
    path = Path(path)
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            logger.info("%s is not UTF-8; reading it as cp1251", path)
            text = data.decode("cp1251")
    return parse_text(text, str(path))


def parse_text(text: str, source: str = "<text>") -> ImportResult:
    """Import a plan from the text of a document; ``source`` names it in messages.

    Form feeds split pages (``pdftotext``); running headers, footers and page numbers of the
    pages are left out before the text is read."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    pages: list[list[str]] = [[]]
    numbers: list[list[int]] = [[]]
    for number, line in enumerate(lines, 1):
        parts = line.split("\f")
        for index, part in enumerate(parts):
            if index:
                pages.append([])
                numbers.append([])
            pages[-1].append(part)
            numbers[-1].append(number)
    kept = without_running_lines(pages) if len(pages) > 1 else None
    located = []
    for p, page in enumerate(pages):
        mark = "\f" if p else ""  # the page break stays visible to the reader
        for i, line in enumerate(page):
            if kept is None or (p, i) in kept:
                located.append((Location(file=source, row=numbers[p][i]), mark + line))
                mark = ""
    return parse_lines(located, source)


def parse_lines(lines: Iterable[tuple[Location, str]], source: str) -> ImportResult:
    """Import a plan from located lines (a PDF reader gives page-and-line locations)."""
    years: list[str] = []
    lines = list(lines)
    page_of = _pages(lines)
    columns: dict[int, list[float] | None] = {}
    collecting_years = False
    after_header = False
    skipping: Location | None = None  # where a signature or notes block began
    open_cells: int | None = None  # cells so far of the current indicator/programme row
    pieces: list[Piece] = []
    notes: list[str] = []
    numbers: list[tuple[int, int]] = []  # (piece index, value) of numbers alone on their line
    for index, (where, raw) in enumerate(lines):
        raw = raw.replace("\f", " ").replace("\xa0", " ").replace("\u202f", " ")
        line = " ".join(raw.replace("\t", " ").split())
        if not line:
            continue
        found = _years(line)
        if found and (not years or collecting_years):
            years.extend(found)
            collecting_years = after_header = True
            continue
        if (collecting_years or after_header) and _year_words_only(line):
            continue
        collecting_years = False
        if not years:
            headed = header_years(line)
            if headed:
                years, after_header = headed, True
            continue  # the title block above the table
        if found is not None and found != years and after_header:
            raise SourceError(
                where, f"повторный заголовок таблицы называет другие годы, чем {', '.join(years)}", value=raw
            )
        if found == years or is_header_line(line):
            after_header = True
            continue
        if after_header and _is_column_numbers(line, len(years)):
            continue
        after_header = False
        if skipping is not None:
            if not _resumes(line, pieces):
                continue
            skipping = None
        if pieces and END_OF_TABLE.search(line):
            skipping = where
            notes.append(f"{where_of(where)}: {line[:40]!r} и следующие строки до следующей строки плана "
                         "не прочитаны (подписи, согласование, примечания)")  # fmt: skip
            continue
        if "\t" in raw.strip():
            piece = _tab_piece(raw, where, len(years))
        else:
            page = page_of[index]
            if page not in columns:
                columns[page] = value_columns(
                    [r for i, (_, r) in enumerate(lines) if page_of[i] == page], len(years)
                )
            piece = _piece(raw, where, len(years), open_cells, columns[page])
        if _NUMBER_ONLY.match(line):
            numbers.append((len(pieces), int(line)))
        if pieces and open_cells is None and not piece.code and _NUMBER_ONLY.match(line):
            # A number wrapped onto its own line in a section or group name («№\n387»).
            notes.append(
                f"{where_of(where)}: {line!r} на отдельной строке под разделом или группой прочитано как "
                "часть названия — сверьте с документом"
            )
            piece = Piece(where, raw, name=line)
        if piece.code:
            open_cells = 0 if _takes_cells(piece.code) else None
        if piece.cells and open_cells is not None:
            open_cells += len(piece.cells)
        pieces.append(piece)
    if not years:
        raise SourceError(
            Location(file=source),
            "нет заголовка таблицы со столбцами годов (например, 2024 2025 2026)",
            "это план мероприятий (Приложение 2)? Заголовок таблицы должен называть годы",
        )
    if years != sorted(set(years)):
        raise SourceError(Location(file=source), "годы в заголовке должны идти по возрастанию", value=years)
    pieces = _split_trailing_cells(pieces, len(years), {i for i, _ in numbers})
    pieces, pages = _without_page_numbers(pieces, numbers, len(years))
    notes = [n for n in notes if not any(n.startswith(f"{where_of(p.where)}:") for p in pages)]
    warnings = [
        f"{where_of(p.where)}: {p.text.strip()!r} на отдельной строке прочитано как номер страницы — "
        "сверьте с документом"
        for p in pages
    ]
    logger.debug("%s: %d pieces, years %s", source, len(pieces), years)
    result = assemble(pieces, years, source, notes)
    result.warnings[:0] = warnings
    return result


def where_of(where: Location) -> str:
    from analysis.sources.plan_import.assemble import where_ru

    return where_ru(where)


def _takes_cells(code: str) -> bool:
    return bool(PROGRAMME_CODE.match(code)) or code.count(".") == 2


def _resumes(line: str, pieces: list[Piece]) -> bool:
    """After a signature or notes block, a line that starts a plan row continues the table."""
    code, rest = split_code(without_bullet(line))
    return bool(code) and bool(rest) and not END_OF_TABLE.search(line)


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
        while trailing < len(tokens) and is_mark(tokens[len(tokens) - 1 - trailing]):
            trailing += 1
        if 0 < trailing < width and trailing < len(tokens):
            before = tokens[-trailing - 1]
            glued = before if looks_like_value(before) else value_among_last_words(tokens[:-trailing], 2)
            out[first] = replace(
                start, name=" ".join(tokens[:-trailing]), cells=tuple(tokens[-trailing:]), glued=glued
            )
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


def without_bullet(text: str) -> str:
    """«– 38.02.01 Экономика» → «38.02.01 Экономика»: a list bullet before a programme code."""
    head, _, rest = text.strip().partition(" ")
    if head in _BULLETS and PROGRAMME_CODE.match(rest.split(" ", 1)[0]):
        return rest.strip()
    return text.strip()


def _piece(
    raw: str, where: Location, width: int, open_cells: int | None, centres: list[float] | None
) -> Piece:
    text = raw.strip()
    stripped = without_bullet(text)
    offset = raw.index(text[:1]) + (len(text) - len(stripped)) if text else 0
    tokens = [(m.group(), m.start() + offset) for m in _TOKEN.finditer(stripped)]
    words = [t for t, _ in tokens]
    if _values_only(words):
        code, _ = split_code(stripped)
        # «1.5» alone is a value or a group code: a value while the current row still takes values.
        if not code or (open_cells is not None and open_cells + len(words) <= width):
            return _cells_piece(where, raw, "", "", tokens, width, centres)
    code, rest = split_code(stripped)
    if code:
        tokens = tokens[1:]
        words = words[1:]
    if code and words and _values_only(words):
        return _cells_piece(where, raw, code, "", tokens, width, centres)
    trailing = 0
    while trailing < min(width, len(words)) and looks_like_value(words[len(words) - 1 - trailing]):
        trailing += 1
    tail = words[len(words) - trailing :] if trailing else []
    fits = trailing == width or _placed(tokens[len(tokens) - trailing :], width, centres) is not None
    if tail and any(is_mark(t) for t in tail) and fits:
        name = " ".join(words[: len(words) - trailing])
        piece = _cells_piece(where, raw, code, name, tokens[len(tokens) - trailing :], width, centres)
        before = words[len(words) - trailing - 1] if len(words) > trailing else ""
        return replace(piece, glued=before) if before and looks_like_value(before) else piece
    takes = _takes_cells(code) if code else open_cells is not None
    glued = value_among_last_words(words, 3) if takes else ""
    return Piece(where, raw, code=code, name=rest if code else stripped, glued=glued)


def _values_only(words: list[str]) -> bool:
    return bool(words) and all(looks_like_value(w) for w in words) and any(is_mark(w) for w in words)


def _cells_piece(
    where: Location, raw: str, code: str, name: str, tokens: list[tuple[str, int]], width: int, centres
) -> Piece:
    placed = _placed(tokens, width, centres)
    if placed is not None:
        return Piece(where, raw, code=code, name=name, cells=tuple(placed), positional=True)
    return Piece(where, raw, code=code, name=name, cells=tuple(t for t, _ in tokens))


def _placed(tokens: list[tuple[str, int]], width: int, centres: list[float] | None) -> list[str] | None:
    """The tokens put under the year columns they stand under (``pdftotext -layout``), or None when
    the line is not laid out in columns or a token stands under no single year."""
    if not centres or not tokens or len(tokens) > width:
        return None
    cells = [""] * width
    last = -1
    for token, start in tokens:
        centre = start + len(token) / 2
        column = min(range(width), key=lambda c: abs(centres[c] - centre))
        if column <= last or abs(centres[column] - centre) > _ALIGN:
            return None
        cells[column] = token
        last = column
    return cells


def _tab_piece(raw: str, where: Location, width: int) -> Piece:
    """A tab-separated table row: code (its own cell or the name's start), name, then a cell per year."""
    return row_piece(raw.split("\t"), where, width, raw)


def row_piece(cells: list[str], where: Location, width: int, raw: str) -> Piece:
    """A table row given as its cells: code (its own cell or the name's start), name, then a cell
    per year, by position when there are as many as years."""
    cells = [" ".join(c.split()) for c in cells]
    while cells and not cells[0]:
        cells.pop(0)
    while len(cells) > 1 and not cells[-1] and len(cells) > width + 2:
        cells.pop()
    if all(looks_like_value(c) or not c for c in cells) and any(is_mark(c) for c in cells):
        values = cells
        return Piece(where, raw, cells=tuple(values), positional=len(values) == width)
    first = without_bullet(cells[0])
    code, rest = split_code(first)
    names = [rest] if rest or not code else []
    index = 1
    if code and not rest and len(cells) > 1:
        names.append(cells[1])
        index = 2
    if not code:
        names = [first]
    values = cells[index:]
    while values and not values[0] and len(values) > width:
        values.pop(0)  # an empty cell between the name and the years (a merged column)
    if len(values) > width:
        raise SourceError(
            where,
            f"в строке {len(values)} ячеек после названия, а столбцов годов {width}",
            "проверьте строку документа",
            value=raw.strip(),
        )
    if not any(values):
        values = []
    return Piece(
        where, raw, code=code, name=" ".join(n for n in names if n), cells=tuple(values),
        positional=len(values) == width,
    )  # fmt: skip


def _years(line: str) -> list[str] | None:
    """The years of a year-header line (``2024 2025 2026``, ``2024 г. 2025 г.``, «на 2024 год»)."""
    tokens = [t.strip(",;") for t in line.split()]
    years = [t for t in tokens if _YEAR.match(t)]
    if years and all(_YEAR.match(t) or t.lower() in _YEAR_WORDS for t in tokens):
        return years
    return None


def _year_words_only(line: str) -> bool:
    """«год год год»: the word of a year header wrapped onto a line of its own."""
    return all(t.strip(",;").lower() in _YEAR_WORDS for t in line.split())


def _pages(lines: list[tuple[Location, str]]) -> list[int]:
    """The page of each line: a new page at a form feed or where the location's file changes
    (a PDF reader names the page in it)."""
    pages, page, last = [], 0, None
    for where, raw in lines:
        if (last is not None and where.file != last) or raw.startswith("\f"):
            page += 1
        last = where.file
        pages.append(page)
    return pages


def value_columns(lines: list[str], width: int) -> list[float] | None:
    """Where a page laid out in columns (``pdftotext -layout``) puts its year cells: the median
    character centre of each year's value over the lines that end with a full set of values,
    when those lines agree and stand well to the right; else None (cells are read in order)."""
    rows = []
    for raw in lines:
        tokens = [(m.group(), m.start()) for m in _TOKEN.finditer(raw.replace("\t", " "))]
        tail = tokens[-width:]
        full = len(tail) == width and all(is_mark(t) for t, _ in tail)
        if full and (len(tokens) == width or not is_mark(tokens[-width - 1][0])):
            rows.append([start + len(t) / 2 for t, start in tail])
    if len(rows) < 2:
        return None
    medians = [statistics.median(r[c] for r in rows) for c in range(width)]
    agree = sum(all(abs(r[c] - medians[c]) <= _ALIGN for c in range(width)) for r in rows)
    if medians[0] < 20 or agree < 0.8 * len(rows):
        return None
    return medians


def header_years(line: str) -> list[str] | None:
    """The years at the end of a one-line table header («№ п/п Наименование 2024 2025 2026»)."""
    rest = _header_rest(line)
    return _years(rest) if rest is not None and rest else None


def _header_rest(line: str) -> str | None:
    rest = " ".join(line.lower().split())
    matched = False
    while rest:
        for phrase in _HEADER_PHRASES:
            if rest.startswith(phrase) and (len(rest) == len(phrase) or rest[len(phrase)] == " "):
                rest = rest[len(phrase) :].strip()
                matched = True
                break
        else:
            return rest if matched else None
    return rest if matched else None


def is_header_line(line: str) -> bool:
    """A line made only of the table header's phrases (possibly followed by the years)."""
    rest = _header_rest(line)
    return rest is not None and (not rest or _years(rest) is not None or _year_words_only(rest))


def _is_column_numbers(line: str, width: int) -> bool:
    """The «1 2 3 4 5» line some tables put under their header."""
    tokens = line.split()
    return len(tokens) >= width + 1 and tokens == [str(i) for i in range(1, len(tokens) + 1)]


def _edges(lines: list[str]) -> list[int]:
    """Indices of the first and last ``EDGE`` non-empty lines of a page."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(filled[:EDGE] + filled[-EDGE:]))


def without_running_lines(pages: list[list[str]]) -> set[tuple[int, int]]:
    """``(page, line)`` of every line but running headers, footers and page numbers: a line among
    the first or last three of at least half the pages, the same once its digits are ignored, or
    a page number written as such at a page's top or bottom."""
    shapes: Counter = Counter()
    filled = [lines for lines in pages if any(line.strip() for line in lines)]
    for lines in filled:
        shapes.update({_DIGITS.sub("#", " ".join(lines[i].split())) for i in _edges(lines)})
    running = {shape for shape, count in shapes.items() if count >= max(2, (len(filled) + 1) // 2)}
    kept = set()
    for page, lines in enumerate(pages):
        edges = set(_edges(lines))
        for index, line in enumerate(lines):
            text = " ".join(line.split())
            if index in edges and not _is_plan_line(text):
                number = _PAGE_NUMBER.match(text)
                value = int(next(g for g in number.groups() if g)) if number else None
                counted = _PAGE_OF.search(text)
                of_pages = (
                    counted is not None
                    and int(counted.group(1)) == page + 1
                    and int(counted.group(2)) >= page + 1
                )
                if _DIGITS.sub("#", text) in running or value in (page, page + 1) or of_pages:
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
        or _years(text) is not None
        or all(is_mark(t) for t in tokens)
        or bool(split_code(without_bullet(text))[0])
    )
