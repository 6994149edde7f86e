"""Build canonical plan rows from the pieces a document reader finds, whatever the format.

A reader (plain text, Word table, PDF, spreadsheet) turns its source into a stream of
:class:`Piece` — one per text line or table row — each with where it came from, a code if the
piece starts a new row, name text, and the year cells as the source writes them. :func:`assemble`
walks the stream with the plan's tree rules:

- a code starts a row: ``1.`` a section, ``1.1`` a group, ``1.1.1`` (or ``1.1.1.``) an
  indicator, ``38.02.01`` a programme row of the last indicator;
- name text continues the current row, wherever it sits (before or after its values);
- year cells belong to the current indicator or programme row and are read by the one table
  of marks (:mod:`.marks`). Cells on a section or group, before the first indicator, or beyond
  the number of year columns stop the import: nothing is dropped silently;
- a row whose cells end early (a text layer leaves out empty cells) gets empty trailing cells
  (no target) and a warning naming the line; a reader that knows each cell's column
  (``positional``) gives empty cells as such.

Then the checks a person would make before trusting the result. What cannot be right stops
the import (``problems``; ``import-plan --accept-warnings`` imports anyway, the cells named):
a cell that is not a mark, a value glued to a title, a programme row without targets, an
indicator with neither targets nor programme rows, a gap in the numbering (1.1.1 → 1.1.3), an
indicator listing fewer programme rows than the others. A plan with no target value at all is
refused outright.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import pandas as pd

from analysis.errors import Location, PlanError
from analysis.sources.plan import FIXED_COLUMNS, check_plan_rows, parse_target
from analysis.sources.plan_import.marks import is_mark, looks_like_value, read_mark

logger = logging.getLogger(__name__)

# A programme code (ОКСО) has a zero-led middle part: 38.02.01; plan codes never start with 0.
PROGRAMME_CODE = re.compile(r"^\d{2}\.0\d\.\d{2}$")
PLAN_CODE = re.compile(r"^\d{1,2}(?:\.\d{1,2}){0,2}$")
_KIND_BY_DEPTH = {1: "section", 2: "group", 3: "indicator"}
_KIND_RU = {
    "section": "раздел",
    "group": "группа результатов",
    "indicator": "показатель",
    "programme": "программа",
}
_SPACE = re.compile(r"\s+")
_SUPERSCRIPTS = set("¹²³⁴⁵⁶⁷⁸⁹⁰")
_VALUE_LIMIT = 40  # characters of an offending text quoted in a message


def where_ru(where: Location) -> str:
    """A location in the words of the Russian messages: file, table/page, row, column."""
    # The file by its name: the analyst just gave it, and the line stays under 200 characters.
    parts = [
        p for p in (where.file.replace("\\", "/").rsplit("/", 1)[-1] if where.file else "", where.sheet) if p
    ]
    if where.row is not None:
        parts.append(f"строка {where.row}")
    if where.column:
        parts.append(f"столбец «{where.column}»")
    return ", ".join(parts) or "<документ>"


def quote(value: object, limit: int = _VALUE_LIMIT) -> str:
    text = " ".join(str(value).split()) if not isinstance(value, list | tuple) else ", ".join(map(str, value))
    return f"«{text[:limit]}…»" if len(text) > limit else f"«{text}»"


class SourceError(PlanError):
    """A source document cannot be turned into a plan: one Russian line naming the place,
    the value, the rule and what to do."""

    def line(self) -> str:
        for limit in (_VALUE_LIMIT, 20, 0):  # the quoted value gives way first, to keep under 200
            text = f"{where_ru(self.where)}: {self.rule}"
            if self.value is not None and limit:
                text += f" ({quote(self.value, limit)})"
            if self.hint:
                text += f" — {self.hint}"
            if len(text) < 200:
                break
        return text


@dataclass(frozen=True)
class Piece:
    """One line of text or one table row of a source, as a reader understood it."""

    where: Location
    text: str  # the source line as written, for messages
    code: str = ""  # a plan or programme code that starts a new row
    name: str = ""  # name text on this piece
    cells: tuple[str, ...] = ()  # year cells as the source writes them ("" for an empty cell)
    positional: bool = False  # the cells are the row's year columns in order, empty ones included
    glued: str = ""  # a value-like token just before the cells, left in the name («… да да - -»)


@dataclass
class ImportResult:
    """A plan read from a document: the canonical rows, what to check, and what was read."""

    plan: pd.DataFrame
    source: str
    warnings: list[str] = field(default_factory=list)  # worth a look; the import goes on
    cells_read: int = 0  # non-empty target cells found in the source
    problems: list[str] = field(default_factory=list)  # stop the import unless accepted
    notes: list[str] = field(default_factory=list)  # what was read in a way to say (signs mapped, …)
    parts: list[str] = field(default_factory=list)  # what of the document was read (pages, tables)


@dataclass
class _Row:
    kind: str
    code: str
    programme_code: str
    start: Piece
    names: list[str] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)
    positional: bool = False
    last_cells: Piece | None = None


def target_token(token: str) -> str | None:
    """A target cell as the canonical plan keeps it, or None when the token is not a mark."""
    return read_mark(token).value if token.strip() else None


def clean_name(parts: list[str]) -> str:
    """Join wrapped name lines: one space between lines, whitespace collapsed.

    A word hyphenated at a line end (``научно-`` + ``методической``) is joined without the space
    and keeps its hyphen; a soft hyphen at a line end joins the halves and disappears.
    """
    text = ""
    for part in parts:
        part = _SPACE.sub(" ", part.replace("\xa0", " ")).strip()
        if not part:
            continue
        if text.endswith("\xad"):
            text = text[:-1] + part
        elif len(text) > 1 and text.endswith("-") and text[-2].isalpha() and part[0].isalpha():
            text += part
        else:
            text = f"{text} {part}" if text else part
    return text.replace("\xad", "")


def split_code(text: str) -> tuple[str, str]:
    """``(code, rest)`` when the text starts with a plan or programme code, else ``("", text)``."""
    head, _, rest = text.strip().partition(" ")
    code = head.rstrip(".") if not PROGRAMME_CODE.match(head) else head
    if PROGRAMME_CODE.match(code) or (PLAN_CODE.match(code) and "." in head):
        # A section needs its dot («1.»): a bare «1» is a number, not a code.
        return code, rest.strip()
    return "", text.strip()


def label(code: str, programme_code: str = "") -> str:
    return f"{code} / {programme_code}" if programme_code else code


def assemble(
    pieces: list[Piece],
    years: list[str],
    source: str,
    notes: list[str] | None = None,
) -> ImportResult:
    """Walk the pieces of a document into canonical plan rows (see the module docstring)."""
    rows: list[_Row] = []
    glued: list[str] = []
    seen: dict[tuple[str, str], Piece] = {}
    section = group = indicator = ""
    for piece in pieces:
        if piece.code:
            row = _start_row(piece, section, group, indicator)
            key = (row.code, row.programme_code)
            if key in seen:
                raise SourceError(
                    piece.where,
                    f"{label(*key)} уже была (строка {seen[key].where.row})",
                    "строки идут не по порядку? Для PDF возьмите pdftotext -layout",
                    value=piece.text,
                )
            seen[key] = piece
            if row.kind == "section":
                section, group, indicator = row.code, "", ""
            elif row.kind == "group":
                group, indicator = row.code, ""
            elif row.kind == "indicator":
                indicator = row.code
            rows.append(row)
        if piece.name:
            if not rows:
                raise SourceError(
                    piece.where,
                    "текст перед первой нумерованной строкой плана",
                    "строка плана начинается с кода (1., 1.1, 1.1.1 или 38.02.01)",
                    value=piece.text,
                )
            rows[-1].names.append(piece.name)
        if piece.cells:
            _attach_cells(rows[-1] if rows else None, piece, len(years))
        if piece.glued and rows:
            glued.append(
                f"{where_ru(piece.where)}: {quote(piece.glued)} перед значениями "
                f"{label(rows[-1].code, rows[-1].programme_code)} — лишнее значение? Проверьте ячейки года"
            )
    result = _finish(rows, years, source, list(notes or []))
    result.problems[:0] = glued
    return result


def _finish(rows: list[_Row], years: list[str], source: str, notes: list[str]) -> ImportResult:
    warnings: list[str] = []
    problems: list[str] = []
    cells_read = 0
    frame_rows = []
    for row in rows:
        name = clean_name(row.names)
        where = where_ru(row.start.where)
        if any(c in _SUPERSCRIPTS for c in name):  # a footnote sign after a word is not the title's
            signs = "".join(c for c in name if c in _SUPERSCRIPTS)
            name = "".join(c for c in name if c not in _SUPERSCRIPTS)
            notes.append(
                f"{where}: знак сноски «{signs}» в названии {label(row.code, row.programme_code)} не прочитан"
            )
        if not name:
            raise SourceError(row.start.where, f"у строки {label(row.code, row.programme_code)} нет названия",
                              value=row.start.text)  # fmt: skip
        cells = [""] * len(years)
        if row.kind in ("indicator", "programme"):
            cells, read = _read_cells(row, years, warnings, problems, notes)
            cells_read += read
            glued = _glued_tail(name)
            if glued:
                problems.append(
                    f"{where}: {quote(glued)} в конце названия {label(row.code, row.programme_code)} "
                    "похоже на значения — проверьте ячейки года"
                )
        elif row.cells:
            raise SourceError(row.start.where, "значения у раздела или группы", value=row.cells)
        frame_rows.append([row.kind, row.code, row.programme_code, name, *cells])
    if not frame_rows:
        raise SourceError(
            Location(file=source),
            "не найдено ни одной строки плана",
            "это Приложение 2 (план мероприятий) со строками 1., 1.1, 1.1.1?",
        )
    plan = pd.DataFrame(frame_rows, columns=[*FIXED_COLUMNS, *years], dtype=object).astype(str)
    try:
        check_plan_rows(plan, source)
    except PlanError as exc:  # the tree rules above should make this unreachable
        raise SourceError(Location(file=source), f"план не сложился: {exc.rule}", value=exc.value) from exc
    problems += cross_checks(plan, {(r.code, r.programme_code): where_ru(r.start.where) for r in rows})
    targets = sum(parse_target(c)[0] != "none" for c in plan[years].to_numpy().ravel())
    if not targets:
        raise SourceError(
            Location(file=source),
            "в плане нет ни одного значения (ни числа, ни «да»)",
            "проверьте, что столбцы годов заполнены и прочитаны; план без целей не записывается",
        )
    for line in warnings + problems + notes:
        logger.debug(line)
    return ImportResult(
        plan=plan, source=source, warnings=warnings, cells_read=cells_read, problems=problems, notes=notes
    )


def _read_cells(
    row: _Row, years: list[str], warnings: list[str], problems: list[str], notes: list[str]
) -> tuple[list[str], int]:
    """The row's canonical cells by the table of marks; what is not a mark is a problem."""
    name = label(row.code, row.programme_code)
    where = where_ru((row.last_cells or row.start).where)
    raw = list(row.cells)
    if raw and len(raw) < len(years):
        missing = ", ".join(years[len(raw) :])
        # A text layer leaves an empty cell out (the seed's 40.02.02 row): read as the last
        # cells, a warning for a programme row (whose title the cross-checks compare with its
        # other rows); an indicator's row stops the import, as there is nothing to check it by.
        line = f"{where}: у {name} нет ячейки за {missing} — прочитано как «нет цели»; сверьте с документом"
        (warnings if row.kind == "programme" else problems).append(line)
        raw += [""] * (len(years) - len(raw))
    cells = []
    for year, text in zip(years, raw or [""] * len(years), strict=True):
        mark = read_mark(text)
        if mark.value is None:
            problems.append(
                f"{where}: {name} · {year}: {quote(text)} — не отметка плана (число, «да», «-» или пусто); "
                "исправьте ячейку"
            )
            cells.append("")
            continue
        if mark.note:
            notes.append(f"{name} · {year}: {mark.note}")
        cells.append(mark.value)
    read = sum(1 for t in raw if t.strip())
    if row.cells and len(row.cells) == len(years) and "" in [c.strip() for c in row.cells]:
        missing = ", ".join(y for y, c in zip(years, row.cells, strict=True) if not c.strip())
        warnings.append(f"{where}: у {name} пустая ячейка за {missing} — прочитано как «нет цели»")
    if not row.cells and row.kind == "programme":
        problems.append(f"{where_ru(row.start.where)}: у строки программы {name} нет ни одного значения года")
    return cells, read


