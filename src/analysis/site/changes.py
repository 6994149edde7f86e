"""What changed between two builds (``analysis.site.history``): per submission (received,
replaced, rejected), per plan cell (status from → to, fact, plan), per report (rate moved, newly
failed or recovered) and per plan (re-imported) — grouped by region → cluster → year.

Rendered as ``reports/changes.html`` (Russian, printable, Jinja2 with autoescape, like every
page), as the Atom feed ``reports/changes.xml`` and as the e-mail digest; ``python -m analysis
changes`` prints the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from analysis.reports.labels import STATUS_RU, percent
from analysis.site.index import environment, without_paths

TEMPLATES = Path(__file__).resolve().parent / "templates" / "changes"
CELL_KEYS = ["cluster_id", "year", "indicator", "programme_code"]
# What became of an input file, as the page says it.
SUBMISSION_RU = {"received": "получен", "replaced": "заменён новым файлом", "rejected": "отклонён"}
REPORT_RU = {"failed": "не построен (новая ошибка)", "recovered": "снова построен"}
COLUMNS = [
    "what",  # submission, cell, rate, report, plan
    "change",
    "region_code",
    "region_name",
    "cluster_id",
    "cluster_name",
    "year",
    "key",
    "item",
    "before",
    "after",
    "detail",
]


@dataclass
class Changes:
    """The rows of :data:`COLUMNS` between two builds, and which builds."""

    rows: pd.DataFrame
    since: str = ""  # the earlier build's id ("" when there is none: everything is new)
    until: str = ""
    counts: dict = field(default_factory=dict)

    @property
    def reports(self) -> set[str]:
        """Keys of the cluster reports something changed in (and of their regions' reports)."""
        keys = set(self.rows.loc[self.rows["key"] != "", "key"])
        regions = {f"{k.split('/')[0]}/region-{k.split('/')[-1]}" for k in keys if k.count("/") == 2}
        return keys | regions


def _status(value: str) -> str:
    return STATUS_RU.get(value, value) if value else "—"


def compare(old: pd.DataFrame | None, new: pd.DataFrame, since: str = "", until: str = "") -> Changes:
    """Every difference between the history ``old`` (None: no earlier build) and ``new``."""
    if old is None:
        old = new.iloc[0:0]
    rows: list[dict] = []

    def add(what: str, change: str, row, **more) -> None:
        rows.append(
            {
                "what": what,
                "change": change,
                "region_code": row["region_code"],
                "region_name": row["region_name"],
                "cluster_id": row["cluster_id"],
                "cluster_name": row["cluster_name"],
                "year": None if pd.isna(row["year"]) else int(row["year"]),
                "key": "",
                "item": "",
                "before": "",
                "after": "",
                "detail": "",
                **more,
            }
        )
        # a message names files by name only: this machine's folders are not published
        rows[-1]["detail"] = without_paths(str(rows[-1]["detail"]))

    # Submissions: a file read now that was not (received, or replaced when its cluster-year had
    # another file read before), and a file rejected or unreadable that was not so before.
    before = old[old["kind"] == "submission"].set_index("key")
    now = new[new["kind"] == "submission"]
    read_before = set(
        zip(
            before.loc[before["status"] == "read", "cluster_id"],
            before.loc[before["status"] == "read", "year"],
            strict=True,
        )
    )
    for _, row in now.iterrows():
        prior = before.loc[row["key"]] if row["key"] in before.index else None
        if isinstance(prior, pd.DataFrame):
            prior = prior.iloc[-1]
        same = prior is not None and prior["status"] == row["status"] and prior["detail"] == row["detail"]
        if same:
            continue
        if row["status"] == "read":
            again = prior is not None and prior["status"] == "read"  # the same file, new content
            change = "replaced" if again or (row["cluster_id"], row["year"]) in read_before else "received"
            add(
                "submission",
                change,
                row,
                item=row["key"],
                after=_submitted(row["detail"]),
                detail=row["title"],
            )
        elif row["status"] in ("rejected", "unreadable"):
            add("submission", "rejected", row, item=row["key"], detail=row["title"])
    # Plan cells whose status, fact or plan moved.
    old_cells = old[old["kind"] == "cell"].set_index(CELL_KEYS)
    new_cells = new[new["kind"] == "cell"].set_index(CELL_KEYS)
    joined = new_cells.join(old_cells[["status", "fact", "plan"]].add_suffix("_old"), how="outer")
    for index, row in joined.iterrows():
        moved = (row["status"], row["fact"], row["plan"]) != (
            row["status_old"],
            row["fact_old"],
            row["plan_old"],
        )
        if not moved or pd.isna(row.get("key")):
            continue
        cluster, year, indicator, programme = index
        add(
            "cell",
            "status" if row["status"] != row["status_old"] else "value",
            {**row.to_dict(), "cluster_id": cluster, "year": year},
            key=row["key"],
            item=f"{indicator}{' / ' + programme if programme else ''}",
            before=f"{_status(row['status_old'] if isinstance(row['status_old'], str) else '')}; "
            f"факт {row['fact_old'] if isinstance(row['fact_old'], str) and row['fact_old'] else '—'}; "
            f"план {row['plan_old'] if isinstance(row['plan_old'], str) and row['plan_old'] else '—'}",
            after=f"{_status(row['status'])}; факт {row['fact'] or '—'}; план {row['plan'] or '—'}",
            detail=row["title"],
        )
    # Reports: rates that moved, reports newly failed or recovered.
    old_reports = old[old["kind"] == "report"].set_index("key")
    for _, row in new[new["kind"] == "report"].iterrows():
        prior = old_reports.loc[row["key"]] if row["key"] in old_reports.index else None
        was_failed = prior is not None and prior["status"] == "failed"
        if row["status"] == "failed" and not was_failed:
            add("report", "failed", row, key=row["key"], item=row["title"], detail=row["detail"])
        elif was_failed and row["status"] in ("built", "unchanged"):
            add("report", "recovered", row, key=row["key"], item=row["title"])
        rate_before = None if prior is None else prior["rate"]
        if row["cluster_id"] and not _same(rate_before, row["rate"]):
            delta = (
                ""
                if pd.isna(row["rate"]) or rate_before is None or pd.isna(rate_before)
                else f"{round((row['rate'] - rate_before) * 100):+d} п. п."
            )
            add(
                "rate",
                "moved",
                row,
                key=row["key"],
                item=row["title"],
                before=percent(rate_before),
                after=percent(row["rate"]) + (" (предварительно)" if row["provisional"] else ""),
                detail=delta,
            )
    # Plans re-imported: a new plan version (its cells' new targets are among the cells above).
    old_plans = old[old["kind"] == "plan"].set_index("key")
    for _, row in new[new["kind"] == "plan"].iterrows():
        if row["key"] in old_plans.index and old_plans.loc[row["key"], "detail"] != row["detail"]:
            add("plan", "reimported", row, before=old_plans.loc[row["key"], "detail"], after=row["detail"])
    frame = pd.DataFrame.from_records(rows, columns=COLUMNS)
    frame["year"] = pd.to_numeric(frame["year"], errors="coerce").astype("Int64")
    frame = frame.sort_values(
        ["region_code", "cluster_id", "year", "what", "item"], kind="stable", na_position="first"
    )
    changes = Changes(frame.reset_index(drop=True), since, until)
    changes.counts = summary_counts(frame)
    return changes


def _submitted(detail: str) -> str:
    """The submission date of a history's «date sha» detail, as the page shows it."""
    day = detail.split(" ")[0]
    return f"представлен {day[8:10]}.{day[5:7]}.{day[:4]}" if day[:2] == "20" and len(day) == 10 else ""


def _same(a, b) -> bool:
    a_missing = a is None or pd.isna(a)
    b_missing = b is None or pd.isna(b)
    return (a_missing and b_missing) or (not a_missing and not b_missing and abs(a - b) < 1e-9)


def summary_counts(rows: pd.DataFrame) -> dict:
    """How many of each kind of change, for the build's summary line."""
    return {
        "submissions_new": int(((rows["what"] == "submission") & (rows["change"] != "rejected")).sum()),
        "submissions_rejected": int(((rows["what"] == "submission") & (rows["change"] == "rejected")).sum()),
        "cells_changed": int(((rows["what"] == "cell") & (rows["change"] == "status")).sum()),
        "values_changed": int(((rows["what"] == "cell") & (rows["change"] == "value")).sum()),
        "rates_moved": int((rows["what"] == "rate").sum()),
        "reports_failed": int(((rows["what"] == "report") & (rows["change"] == "failed")).sum()),
        "plans_reimported": int((rows["what"] == "plan").sum()),
    }


def grouped(changes: Changes) -> list[dict]:
    """Region → cluster → year, for the page and the e-mail."""
    out = []
    rows = changes.rows.fillna({"region_code": "", "cluster_id": ""})
    for (code, name), region in rows.groupby(["region_code", "region_name"], sort=True, dropna=False):
        clusters = []
        for (cluster, cluster_name), mine in region.groupby(
            ["cluster_id", "cluster_name"], sort=True, dropna=False
        ):
            years = []
            for year, rows_of_year in mine.groupby(mine["year"].fillna(0).astype(int), sort=True):
                years.append(
                    {"year": year or "", "rows": [_view(r) for r in rows_of_year.to_dict("records")]}
                )
            clusters.append({"id": cluster, "name": cluster_name or "файлы без кластера", "years": years})
        out.append({"code": code, "name": name or "", "clusters": clusters})
    return out


def _view(row: dict) -> dict:
    labels = {
        "submission": SUBMISSION_RU.get(row["change"], row["change"]),
        "cell": "статус изменился" if row["change"] == "status" else "значение изменилось",
        "rate": "уровень выполнения изменился",
        "report": REPORT_RU.get(row["change"], row["change"]),
        "plan": "план мероприятий загружен заново",
    }
    return {**row, "label": labels.get(row["what"], row["what"])}


def _when(build: str) -> str:
    return datetime.strptime(build, "%Y%m%dT%H%M%S").strftime("%d.%m.%Y %H:%M") if build else ""


def headline(counts: dict) -> str:
    """«получено файлов: 3; изменили статус значений: 17; …» — the Russian one-liner."""
    parts = [
        ("получено файлов", counts.get("submissions_new", 0)),
        ("отклонено файлов", counts.get("submissions_rejected", 0)),
        ("изменили статус значений", counts.get("cells_changed", 0)),
        ("изменились значения", counts.get("values_changed", 0)),
        ("изменился уровень выполнения", counts.get("rates_moved", 0)),
        ("не построено отчётов", counts.get("reports_failed", 0)),
        ("планов загружено заново", counts.get("plans_reimported", 0)),
    ]
    said = [f"{label}: {n}" for label, n in parts if n]
    return "; ".join(said) if said else "изменений нет"


def render_page(changes: Changes, report_href: dict[str, str]) -> str:
    """``reports/changes.html``: the changes grouped by region → cluster → year."""
    return (
        environment(TEMPLATES)
        .get_template("changes.html.j2")
        .render(
            since=_when(changes.since),
            until=_when(changes.until),
            headline=headline(changes.counts),
            regions=grouped(changes),
            hrefs=report_href,
        )
    )


def render_feed(entries: list[Changes], site_id: str) -> str:
    """``reports/changes.xml``: an Atom feed, one entry per build that changed something."""
    items = []
    for changes in entries:
        updated = datetime.strptime(changes.until, "%Y%m%dT%H%M%S").astimezone().isoformat(timespec="seconds")
        items.append(
            {
                "id": f"{site_id}:build:{changes.until}",
                "updated": updated,
                "title": f"Изменения сборки {_when(changes.until)}: {headline(changes.counts)}",
                "lines": [_line(r) for r in changes.rows.to_dict("records")],
            }
        )
    updated = items[0]["updated"] if items else "1970-01-01T00:00:00+00:00"
    return (
        environment(TEMPLATES)
        .get_template("changes.xml.j2")
        .render(site_id=site_id, updated=updated, items=items)
    )


def _line(row: dict) -> str:
    moved = f"{row['before']} → {row['after']}" if row["before"] or row["after"] else ""
    year = "" if row["year"] is None or pd.isna(row["year"]) else int(row["year"])
    who = f"{row['cluster_name'] or row['item']} {year}".strip()
    return f"{who}: {_view(row)['label']} {row['item']} {moved}".strip()


def plain_text(changes: Changes) -> str:
    """The digest as plain text (the e-mail's text part)."""
    lines = [
        f"Что изменилось: сборка {_when(changes.until)}"
        + (f" по сравнению с {_when(changes.since)}" if changes.since else ""),
        headline(changes.counts),
        "",
    ]
    for region in grouped(changes):
        lines.append(f"{region['code']} — {region['name']}")
        for cluster in region["clusters"]:
            lines.append(f"  {cluster['name']}")
            for year in cluster["years"]:
                for row in year["rows"]:
                    change = f"{row['before']} → {row['after']}" if row["before"] or row["after"] else ""
                    lines.append(
                        f"    {year['year']} {row['label']}: {row['item']} {change} {row['detail']}".rstrip()
                    )
    return "\n".join(lines) + "\n"
