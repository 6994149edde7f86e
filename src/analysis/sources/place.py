"""Where a problem in a submission sits, said in Russian to the person who fixes the file.

``analysis.errors.Location`` renders a place for developers' inputs (plans, the registry) as
``file, sheet 'X', row 6, column 'Y'``; submissions and facts files are fixed by people in the
clusters' offices, so their messages read ``file, лист «X», строка 6, столбец «Y»: правило
(значение «…») — что сделать`` (``place``, ``problem_line``). ``SubmissionProblem`` is the
``InputError`` whose line is written so.
"""

from __future__ import annotations

from analysis.errors import InputError, Location


def place(where: Location) -> str:
    """``file, лист «X», строка N, столбец «Y»`` — the parts that apply."""
    parts = []
    if where.file:
        parts.append(where.file)
    if where.sheet:
        parts.append(f"лист «{where.sheet}»")
    if where.row is not None:
        parts.append(f"строка {where.row}")
    if where.column:
        parts.append(f"столбец «{where.column}»")
    return ", ".join(parts) or "<файл>"


def problem_line(where: Location, rule: str, hint: str = "", value: object = None) -> str:
    """One line: the place, the rule, the value as found and what to do."""
    text = f"{place(where)}: {rule}"
    if value is not None:
        text += f" (значение «{value}»)"
    if hint:
        text += f" — {hint}"
    return text


class SubmissionProblem(InputError):
    """A problem in a submission or a facts file, its line in Russian (``problem_line``)."""

    def line(self) -> str:
        return problem_line(self.where, self.rule, self.hint, self.value)
