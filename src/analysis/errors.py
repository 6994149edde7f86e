"""Exceptions the project raises for problems a user can act on.

Every user-facing error renders as one line naming where the problem is (file, sheet, row,
column), the rule it breaks and what to do next. The CLI prints that line instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where in an input a problem sits; parts that do not apply stay None."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts) or "<input>"


class AnalysisError(Exception):
    """Base of every error this project raises on purpose."""


class InputError(AnalysisError):
    """An input file breaks a rule; the message says where, which rule, and what to do."""

    def __init__(self, where: Location, rule: str, hint: str = "", value: object = None):
        self.where = where
        self.rule = rule
        self.hint = hint
        self.value = value
        super().__init__(self.line())

    def line(self) -> str:
        text = f"{self.where}: {self.rule}"
        if self.value is not None:
            text += f" (value {self.value!r})"
        if self.hint:
            text += f" — {self.hint}"
        return text


class RegistryError(InputError):
    """The cluster registry is malformed or refers to something that does not exist."""


class PlanError(InputError):
    """A canonical plan file breaks the plan format."""


class UnknownClusterError(AnalysisError, LookupError):
    """A cluster id was asked for that the registry does not list."""


class UnknownYearError(AnalysisError, LookupError):
    """A year was asked for that no plan covers (a usage error: exit 2, listing the known years)."""


class ParameterError(AnalysisError, ValueError):
    """A report was asked to run with a parameter its notebook does not declare."""
