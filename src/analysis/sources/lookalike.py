"""Letters that look alike in Cyrillic and Latin, folded where a form's identity is read.

A sheet title, a field label and a cluster id are compared, not read for meaning: «Сведения»
typed with a Latin «C», or ``samara-law`` with a Cyrillic «а», is the same word to the person who
sent it. Headings and labels are Cyrillic, so Latin look-alikes are folded to Cyrillic
(``to_cyrillic``); cluster ids are Latin, so Cyrillic look-alikes are folded to Latin
(``to_latin``). Invisible characters (zero-width spaces and joiners, direction marks, the byte
order mark) are removed first. Where two identities still differ, ``difference`` names the first
differing character by its code point, so a message shows what the eye cannot.
"""

from __future__ import annotations

import re
import unicodedata

# Latin letter → the Cyrillic letter it is drawn like (both cases).
_LATIN_CYRILLIC = dict(zip("aceopxykABCEHKMOPTXY", "асеорхукАВСЕНКМОРТХУ", strict=True))
# Cyrillic letter → the Latin letter it is drawn like, for lowercase ids (after ``str.lower``).
_CYRILLIC_LATIN = dict(zip("асеорхуіјѕкһԁԛԝ", "aceopxyijskhdqw", strict=True))
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def visible(text: str) -> str:
    """``text`` without invisible characters (soft hyphen, zero-width, direction marks, BOM)."""
    return _INVISIBLE.sub("", text)


def to_cyrillic(text: str) -> str:
    """Latin look-alike letters written as the Cyrillic ones, in text meant to be Cyrillic."""
    return visible(text).translate(str.maketrans(_LATIN_CYRILLIC))


def to_latin(text: str) -> str:
    """Cyrillic look-alike letters (lowercase) written as the Latin ones, in a lowercase id."""
    return visible(text).translate(str.maketrans(_CYRILLIC_LATIN))


def _char(char: str) -> str:
    name = unicodedata.name(char, "")
    scripts = {"CYRILLIC": "кириллица", "LATIN": "латиница", "GREEK": "греческая буква"}
    script = next((words for key, words in scripts.items() if key in name), "")
    if not script:
        script = "пробел" if char.isspace() else "цифра" if char.isdigit() else "знак"
    shown = char if char.isprintable() and not char.isspace() else " "
    return f"«{shown}» (U+{ord(char):04X}, {script})"


def difference(a: str, b: str) -> str:
    """Where ``a`` and ``b`` first differ, in words: ``знак 3: «а» (U+0430, кириллица) против «a»
    (U+0061, латиница)``; "" when they are equal."""
    if a == b:
        return ""
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return f"знак {index + 1}: {_char(x)} против {_char(y)}"
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    extra = longer[len(shorter)]
    return f"знак {len(shorter) + 1}: лишний {_char(extra)}"
