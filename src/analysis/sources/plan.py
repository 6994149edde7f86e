"""The plan of measures (Appendix 2 of a cluster programme): canonical file and tidy model.

Canonical plan file — the one format every plan is kept in, whether typed by hand or imported
from a document. UTF-8, LF line ends, comma-separated with minimal quoting, rows in document
order, header ``kind,code,programme_code,title,<year>,<year>,...`` (the year columns are the
document's own). ``kind`` is ``section`` (code ``1``), ``group`` (``1.1``), ``indicator``
(``1.1.1``) or ``programme`` (a programme row: its indicator's code plus ``programme_code``
such as ``38.02.01``). A target cell holds exactly what the document gives: a number, a yes word
(``да``/``Да``/``ДА``), ``-`` (nothing planned) or nothing at all (an empty cell).

Tidy plan — one row per cluster × indicator × programme row × year; ``programme_code`` is ``""``
for an indicator's own target. ``target_kind`` is ``count`` (a number), ``yes`` (a yes word) or
``none`` (``-`` or empty); ``target_value`` is the number for counts and NaN otherwise.
``family`` tells the plan of measures (``plan``) from the federal performance indicators
(``federal``), which share this model; ``unit`` is empty for plan items.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from analysis.errors import Location, PlanError
from analysis.sources import normalise
from analysis.sources.entries import read_regular

KINDS = ("section", "group", "indicator", "programme")
FIXED_COLUMNS = ["kind", "code", "programme_code", "title"]
YES_WORDS = {"да"}
NOT_PLANNED = "-"
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
_YEAR = re.compile(r"^(19|20)\d{2}$")
_PROGRAMME = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
_DEPTH = {"section": 1, "group": 2, "indicator": 3, "programme": 3}

FAMILY_PLAN = "plan"  # Appendix 2, the plan of measures
FAMILY_FEDERAL = "federal"  # the operator's performance indicators («Приложение 5»)

TIDY_COLUMNS = [
    "cluster_id",
    "family",
    "order",
    "section",
    "section_title",
    "group",
    "group_title",
    "indicator",
    "indicator_title",
    "programme_code",
    "programme_title",
    "year",
    "target_raw",
    "target_kind",
    "target_value",
    "unit",
]


def parse_target(raw: str) -> tuple[str, float]:
    """Classify one target cell: ``(kind, value)`` with kind ``count``, ``yes`` or ``none``.

    A number is a count target; ``да`` in any case is a yes target; ``-`` and an empty cell are
    no target. Anything else is not a target value and raises ``ValueError``.
    """
    text = raw.strip()
    if text == "" or text == NOT_PLANNED:
        return "none", float("nan")
    if text.lower() in YES_WORDS:
        return "yes", float("nan")
    if _NUMBER.match(text):
        return "count", float(text.replace(",", "."))
    raise ValueError(f"not a target value: {raw!r}")


def year_columns(columns: list[str]) -> list[str]:
    """The year columns of a canonical plan header, in order."""
    return [c for c in columns if c not in FIXED_COLUMNS]


def read_plan_file(path: str | Path) -> pd.DataFrame:
    """Read a canonical plan file and check its structure; cells stay exactly as written."""
    path = Path(path)
    try:
        # opened without blocking and only as a regular file: a pipe or a device named like a plan
        # never stalls the build (analysis.sources.entries)
        data = io.BytesIO(read_regular(path))
        frame = pd.read_csv(data, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise PlanError(
            Location(file=str(path)),
            f"cannot read the plan: {exc}",
            "the plan must be a UTF-8 CSV in the canonical plan format",
        ) from exc
    check_plan_rows(frame, str(path))
    return frame


def check_plan_rows(frame: pd.DataFrame, source: str = "<plan>") -> None:
    """Raise ``PlanError`` at the first row that breaks the canonical plan format."""
    header = list(frame.columns)
    if header[:4] != FIXED_COLUMNS:
        raise PlanError(
            Location(file=source, row=1), f"the header must start with {FIXED_COLUMNS}", value=header[:4]
        )
    years = year_columns(header)
    if not years or any(not _YEAR.match(y) for y in years):
        raise PlanError(Location(file=source, row=1), "target columns must be years", value=years)
    section = group = indicator = None
    seen: set[tuple[str, str, str]] = set()
    for index, row in enumerate(frame.itertuples(index=False), start=2):
        kind, code, programme = row.kind, row.code, row.programme_code
        where = dict(file=source, row=index)
        if kind not in KINDS:
            raise PlanError(Location(**where, column="kind"), f"kind must be one of {KINDS}", value=kind)
        parts = code.split(".")
        if len(parts) != _DEPTH[kind] or not all(p.isdigit() for p in parts):
            raise PlanError(
                Location(**where, column="code"), f"a {kind} code has {_DEPTH[kind]} numbers", value=code
            )
        parent = ".".join(parts[:-1])
        if kind == "section":
            section, group, indicator = code, None, None
        elif kind == "group":
            if parent != section:
                raise PlanError(
                    Location(**where, column="code"), f"group outside section {section}", value=code
                )
            group, indicator = code, None
        elif kind == "indicator":
            if parent != group:
                raise PlanError(
                    Location(**where, column="code"), f"indicator outside group {group}", value=code
                )
            indicator = code
        elif code != indicator:
            raise PlanError(
                Location(**where, column="code"),
                f"a programme row must follow its indicator (last indicator: {indicator})",
                value=code,
            )
        if (kind == "programme") != bool(programme):
            raise PlanError(
                Location(**where, column="programme_code"),
                "programme_code is set on programme rows and only there",
                value=programme,
            )
        if programme and not _PROGRAMME.match(programme):
            raise PlanError(
                Location(**where, column="programme_code"),
                "programme codes look like 38.02.01",
                value=programme,
            )
        if (kind, code, programme) in seen:
            raise PlanError(Location(**where, column="code"), "this row appears twice", value=code)
        seen.add((kind, code, programme))
        if not row.title.strip():
            raise PlanError(Location(**where, column="title"), "the title is empty")
        for year, cell in zip(years, row[4:], strict=True):
            if kind in ("section", "group") and cell:
                raise PlanError(Location(**where, column=year), f"a {kind} carries no targets", value=cell)
            try:
                parse_target(cell)
            except ValueError:
                raise PlanError(
                    Location(**where, column=year), "a target is a number, да, '-' or empty", value=cell
                ) from None


def canonical_csv(frame: pd.DataFrame, path: str | Path | None = None) -> str:
    """Rows as canonical CSV text — UTF-8, LF, minimal quoting, cells as strings — so the same
    rows always give the same bytes; written to ``path`` when one is given."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(frame.columns))
    writer.writerows(frame.astype(str).itertuples(index=False, name=None))
    text = buffer.getvalue()
    if path is not None:
        Path(path).write_text(text, encoding="utf-8", newline="")
    return text


