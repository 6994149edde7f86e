"""Where a report's figures come from: the block at the end of every report.

The source files (by name, never by path) with their SHA-256 and the date received, the plan
versions, the as-of date and the deadline, and the version of the code — the package version and
its git commit. Not the build time: the same inputs give byte-identical pages (the index and the
build manifest carry the time of the build).
"""

from __future__ import annotations

import functools
import logging
import re
import subprocess
from datetime import date
from pathlib import PurePath

import pandas as pd
from IPython.display import HTML

import analysis
from analysis import settings
from analysis.reports import markup
from analysis.sources import normalise

logger = logging.getLogger(__name__)

UNKNOWN = "—"

# What became of an input file (``submissions.status``), as the reader is told.
FILE_STATUS_RU = {
    "read": "принят",
    "superseded": "заменён более поздним",
    "unreadable": "не прочитан",
    "rejected": "отклонён целиком",
    "ignored": "не отчёт, пропущен",
}

SOURCE_HEADINGS = {
    "file": "Файл",
    "cluster_id": "Кластер",
    "year": "Год",
    "received": "Дата представления",
    "status": "Состояние",
    "size": "Размер, байт",
    "sha256": "SHA-256",
}


def file_name(path) -> str:
    """The name of a file as received, without its folders: the part after the last «/» of the
    path ingestion recorded (of a Windows path, ``C:\\…``, after the last «\\»). Elsewhere a
    backslash is part of a name (``x\\..\\evil.xlsx`` is one file, shown so, never as
    «evil.xlsx»); an invisible character (a right-to-left override) is shown as its code,
    ``<U+202E>``, so the name cannot turn itself around on the page."""
    if not isinstance(path, str) or not path:
        return ""
    if re.match(r"^[A-Za-z]:\\", path):  # recorded on Windows, where «\» separates folders
        path = path.replace("\\", "/")
    return normalise.reveal(path.rsplit("/", 1)[-1])


def _shown_name(row) -> str:
    """A file's name; when it was a link, also what it led to (relative to ``data/raw/``)."""
    name = file_name(row.source_file)
    read_from = getattr(row, "read_from", None)
    if isinstance(read_from, str) and read_from and PurePath(read_from).name != name:
        return f"{name} (по ссылке: {read_from})"
    return name


def source_files(
    submissions: pd.DataFrame, facts: pd.DataFrame, cluster_ids: list[str], year: int
) -> pd.DataFrame:
    """The input files behind the cluster-years of ``cluster_ids`` in ``year``: their submissions
    (read or superseded) and the facts files that gave them a fact. One row per file, in the
    columns of ``SOURCE_HEADINGS`` (file names only; SHA-256 and size «—» when not recorded)."""
    ids = set(cluster_ids)
    own = submissions["cluster_id"].isin(ids) & (submissions["year"] == int(year))
    used = set(facts.loc[facts["cluster_id"].isin(ids) & (facts["year"] == int(year)), "source_file"])
    chosen = submissions[own | (submissions["source_file"].isin(used) & submissions["cluster_id"].isna())]
    rows = []
    for row in chosen.itertuples(index=False):
        sha = getattr(row, "sha256", None)
        size = getattr(row, "size_bytes", None)
        rows.append(
            {
                "file": _shown_name(row),
                "cluster_id": row.cluster_id if isinstance(row.cluster_id, str) else UNKNOWN,
                "year": int(row.year) if not pd.isna(row.year) else None,
                "received": None if pd.isna(row.submitted_on) else pd.Timestamp(row.submitted_on).date(),
                "status": FILE_STATUS_RU.get(row.status, row.status),
                "size": None if size is None or pd.isna(size) else int(size),
                "sha256": sha if isinstance(sha, str) and sha else UNKNOWN,
            }
        )
    out = pd.DataFrame.from_records(rows, columns=list(SOURCE_HEADINGS))
    return out.sort_values(["cluster_id", "file"], kind="stable").reset_index(drop=True)


