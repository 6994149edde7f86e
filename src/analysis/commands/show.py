"""`python -m analysis show`: one cluster-year in the terminal, from the same API the notebooks use.

It speaks as the pages do: statuses, the state of the year's report, staffing figures and
reconciliation results in the reports' Russian words, from the same functions
(``analysis.reports.labels``), and «нет данных» where a page shows no rate. ``--format csv`` and
``--format json`` carry those words too, each beside its stable code (``status_code``,
``state_code``, …) for scripts; the CSV goes through the downloads' writer (``analysis.spreadsheet``),
so no text in it starts a formula.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
from datetime import date

from analysis.commands.common import add_processed_option, deadline_text, iso_date
from analysis.deadline import DEFAULT_DEADLINE_TEXT, reporting_deadline

# pandas and the API are imported where a view is made, not here: `python -m analysis --help`
# imports every command's module to list them, and should answer at once.

FORMATS = ("table", "csv", "json")
ITEM_COLUMNS = [
    "indicator",
    "programme_code",
    "plan",
    "fact",
    "fact_over_plan",
    "status",
    "status_code",
    "indicator_title",
    "programme_title",
]


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "show",
        help="print one cluster-year: summary, plan items with status and fact/plan, staffing",
        description="Print one cluster-year from data/processed/ as its report sees it: a summary line, "
        "the plan items of the year with plan, fact, fact / plan and status, the staffing figures of "
        "the rosters and the reconciliation findings. --format csv prints the plan items as CSV, "
        "--format json everything as one JSON object (for pipes). An unknown cluster or year exits 2 "
        "and lists the known ones.",
    )
    parser.add_argument("--cluster", required=True, metavar="ID", help="cluster id from the registry")
    parser.add_argument("--year", required=True, type=int, metavar="Y", help="reporting year of its plan")
    parser.add_argument(
        "--as-of",
        type=iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the date the data is taken as of (pending versus no data); default: today",
    )
    parser.add_argument(
        "--deadline",
        default=DEFAULT_DEADLINE_TEXT,
        metavar="MM-DD",
        type=deadline_text,
        help="the day of the following year a year's report is due (default: %(default)s)",
    )
    parser.add_argument("--format", choices=FORMATS, default="table", help="default: %(default)s")
    parser.add_argument(
        "--all", action="store_true", help="every plan item, also those with nothing planned for the year"
    )
    add_processed_option(parser, "the processed tables")
    parser.set_defaults(func=run)


def run(args) -> int:
    from analysis.api import load_cluster_year

    as_of = args.as_of or date.today()
    cy = load_cluster_year(args.cluster, args.year, as_of, args.deadline, data_dir=args.processed)
    view = cluster_year_view(cy, every_item=args.all)
    try:
        _write(view, args.format)
    except BrokenPipeError:
        # `show … | head`: the reader has had enough; no traceback, and none at exit either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _write(view: dict, fmt: str) -> None:
    if fmt == "json":
        json.dump(view, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif fmt == "csv":
        from analysis.spreadsheet import csv_text

        header = ["cluster_id", "year", *ITEM_COLUMNS]
        rows = [[view["cluster_id"], view["year"], *_csv_row(item).values()] for item in view["items"]]
        sys.stdout.write(csv_text(header, rows, newline="\n"))
    else:
        sys.stdout.write("\n".join(table_lines(view, shutil.get_terminal_size((120, 24)).columns)) + "\n")
    sys.stdout.flush()


def _plain(value):
    """A JSON-ready value: None for NaN / NA / NaT, Python numbers, ISO dates."""
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp | date):
        return value.isoformat()[:10]
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    return value


def _number(kind: str, value) -> str | float | None:
    """The plan or fact of a cell as the report writes it: 9, 1.5, да, нет; None when absent."""
    import pandas as pd

    if value is None or pd.isna(value):
        return None
    if kind == "yes":
        return "да" if value > 0 else "нет"
    if kind == "no":
        return "нет"
    return float(value)


def cluster_year_view(cy, every_item: bool = False) -> dict:
    """Everything `show` prints, as plain JSON-ready values: the pages' Russian words, each
    beside its stable code."""
    from analysis.api import STAFFING_METRICS
    from analysis.metrics.fulfilment import BEYOND_PLAN
    from analysis.reports.labels import STAFFING_RU, check_note, check_text, state_text, status_text

    cells = cy.cells if every_item else cy.cells[cy.cells["planned"] | (cy.cells["status"] == BEYOND_PLAN)]
    items = [
        {
            "indicator": r.indicator,
            "programme_code": r.programme_code,
            "plan": _number(r.target_kind, r.target_value) if r.target_kind != "none" else None,
            "plan_raw": r.target_raw,
            "fact": _number(r.fact_kind, r.fact_value),
            "fact_over_plan": _plain(r.ratio),
            "status": status_text(r.status),
            "status_code": r.status,
            "indicator_title": r.indicator_title,
            "programme_title": r.programme_title,
        }
        for r in cells.itertuples()
    ]
    staffing = None
    if not cy.staffing.empty:
        row = cy.staffing.iloc[0]
        staffing = {m: {"label": STAFFING_RU[m], "value": _plain(row[m])} for m in STAFFING_METRICS}
    checks = cy.fact_checks[cy.fact_checks["finding"].astype(bool)]
    c = cy.cluster
    shown = bool(cy.submission["rate_shown"])
    summary = {k: _plain(v) for k, v in cy.summary.drop(["cluster_id", "year"]).items()}
    if not shown:  # as every page: no rate for a report not received or without a fact
        summary["rate"] = summary["weighted_rate"] = None
    return {
        "cluster_id": c["cluster_id"],
        "name": c["name"],
        "region_code": c["region_code"],
        "region_name": c["region_name"],
        "year": cy.year,
        "as_of": cy.as_of.isoformat(),
        "deadline": reporting_deadline(cy.year, cy.deadline).isoformat(),
        "demo": cy.demo,
        "summary": summary,
        "submission": {
            "state": state_text(cy.submission["state"]),
            "state_code": cy.submission["state"],
            "rate_shown": shown,
            "submitted_on": _plain(cy.submission.get("submitted_on")),
            "rows_accepted": _plain(cy.submission["rows_accepted"]),
            "rows_rejected": _plain(cy.submission["rows_rejected"]),
        },
        "items": items,
        "staffing": staffing,
        "findings": [
            {
                "indicator": r.indicator,
                "programme_code": r.programme_code,
                "status": check_text(r.status),
                "status_code": r.status,
                "note": check_note(r.fact_kind, r.fact_value, r.roster_value),
            }
            for r in checks.itertuples()
        ],
    }


def _text(value, share: bool = False) -> str:
    if value is None:
        return "—"
    if share:
        return f"{value:.0%}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _csv_row(item: dict) -> dict:
    """Text as the table writes it; fact / plan as a plain number for spreadsheets."""
    row = {k: "" if item[k] is None else _text(item[k]) for k in ITEM_COLUMNS}
    row["fact_over_plan"] = item["fact_over_plan"]
    return row


def _aligned(rows: list[list[str]], right: set[int], width: int) -> list[str]:
    """Columns padded to their widest cell (numbers to the right); the last one cut to ``width``."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=False))
        ]
        line = "  ".join([*cells, row[-1]]).rstrip()
        lines.append(line if len(line) <= width else line[: max(width - 1, 0)] + "…")
    return lines


