"""Unicode that lies is taken out at ingest: bidirectional controls and zero-width characters
are removed from names and titles (a warning once per file), text is NFC; file names are shown as
received, backslashes included, with any invisible character written as its code."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

import hostile
from analysis.reports.provenance import file_name
from analysis.sources import normalise
from analysis.sources.normalise import INVISIBLE

# Characters that must reach no published file.
CONTROLS = ["\u202e", "\u202c", "\u200b", "\u00ad"]


@pytest.fixture(scope="module")
def site() -> Path:
    return hostile.site()


def test_visible_text_is_nfc_without_invisible_characters():
    assert normalise.visible("Кла\u200bстер \u202eабв\u202c") == "Кластер абв"
    assert normalise.visible("и\u0306") == "й" and normalise.text(" Кла\u00adстер ") == "Кластер"
    assert normalise.invisible_characters("a\u202eb\u200bc") == ["U+202E", "U+200B"]
    assert normalise.reveal("x\u202egpj.xlsx") == "x<U+202E>gpj.xlsx"
    assert not INVISIBLE.search(normalise.text("\ufeff\u2066a\u2069\u200d"))


def test_visible_columns_warns_once_per_file_naming_the_first_place():
    frame = pd.DataFrame({"name": ["ok", "a\u202eb", "c\u200bd\u200b"], "code": ["x\u200b", "y", "z"]})
    cleaned, warning = normalise.visible_columns(frame, ["name"], "clusters.csv", [2, 3, 4])
    assert cleaned["name"].tolist() == ["ok", "ab", "cd"] and cleaned["code"].tolist() == [
        "x\u200b",
        "y",
        "z",
    ]
    assert warning.startswith("clusters.csv, строка 3, столбец 'name': удалены невидимые символы (U+202E;")
    assert "всего в файле — 3" in warning and len(warning) < 300
    assert normalise.visible_columns(frame, ["missing"], "x.csv")[1] is None


def test_file_names_are_shown_as_received():
    assert file_name("/data/raw/submissions/x\\..\\evil.xlsx") == "x\\..\\evil.xlsx"
    assert file_name("/data/raw/submissions/a_2024.xlsx") == "a_2024.xlsx"
    assert file_name("/data/raw/submissions/\u202egpj.xlsx") == "<U+202E>gpj.xlsx"


def test_ingest_warns_once_per_file(site):
    log = hostile.build_log()
    lines = [line for line in log.splitlines() if "невидимые символы" in line]
    files = [line.split(",")[0].rsplit("/", 1)[-1] for line in lines]
    assert sorted(files) == ["calm-c.csv", "clusters.csv"], lines  # the registry and calm-c's plan, once each


def _published_texts(reports: Path):
    for path in reports.rglob("*"):
        if path.suffix in (".html", ".json"):
            yield path, path.read_text(encoding="utf-8")
        elif path.suffix in (".xlsx", ".zip"):
            archive = zipfile.ZipFile(path)
            yield path, "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
        elif path.suffix == ".pdf":
            import pypdf

            yield path, "".join(p.extract_text() for p in pypdf.PdfReader(path).pages)


def test_no_published_file_carries_an_invisible_character(site):
    reports = site / "reports"
    for path, text in _published_texts(reports):
        for char in CONTROLS:
            assert char not in text, (path.relative_to(reports), f"U+{ord(char):04X}")
    page = (reports / "html" / "63" / "calm-c" / "2024.html").read_text(encoding="utf-8")
    assert hostile.INVISIBLE_SHOWN in page


def test_the_validation_page_names_files_as_received_and_which_file_counts(site):
    page = (site / "reports" / "validation.html").read_text(encoding="utf-8")
    assert "x\\..\\evil.xlsx" in page
    assert "учтён файл evil-b_2024.xlsx" in page
