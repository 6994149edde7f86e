"""Read the plan from tables — Word tables and spreadsheets alike — by recognising what each
column holds, from its header and its content, not from one layout.

A table is a rectangle of :class:`Cell` (merges made explicit: a cell merged down is
``continued`` in the rows below, a cell merged across repeats its ``origin``). The header ends at
the first row that names years («2024», «2024 год», «на 2024 год», «2024» and «год» on two lines
of one cell); the rows above it name the other columns. Column roles:

- **years** — the header's year cells, one column each;
- **code** — headed «№»/«п/п», or the column whose cells are plan codes (1., 1.1, 1.1.1);
- **programme code** — headed «Код…» (программы, специальности, ОКСО) or holding 38.02.01-style
  codes;
- **group** — a column of result groups merged down over their indicators («1.1 Результат…»);
- **name** — headed «Наименование…», else the text column with the most text;
- anything else (unit, note, responsible person) is left out, with a note; a left-out column
  that holds target marks stops the import.

Each body row gives :class:`~.assemble.Piece` objects with positional year cells. A row whose
name cell lists programmes as paragraphs («38.02.01 …» on lines of their own, values one per
line in the year cells) gives one piece per programme; a table nested in a cell gives one piece
per nested row. A line of column numbers, a repeated header and empty rows are skipped; a
signature or approval block («СОГЛАСОВАНО», «УТВЕРЖДАЮ», underscores) ends the plan until the
next coded row. A later table continues the plan when it has as many columns and starts with a
coded row; other tables (a signature table, a title table) are left out with a note.
"""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass, field

from analysis.errors import Location
from analysis.sources.plan_import.assemble import (
    PLAN_CODE,
    PROGRAMME_CODE,
    Piece,
    SourceError,
    clean_name,
    split_code,
)
from analysis.sources.plan_import.marks import is_mark
from analysis.sources.plan_import.text import END_OF_TABLE, is_header_line, row_piece, without_bullet

logger = logging.getLogger(__name__)

YEAR_CELL = re.compile(r"^(?:на\s+)?((?:19|20)\d{2})(?:\s*(?:г\.?|год|года|гг\.?))?(?:\s*\(?план\)?)?$", re.I)
_GROUP_CODE = re.compile(r"^\d{1,2}\.\d{1,2}\.?(?:\s|$)")


@dataclass(frozen=True)
class Cell:
    """One grid position of a table: its text (paragraphs joined by newlines), where its merged
    cell starts, whether it is merged down from the row above, tables nested in it (rows of
    cell texts) and tracked changes it holds (a note each)."""

    text: str
    origin: tuple[int, int]
    continued: bool = False
    nested: tuple[tuple[tuple[str, ...], ...], ...] = ()
    changes: tuple[str, ...] = ()


@dataclass
class Layout:
    years: list[str]
    year_columns: list[int]
    code: int | None
    name: int
    programme: int | None = None
    group: int | None = None
    width: int = 0
    ignored: list[str] = field(default_factory=list)


@dataclass
class TableRead:
    """What a set of tables gave: the years, the pieces, notes, and the parts read."""

    years: list[str] = field(default_factory=list)
    pieces: list[Piece] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)


def year_of(text: str) -> str | None:
    match = YEAR_CELL.match(" ".join(text.split()))
    return match.group(1) if match else None


def read_tables(tables: list[tuple[str, list[list[Cell]]]], source: str) -> TableRead | None:
    """Read the plan from named tables (``("таблица 2", grid)``); None when none has a year header."""
    out = TableRead()
    layout: Layout | None = None
    for name, grid in tables:
        if not grid:
            continue
        found = find_layout(grid, source, name)
        if found is not None:
            header_end, this = found
            if (
                layout is not None
                and this.years != layout.years
                and not _starts_with_code(grid[header_end + 1 :], this)
            ):
                out.notes.append(
                    f"{where_text(Location(source, name))}: другие годы, не часть плана — не прочитана"
                )
                continue
            if layout is not None and this.years != layout.years:
                raise SourceError(
                    Location(file=source, sheet=name, row=header_end + 1),
                    f"годы этой таблицы не совпадают с годами плана ({', '.join(layout.years)})",
                    value=this.years,
                )
            layout = layout or this
            if this is not layout:
                this = layout if len(grid[0]) == layout.width else this
            body = range(header_end + 1, len(grid))
            current = this
        elif layout is not None and len(grid[0]) == layout.width and _starts_with_code(grid, layout):
            body, current = range(len(grid)), layout
        else:
            if layout is not None:
                out.notes.append(
                    f"{where_text(Location(source, name))}: не часть таблицы плана (нет годов) — не прочитана"
                )
            continue
        if current.ignored:
            out.notes.append(
                f"{where_text(Location(source, name))}: столбцы {', '.join(current.ignored)} не читаются"
            )
        out.parts.append(f"{name}: строк {len(body)}")
        out.pieces += _body(grid, body, current, source, name, out.notes)
    if layout is None:
        return None
    out.years = layout.years
    return out


