"""``reports/index.html``: every report of the site — the national reports, then by region →
cluster → year — with a status
badge each (готов / замечания к данным / не построен / устарел), rendered from the build
manifest through a Jinja2 template with autoescape — markup lives only in the template.

Links are relative (``html/63/samara-law/2025.html``), so the index works opened from disk and
from any web server. Cheap to import: a no-op build renders it without pandas.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates" / "site"
BAR_COLOUR = "#2e7d32"
BADGES = {
    "ok": "готов",
    "data": "замечания к данным",
    "failed": "не построен",
    "stale": "устарел",
}
# Submission states of a cluster-year (metrics.completeness): those that are a data problem.
PROBLEM_STATES = {"late", "missing", "refused"}
MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
          "октября", "ноября", "декабря"]  # fmt: skip


def environment(folder: Path = TEMPLATES):
    """The site's Jinja2 environment over a folder of templates: every value escaped, an
    undefined name an error."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _day(text: str | None) -> str:
    if not text:
        return "—"
    return datetime.fromisoformat(text).strftime("%d.%m.%Y")


def _badge(entry: dict) -> tuple[str, str]:
    status = entry["status"]
    if status == "failed":
        if entry.get("last_built"):
            return "failed", f"не построен; показан отчёт от {_day(entry['last_built'])}"
        return "failed", BADGES["failed"]
    if status in ("stale", "missing"):
        if entry.get("last_built"):
            return "stale", f"устарел: построен {_day(entry['last_built'])}"
        return "stale", "ещё не построен"
    if entry.get("rows_rejected") or entry.get("state") in PROBLEM_STATES:
        return "data", BADGES["data"]
    return "ok", BADGES["ok"]


def _view(entry: dict) -> dict:
    badge, text = _badge(entry)
    rate = entry.get("rate")
    return {
        **entry,
        "href": entry["html"] if entry.get("has_html") else None,
        "badge": badge,
        "badge_text": text,
        "error": entry.get("error", ""),
        "shows_rate": bool(entry.get("rate_shown")),
        "bar": round(8 * (rate or 0), 2),
        "met_text": entry.get("met_text") or f"{entry.get('met', 0)} из {entry.get('planned', 0)}",
        "provisional": bool(entry.get("provisional")),
        "changed": bool(entry.get("changed")),
        "state_text": entry.get("state_label") or "",
    }


def render_index(manifest: dict) -> str:
    """The index page as HTML text (Russian, self-contained, no scripts)."""
    build = manifest["build"]
    entries = [_view(e) for e in manifest["reports"]]
    # The national level above the regions: its reports have no region.
    national = sorted((e for e in entries if e["kind"] == "national"), key=lambda e: e["year"])
    entries = [e for e in entries if e["kind"] != "national"]
    regions = []
    for code in sorted({e["region_code"] for e in entries}):
        mine = [e for e in entries if e["region_code"] == code]
        clusters = []
        for cluster_id in sorted({e["cluster_id"] for e in mine if e["kind"] == "cluster"}):
            rows = sorted((e for e in mine if e["cluster_id"] == cluster_id), key=lambda e: e["year"])
            clusters.append({"name": rows[0]["cluster_name"], "reports": rows})
        regions.append(
            {
                "heading": f"{code} — {mine[0]['region_name']}",
                "reports": sorted((e for e in mine if e["kind"] == "region"), key=lambda e: e["year"]),
                "clusters": clusters,
            }
        )
    cluster_entries = [e for e in entries if e["kind"] == "cluster"]
    quality = [
        {
            "name": e["cluster_name"],
            "year": e["year"],
            "state_text": e.get("state_label", ""),
            "rows_rejected": e.get("rows_rejected", 0),
            "problem": bool(e.get("rows_rejected")) or e.get("state") in PROBLEM_STATES,
        }
        for e in sorted(cluster_entries, key=lambda e: (e["cluster_name"], e["year"]))
        if e.get("state") != "not_due" or e.get("rows_rejected")
    ]
    counts = build["counts"]
    month, day = (int(p) for p in build["deadline"].split("-"))
    page = (
        environment()
        .get_template("index.html.j2")
        .render(
            as_of=date.fromisoformat(build["as_of"]).strftime("%d.%m.%Y"),
            built_at=datetime.fromisoformat(build["finished"]).strftime("%d.%m.%Y %H:%M"),
            demo=any(e.get("demo") for e in entries),
            problems=manifest.get("problems", []),
            failed=counts["failed"],
            national=national,
            regions=regions,
            quality=quality,
            validation_href=manifest.get("validation_href"),
            changes_href=(manifest.get("changes") or {}).get("href"),
            deadline_text=f"{day} {MONTHS[month - 1]}",
            counts=counts,
            seconds=f"{build['seconds']:.1f}",
            version=build.get("version", ""),
            bar_colour=BAR_COLOUR,
        )
    )
    return page


_PATH = re.compile(r"""(?<![\w.])(?:/[^/\s'"]+)+/([^/\s'"]+)|\b[A-Za-z]:\\(?:[^\\\s'"]+\\)*([^\\\s'"]+)""")


def without_paths(text: str) -> str:
    """A failure's one line as the index and ``build.json`` publish it: every absolute path cut
    to its last part (``/home/u/…/plan.csv`` → ``plan.csv``), so the site names no folder of
    this machine; the full message stays in the build log."""
    return _PATH.sub(lambda m: m.group(1) or m.group(2), text)
