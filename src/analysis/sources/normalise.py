"""Cell values as people type them in Excel, read into clean Python values.

Each parser takes one cell (a string, a number or a datetime, as a workbook reader or a CSV
gives it) and returns the clean value, or raises ``ValueError`` whose text is the rule the cell
breaks, written in Russian for the person who will fix the file.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta

EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's 1900 date system (with its 1900 leap-year bug)
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"^[+]?\d+(?:[.,]\d+)?$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$")
_PROGRAMME = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
_SNILS = re.compile(r"^(\d{3})-?(\d{3})-?(\d{3})[ -]?(\d{2})$")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "'": '"'})

YES_WORDS = {"да", "+", "yes", "д"}
NO_WORDS = {"нет", "-", "no", "н"}


def is_blank(value: object) -> bool:
    """True for None, NaN and strings of only spaces."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


# Characters that change how text looks without being seen: bidirectional controls (U+202E
# turns a name around on the page), zero-width characters (two look-alike names that differ),
# the soft hyphen and a stray byte-order mark. Names and titles never need them.
INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def visible(value: str) -> str:
    """``value`` in Unicode NFC with every ``INVISIBLE`` character removed: what a reader sees
    is what the text is (an «й» typed as «и» + breve is one letter, as in any other file)."""
    return INVISIBLE.sub("", unicodedata.normalize("NFC", value))


def invisible_characters(value: object) -> list[str]:
    """The ``INVISIBLE`` characters in ``value`` as ``U+202E`` codes, in order (for a warning)."""
    return [f"U+{ord(c):04X}" for c in INVISIBLE.findall(value)] if isinstance(value, str) else []


def visible_columns(frame, columns, source: str, rows=None):
    """``frame`` with the text of ``columns`` made ``visible``, and one warning line for the file
    (``None`` when nothing was removed) naming the first place, the characters and how many.

    ``rows`` are the line numbers of the frame's rows in ``source`` (default: a header line,
    then the rows in order)."""
    rows = list(rows) if rows is not None else list(range(2, len(frame) + 2))
    first, found = None, []
    out = frame.copy()
    for column in columns:
        if column not in out:
            continue
        values = out[column].tolist()
        for index, value in enumerate(values):
            codes = invisible_characters(value)
            if codes or (isinstance(value, str) and not unicodedata.is_normalized("NFC", value)):
                found += codes
                first = first or (rows[index], column, codes)
                values[index] = visible(value)
        out[column] = values
    if first is None or not found:
        return out, None
    line, column, codes = first
    return out, (
        f"{source}, строка {line}, столбец '{column}': удалены невидимые символы "
        f"({', '.join(dict.fromkeys(codes))}; всего в файле — {len(found)}): они меняют вид текста "
        "(переворачивают его или делают похожие названия разными) — проверьте исходный файл"
    )


def reveal(value: str) -> str:
    """``value`` as received, but every ``INVISIBLE`` character written as ``<U+202E>``: for a
    file name, which must be shown as it is and must not turn itself around on a page."""
    return INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", value)