def _glued_tail(name: str) -> str:
    """The tokens at the end of a title that look like year cells someone typed, when one of them
    is a mark or a sign («… участников кластера + ? +»); empty when the title ends in words."""
    tokens = name.split()
    tail = []
    while tokens and looks_like_value(tokens[-1]) and len(tail) < 6:
        tail.insert(0, tokens.pop())
    if tail:
        return " ".join(tail)
    return value_among_last_words(name.split())


def value_among_last_words(words: list[str], last: int = 4) -> str:
    """A value among the last words («… работодателей - 9 ok» gives «9 ok»), but not a year
    before «г.», a number after «№» or a dash between words; empty when there is none."""
    for i in range(max(0, len(words) - last), len(words)):
        word, after = words[i], words[i + 1] if i + 1 < len(words) else ""
        before = words[i - 1] if i else ""
        if (
            is_mark(word)
            and read_mark(word).value != "-"
            and before != "№"
            and not after.lower().startswith("г")
        ):
            return " ".join(words[i:])
    return ""


def cross_checks(plan: pd.DataFrame, places: dict[tuple[str, str], str]) -> list[str]:
    """What a person checks before trusting an import: every indicator has targets or programme
    rows, the numbering has no gaps, and indicators that list programmes list the same number."""
    problems = []
    programmes = plan[plan["kind"] == "programme"].groupby("code")["programme_code"].apply(list)
    for row in plan[plan["kind"] == "indicator"].itertuples(index=False):
        if not any(c.strip() for c in row[4:]) and row.code not in programmes.index:
            problems.append(
                f"{places[(row.code, '')]}: у показателя {row.code} нет ни значений, ни строк программ — "
                "проверьте, не потерялись ли они"
            )
    if len(programmes):
        most = max(len(p) for p in programmes)
        for code, listed in programmes.items():
            if len(listed) < most:
                problems.append(
                    f"{places[(code, '')]}: у показателя {code} {len(listed)} строк(и) программ, "
                    f"у других {most} — не потерялась ли строка?"
                )
    rows = plan[plan["kind"] == "programme"]
    for programme, titles in rows.groupby("programme_code")["title"]:
        usual = titles.value_counts().index[0]
        for code, title in zip(rows.loc[titles.index, "code"], titles, strict=True):
            if title != usual and titles.value_counts()[usual] > 1:
                problems.append(
                    f"{places[(code, programme)]}: название {programme} у {code} не как в других строках: "
                    f"{_changed_words(usual, title)} — не приклеилось ли значение?"
                )
    for kind, depth in (("section", 1), ("group", 2), ("indicator", 3)):
        codes = plan.loc[plan["kind"] == kind, "code"].tolist()
        by_parent: dict[str, list[int]] = {}
        for code in codes:
            parts = code.split(".")
            by_parent.setdefault(".".join(parts[: depth - 1]), []).append(int(parts[-1]))
        for parent, numbers in by_parent.items():
            expected = list(range(1, len(numbers) + 1))
            if numbers != expected:
                gap = next(n for n, e in zip(numbers, expected, strict=True) if n != e)
                code = f"{parent}.{gap}" if parent else str(gap)
                problems.append(
                    f"{places[(code, '')]}: номер {code} нарушает нумерацию ({_KIND_RU[kind]} "
                    f"{'после ' + parent + ' ' if parent else ''}идут {', '.join(map(str, numbers))}) — "
                    "не пропущена ли строка?"
                )
    return problems


