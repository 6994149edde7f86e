"""The nightly run: a new day alone changes nothing; a deadline passing re-runs exactly the
reports of the year it closes; a replaced pseudonymisation key re-ingests. Real builds of the
tiny fixture with the real notebooks."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from analysis.cli import main


def _args(root: Path, as_of: str, *more: str) -> list[str]:
    return [
        "build",
        "--raw",
        str(root / "raw"),
        "--processed",
        str(root / "processed"),
        "--out",
        str(root / "reports"),
        "--as-of",
        as_of,
        "--jobs",
        "2",
        *more,
    ]


def manifest(root: Path) -> dict:
    return json.loads((root / "reports" / "build.json").read_text(encoding="utf-8"))


def text(path: Path) -> str:
    """A page's text without its tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def built(root: Path) -> set[str]:
    return {e["key"] for e in manifest(root)["reports"] if e["status"] == "built"}


def _after_the_last_kept_build(root: Path) -> None:
    """Builds are kept by their start time, to the second: wait until the second of the latest
    one kept (``history/<start>.parquet``) has passed, so the next build is kept beside it."""
    newest = max((root / "history").glob("*.parquet")).stem
    kept = datetime.strptime(newest, "%Y%m%dT%H%M%S")
    while datetime.now() < kept + timedelta(seconds=1):
        time.sleep(0.05)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    from conftest import GOOD_FORM, TINY_PARTICIPANTS, make_raw, write_form

    raw = make_raw(tmp_path)
    (raw / "submissions").mkdir()
    (raw / "participants.csv").write_text(TINY_PARTICIPANTS, encoding="utf-8")
    write_form(raw / "submissions" / "tiny-law_2024.xlsx", GOOD_FORM)
    return tmp_path


def test_consecutive_days_rerun_nothing_until_a_deadline_passes(project, monkeypatch):
    monkeypatch.setenv("ANALYSIS_PSEUDONYM_KEY", "a key of the test")
    assert main(_args(project, "2025-12-30")) == 0
    pages = {p: p.read_bytes() for p in (project / "reports" / "html").rglob("*.html")}
    years = {e["key"]: e["year"] for e in manifest(project)["reports"]}
    for day in ("2025-12-31", "2026-01-19", "2026-01-20"):  # no deadline crossed
        assert main(_args(project, day)) == 0
        assert built(project) == set(), day
        assert manifest(project)["build"]["prepared"] is False, day
    assert {p: p.read_bytes() for p in pages} == pages
    assert main(_args(project, "2026-01-21")) == 0  # the 2025 deadline has passed
    assert built(project) == {k for k, y in years.items() if y == 2025}
    # ingested again (the national summaries hold the states), yet only the 2025 reports re-ran
    assert manifest(project)["build"]["prepared"] is True
    page = (project / "reports" / "html" / "63" / "tiny-law" / "2025.html").read_text(encoding="utf-8")
    assert "срок отчёта за 2025 год — 20.01.2026 (истёк)" in page and "21.01.2026" not in page


def test_the_pages_say_the_data_date_and_never_the_build_day(project, monkeypatch):
    monkeypatch.setenv("ANALYSIS_PSEUDONYM_KEY", "a key of the test")
    assert main(_args(project, "2025-03-07", "--year", "2024")) == 0
    page = (project / "reports" / "html" / "63" / "tiny-law" / "2024.html").read_text(encoding="utf-8")
    assert "07.03.2025" not in page
    assert "Данные по файлам, представленным по" in page


def test_a_submission_dated_ahead_is_ingested_again_only_when_its_day_comes(project, monkeypatch):
    """The form is dated 15.01.2025: before that day it is rejected whole; the days before it
    change nothing; on that day it is read."""
    monkeypatch.setenv("ANALYSIS_PSEUDONYM_KEY", "a key of the test")
    assert main(_args(project, "2025-01-10", "--year", "2024")) == 0
    submissions = json.loads((project / "processed" / "manifest.json").read_text())
    assert submissions["input_dates"] == ["2025-01-15"] and submissions["as_of_state"] == ""
    assert main(_args(project, "2025-01-14", "--year", "2024")) == 0
    assert manifest(project)["build"]["prepared"] is False
    assert main(_args(project, "2025-01-15", "--year", "2024")) == 0
    assert manifest(project)["build"]["prepared"] is True
    assert "63/tiny-law/2024" in built(project)
    assert main(_args(project, "2025-01-20", "--year", "2024")) == 0  # the deadline day: still due
    assert manifest(project)["build"]["prepared"] is False and built(project) == set()


