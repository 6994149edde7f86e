"""Reading the sheets of an ``.xlsx`` workbook within bounds, whatever the file claims.

An ``.xlsx`` is a zip of XML parts. Before any cell is parsed the reader checks what is cheap to
check: the file's size, that it is a zip at all (an old ``.xls`` or a password-protected
workbook is an OLE file), and the uncompressed size of every part it will parse (a sheet of
200 MB of XML is refused by its size in the zip's directory, before a byte of it is inflated).
Then one pass of regular expressions over each wanted sheet's XML finds the rows and columns
actually used — never the declared ``<dimension>`` — and:

- cells beyond the form's area (``Limits.max_rows`` × ``Limits.max_columns``, such as a stray
  cell at ``XFD1048576``) are left out of the XML handed to the cell reader and named in a note,
  so memory never grows with a bogus extent;
- a formula saved without its value (files written by tools other than Excel) becomes
  ``FORMULA_WITHOUT_VALUE`` and an error value (``#DIV/0!``) a ``CellProblem`` naming it, so
  the row is rejected with the reason instead of read as empty.

Cell values are read with python-calamine (Rust; an order of magnitude faster than openpyxl on
the forms, see docs/performance.md): text, floats, booleans, ``date``/``datetime`` for cells
formatted as dates. ``openpyxl_sheets`` is the reader of before, kept as the benchmark's
baseline; it has none of these bounds.

Time is bounded one level up: ``analysis.ingest.workers`` reads each file in a worker process
it stops after a time limit.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from analysis.errors import Location
from analysis.sources.entries import NotRegular, TooLarge, read_regular
from analysis.sources.place import SubmissionProblem, place

_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_MB = 1 << 20
# What a damaged or unusual zip raises: a bad archive, an encrypted or oddly compressed member,
# a member that ends early or does not inflate.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    OSError,
    ValueError,
    KeyError,
    RuntimeError,
    NotImplementedError,
    EOFError,
    zlib.error,
)


@dataclass(frozen=True)
class Limits:
    """The bounds of reading one input file (defaults from the collection form: a sheet holds a
    few hundred rows of at most seven columns; the bounds leave room for a thousand times that)."""

    max_file_bytes: int = 20 * _MB  # a filled-in form is 20–200 KB
    max_part_bytes: int = 64 * _MB  # uncompressed XML of one sheet, the shared strings or styles
    max_rows: int = 100_000  # used rows of one sheet, headings included
    max_columns: int = 64  # columns read; the form has at most seven
    seconds: float = 30.0  # per file, enforced by analysis.ingest.workers
    workers: int = 2  # reader processes; 0 reads in this process, without the time limit
    engine: str = "calamine"  # or "openpyxl": the unbounded reader of before (benchmark baseline)


LIMITS = Limits()


class UnreadableSubmission(SubmissionProblem):
    """A submission that cannot be read at all: not a workbook, corrupt, protected, too large,
    or missing a sheet of the form. It is reported and skipped; the other files go on."""


@dataclass(frozen=True)
class CellProblem:
    """A cell whose value cannot be known from the file; ``rule`` says why and what to do."""

    rule: str

    def __str__(self) -> str:
        return ""


FORMULA_WITHOUT_VALUE = CellProblem("формула без значения: откройте файл в Excel и сохраните его")


def error_value(text: str) -> CellProblem:
    return CellProblem(f"в ячейке ошибка формулы {text}: исправьте формулу в Excel и сохраните файл")


@dataclass
class Workbook:
    """The wanted sheets as rows (``rows[i]`` is sheet row ``i + 1``, cells from column A) and a
    note for every sheet whose cells beyond the form's area were left out."""

    sheets: dict[str, list[tuple]]
    notes: list[str] = field(default_factory=list)


