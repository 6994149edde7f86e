"""Who is who in a submission's rosters: one pseudonymous id per person, told apart by СНИЛС.

Rule (the README's «Personal data»): within one submission,

- a row with a valid СНИЛС is the person of that СНИЛС, however the ФИО is spelled: the same
  СНИЛС under two spellings is one person (a warning names the rows, so the spelling is checked);
- a row without a СНИЛС is the person its ФИО names: when the rows of that ФИО in the file carry
  exactly one СНИЛС, that person; when they carry none, the person of the ФИО;
- rows of one ФИО with two different СНИЛС are namesakes — two people (a warning notes it); a row
  of that ФИО without a СНИЛС, or a mentoring pair naming it (the «Наставничество» sheet has no
  СНИЛС column), cannot say which of them it means and is rejected with that reason.

Ids are keyed hashes (``analysis.ingest.pseudonym``): of the СНИЛС when the person has one, else
of the normalised ФИО — so a person keeps their id from file to file and year to year as long as
the file gives the same СНИЛС (or, with none, the same ФИО).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from analysis.ingest.pseudonym import person_id, snils_id
from analysis.sources import forms
from analysis.sources.normalise import name_key

AMBIGUOUS = ""  # the id of a row that cannot say which of two namesakes it means

# The warning kinds the submissions' rosters give (the warnings table's ``kind``).
NAMESAKES = "namesakes"
SAME_SNILS = "same_snils"


@dataclass
class People:
    """Every roster row's person id, by ``(row_id, column)``; ``AMBIGUOUS`` when it cannot be
    told; and the warnings on namesakes and on one СНИЛС under several spellings."""

    ids: dict[tuple[int, str], str] = field(default_factory=dict)
    warnings: list[dict] = field(default_factory=list)


def _rows_text(rows: list[int]) -> str:
    rows = sorted(set(rows))
    return ("строке " if len(rows) == 1 else "строках ") + ", ".join(map(str, rows))


def identify(teachers: list[dict], pairs: list[dict], key: bytes) -> People:
    """The person of every teacher row (``full_name``, ``snils``) and of both people of every
    pair (``teacher_name``, ``specialist_name``), file by file (see the module docstring)."""
    people = People()
    by_file: dict[str, tuple[list[dict], list[dict]]] = defaultdict(lambda: ([], []))
    for row in teachers:
        by_file[row["source_file"]][0].append(row)
    for row in pairs:
        by_file[row["source_file"]][1].append(row)
    for file, (file_teachers, file_pairs) in by_file.items():
        _identify_file(file, file_teachers, file_pairs, key, people)
    return people


def _identify_file(file: str, teachers: list[dict], pairs: list[dict], key: bytes, people: People) -> None:
    snils_of: dict[str, set[str]] = defaultdict(set)  # ФИО key → the СНИЛС its rows give
    rows_of_name: dict[str, list[int]] = defaultdict(list)
    names_of: dict[str, set[str]] = defaultdict(set)  # СНИЛС → the ФИО keys it is given with
    rows_of_snils: dict[str, list[int]] = defaultdict(list)
    for row in teachers:
        name = name_key(row["full_name"])
        rows_of_name[name].append(row["source_row"])
        if row.get("snils"):
            snils_of[name].add(row["snils"])
            names_of[row["snils"]].add(name)
            rows_of_snils[row["snils"]].append(row["source_row"])

    def who(name: str, snils: str | None) -> str:
        if snils:
            return snils_id(key, snils)
        known = snils_of.get(name_key(name), set())
        if len(known) == 1:
            return snils_id(key, next(iter(known)))
        if not known:
            return person_id(key, name)
        return AMBIGUOUS

    for row in teachers:
        people.ids[(row["row_id"], "full_name")] = who(row["full_name"], row.get("snils"))
    for row in pairs:
        for column in ("teacher_name", "specialist_name"):
            people.ids[(row["row_id"], column)] = who(row[column], None)

    first = teachers[0] if teachers else None
    where = {
        "source_file": file,
        "sheet": forms.TEACHERS.title,
        "cluster_id": first["cluster_id"] if first else None,
        "year": first["year"] if first else None,
    }
    for name, numbers in snils_of.items():
        if len(numbers) > 1:
            people.warnings.append(
                {
                    **where,
                    "kind": NAMESAKES,
                    "rule": f"тёзки: в {_rows_text(rows_of_name[name])} листа «{forms.TEACHERS.title}» "
                    f"одно ФИО и {len(numbers)} разных СНИЛС — считаются разными людьми; строка этого ФИО "
                    "без СНИЛС и пара с ним не учитываются",
                }
            )
    for snils, names in names_of.items():
        if len(names) > 1:
            people.warnings.append(
                {
                    **where,
                    "kind": SAME_SNILS,
                    "rule": f"один СНИЛС в {_rows_text(rows_of_snils[snils])} листа «{forms.TEACHERS.title}» "
                    "при разном написании ФИО — считается одним человеком: проверьте написание",
                }
            )