def _changed_words(usual: str, title: str) -> str:
    a, b = usual.split(), title.split()
    extra = [w for w in b if w not in a] or ["…"]
    missing = [w for w in a if w not in b]
    text = "лишнее «" + " ".join(extra)[:30] + "»"
    return text + (f", нет «{' '.join(missing)[:30]}»" if missing else "")


def _start_row(piece: Piece, section: str, group: str, indicator: str) -> _Row:
    code = piece.code
    if PROGRAMME_CODE.match(code):
        if not indicator:
            raise SourceError(
                piece.where,
                f"строка программы {code} вне показателя",
                "строка программы идёт под своим показателем (1.1.1)",
                value=piece.text,
            )
        return _Row("programme", indicator, code, piece)
    parts = code.split(".")
    kind = _KIND_BY_DEPTH[len(parts)]
    parent = ".".join(parts[:-1])
    expected = {"section": "", "group": section, "indicator": group}[kind]
    if parent != expected:
        under = f"ожидается под {expected}" if expected else "ожидается раздел"
        raise SourceError(
            piece.where,
            f"{_KIND_RU[kind]} {code} не на своём месте в нумерации ({under})",
            "проверьте порядок строк или строку названия, начатую с числа",
            value=piece.text,
        )
    return _Row(kind, code, "", piece)


def _attach_cells(row: _Row | None, piece: Piece, width: int) -> None:
    if row is None or row.kind in ("section", "group"):
        owner = f"{_KIND_RU[row.kind]} {row.code}" if row else "до первой строки"
        raise SourceError(
            piece.where,
            f"значения, не относящиеся к показателю ({owner})",
            "значения стоят в строке показателя или программы",
            value=piece.text,
        )
    if piece.positional:
        if row.cells:
            raise SourceError(
                piece.where,
                f"у {label(row.code, row.programme_code)} второй набор значений годов",
                "у строки одна ячейка на год",
                value=piece.text,
            )
        row.positional = True
    elif len(row.cells) + len(piece.cells) > width:
        raise SourceError(
            piece.where,
            f"значений больше, чем столбцов годов ({width}), у {label(row.code, row.programme_code)}",
            "проверьте ячейки года этой строки",
            value=piece.text,
        )
    row.cells.extend(piece.cells)
    row.last_cells = piece