def read_xlsx(
    path: str | Path, wanted: Callable[[str], bool], limits: Limits = LIMITS, data: bytes | None = None
) -> Workbook:
    """Read the sheets whose title ``wanted`` accepts (see the module docstring); ``data`` is the
    file's bytes when they were read already (``read_limited``), and ``path`` then only names it."""
    path = Path(path)
    data = read_limited(path, limits) if data is None else data
    if data[:4] == _OLE_MAGIC:
        raise UnreadableSubmission(
            Location(file=str(path)),
            "книга защищена паролем или сохранена в старом формате .xls",
            "сохраните её как .xlsx без пароля",
        )
    if limits.engine == "openpyxl":
        sheets = openpyxl_sheets(path, data)
        return Workbook({t: rows for t, rows in sheets.items() if wanted(t)})
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as exc:
        raise _not_a_workbook(path, data) from exc
    with archive:
        try:
            parts = _sheet_parts(archive)
        except (*_ZIP_ERRORS, ElementTree.ParseError) as exc:
            raise _not_a_workbook(path, data) from exc
        chosen = {name: part for name, part in parts.items() if wanted(name.strip())}
        _check_part_sizes(archive, path, chosen, limits)
        notes, replaced, problems = [], {}, {}
        for title, part in chosen.items():
            try:
                xml = archive.read(part)
            except _ZIP_ERRORS as exc:
                raise _not_a_workbook(path, data) from exc
            scan = _scan(xml, limits)
            problems[title] = scan.problems
            if scan.trimmed:
                replaced[part] = scan.trimmed
            if scan.outside:
                first = scan.first_outside
                more = f" и ещё {scan.outside - 1}" if scan.outside > 1 else ""
                notes.append(
                    f"{place(Location(file=str(path), sheet=title.strip()))}: ячейки за пределами формы "
                    f"({limits.max_rows} строк × {limits.max_columns} столбцов) не читаются: "
                    f"{first}{more} — удалите их, если это не опечатка"
                )
        try:
            unread = set(parts.values()) - set(chosen.values())
            source = _rebuilt(archive, replaced, unread) if replaced else io.BytesIO(data)
        except _ZIP_ERRORS as exc:
            raise _not_a_workbook(path, data) from exc
    sheets = _calamine_sheets(path, source, chosen, data)
    for name, rows in sheets.items():
        for (row, column), problem in problems[name].items():
            while len(rows) < row:
                rows.append(())
            cells = list(rows[row - 1])
            cells += [""] * (column - len(cells))
            cells[column - 1] = problem
            rows[row - 1] = tuple(cells)
    return Workbook({name.strip(): rows for name, rows in sheets.items()}, notes)


def read_limited(path: Path, limits: Limits) -> bytes:
    """The bytes of an input file: opened without blocking, only a regular file
    (``analysis.sources.entries``), refused above ``limits.max_file_bytes`` before it is read."""
    try:
        return read_regular(path, limits.max_file_bytes)
    except TooLarge as exc:
        raise UnreadableSubmission(
            Location(file=str(path)),
            f"файл занимает {exc.size / _MB:.1f} МБ, больше предела {limits.max_file_bytes / _MB:.0f} МБ "
            "(заполненная форма — десятки килобайт)",
            "удалите из книги лишнее (картинки, вложения, посторонние листы) и пришлите снова",
        ) from exc
    except NotRegular as exc:
        raise UnreadableSubmission(Location(file=str(path)), f"{exc}: не читается") from exc
    except OSError as exc:
        raise UnreadableSubmission(
            Location(file=str(path)), f"файл не открывается ({exc.strerror or exc})"
        ) from exc


def _not_a_workbook(path: Path, data: bytes | None) -> UnreadableSubmission:
    return UnreadableSubmission(
        Location(file=str(path)),
        f"это не читаемая книга .xlsx: {describe(data)}",
        "откройте её в Excel и сохраните заново как .xlsx",
    )