def find_layout(grid: list[list[Cell]], source: str, name: str) -> tuple[int, Layout] | None:
    """The header's last row and the column roles, or None when no row names years."""
    for index, row in enumerate(grid[:15]):
        columns = [
            c
            for c, cell in enumerate(row)
            if year_of(cell.text) and (c == 0 or row[c - 1].origin != cell.origin)
        ]
        if not columns:
            continue
        years = [year_of(row[c].text) for c in columns]
        if years != sorted(set(years)):
            raise SourceError(
                Location(file=source, sheet=name, row=index + 1),
                "годы в заголовке должны идти по возрастанию",
                value=years,
            )
        return index, _roles(grid, index, columns, years, source, name)
    return None


def _roles(grid, header: int, year_columns: list[int], years: list[str], source: str, name: str) -> Layout:
    width = len(grid[0])
    body = grid[header + 1 :]
    heading = {
        c: " ".join(" ".join(grid[r][c].text.split()).lower() for r in range(header + 1))
        for c in range(width)
    }
    others = _distinct(grid, header, [c for c in range(width) if c not in year_columns])

    def share(column: int, test) -> float:
        texts = [r[column].text.strip() for r in body if not r[column].continued and r[column].text.strip()]
        return sum(bool(test(t)) for t in texts) / len(texts) if texts else 0.0

    def plan_code(text: str) -> bool:
        head = text.split()[0] if text.split() else ""
        return bool(PLAN_CODE.match(head.rstrip("."))) and not PROGRAMME_CODE.match(head)

    programme = next(
        (
            c
            for c in others
            if "код" in heading[c] and any(w in heading[c] for w in ("програм", "специальн", "профес", "окс"))
        ),
        None,
    )
    if programme is None:
        programme = next((c for c in others if _programme_codes_only(body, c)), None)
    rest = [c for c in others if c != programme]
    code = next((c for c in rest if "№" in heading[c] or "п/п" in heading[c]), None)
    if code is None:
        code = next(
            (c for c in rest if share(c, lambda t: plan_code(t) and len(t.split()) == 1) >= 0.6), None
        )
    rest = [c for c in rest if c != code]
    group = None
    for c in rest:
        cells = [r[c] for r in body]
        # Its own cells (not a section title merged across the row) all start with a group code.
        starts = [
            r[c] for r in body if not r[c].continued and r[c].text.strip() and r[c].origin != r[-1].origin
        ]
        merged = sum(x.continued for x in cells)
        if starts and merged >= len(starts) and all(_GROUP_CODE.match(x.text.strip()) for x in starts):
            group = c
            break
    rest = [c for c in rest if c != group]
    if not rest:
        raise SourceError(
            Location(file=source, sheet=name, row=header + 1),
            "не найден столбец наименований",
            "в заголовке таблицы нужен столбец «Наименование…»",
        )
    named = [c for c in rest if "наименование" in heading[c] or "мероприят" in heading[c]]
    text_size = {c: sum(len(r[c].text) for r in body) for c in rest}
    name_column = named[0] if named else max(rest, key=lambda c: text_size[c])
    ignored = []
    for c in rest:
        if c == name_column:
            continue
        values = [r[c].text.strip() for r in body if not r[c].continued and r[c].text.strip()]
        if values and sum(is_mark(v) for v in values) >= 0.5 * len(values) and not _unit_heading(heading[c]):
            raise SourceError(
                Location(file=source, sheet=name, row=header + 1, column=str(c + 1)),
                "столбец похож на значения года, но в заголовке нет года",
                "назовите год в заголовке столбца",
                value=heading[c] or values[0],
            )
        if values:
            ignored.append(f"«{heading[c] or c + 1}»")
    return Layout(years, year_columns, code, name_column, programme, group, width, ignored)


def _programme_codes_only(body: list[list[Cell]], column: int) -> bool:
    texts = [r[column].text.strip() for r in body if not r[column].continued and r[column].text.strip()]
    return bool(texts) and all(PROGRAMME_CODE.match(t) for t in texts)