def data_date(sources: pd.DataFrame) -> date | None:
    """The data date of a page: the newest date of the input files it reflects (their date of
    submission), None when none is dated."""
    days = [d for d in sources["received"] if d is not None and not pd.isna(d)] if len(sources) else []
    return max(days) if days else None


def dates_line(sources: pd.DataFrame, year: int, deadline: date, passed: bool) -> str:
    """«Данные по файлам, представленным по 15.01.2026; срок отчёта за 2025 год — 20.01.2026
    (истёк)»: the data date and the state of the deadline — not the day the page was built, so a
    page changes only when what it shows does (DOMAIN.md «A year in progress, and what changed»)."""
    newest = data_date(sources)
    data = f"Данные по файлам, представленным по {newest:%d.%m.%Y}" if newest else "Датированных файлов нет"
    state = "истёк" if passed else "ещё не наступил"
    return f"{data}; срок отчёта за {year} год — {deadline:%d.%m.%Y} ({state})"


@functools.cache
def code_version() -> tuple[str, str]:
    """The package version and the git commit of the code (short hash; «—» when the package
    is not in a git checkout), marked when tracked files differ from that commit."""
    root = settings.PACKAGE_ROOT

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=20, check=True
        )
        return done.stdout.strip()

    try:
        if PurePath(git("rev-parse", "--show-toplevel")) != PurePath(root):
            return analysis.__version__, UNKNOWN
        commit = git("rev-parse", "--short", "HEAD")
        changed = git(
            "status", "--porcelain", "--untracked-files=no", "--", "src", "notebooks", "pyproject.toml"
        )
    except (OSError, subprocess.SubprocessError) as exc:
        logger.debug("no git commit for the provenance block: %s", exc)
        return analysis.__version__, UNKNOWN
    return analysis.__version__, commit + (" (с изменениями, не внесёнными в коммит)" if changed else "")


_BLOCK = """
<section class="provenance">
<h2>Происхождение данных</h2>
<ul>
<li>{{ dates }}.</li>
{% for name, version in plans %}
<li>Версия плана мероприятий (приложение № 2){% if plans|length > 1 %}, {{ name }}{% endif %}:
<code>{{ version }}</code></li>
{% endfor %}
<li>Программа построения отчёта: analysis {{ package }}, коммит <code>{{ commit }}</code>.</li>
</ul>
{% if files %}
<p>Исходные файлы. Контрольная сумма SHA-256 позволяет убедиться, что файл тот же,
по которому построен отчёт.</p>
{% else %}
<p>Исходных файлов за {{ year }} год не получено.</p>
{% endif %}
</section>
"""


def block(
    sources: pd.DataFrame, plans: list[tuple[str, str]], year: int, as_of: date, deadline: date, uuid: str
) -> HTML:
    """The provenance block: dates, plan versions, code version and the table of source files."""
    package, commit = code_version()
    text = markup.fragment(
        _BLOCK,
        dates=dates_line(sources, year, deadline, deadline < as_of),
        year=year,
        plans=[(n, v or UNKNOWN) for n, v in plans],
        package=package,
        commit=commit,
        files=not sources.empty,
    )
    if sources.empty:
        return text
    shown = sources.assign(
        received=[UNKNOWN if pd.isna(d) else f"{d:%d.%m.%Y}" for d in sources["received"]],
        size=[UNKNOWN if pd.isna(s) else f"{int(s):,}".replace(",", "\u00a0") for s in sources["size"]],
        year=[UNKNOWN if pd.isna(y) else str(int(y)) for y in sources["year"]],
    ).rename(columns=SOURCE_HEADINGS)
    table = markup.table(shown, uuid, left=["Файл", "Кластер", "SHA-256"], keep=["Год"], labels=["Состояние"])
    table = table.set_table_styles(
        [{"selector": "td.col6", "props": "font-family: monospace; word-break: break-all; font-size: 0.8em"}],
        overwrite=False,
    )
    return HTML(text.data + table.to_html())


def download_table(sources: pd.DataFrame) -> pd.DataFrame:
    """The source files for the downloads: Russian headings, the date as a date, size a number."""
    return sources.rename(columns=SOURCE_HEADINGS)
