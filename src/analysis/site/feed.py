"""The build's digest of what changed: keep this build in the history, compare it with the one
before, and render the changes page and the Atom feed (``analysis.site.changes``)."""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime
from pathlib import Path

from analysis.deadline import parse_deadline
from analysis.site import changes as c
from analysis.site import history as h

logger = logging.getLogger(__name__)

PAGE = "changes.html"
FEED = "changes.xml"
FEED_ENTRIES = 20  # builds the feed carries


def record_build(
    processed: Path,
    folder: Path,
    as_of: date,
    deadline: str,
    entries: list[dict],
    started: datetime,
    out: Path,
) -> tuple[dict, dict[str, str], dict] | None:
    """Keep the build's history; when it differs from the last one kept, return the manifest's
    ``changes`` (since, until, counts, changed reports), the pages to publish (``changes.html``,
    ``changes.xml``) and the e-mail digest (subject, text, html). None when nothing published
    changed."""
    frame = h.snapshot(processed, as_of, parse_deadline(deadline), entries)
    written = h.keep(folder, frame, started.isoformat(timespec="seconds"))
    if written is None:
        return None
    kept = h.builds(folder)
    latest = compare_kept(kept, len(kept) - 1)
    feed = [compare_kept(kept, i) for i in range(len(kept) - 1, max(len(kept) - 1 - FEED_ENTRIES, -1), -1)]
    hrefs = {e["key"]: e["html"] for e in entries if e.get("kind") == "cluster"}
    # A stable id of this site that names no folder of this machine: a digest of where it is.
    place = hashlib.sha256(Path(out).resolve().as_posix().encode("utf-8")).hexdigest()[:16]
    site_id = f"urn:professionalitet:site:{place}"
    pages = {PAGE: c.render_page(latest, hrefs), FEED: c.render_feed(feed, site_id)}
    digest = {
        "subject": f"Отчёты кластеров: что изменилось — {c.headline(latest.counts)}",
        "text": c.plain_text(latest),
        "html": pages[PAGE],
    }
    summary = {
        "since": latest.since,
        "until": latest.until,
        "counts": latest.counts,
        "reports": sorted(latest.reports),
        "href": PAGE,
    }
    logger.debug("history: %s kept; %s", written.name, c.headline(latest.counts))
    return summary, pages, digest


def compare_kept(kept: list[Path], index: int) -> c.Changes:
    """The changes of the ``index``-th build kept against the one before it."""
    new = h.load(kept[index])
    old = h.load(kept[index - 1]) if index > 0 else None
    return c.compare(old, new, kept[index - 1].stem if index > 0 else "", kept[index].stem)