def test_a_replaced_key_ingests_again(project, monkeypatch):
    monkeypatch.setenv("ANALYSIS_PSEUDONYM_KEY", "the first key")
    assert main(_args(project, "2025-03-01", "--year", "2024")) == 0
    teachers = (project / "processed" / "teachers.parquet").read_bytes()
    assert main(_args(project, "2025-03-01", "--year", "2024")) == 0
    assert manifest(project)["build"]["prepared"] is False
    monkeypatch.setenv("ANALYSIS_PSEUDONYM_KEY", "a new key")
    assert main(_args(project, "2025-03-01", "--year", "2024")) == 0
    assert manifest(project)["build"]["prepared"] is True
    assert (project / "processed" / "teachers.parquet").read_bytes() != teachers
    text = json.dumps(json.loads((project / "processed" / "manifest.json").read_text()))
    assert "a new key" not in text and "the first key" not in text


def test_a_year_in_progress_is_provisional_on_its_page_the_region_and_the_index(project, monkeypatch):
    """tiny-it 2024 before its deadline: 1 of the 2 facts received is met, 2 cells awaited."""
    monkeypatch.setenv("ANALYSIS_PSEUDONYM_KEY", "a key of the test")
    assert main(_args(project, "2025-01-10", "--year", "2024")) == 0
    site = project / "reports"
    page = text(site / "html" / "64" / "tiny-it" / "2024.html")
    assert "Предварительно: выполнено 1 из 2 полученных; ожидается ещё 2 — 50%." in page
    region = text(site / "html" / "64" / "region-2024.html")
    assert "1 из 2 полученных; ожидается ещё 2" in region and "50% (предварительно)" in region
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "1 из 2 полученных; ожидается ещё 2" in index and 'class="bar provisional"' in index
    assert main(_args(project, "2025-01-21", "--year", "2024")) == 0  # the deadline has passed
    page = text(site / "html" / "64" / "tiny-it" / "2024.html")
    assert "предварительно" not in page.lower() and "Выполнено 1 из 4 плановых значений — 25%" in page
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "bar provisional" not in index.split("<body>")[1] and "1 из 4" in index


def _notebook(path: Path, *cells: str) -> Path:
    import nbformat

    parameters = nbformat.v4.new_code_cell(
        'cluster = "tiny-law"\nyear = 2024\ndata_dir = ""\nas_of = ""\ndeadline = ""',
        metadata={"tags": ["parameters"]},
    )
    book = nbformat.v4.new_notebook(cells=[parameters, *(nbformat.v4.new_code_cell(c) for c in cells)])
    book.metadata["kernelspec"] = {"name": "professionalitet", "display_name": "x", "language": "python"}
    nbformat.write(book, path)
    return path


def test_a_report_depends_on_the_tables_it_read_and_no_list_says_which(project, tmp_path, monkeypatch):
    """A notebook reading the registry only does not re-run when a rejected row is added; once it
    also reads ``rejects``, the same kind of change re-runs the reports of that cluster."""
    monkeypatch.setenv("ANALYSIS_PSEUDONYM_KEY", "a key of the test")
    read = "from analysis.tables import read_table\nread_table(data_dir, 'clusters')"
    cluster = _notebook(tmp_path / "cluster.ipynb", read)
    args = [*_args(project, "2025-03-01"), "--notebook", str(cluster)]
    assert main(args) == 0
    record = project / "reports" / "html" / "63" / "tiny-law" / "2024.reads"
    assert record.read_text(encoding="utf-8").split() == ["clusters"]
    facts = project / "raw" / "facts" / "submitted.csv"
    facts.write_text(facts.read_text(encoding="utf-8") + "tiny-law,2024,9.9.9,,1,1\n", encoding="utf-8")
    assert main(args) == 0
    assert not {k for k in built(project) if "region" not in k}  # the cluster reports read no rejects
    _notebook(cluster, read, "read_table(data_dir, 'rejects')")
    assert main(args) == 0  # a changed notebook: every cluster report, now recording rejects
    assert record.read_text(encoding="utf-8").split() == ["clusters", "rejects"]
    facts.write_text(facts.read_text(encoding="utf-8") + "tiny-law,2024,9.9.8,,1,1\n", encoding="utf-8")
    assert main(args) == 0
    assert {k for k in built(project) if "region" not in k} == {"63/tiny-law/2024", "63/tiny-law/2025"}