def write_plan_file(frame: pd.DataFrame, path: str | Path | None = None) -> str:
    """Write plan rows in the canonical format; the same rows always give the same bytes.

    Returns the text; writes it to ``path`` when one is given.
    """
    check_plan_rows(frame)
    return canonical_csv(frame, path)


def plan_warnings(frame: pd.DataFrame, source: str = "<plan>") -> list[str]:
    """Empty target cells worth a look: a row that has targets in some years but not in others.

    An indicator whose own cells are all empty while it has programme rows is the usual shape
    and not warned about.
    """
    years = year_columns(list(frame.columns))
    _, invisible = normalise.visible_columns(frame, ["title"], source)
    warnings = [invisible] if invisible else []
    for index, row in enumerate(frame.itertuples(index=False), start=2):
        if row.kind not in ("indicator", "programme"):
            continue
        cells = dict(zip(years, row[4:], strict=True))
        if all(not v.strip() for v in cells.values()):
            continue
        for year, cell in cells.items():
            if not cell.strip():
                label = f"{row.code} / {row.programme_code}" if row.programme_code else row.code
                warnings.append(
                    f"{source}, row {index}, column {year!r}: {label} has an empty target "
                    "cell; read as no target — check the source document"
                )
    return warnings


def tidy_plan(frame: pd.DataFrame, cluster_id: str) -> pd.DataFrame:
    """Canonical plan rows → one row per indicator × programme row × year, keeping the tree."""
    years = year_columns(list(frame.columns))
    records = []
    titles: dict[str, str] = {}
    for order, row in enumerate(frame.itertuples(index=False)):
        if row.kind in ("section", "group", "indicator"):
            titles[row.code] = normalise.visible(row.title)
        if row.kind not in ("indicator", "programme"):
            continue
        section, group = row.code.split(".")[0], ".".join(row.code.split(".")[:2])
        for year, cell in zip(years, row[4:], strict=True):
            kind, value = parse_target(cell)
            records.append(
                {
                    "cluster_id": cluster_id,
                    "family": FAMILY_PLAN,
                    "order": order,
                    "section": section,
                    "section_title": titles[section],
                    "group": group,
                    "group_title": titles[group],
                    "indicator": row.code,
                    "indicator_title": titles[row.code],
                    "programme_code": row.programme_code,
                    "programme_title": normalise.visible(row.title) if row.kind == "programme" else "",
                    "year": int(year),
                    "target_raw": cell,
                    "target_kind": kind,
                    "target_value": value,
                    "unit": "",
                }
            )
    tidy = pd.DataFrame.from_records(records, columns=TIDY_COLUMNS)
    return tidy.astype({"year": "int64", "order": "int64", "target_value": "float64"})


def plan_version(path: str | Path) -> str:
    """A short content hash of a canonical plan file: reports cite it as the plan version."""
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def load_plans(registry: pd.DataFrame) -> pd.DataFrame:
    """The tidy plan of every cluster in the registry."""
    frames = [
        tidy_plan(read_plan_file(row.plan_path), row.cluster_id) for row in registry.itertuples(index=False)
    ]
    return pd.concat(frames, ignore_index=True)