def _unit_heading(heading: str) -> bool:
    return any(w in heading for w in ("единиц", "ед. изм", "примечан", "ответствен", "срок", "исполнител"))


def _distinct(grid, header: int, columns: list[int]) -> list[int]:
    """One column per merged header cell group: a column whose cells all repeat the column to
    its left (a cell merged across) is not a column of its own."""
    out = []
    for c in columns:
        if (
            out
            and c - 1 == out[-1]
            and all(grid[r][c].origin == grid[r][c - 1].origin for r in range(len(grid)))
        ):
            continue
        out.append(c)
    return out


def _starts_with_code(grid: list[list[Cell]], layout: Layout) -> bool:
    for row in grid:
        texts = [c.text.strip() for c in row if c.text.strip()]
        if not texts or _is_column_numbers(texts) or all(is_header_line(t) or year_of(t) for t in texts):
            continue
        return bool(split_code(without_bullet(texts[0]))[0]) or bool(PLAN_CODE.match(texts[0].rstrip(".")))
    return False


def _is_column_numbers(texts: list[str]) -> bool:
    return len(texts) > 2 and texts == [str(i) for i in range(1, len(texts) + 1)]


def _body(grid, body: range, layout: Layout, source: str, name: str, notes: list[str]) -> list[Piece]:
    pieces: list[Piece] = []
    skipping = False
    for index in body:
        row = grid[index]
        where = Location(file=source, sheet=name, row=index + 1)
        texts = _texts(row)
        if not texts or _is_column_numbers(texts) or _repeats_header(row, layout, texts):
            continue
        joined = " | ".join(texts)
        for cell in _distinct_cells(row):
            notes += [f"{where_text(where)}: {change}" for change in cell.changes]
        if END_OF_TABLE.search(texts[0]) or (
            pieces and END_OF_TABLE.search(joined) and not _row_code(row, layout)
        ):
            if not skipping:
                notes.append(
                    f"{where_text(where)}: {joined[:40]!r} и далее до следующей строки плана не прочитано "
                    "(подписи, согласование, примечания)"
                )
            skipping = True
            continue
        if skipping and not _row_code(row, layout):
            continue
        skipping = False
        pieces += _row_pieces(row, layout, where, joined)
    return pieces


def where_text(where: Location) -> str:
    from analysis.sources.plan_import.assemble import where_ru

    return where_ru(where)


def _texts(row: list[Cell]) -> list[str]:
    return [
        " ".join(c.text.split())
        for c in _distinct_cells(row)
        if not c.continued and (c.text.strip() or c.nested)
    ]


def _distinct_cells(row: list[Cell]) -> list[Cell]:
    seen, out = set(), []
    for cell in row:
        if cell.origin not in seen:
            seen.add(cell.origin)
            out.append(cell)
    return out


def _row_code(row: list[Cell], layout: Layout) -> str:
    for column in (layout.code, layout.programme, layout.name):
        if column is not None and not row[column].continued:
            code = split_code(without_bullet(row[column].text.strip()))[0]
            if code:
                return code
    return ""


def _repeats_header(row: list[Cell], layout: Layout, texts: list[str]) -> bool:
    """A header row repeated down the table: its years, or nothing but the header's phrases."""
    if [year_of(row[c].text) for c in layout.year_columns] == layout.years:
        return True
    return all(is_header_line(t) for t in texts)