def test_nightly_runs_keep_their_history_and_say_what_changed(project, monkeypatch, capsys):
    """Day 1 a build; day 2 nothing new; day 3 one fact edited: the history, the changes page,
    the feed, the index marks, the summary line and `changes` in the terminal say it."""
    monkeypatch.setenv("ANALYSIS_PSEUDONYM_KEY", "a key of the test")
    history = project / "history"
    assert main(_args(project, "2025-03-01", "--year", "2024")) == 0
    assert len(list(history.glob("*.parquet"))) == 1
    capsys.readouterr()
    assert main(_args(project, "2025-03-02", "--year", "2024")) == 0  # day 2: nothing new
    assert "changes: none since the last build; 0 report(s) re-run" in capsys.readouterr().out
    assert len(list(history.glob("*.parquet"))) == 1
    _after_the_last_kept_build(project)
    facts = project / "raw" / "facts" / "submitted.csv"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace("tiny-it,2024,1.1.4,,12,", "tiny-it,2024,1.1.4,,5,")
    )
    assert main(_args(project, "2025-03-03", "--year", "2024")) == 0
    out = capsys.readouterr().out
    assert "changes: 1 submission(s) new, 0 rejected, 1 cell(s) changed status" in out
    assert len(list(history.glob("*.parquet"))) == 2
    page = text(project / "reports" / "changes.html")
    assert "64 — Саратовская область" in page and "Тестовый кластер «ИТ»" in page
    assert "1.1.4 выполнено; факт 12; план 9 выполнено частично; факт 5; план 9" in page
    assert "заменён новым файлом submitted.csv" in page and "Тестовый кластер «Право»" not in page
    feed = (project / "reports" / "changes.xml").read_text(encoding="utf-8")
    assert feed.count("<entry>") == 2 and "выполнено; факт 12; план 9 → выполнено частично" in feed
    own = text(project / "reports" / "html" / "64" / "tiny-it" / "2024.html")
    assert (
        "С прошлой версии отчёта" in own and "1.1.4: выполнено (факт 12) → выполнено частично (факт 5)" in own
    )
    assert "С прошлой версии" not in text(project / "reports" / "html" / "63" / "tiny-law" / "2024.html")
    index = (project / "reports" / "index.html").read_text(encoding="utf-8")
    assert 'href="changes.html"' in index and index.count('class="changed">изменён') == 2  # tiny-it, 64
    assert main(["changes", "--processed", str(project / "processed"), "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    cells = [r for r in listed["changes"] if r["what"] == "cell"]
    assert [(r["cluster_id"], r["year"], r["item"]) for r in cells] == [("tiny-it", 2024, "1.1.4")]
    assert main(["changes", "--processed", str(project / "processed"), "--since", "1999-01-01"]) == 2


class _Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch):
    """A real SMTP server on the loopback, for the build to send its digest to."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # a free port on the loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("ANALYSIS_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("ANALYSIS_SMTP_PORT", str(port))
        monkeypatch.setenv("ANALYSIS_SMTP_FROM", "reports@example.org")
        yield inbox
    finally:
        controller.stop()


def test_notify_sends_the_digest_as_one_mail_with_text_and_html_only_when_something_changed(
    project, monkeypatch, smtp
):
    import email
    from email import policy

    monkeypatch.setenv("ANALYSIS_PSEUDONYM_KEY", "a key of the test")
    notify = ["--notify", "analyst@example.org", "head@example.org"]
    assert main([*_args(project, "2025-03-01", "--year", "2024"), *notify]) == 0
    assert len(smtp.messages) == 1  # the first build: everything is new
    assert main([*_args(project, "2025-03-02", "--year", "2024"), *notify]) == 0
    assert len(smtp.messages) == 1  # nothing changed: no mail
    _after_the_last_kept_build(project)
    facts = project / "raw" / "facts" / "submitted.csv"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace("tiny-it,2024,1.1.4,,12,", "tiny-it,2024,1.1.4,,5,")
    )
    assert main([*_args(project, "2025-03-03", "--year", "2024"), *notify]) == 0
    assert len(smtp.messages) == 2
    recipients, raw = smtp.messages[-1]
    assert recipients == ["analyst@example.org", "head@example.org"]
    mail = email.message_from_bytes(raw, policy=policy.default)
    assert "изменили статус значений: 1" in mail["Subject"] and mail["From"] == "reports@example.org"
    plain = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "1.1.4 выполнено; факт 12; план 9 → выполнено частично; факт 5; план 9" in plain
    assert "Что изменилось" in html and "Тестовый кластер «ИТ»" in html


def test_notify_without_a_server_says_what_to_set(project, monkeypatch, capsys):
    monkeypatch.setenv("ANALYSIS_PSEUDONYM_KEY", "a key of the test")
    monkeypatch.delenv("ANALYSIS_SMTP_HOST", raising=False)
    assert main([*_args(project, "2025-03-01", "--year", "2024"), "--notify", "a@example.org"]) == 1
    assert "ANALYSIS_SMTP_HOST" in capsys.readouterr().err
