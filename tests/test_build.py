"""Smoke tests of the whole build: real papermill runs, real nbconvert HTML, a real browser."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import date
from pathlib import Path

import nbformat
import pytest

from analysis.cli import main
from analysis.site.build import CLUSTER_NOTEBOOK
from analysis.site.pdf import find_chromium
from browser import FLAGS

AS_OF = "2025-03-01"  # after the 2024 reporting deadline, before 2025's


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Build the reports of the tiny fixture registry once for the module, two at a time."""
    from conftest import TINY_PARTICIPANTS, make_raw, write_form

    root = tmp_path_factory.mktemp("build")
    raw = make_raw(root)
    (raw / "participants.csv").write_text(TINY_PARTICIPANTS, encoding="utf-8")
    write_form(raw / "submissions" / "tiny-law_2025.xlsx", year=2025, demo="да")
    code = main(
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
            "--jobs",
            "2",
            "--demo",
        ]
    )
    return root, code


def html(root: Path, key: str) -> str:
    return (root / "reports" / "html" / f"{key}.html").read_text(encoding="utf-8")


def test_build_makes_every_cluster_year_report_and_the_index(built):
    root, code = built
    assert code == 0
    reports = sorted(
        str(p.relative_to(root / "reports" / "html")) for p in (root / "reports" / "html").rglob("*.html")
    )
    assert reports == [
        "63/region-2024.html",
        "63/region-2025.html",
        "63/tiny-law/2024.html",
        "63/tiny-law/2025.html",
        "64/region-2024.html",
        "64/region-2025.html",
        "64/tiny-it/2024.html",
        "64/tiny-it/2025.html",
    ]  # two regions: no national report (it needs three)
    index = (root / "reports" / "index.html").read_text(encoding="utf-8")
    for report in reports:
        assert f'href="html/{report}"' in index
    assert "63 — Самарская область" in index and "64 — Саратовская область" in index
    assert "Демонстрационные данные" in index


def test_report_shows_codes_statuses_and_fact_over_plan(built):
    root, _ = built
    page = html(root, "63/tiny-law/2024")
    for text in [
        "Тестовый кластер «Право»",
        "1.1.1",
        "1.1.4",
        "1.6.1",
        "38.02.01 Экономика",
        "выполнено частично",
        "нет данных",
        "78%",
        "Демонстрационные данные",
    ]:
        assert text in page, text
    assert re.search(r"Выполнено 2 из 4 плановых значений — 50%", page)
    assert re.search(
        r'<img [^>]*alt="Диаграмма: статус плановых значений по группам результатов, 2024 год"', page
    )
    other = html(root, "64/tiny-it/2024")
    assert "не выполнено" in other and "Демонстрационные данные" not in other


def test_report_html_has_no_code_no_parameters_and_no_network_scripts(built):
    root, _ = built
    page = html(root, "63/tiny-law/2025")
    for text in ["report.load", "import ", "data_dir", "injected-parameters", 'class="jp-CodeMirrorEditor']:
        assert text not in page, text
    assert not re.search(r"""<script[^>]+src=["']https?:""", page)
    assert "ожидается отчёт" in page  # 2025 is before its deadline as of 2025-03-01