def _rate(value) -> str:
    from analysis.reports.labels import NO_RATE

    return NO_RATE if value is None else f"{value:.0%}"


def _day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d.%m.%Y")


def table_lines(view: dict, width: int = 120) -> list[str]:
    """The plain-text page, in the reports' words: title, summary, the year's report, plan
    items, staffing, reconciliation findings."""
    s = view["summary"]
    sub = view["submission"]
    planned = int(s["planned"])
    lines = [
        f"{view['cluster_id']} — {view['name']} — регион {view['region_code']} {view['region_name']}",
        f"{view['year']} год, данные на {_day(view['as_of'])}, срок отчёта {_day(view['deadline'])}"
        + (" — демонстрационные данные" if view["demo"] else ""),
        (
            f"план (предварительно: срок отчёта не наступил): выполнено {int(s['met'])} из "
            f"{int(s['received'])} полученных значений ({_rate(s['rate'])}), "
            f"ожидается ещё {int(s['awaited'])}, взвешенный уровень {_rate(s['weighted_rate'])}; "
            f"выполнено частично {int(s['partly_met'])}, не выполнено {int(s['not_met'])}; "
            f"сверх плана {int(s['beyond_plan'])}"
        )
        if planned and s.get("provisional")
        else (
            f"план: выполнено {int(s['met'])} из {planned} плановых значений ({_rate(s['rate'])}), "
            f"взвешенный уровень {_rate(s['weighted_rate'])}; выполнено частично {int(s['partly_met'])}, "
            f"не выполнено {int(s['not_met'])}, ожидается отчёт {int(s['pending'])}, "
            f"нет данных {int(s['no_data'])}; сверх плана {int(s['beyond_plan'])}"
        )
        if planned
        else "план: на год нет значений с целевыми показателями",
        f"отчёт кластера за год: {sub['state']}"
        + (f" ({_day(sub['submitted_on'])})" if sub["submitted_on"] else "")
        + f"; строк принято {sub['rows_accepted']}, отклонено {sub['rows_rejected']}",
        "",
    ]
    rows = [["код", "программа", "план", "факт", "факт/план", "статус", "мероприятие"]]
    for item in view["items"]:
        rows.append(
            [
                item["indicator"],
                item["programme_code"],
                _text(item["plan"]) if item["plan"] is not None else (item["plan_raw"] or "—"),
                _text(item["fact"]),
                _text(item["fact_over_plan"], share=True),
                item["status"],
                item["indicator_title"],
            ]
        )
    lines += ["плановые значения", *_aligned(rows, {2, 3, 4}, width), ""]
    if view["staffing"] is None:
        lines += ["кадровое обеспечение: нет списков за год (нет данных, это не 0)"]
    else:
        staffing = [
            [_text(v["value"], share=m.endswith("_share") and v["value"] is not None), v["label"]]
            for m, v in view["staffing"].items()
        ]
        lines += ["кадровое обеспечение (по спискам)", *_aligned(staffing, {0}, width)]
    if view["findings"]:
        found = [[f["indicator"], f["programme_code"], f["status"], f["note"]] for f in view["findings"]]
        lines += ["", "сверка отчёта со списками и набором", *_aligned(found, set(), width)]
    return lines
