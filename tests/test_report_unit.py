"""A report is one unit: a report that fails keeps its previous page, downloads and PDF together;
its executed notebook is kept outside the published folder, and the index names only the report
and the reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from analysis.cli import main
from analysis.site.build import CLUSTER_NOTEBOOK

AS_OF = "2025-03-01"
KEY = "64/tiny-it/2024"


def _build(raw: Path, root: Path, *extra: str) -> int:
    return main(
        [
            "build",
            "--raw",
            str(raw),
            "--processed",
            str(root / "processed"),
            "--out",
            str(root / "reports"),
            "--as-of",
            AS_OF,
            "--year",
            "2024",
            "--jobs",
            "1",
            *(["--pdf"] if shutil.which("chromium") else []),
            *extra,
        ]
    )


def _unit(root: Path) -> dict[str, bytes]:
    """The files of the report: page, downloads and (with Chromium) PDF."""
    stem = root / "reports" / "html" / KEY
    suffixes = [".html", ".xlsx", ".zip", *([".pdf"] if shutil.which("chromium") else [])]
    return {s: stem.with_suffix(s).read_bytes() for s in suffixes}


def test_a_failed_report_keeps_its_page_downloads_and_pdf_together(raw_dir, tmp_path, capsys):
    assert _build(raw_dir, tmp_path) == 0
    before = _unit(tmp_path)
    # The broken template writes other downloads (another name in them) and then fails.
    broken = nbformat.read(CLUSTER_NOTEBOOK, as_version=4)
    sources = [c.source for c in broken.cells]
    at = next(i for i, s in enumerate(sources) if "reports.downloads.write" in s)
    broken.cells.insert(at, nbformat.v4.new_code_cell('cy.cluster["name"] = "Другое имя"'))
    broken.cells.insert(at + 2, nbformat.v4.new_code_cell('raise RuntimeError("broken on purpose")'))
    path = tmp_path / "broken.ipynb"
    nbformat.write(broken, path)
    capsys.readouterr()
    assert _build(raw_dir, tmp_path, "--cluster", "tiny-it", "--force", "--notebook", str(path)) == 1
    assert "FAILED 64/tiny-it/2024: RuntimeError: broken on purpose" in capsys.readouterr().err
    assert _unit(tmp_path) == before
    reports = tmp_path / "reports"
    assert not list(reports.rglob("*.ipynb")) and not (reports / "failed").exists()
    # hidden: only the lock, the pointer to the published version and that version itself
    hidden = [p.name for p in reports.rglob(".*") if p.name not in (".build.lock", ".current")]
    assert [n for n in hidden if not n.startswith(".site-")] == [] and len(hidden) == 1
    kept = tmp_path / "logs" / "failed" / f"{KEY}.ipynb"
    assert any(
        o.get("ename") == "RuntimeError" for c in nbformat.read(kept, 4).cells for o in c.get("outputs", [])
    )
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "broken on purpose" in index and "ipynb" not in index and str(tmp_path) not in index
    # Mended, the report is built again and its debugging copy goes.
    assert _build(raw_dir, tmp_path, "--cluster", "tiny-it", "--force") == 0
    assert not kept.exists()


def test_a_report_built_without_pdf_loses_the_pdf_of_an_earlier_build(raw_dir, tmp_path):
    if not shutil.which("chromium"):
        pytest.skip("chromium is not installed")
    assert _build(raw_dir, tmp_path) == 0
    pdf = tmp_path / "reports" / "html" / f"{KEY}.pdf"
    assert pdf.exists()
    code = main(
        [
            "build",
            "--raw",
            str(raw_dir),
            "--processed",
            str(tmp_path / "processed"),
            "--out",
            str(tmp_path / "reports"),
            "--as-of",
            AS_OF,
            "--cluster",
            "tiny-it",
            "--year",
            "2024",
            "--force",
        ]
    )
    assert code == 0 and not pdf.exists()  # a PDF of an older page would not say what the page says


def test_a_failure_is_published_without_the_machines_paths():
    from analysis.site.build import without_paths

    line = "FileNotFoundError: [Errno 2] No such file: '/home/u/project/data/processed/plan.parquet' (cell 3)"
    assert without_paths(line) == "FileNotFoundError: [Errno 2] No such file: 'plan.parquet' (cell 3)"
    kept = "ValueError: the plan of 'x' has no year 2019; its years are [2024]; 1/2 of a/b"
    assert without_paths(kept) == kept
