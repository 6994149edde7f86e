"""The provenance block at the end of every report, and byte-identical pages from the same inputs."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import analysis
import hostile
from analysis.reports.provenance import code_version, file_name, source_files


@pytest.fixture(scope="module")
def site() -> Path:
    return hostile.site()


def test_file_names_only():
    assert file_name("/srv/data/raw/submissions/a_2024.xlsx") == "a_2024.xlsx"
    assert file_name(r"C:\\Users\\me\\b_2025.xlsx") == "b_2025.xlsx"
    assert file_name("data/raw/submissions/demo-med_2024") == "demo-med_2024"
    assert file_name(None) == ""


def test_source_files_show_the_checksum_and_size_when_recorded():
    submissions = pd.DataFrame(
        {
            "source_file": [
                "/in/a_2024.xlsx",
                "/in/old_a_2024.xlsx",
                "/in/b_2024.xlsx",
                "/in/facts.csv",
                "/in/x.csv",
            ],
            "cluster_id": ["a", "a", "b", None, None],
            "year": pd.array([2024, 2024, 2024, None, None], dtype="Int64"),
            "submitted_on": pd.to_datetime(["2025-01-15", "2025-01-10", "2025-01-16", None, None]),
            "status": ["read", "superseded", "read", "read", "read"],
            "sha256": ["ab" * 32, None, "cd" * 32, "ef" * 32, "00" * 32],
            "size_bytes": pd.array([1234, None, 99, 10, 5], dtype="Int64"),
        }
    )
    facts = pd.DataFrame(
        {"cluster_id": ["a", "b"], "year": [2024, 2024], "source_file": ["/in/facts.csv", "/in/b_2024.xlsx"]}
    )
    got = source_files(submissions, facts, ["a"], 2024)
    assert sorted(got["file"]) == ["a_2024.xlsx", "facts.csv", "old_a_2024.xlsx"]
    row = got.set_index("file")
    assert row.at["a_2024.xlsx", "sha256"] == "ab" * 32 and row.at["a_2024.xlsx", "size"] == 1234
    assert (
        row.at["old_a_2024.xlsx", "sha256"] == "—"
        and row.at["old_a_2024.xlsx", "status"] == "заменён более поздним"
    )
    assert row.at["a_2024.xlsx", "received"] == date(2025, 1, 15)
    assert "x.csv" not in row.index  # a facts file that gave cluster a nothing


def test_code_version_is_the_package_and_its_commit():
    package, commit = code_version()
    assert package == analysis.__version__
    assert commit == "—" or re.fullmatch(r"[0-9a-f]{7,40}( \(.+\))?", commit), commit


def test_every_report_ends_with_its_provenance(site):
    reports = site / "reports" / "html" / hostile.REGION
    package, commit = code_version()
    for page in sorted(reports.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        tail = html[html.index("Происхождение данных") :]
        assert f"analysis {package}, коммит <code>{commit.split(' ')[0]}" in tail, page
        state = "20.01.2025 (истёк)" if page.stem.endswith("2024") else "(ещё не наступил)"  # 01.03.2025
        assert state in tail, page
        assert "01.03.2025" not in html and "Версия плана мероприятий" in tail, page  # not the build day
        assert str(site) not in html and "/raw/" not in tail, page
    own = (reports / "evil-a" / "2024.html").read_text(encoding="utf-8")
    tail = own[own.index("Происхождение данных") :]
    assert "evil-a_2024.xlsx" in tail and "15.01.2025" in tail
    missing = (reports / "calm-d" / "2024.html").read_text(encoding="utf-8")
    assert "Исходных файлов за 2024 год не получено" in missing


def test_the_same_inputs_give_byte_identical_pages(site, tmp_path):
    """A second build, from a copy of the raw folder elsewhere, into another folder: the same bytes
    (no build time, no paths, no random table ids in a page)."""
    raw = shutil.copytree(site / "raw", tmp_path / "elsewhere" / "raw")
    done = hostile.build(raw, tmp_path, "--cluster", "evil-a", "--year", "2024")
    assert done.returncode == 0, done.stdout + done.stderr
    again = sorted((tmp_path / "reports" / "html").rglob("*.html"))
    # --cluster builds that cluster's reports (region reports: tests/test_build_engine.py)
    assert [p.relative_to(tmp_path / "reports").as_posix() for p in again] == ["html/63/evil-a/2024.html"]
    for page in again:
        first = site / "reports" / page.relative_to(tmp_path / "reports")
        assert page.read_bytes() == first.read_bytes(), page.name
    assert re.search(r'id="T_items"', again[0].read_text(encoding="utf-8"))
