"""The nightly run: a new day alone changes nothing; a deadline passing re-runs exactly the
reports of the year it closes; a replaced pseudonymisation key re-ingests. Real builds of the
tiny fixture with the real notebooks."""

from __future__ import annotations

import json
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


def built(root: Path) -> set[str]:
    return {e["key"] for e in manifest(root)["reports"] if e["status"] == "built"}


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
    assert manifest(project)["build"]["prepared"] is False
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