def _row_pieces(row: list[Cell], layout: Layout, where: Location, text: str) -> list[Piece]:
    pieces = []
    if layout.group is not None:
        cell = row[layout.group]
        if not cell.continued and cell.text.strip() and cell.origin != row[layout.name].origin:
            code, rest = split_code(cell.text.strip())
            pieces.append(Piece(where, cell.text, code=code, name=clean_name([rest])))
    code_cell = row[layout.code] if layout.code is not None else None
    name_cell = row[layout.name]
    owners = {name_cell.origin} | ({code_cell.origin} if code_cell is not None else set())
    code = ""
    if code_cell is not None and not code_cell.continued and code_cell.origin != name_cell.origin:
        code = " ".join(code_cell.text.split())
    programme = ""
    shared = row[layout.programme].origin == name_cell.origin if layout.programme is not None else True
    if layout.programme is not None and not row[layout.programme].continued and not shared:
        programme = " ".join(row[layout.programme].text.split())
        owners.add(row[layout.programme].origin)
    lines = [] if name_cell.continued else name_cell.text.split("\n")
    head = code or programme
    if code and programme:
        head = programme  # a programme row that repeats its indicator's number
    if head:
        parsed, rest = split_code(without_bullet(head))
        if not parsed and PLAN_CODE.match(head.rstrip(".")):
            parsed, rest = head.rstrip("."), ""  # a bare «1» in the code column is a section
        if not parsed:
            raise SourceError(
                Location(where.file, where.sheet, where.row, "№"),
                "не код плана (1., 1.1, 1.1.1) и не код программы (38.02.01)",
                "исправьте ячейку кода",
                value=head,
            )
        code = parsed
        lines = [rest, *lines] if rest else lines
    elif lines:
        first = without_bullet(lines[0])
        code, rest = split_code(first)
        lines = [rest, *lines[1:]] if code else lines
    cells = []
    for column in layout.year_columns:
        cell = row[column]
        cells.append("" if cell.continued or cell.origin in owners else cell.text)
    programmes = [
        i for i, line in enumerate(lines) if i and PROGRAMME_CODE.match(without_bullet(line).split(" ")[0])
    ]
    if lines and PROGRAMME_CODE.match(without_bullet(lines[0]).split(" ")[0]) and not code:
        programmes = [0, *programmes]
    if programmes:
        pieces += _split_programmes(lines, programmes, code, cells, layout.years, where, text)
    else:
        values = [" ".join(c.split()) for c in cells]
        pieces.append(
            Piece(
                where,
                text,
                code=code,
                name=clean_name(lines),
                cells=tuple(values) if any(values) else (),
                positional=True,
            )
        )
    for cell in _distinct_cells(row):
        for number, nested in enumerate(cell.nested, 1):
            for r, nested_row in enumerate(nested, 1):
                place = Location(
                    where.file, f"{where.sheet}, вложенная таблица {number}", where.row, f"строка {r}"
                )
                texts = [" ".join(t.split()) for t in nested_row]
                if not any(texts) or all(is_header_line(t) or year_of(t) or not t for t in texts):
                    continue
                pieces.append(row_piece(list(nested_row), place, len(layout.years), " | ".join(texts)))
    return pieces


def _split_programmes(
    lines: list[str],
    starts: list[int],
    code: str,
    cells: list[str],
    years: list[str],
    where: Location,
    text: str,
) -> list[Piece]:
    """A row whose name cell lists programmes as paragraphs: one piece for the row itself and one
    per programme, each year cell's lines going to the paragraphs they stand beside (or, when the
    counts differ, one value per programme in order)."""
    bounds = [*starts, len(lines)]
    names = [clean_name(lines[a:b]) for a, b in itertools.pairwise(bounds)]
    own = clean_name(lines[: starts[0]])
    per_row: list[list[str]] = [[] for _ in range(len(starts) + 1)]
    for year, cell in zip(years, cells, strict=True):
        parts = cell.split("\n")
        filled = [p.strip() for p in parts if p.strip()]
        if len(parts) == len(lines):
            values = (
                [parts[i].strip() for i in [0, *starts]]
                if starts[0]
                else ["", *(parts[i].strip() for i in starts)]
            )
            stray = [
                p
                for i, p in enumerate(parts)
                if p.strip() and i not in ([0, *starts] if starts[0] else starts)
            ]
            if not stray:
                for k, value in enumerate(values):
                    per_row[k].append(value)
                continue
        if len(filled) == len(starts):
            values = ["", *filled]
        elif len(filled) == len(starts) + 1 and starts[0]:
            values = filled
        elif not filled:
            values = [""] * (len(starts) + 1)
        else:
            raise SourceError(
                Location(where.file, where.sheet, where.row, year),
                f"в ячейке {len(filled)} значений на {len(starts)} программ(ы) — не понять, какое чьё",
                "поставьте значения программ в отдельные строки таблицы или по одному на абзац",
                value=cell,
            )
        for k, value in enumerate(values):
            per_row[k].append(value)
    pieces = []
    if code or own:
        pieces.append(_positional(where, text, code, own, per_row[0]))
    for k, name in enumerate(names, 1):
        programme, rest = split_code(without_bullet(name))
        pieces.append(_positional(where, text, programme, rest, per_row[k]))
    return pieces


def _positional(where: Location, text: str, code: str, name: str, cells: list[str]) -> Piece:
    return Piece(where, text, code=code, name=name, cells=tuple(cells) if any(cells) else (), positional=True)
