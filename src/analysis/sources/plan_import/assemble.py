"""Build canonical plan rows from the pieces a document reader finds, whatever the format.

A reader (plain text, Word table, PDF) turns its source into a stream of :class:`Piece` — one
per text line or table row — each with where it came from, a code if the piece starts a new
row, name text, and target cells. :func:`assemble` walks the stream with the plan's tree rules:

- a code starts a row: ``1.`` a section, ``1.1`` a group, ``1.1.1`` (or ``1.1.1.``) an
  indicator, ``38.02.01`` a programme row of the last indicator;
- name text continues the current row, wherever it sits (before or after its values);
- target cells belong to the current indicator or programme row. Cells on a section or group,
  before the first indicator, or beyond the number of year columns stop the import: nothing
  is dropped silently;
- a row whose cells end early gets empty trailing cells (no target) and a warning naming the
  line.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import pandas as pd

from analysis.errors import Location, PlanError
from analysis.sources.plan import FIXED_COLUMNS, check_plan_rows

logger = logging.getLogger(__name__)

# A programme code (ОКСО) has a zero-led middle part: 38.02.01; plan codes never start with 0.
PROGRAMME_CODE = re.compile(r"^\d{2}\.0\d\.\d{2}$")
PLAN_CODE = re.compile(r"^\d{1,2}(?:\.\d{1,2}){0,2}$")
_KIND_BY_DEPTH = {1: "section", 2: "group", 3: "indicator"}
_DASHES = {"-", "–", "—", "‒", "−"}  # the dash variants documents use for «-»
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
_SPACE = re.compile(r"\s+")


class SourceError(PlanError):
    """A source document cannot be turned into a plan: the message names the line and its text."""


@dataclass(frozen=True)
class Piece:
    """One line of text or one table row of a source, as a reader understood it."""

    where: Location
    text: str  # the source line as written, for messages
    code: str = ""  # a plan or programme code that starts a new row
    name: str = ""  # name text on this piece
    cells: tuple[str, ...] = ()  # target cells found on this piece


@dataclass
class ImportResult:
    """A plan read from a document: the canonical rows, warnings and what was read."""

    plan: pd.DataFrame
    source: str
    warnings: list[str] = field(default_factory=list)
    cells_read: int = 0  # non-empty target cells found in the source


@dataclass
class _Row:
    kind: str
    code: str
    programme_code: str
    start: Piece
    names: list[str] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)
    last_cells: Piece | None = None


def target_token(token: str) -> str | None:
    """A target cell as the canonical plan keeps it, or None when the token is not one.

    Numbers and yes words stay exactly as written; the dash variants all mean «-».
    """
    if token in _DASHES:
        return "-"
    if token.lower() == "да" or _NUMBER.match(token):
        return token
    return None


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
    if PROGRAMME_CODE.match(code) or (PLAN_CODE.match(code) and _looks_like_plan_code(head)):
        return code, rest.strip()
    return "", text.strip()


def _looks_like_plan_code(head: str) -> bool:
    # A section needs its dot («1.»): a bare «1» is a number, not a code.
    return "." in head


def assemble(pieces: list[Piece], years: list[str], source: str) -> ImportResult:
    """Walk the pieces of a document into canonical plan rows (see the module docstring)."""
    rows: list[_Row] = []
    warnings: list[str] = []
    cells_read = 0
    seen: dict[tuple[str, str], Piece] = {}
    section = group = indicator = ""
    for piece in pieces:
        if piece.code:
            row = _start_row(piece, section, group, indicator)
            key = (row.code, row.programme_code)
            if key in seen:
                raise SourceError(
                    piece.where,
                    f"row {_label(row)} appears twice (first at {seen[key].where})",
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
                    "text before the first numbered row of the plan",
                    "a plan row starts with its code (1., 1.1, 1.1.1 or 38.02.01)",
                    value=piece.text,
                )
            rows[-1].names.append(piece.name)
        if piece.cells:
            _attach_cells(rows[-1] if rows else None, piece, len(years))
            cells_read += sum(1 for c in piece.cells if c)
    frame_rows = []
    for row in rows:
        name = clean_name(row.names)
        if not name:
            raise SourceError(row.start.where, f"row {_label(row)} has no name", value=row.start.text)
        cells = row.cells
        if row.kind in ("indicator", "programme"):
            if 0 < len(cells) < len(years):
                missing = ", ".join(years[len(cells) :])
                warnings.append(
                    f"{row.last_cells.where}: {_label(row)} has no cell for {missing}; read as "
                    f"no target — check the source document (line {row.last_cells.text!r})"
                )
                cells = cells + [""] * (len(years) - len(cells))
            elif cells and "" in cells:
                missing = ", ".join(y for y, c in zip(years, cells, strict=True) if not c)
                warnings.append(
                    f"{row.last_cells.where}: {_label(row)} has an empty cell for {missing}; "
                    "read as no target — check the source document"
                )
            elif not cells and row.kind == "programme":
                warnings.append(f"{row.start.where}: programme row {_label(row)} has no targets at all")
        frame_rows.append([row.kind, row.code, row.programme_code, name, *(cells or [""] * len(years))])
    if not frame_rows:
        raise SourceError(
            Location(file=source),
            "no plan rows found",
            "is this Appendix 2 (the plan of measures) with rows numbered 1., 1.1, 1.1.1?",
        )
    plan = pd.DataFrame(frame_rows, columns=[*FIXED_COLUMNS, *years], dtype=object).astype(str)
    check_plan_rows(plan, source)
    for warning in warnings:
        logger.debug(warning)
    return ImportResult(plan=plan, source=source, warnings=warnings, cells_read=cells_read)


def _start_row(piece: Piece, section: str, group: str, indicator: str) -> _Row:
    code = piece.code
    if PROGRAMME_CODE.match(code):
        if not indicator:
            raise SourceError(
                piece.where,
                f"programme row {code} outside any indicator",
                "a programme row follows the indicator it belongs to",
                value=piece.text,
            )
        return _Row("programme", indicator, code, piece)
    parts = code.split(".")
    kind = _KIND_BY_DEPTH[len(parts)]
    parent = ".".join(parts[:-1])
    expected = {"section": "", "group": section, "indicator": group}[kind]
    if parent != expected:
        where = f"under {expected}" if expected else "at the top level"
        raise SourceError(
            piece.where,
            f"{kind} {code} does not fit the plan's numbering ({where})",
            "check the numbering, or a name line that starts with a number",
            value=piece.text,
        )
    return _Row(kind, code, "", piece)


def _attach_cells(row: _Row | None, piece: Piece, width: int) -> None:
    if row is None or row.kind in ("section", "group"):
        owner = f"{row.kind} {row.code}" if row else "no row yet"
        raise SourceError(
            piece.where,
            f"target values that belong to no indicator ({owner})",
            "values must follow an indicator or a programme row",
            value=piece.text,
        )
    if len(row.cells) + len(piece.cells) > width:
        raise SourceError(
            piece.where,
            f"more target values than the {width} year columns for {_label(row)} (already has {row.cells})",
            value=piece.text,
        )
    row.cells.extend(piece.cells)
    row.last_cells = piece


def _label(row: _Row) -> str:
    return f"{row.code} / {row.programme_code}" if row.programme_code else row.code