def text(value: object) -> str:
    """A cell as text: trimmed, inner runs of spaces (incl. non-breaking) made one space, in
    NFC and without invisible characters (``visible``)."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub(" ", visible(str(value)).replace("\xa0", " ")).strip()


def organisation(value: object) -> str:
    """An organisation name with every kind of quotes written as «…», so spellings match.

    A quote after a space, an opening bracket or another opening quote opens; any other closes:
    ``ООО "Завод "Прогресс""`` → ``ООО «Завод «Прогресс»»``.
    """
    name = text(value).translate(_QUOTES)
    out = []
    for index, char in enumerate(name):
        if char == '"':
            before = name[index - 1] if index else " "
            char = "«" if before in " («" or (before == '"' and out and out[-1] == "«") else "»"
        out.append(char)
    return "".join(out)


def number(value: object) -> float:
    """A number ≥ 0: a numeric cell, or text such as ``12``, ``1,5``, ``1.5``, `` 3 ``."""
    if isinstance(value, bool):
        raise ValueError("нужно число ≥ 0")
    if isinstance(value, int | float) and not (isinstance(value, float) and math.isnan(value)):
        if value < 0:
            raise ValueError("число не может быть отрицательным")
        return float(value)
    cleaned = text(value).replace(" ", "")
    if _NUMBER.match(cleaned):
        return float(cleaned.replace(",", "."))
    if cleaned.startswith("-") and _NUMBER.match(cleaned[1:]):
        raise ValueError("число не может быть отрицательным")
    raise ValueError("нужно число ≥ 0 (например, 12 или 1,5)")


def yes_no(value: object) -> bool:
    """да/Да/ДА/+ → True, нет/- → False."""
    word = text(value).lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise ValueError("напишите «да» или «нет»")


def fact(value: object) -> tuple[str, float]:
    """A reported fact: ``("number", n)``, ``("yes", 1.0)``, ``("no", 0.0)``, or ``("none", nan)``
    for an empty cell (the row is there, the fact is not reported yet)."""
    if is_blank(value):
        return "none", float("nan")
    word = text(value).lower()
    if word in YES_WORDS:
        return "yes", 1.0
    if word in NO_WORDS - {"-"}:
        return "no", 0.0
    try:
        return "number", number(value)
    except ValueError:
        raise ValueError("факт — число ≥ 0, «да» или «нет»") from None


def excel_serial(serial: float) -> date:
    """The date of an Excel serial day number (1900 date system)."""
    if not 1 <= serial < 2958466:
        raise ValueError("не дата: число вне диапазона дат Excel")
    return EXCEL_EPOCH + timedelta(days=int(serial))


def day(value: object) -> date | None:
    """A date: a date cell, an Excel serial number, ``dd.mm.yyyy`` or ``yyyy-mm-dd``; None if blank."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1900 <= value <= 2100:  # a bare year, not Excel's day 1900 (1905-03-14)
            raise ValueError("нужна полная дата (дд.мм.гггг), а не только год")
        return excel_serial(float(value))
    cleaned = text(value)
    if cleaned.replace(",", ".").replace(".", "", 1).isdigit():  # a serial number stored as text
        return day(float(cleaned.replace(",", ".")))
    try:
        if match := _DOTTED.match(cleaned):
            d, m, y = (int(g) for g in match.groups())
            return date(y, m, d)
        if match := _ISO.match(cleaned):
            y, m, d = (int(g) for g in match.groups())
            return date(y, m, d)
    except ValueError:
        raise ValueError("такой даты нет в календаре") from None
    raise ValueError("нужна дата в виде дд.мм.гггг")


def programme_code(value: object) -> str:
    """A programme code such as ``38.02.01``."""
    code = text(value).rstrip(".")
    if not _PROGRAMME.match(code):
        raise ValueError("код программы записывается как 38.02.01")
    return code


def indicator_code(value: object) -> str:
    """An indicator code such as ``1.1.4`` (``1.1.4.`` is read the same)."""
    code = text(value).rstrip(".")
    if not re.match(r"^\d+(\.\d+)+$", code):
        raise ValueError("код показателя записывается как 1.1.4")
    return code


def snils(value: object) -> str | None:
    """A СНИЛС with a valid check number, as 11 digits; None if blank.

    The check number is the sum of each of the first nine digits times its position counted
    from the right (9…1), taken mod 101 (100 and 101 give 00). Numbers up to 001-001-998 have no
    check number by the rule and are accepted as written.
    """
    if is_blank(value):
        return None
    match = _SNILS.match(text(value))
    if not match:
        raise ValueError("СНИЛС записывается как 123-456-789 01")
    digits = "".join(match.groups())
    body, check = digits[:9], int(digits[9:])
    if int(body) > 1001998:
        total = sum(int(d) * w for d, w in zip(body, range(9, 0, -1), strict=True))
        expected = total % 101 % 100
        if check != expected:
            raise ValueError("контрольное число СНИЛС не сходится: проверьте цифры")
    return digits


def person_name(value: object) -> str:
    """A person's ФИО, trimmed; the form matches spellings case- and ё-insensitively."""
    name = text(value)
    if not name:
        raise ValueError("ФИО не заполнено")
    if any(ch.isdigit() for ch in name):
        raise ValueError("в ФИО не бывает цифр")
    return name


FLAG_TRUE = ("1", "true", "True", "да")  # how CSV files mark a row as demonstration data


def name_key(name: str) -> str:
    """The spelling-independent form of a ФИО used for pseudonymous ids."""
    return text(name).lower().replace("ё", "е")
