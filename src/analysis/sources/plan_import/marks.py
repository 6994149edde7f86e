"""The one vocabulary of plan target marks, shared by every import format (text, PDF, DOCX, spreadsheet).

A year cell of Appendix 2 holds one mark. :func:`read_mark` turns what a document writes into the
canonical cell the plan file keeps, or says that it is not a mark:

========================================  ==========================  ============================
written in the year cell                  kept in the plan            meaning
========================================  ==========================  ============================
``9``, ``10``, ``1,5``, ``0.5``           as written                  a count target
``да``, ``Да``, ``ДА``, ``дa`` (Latin a)  ``да``/``Да``/``ДА``        a yes target (Latin look-alike
                                                                      letters become Cyrillic)
``+``, ``✓``, ``✔``, ``☑``, ``v``         ``да``                      a yes target (noted)
``-``, ``–``, ``—``, ``‒``, ``−``         ``-``                       not planned
``х``, ``Х`` (Cyrillic), ``x``, ``X``,    ``-``                       not planned, a crossed-out
``×``                                                                 cell (noted)
empty                                     empty                       no target (a warning)
``9¹``, ``9*``, ``да²``                   ``9``, ``да``               the footnote mark is not part
                                                                      of the value (noted)
anything else (``?``, ``нет``, ``9+``,    —                           refused, the cell named
``50%``, ``1О`` with a letter О, ``V``)
========================================  ==========================  ============================

The table is written once more in the README («Plan target marks»); a test keeps them equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DASHES = frozenset({"-", "–", "—", "‒", "−"})
CROSSES = frozenset({"х", "Х", "x", "X", "×"})
TICKS = frozenset({"+", "✓", "✔", "☑", "v"})
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
_LOOKALIKE = str.maketrans({"a": "а", "A": "А"})  # Latin letters that look like Cyrillic in «да»
_FOOTNOTE = re.compile(r"^(.+?)([¹²³⁴⁵⁶⁷⁸⁹⁰]+|\*{1,3})$")
_LETTER = re.compile(r"[A-Za-zА-Яа-яЁё]")
# Short words a title may end with that are not values (so «… 2026 г.» is not a value glued on).
_TITLE_WORDS = frozenset(
    {
        "г.",
        "г",
        "гг.",
        "гг",
        "год",
        "года",
        "№",
        "и",
        "в",
        "на",
        "по",
        "с",
        "к",
        "от",
        "для",
        "а",
        "о",
        "у",
        "я",
    }
)


@dataclass(frozen=True)
class Mark:
    """A year cell as read: ``value`` is the canonical cell (None: not a mark); ``note`` says what
    was done to read it (a mapped or stripped sign), in Russian, empty when it was read as written."""

    value: str | None
    note: str = ""


def read_mark(text: str) -> Mark:
    """Read one year cell by the table in the module docstring."""
    token = " ".join(str(text).replace("\xa0", " ").split())
    if not token:
        return Mark("")
    plain = _plain(token)
    if plain is not None:
        lookalike = plain != token and plain not in ("-",)
        return Mark(
            plain, f"латинские буквы в «{token}» прочитаны как кириллица: «{plain}»" if lookalike else ""
        )
    footnote = _FOOTNOTE.match(token)
    if footnote:
        plain = _plain(footnote.group(1))
        if plain is not None:
            return Mark(
                plain, f"знак сноски «{footnote.group(2)}» после «{footnote.group(1)}» не входит в значение"
            )
    if token in TICKS:
        return Mark("да", f"«{token}» прочитан как «да»")
    if token in CROSSES:
        return Mark("-", f"«{token}» прочитан как «-» (не запланировано)")
    return Mark(None)


def _plain(token: str) -> str | None:
    if token in DASHES:
        return "-"
    if _NUMBER.match(token):
        return token
    yes = token.translate(_LOOKALIKE)
    if yes.lower() == "да":
        return yes
    return None


def is_mark(token: str) -> bool:
    """Whether a non-empty token is a target mark (by the table, signs included)."""
    return bool(token.strip()) and read_mark(token).value is not None


def looks_like_value(token: str) -> bool:
    """Whether a token could be a year cell someone typed: a mark, or a short token of signs or
    digits that is no word of a title («?», «н/д», «нет», «9+», «50%»). Used to find values glued
    to a title and cells that are not marks."""
    if is_mark(token):
        return True
    if token.lower() in _TITLE_WORDS or token.endswith((",", ";")):
        return False  # a title word, or an item of a list in a title («2024, 2025, 2026 гг.»)
    if is_mark(token.strip("()[].:\"'«»")):
        return True  # a mark in brackets or with a full stop: «(да)», «да.»
    if token.lower() in {"нет", "н/д", "н/п", "нд", "нп", "--", "---"}:
        return True
    if len(token) == 1:
        return True  # a lone letter or sign where a word would be: «V», «✗»
    if not _LETTER.search(token):
        return token not in {")", "(", ":", ";", ".", ",", "»", "«", '"'}
    return any(c.isdigit() for c in token) and len(token) <= 4