def test_a_failing_report_does_not_stop_the_others(raw_dir, tmp_path, capsys):
    notebook = nbformat.read(CLUSTER_NOTEBOOK, as_version=4)
    notebook.cells.insert(
        2, nbformat.v4.new_code_cell('if cluster == "tiny-it":\n    raise RuntimeError("broken on purpose")')
    )
    broken = tmp_path / "broken.ipynb"
    nbformat.write(notebook, broken)
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
            "--year",
            "2024",
            "--notebook",
            str(broken),
        ]
    )
    captured = capsys.readouterr()
    assert code == 1
    assert "3 built, 0 unchanged, 1 failed" in captured.out  # two cluster reports and two region reports
    assert (
        'FAILED 64/tiny-it/2024: RuntimeError: broken on purpose (ячейка 4: if cluster == "tiny-it":)'
        in captured.err
    )
    assert (tmp_path / "reports" / "html" / "63" / "tiny-law" / "2024.html").exists()
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert "Не удалось построить отчётов: 1" in index and "broken on purpose" in index
    # The executed notebook of the failed report is kept for debugging, with its parameters.
    executed = nbformat.read(tmp_path / "logs" / "failed" / "64" / "tiny-it" / "2024.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert 'cluster = "tiny-it"' in injected[0].source and "year = 2024" in injected[0].source
    assert any(o.get("ename") == "RuntimeError" for c in executed.cells for o in c.get("outputs", []))


def test_unknown_cluster_is_a_usage_error(raw_dir, tmp_path, capsys):
    code = main(
        [
            "build",
            "--raw",
            str(raw_dir),
            "--processed",
            str(tmp_path / "p"),
            "--out",
            str(tmp_path / "r"),
            "--cluster",
            "nope",
        ]
    )
    assert code == 2
    assert "unknown cluster(s) ['nope']" in capsys.readouterr().err


def render(browser: str, page: Path, profile: Path) -> str:
    """The DOM of a page after a real headless browser loaded it, with the network closed."""
    command = [browser, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def test_reports_render_in_a_headless_browser(built, tmp_path):
    browser = find_chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("no chromium on PATH: .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    root, _ = built
    dom = render(browser, root / "reports" / "index.html", tmp_path / "profile")
    assert "Отчёты образовательных кластеров" in dom and "Тестовый кластер «ИТ»" in dom
    report = render(
        browser, root / "reports" / "html" / "63" / "tiny-law" / "2024.html", tmp_path / "profile"
    )
    assert "выполнено частично" in report
    assert re.search(r'<img[^>]+src="data:image/png;base64,', report), "the chart is an embedded image"


def test_report_shows_staffing_and_the_check_against_rosters(built):
    root, _ = built
    page = html(root, "63/tiny-law/2025")
    for text in [
        "Кадровое обеспечение",
        "из них работников организаций — совместителей (п. 1.6.1)",
        "Сверка отчёта со списками",
        "подтверждается списками",
        "Федеральные показатели",
    ]:
        assert text in page, text
    assert "нет данных» (это не 0 %)" in html(root, "64/tiny-it/2024")


def test_no_name_reaches_processed_data_reports_or_data_docs(built):
    from conftest import NAMES

    root, _ = built
    outputs = [p for folder in ("processed", "reports") for p in (root / folder).rglob("*") if p.is_file()]
    assert any(p.suffix == ".parquet" for p in outputs) and any(p.name == "index.html" for p in outputs)
    for path in outputs:
        data = path.read_bytes()
        for name in NAMES:
            assert name.encode("utf-8") not in data, f"{name} in {path}"


def test_national_summaries_enter_the_national_reports_fingerprints_only(tmp_path):
    """Through what each report recorded it read (``html/<key>.reads``), not a hand-kept list."""
    from analysis.site.build import BuildOptions, _jobs

    records = [
        {"key": "63/c/2025", "kind": "cluster", "title": "c", "cluster_id": "c", "region_code": "63",
         "year": 2025, "clusters": ["c"]},
        {"key": "63/region-2025", "kind": "region", "title": "r", "cluster_id": "", "region_code": "63",
         "year": 2025, "clusters": ["c"]},
        {"key": "national-2025", "kind": "national", "title": "n", "cluster_id": "", "region_code": "",
         "year": 2025, "clusters": ["c"]},
    ]  # fmt: skip
    options = BuildOptions(tmp_path, tmp_path, tmp_path, date(2026, 1, 21))
    tables = {
        "clusters": {"": "h", "c": "1"},
        "facts": {"": "h", "c": "1"},
        "cluster_years": {"": "h", "c": "1"},
        "ambition": {"": "1"},
    }

    reads = {
        "63/c/2025": "clusters\nfacts\n",
        "63/region-2025": "clusters\nfacts\n",
        "national-2025": "clusters\ncluster_years\nambition\n",
    }
    for key, text in reads.items():
        (tmp_path / "html" / f"{key}.reads").parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "html" / f"{key}.reads").write_text(text, encoding="utf-8")

    def prints(changed: dict) -> dict:
        return {j.key: j.fingerprint for j in _jobs(records, options, {**tables, **changed}, {})}

    before = prints({})
    ambition = prints({"ambition": {"": "2"}})
    assert (
        ambition["63/c/2025"] == before["63/c/2025"]
        and ambition["63/region-2025"] == before["63/region-2025"]
    )
    assert ambition["national-2025"] != before["national-2025"]
    facts = prints({"facts": {"": "h", "c": "2"}})
    assert facts["63/c/2025"] != before["63/c/2025"] and facts["national-2025"] == before["national-2025"]
    registry = prints({"clusters": {"": "h", "c": "2"}})
    assert all(registry[k] != before[k] for k in before)


def test_region_report_compares_its_clusters(built):
    root, _ = built
    page = html(root, "63/region-2024")
    for text in [
        "63 — Самарская область",
        "сводный отчёт за 2024 год",
        "Тестовый кластер «Право»",
        "2 из 4",
        "50%",
    ]:
        assert text in page, text
    assert "Тестовый кластер «ИТ»" not in page  # region 64
    index = (root / "reports" / "index.html").read_text(encoding="utf-8")
    assert 'Сводный отчёт по региону: <a href="html/63/region-2024.html">2024</a>' in index


def test_the_deadline_is_configurable_and_decides_pending(raw_dir, tmp_path):
    # As of 2025-03-01 the 2024 reports are overdue with the default deadline (20 January)…
    out = tmp_path / "reports"
    args = [
        "build",
        "--raw",
        str(raw_dir),
        "--processed",
        str(tmp_path / "p"),
        "--out",
        str(out),
        "--as-of",
        AS_OF,
        "--cluster",
        "tiny-it",
        "--year",
        "2024",
        "--jobs",
        "1",
    ]
    assert main(args) == 0
    assert "нет данных" in (out / "html" / "64" / "tiny-it" / "2024.html").read_text(encoding="utf-8")
    # …and still pending with a 1 April deadline, which the report names.
    assert main([*args, "--deadline", "04-01", "--no-prepare"]) == 0
    page = (out / "html" / "64" / "tiny-it" / "2024.html").read_text(encoding="utf-8")
    assert "ожидается отчёт" in page and "01.04.2025" in page


def test_a_bad_deadline_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["build", "--deadline", "02-30"])
    assert stop.value.code == 2
    assert "not a day of the year in MM-DD form: '02-30'" in capsys.readouterr().err