def describe(data: bytes | None) -> str:
    """What a file that is not a readable workbook looks like, by its first bytes, in words the
    person who sent it understands."""
    if data is None:
        return "файл не прочитан"
    if not data.strip():
        return f"файл пуст ({len(data)} байт)"
    head = data[:2048].lstrip().lower()
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        if b"opendocument" in data[:200]:
            return "это таблица OpenDocument (.ods), а не Excel"
        if b"word/" in data:
            return "это документ Word (.docx), а не книга Excel"
        if b"xl/" not in data:
            return "это zip-архив, но не книга Excel"
        return "книга Excel повреждена (архив обрезан или испорчен)"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:300]:
        return "это веб-страница (HTML), а не книга Excel"
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return "это XML-файл, а не книга Excel .xlsx"
    if data.startswith(b"%PDF"):
        return "это PDF-документ, а не книга Excel"
    if data.startswith(b"{\\rtf"):
        return "это документ RTF, а не книга Excel"
    if data.startswith((b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")):
        return "это сжатый архив, а не книга Excel"
    try:
        data[:4096].decode("utf-8")
        return "это текстовый файл, а не книга Excel"
    except UnicodeDecodeError:
        return "это не книга Excel (содержимое не похоже на .xlsx)"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title → the zip part holding its XML, from the workbook part and its relations."""
    names = set(archive.namelist())
    workbook = "xl/workbook.xml"
    if "_rels/.rels" in names:
        for rel in _xml(archive, "_rels/.rels"):
            if _local(rel.tag) == "Relationship" and rel.get("Type", "").endswith("/officeDocument"):
                workbook = rel.get("Target", workbook).lstrip("/")
    base = posixpath.dirname(workbook)
    rels_part = posixpath.join(base, "_rels", posixpath.basename(workbook) + ".rels")
    targets = {}
    for rel in _xml(archive, rels_part):
        if _local(rel.tag) == "Relationship":
            target = rel.get("Target", "")
            full = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(base, target))
            )
            targets[rel.get("Id")] = full
    parts = {}
    for element in _xml(archive, workbook).iter():
        if _local(element.tag) == "sheet":
            rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            if rid in targets and targets[rid] in names:
                parts[element.get("name", "")] = targets[rid]
    return parts


def _xml(archive: zipfile.ZipFile, part: str) -> ElementTree.Element:
    info = archive.getinfo(part)
    if info.file_size > 4 * _MB:  # the workbook part and relations are a few KB
        raise ValueError(f"{part} is {info.file_size} bytes")
    return ElementTree.fromstring(archive.read(part))


def _check_part_sizes(archive: zipfile.ZipFile, path: Path, chosen: dict[str, str], limits: Limits) -> None:
    """Refuse before inflating anything when a part the reader parses is too large."""
    sizes = {info.filename: info.file_size for info in archive.infolist()}
    parsed = {part: title for title, part in chosen.items()}
    for part, size in sizes.items():
        shared = part.endswith(("sharedStrings.xml", "styles.xml"))
        if (part in parsed or shared) and size > limits.max_part_bytes:
            where = Location(file=str(path), sheet=parsed.get(part))
            what = "лист" if part in parsed else f"часть {posixpath.basename(part)}"
            raise UnreadableSubmission(
                where,
                f"{what} занимает {size / _MB:.0f} МБ XML, больше предела "
                f"{limits.max_part_bytes / _MB:.0f} МБ (лист формы — десятки килобайт)",
                "удалите пустые, но отформатированные строки и столбцы и лишние данные, сохраните снова",
            )


_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData\b[^>]*>")
_SHEET_DATA_END = re.compile(rb"</(?:\w+:)?sheetData>")
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_R = re.compile(rb'(?:^|\s)r="([A-Za-z]*)(\d*)"')
_T = re.compile(rb'(?:^|\s)t="(\w+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_ERROR = re.compile(rb'<(?:\w+:)?c\b[^>]*?\st="e"')
_CELL_START = re.compile(rb"<(?:\w+:)?c\b")
_REFERENCE = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3})(\d+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.S)


@dataclass
class _Scan:
    outside: int = 0  # cells with content beyond the limits
    first_outside: str = ""  # the reference of the first of them
    problems: dict[tuple[int, int], CellProblem] = field(default_factory=dict)
    trimmed: bytes = b""  # the sheet's XML without the cells beyond the limits, when there are any

    def beyond(self, column: int, row: int) -> None:
        self.outside += 1
        self.first_outside = self.first_outside or f"{column_letters(column)}{row}"


def column_number(letters: str) -> int:
    """``A`` → 1, ``XFD`` → 16384."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def column_letters(number: int) -> str:
    """1 → ``A``, 16384 → ``XFD``."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _plain(body: bytes, limits: Limits) -> bool:
    """True when a sheet needs no closer look: every cell names its place, none lies beyond the
    limits, and there is no formula or error value (one pass of C-speed searches)."""
    if _FORMULA.search(body) or _ERROR.search(body):
        return False
    references = _REFERENCE.findall(body)
    if len(references) != len(_CELL_START.findall(body)):
        return False
    if not references:
        return True
    letters = {letters for letters, _ in references}
    widest = max(letters, key=lambda text: (len(text), text))
    return column_number(widest.decode()) <= limits.max_columns and (
        max(int(row) for _, row in references) <= limits.max_rows
    )


def _scan(xml: bytes, limits: Limits) -> _Scan:
    """One pass over a sheet's cells: what lies beyond the limits, and formula cells without a
    value or with an error value. ``trimmed`` is the XML without the cells beyond the limits."""
    scan = _Scan()
    opening = _SHEET_DATA.search(xml)
    if not opening or opening.group(0).endswith(b"/>"):
        return scan
    # The closing tag is searched from the end: a lazy pattern over a whole sheet is slow.
    tail = xml.rfind(b"sheetData>")
    closing = _SHEET_DATA_END.search(xml, max(opening.end(), tail - 40)) if tail > 0 else None
    if not closing:
        return scan
    start, end = opening.end(), closing.start()
    body = xml[start:end]
    if _plain(body, limits):
        return scan
    pieces: list[bytes] = []
    position = 0  # body[:position] is already in pieces
    row_number = 0
    for row in _ROW.finditer(body):
        reference = _R.search(row.group(1))
        row_number = int(reference.group(2)) if reference and reference.group(2) else row_number + 1
        column = 0
        kept = []
        for cell in _CELL.finditer(row.group(2) or b""):
            reference = _R.search(cell.group(1))
            column = (
                column_number(reference.group(1).decode()) if reference and reference.group(1) else column + 1
            )
            inner = cell.group(2) or b""
            if row_number > limits.max_rows or column > limits.max_columns:
                if _has_content(inner):
                    scan.beyond(column, row_number)
                continue
            kept.append(cell.group(0))
            problem = _cell_problem(cell.group(1), inner)
            if problem:
                scan.problems[(row_number, column)] = problem
        if row_number > limits.max_rows:
            pieces.append(body[position : row.start()])
            position = row.end()
        elif len(kept) < len(_CELL.findall(row.group(2) or b"")):
            pieces += [body[position : row.start()], _row_with(row, kept)]
            position = row.end()
    if position:
        pieces.append(body[position:])
        scan.trimmed = xml[:start] + b"".join(pieces) + xml[end:]
    return scan


def _has_content(inner: bytes) -> bool:
    value = _VALUE.search(inner)
    return bool((value and value.group(1)) or _FORMULA.search(inner) or b"<t" in inner)


def _cell_problem(attributes: bytes, inner: bytes) -> CellProblem | None:
    kind = _T.search(attributes)
    kind = kind.group(1) if kind else b"n"
    value = _VALUE.search(inner)
    if kind == b"e":
        return error_value((value.group(1) or b"").decode(errors="replace") if value else "")
    # Excel stores an empty text result as <v></v> of a t="str" cell: that is a value.
    if _FORMULA.search(inner) and (value is None or (not value.group(1) and kind != b"str")):
        return FORMULA_WITHOUT_VALUE
    return None


def _row_with(row: re.Match, cells: list[bytes]) -> bytes:
    opening = row.group(0)[: row.group(0).index(b">") + 1]
    if opening.endswith(b"/>"):
        return row.group(0)
    name = opening[1:].split(None, 1)[0].rstrip(b">")
    return opening + b"".join(cells) + b"</" + name + b">"


def _rebuilt(archive: zipfile.ZipFile, replaced: dict[str, bytes], unread: set[str]) -> io.BytesIO:
    """The workbook again, in memory: trimmed sheets instead of the originals, sheets not read
    left empty (so nothing of them is inflated)."""
    empty = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in archive.infolist():
            if info.filename in replaced:
                out.writestr(info.filename, replaced[info.filename])
            elif info.filename in unread:
                out.writestr(info.filename, empty)
            elif info.file_size <= 4 * _MB or info.filename.endswith(("sharedStrings.xml", "styles.xml")):
                out.writestr(info.filename, archive.read(info.filename))
    buffer.seek(0)
    return buffer


def _calamine_sheets(
    path: Path, source: io.BytesIO, chosen: dict[str, str], data: bytes
) -> dict[str, list[tuple]]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(source)
        try:
            return {
                title: [tuple(r) for r in book.get_sheet_by_name(title).to_python(skip_empty_area=False)]
                for title in chosen
            }
        finally:
            book.close()
    except (CalamineError, ValueError, OSError) as exc:
        raise _not_a_workbook(path, data) from exc


def openpyxl_sheets(path: Path, data: bytes | None = None) -> dict[str, list[tuple]]:
    """Every sheet as rows with openpyxl (read-only, cached values): the reader of before,
    unbounded, kept as the benchmark's baseline."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(
            io.BytesIO(data) if data is not None else path, read_only=True, data_only=True
        )
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _not_a_workbook(path, data) from exc
    try:
        return {
            ws.title.strip(): [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in workbook.worksheets
        }
    finally:
        workbook.close()
