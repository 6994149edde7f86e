"""Shared fixtures: paths of the project and a tiny registry + plan + facts written per test."""

from __future__ import annotations

import ast
import functools
import inspect
import shutil
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

import analysis.site  # noqa: F401  before any test module imports nbformat (see analysis/site/__init__.py)

ROOT = Path(__file__).resolve().parents[1]
SEED_PLAN = ROOT / "data" / "raw" / "plans" / "samara-law.csv"
SEED_TEXT = ROOT.parent / "shared" / "seeds" / "000_4630c187282b80aa.txt"


# Markers by module, so a test added to one of these modules is marked without a decorator:
# `slow` runs builds, notebooks, whole ingests or processes (seconds each); `browser` opens
# headless Chromium; `lab` starts JupyterLab. `make test-fast` leaves all three out; a test in
# another module can carry the marker itself (@pytest.mark.slow).
MODULE_MARKERS = {
    "test_build": ("slow",),
    "test_build_dask": ("slow",),
    "test_build_engine": ("slow",),
    "test_demo_region": ("slow",),
    "test_downloads": ("slow",),
    "test_escaping": ("slow", "browser"),
    "test_exploratory": ("slow",),
    "test_hostile_inputs": ("slow",),
    "test_ingest": ("slow",),
    "test_ingest_bench": ("slow",),
    "test_install": ("slow",),
    "test_lab": ("slow", "lab"),
    "test_layout": ("slow", "browser"),
    "test_leaks": ("slow",),
    "test_national": ("slow",),
    "test_nightly": ("slow",),
    "test_nightly_week": ("slow",),
    "test_notebooks": ("slow",),
    "test_print": ("slow", "browser"),
    "test_provenance": ("slow",),
    "test_report_details": ("slow",),
    "test_report_unit": ("slow",),
    "test_vocabulary": ("slow",),
}
# Single tests of otherwise fast modules that open a browser.
BROWSER_TESTS = {
    "test_build.py::test_reports_render_in_a_headless_browser",
    "test_plan_import_pdf.py::test_the_seed_plan_printed_by_chromium_reads_back_into_the_canonical_plan",
}


# Fixtures that build a whole site: a test that asks for one is slow wherever it is.
SLOW_FIXTURES = {"site", "built", "built_once"}


# `make test` runs the suite on two pytest-xdist workers (`--dist loadgroup`). The tests of a
# module that makes a costly fixture once (a site, an ingested folder: module-scoped) form one
# work unit, run whole on one worker, so the fixture is made once; so do the ten modules that
# read the hostile site (tests/hostile.py, built once per process), and the engine tests that
# copy its `built_once`. Every other test is a unit of its own and goes to whichever worker is
# free.
SHARED_FIXTURE_MODULES = {
    "test_build",
    "test_demo_region",
    "test_hostile_inputs",
    "test_ingest_forms",
    "test_national",
}
HOSTILE_SITE_MODULES = {
    "test_downloads",
    "test_escaping",
    "test_layout",
    "test_leaks",
    "test_print",
    "test_provenance",
    "test_report_details",
    "test_states",
    "test_unicode",
    "test_vocabulary",
}
# The units that take longest, longest first; the rest follow in collection order. xdist hands
# the units out in this order, so neither worker is left with a long one at the end.
LONG_UNITS = [
    "test_nightly_week.py::test_a_week_of_nightly_runs",
    "test_build_engine.py::test_builds_killed_at_any_moment_leave_one_whole_site",
    "test_build_dask.py::test_a_stopped_or_killed_dask_build_leaves_no_report_process",
    "hostile-site",
    "test_hostile_inputs",
    "test_build_dask.py::test_a_cancelled_dask_task_ends_its_report_process",
    "engine-built",
    "test_build",
    "test_build_dask.py::test_a_wrong_scheduler_address_gives_one_line_naming_it_and_takes_no_lock",
    "test_build_dask.py::test_a_lost_worker_fails_its_report_once_and_no_second_process_writes_it",
    "test_build_dask.py::test_a_dask_build_publishes_the_same_bytes_as_a_local_build",
    "test_national",
]


def unit(nodeid: str) -> str:
    """The work unit of a test, from its node id: its group, else the test itself."""
    path, _, name = nodeid.partition("::")
    module, function = Path(path).stem, name.split("[")[0].split("@")[0]
    if module in HOSTILE_SITE_MODULES:
        return "hostile-site"
    if module in SHARED_FIXTURE_MODULES:
        return module
    if module == "test_build_engine" and function in _taking(module, "built"):
        return "engine-built"
    return f"{Path(path).name}::{function}"


@functools.cache
def _taking(module: str, fixture: str) -> frozenset[str]:
    """The test functions of ``module`` that take ``fixture`` (read from its source: the node
    ids are all that xdist's scheduler sees)."""
    tree = ast.parse((Path(__file__).parent / f"{module}.py").read_text(encoding="utf-8"))
    return frozenset(
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and fixture in {arg.arg for arg in node.args.args}
    )


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadgroup` with the units above, handed out in collection order. (pytest-xdist 3.8
    names a test's `xdist_group` in `item._nodeid`, which pytest 9 no longer reads: its own
    grouping is lost, and it would hand out the largest groups first.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Units(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = unit(nodeid)
            return nodeid if "::" in scope else scope  # each case of a test of its own is a unit

    config.option.loadscopereorder = False
    return Units(config, log)


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        for name in MODULE_MARKERS.get(item.path.stem, ()):
            item.add_marker(name)
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker("slow")
        if f"{item.path.name}::{item.originalname}" in BROWSER_TESTS:
            item.add_marker("browser")
            item.add_marker("slow")

    def rank(item) -> int:
        name = unit(item.nodeid)
        return LONG_UNITS.index(name) if name in LONG_UNITS else len(LONG_UNITS)

    # Stable: within each unit, and among the rest, the tests keep their order.
    items.sort(key=rank)


def table(text: str, **dtypes) -> pd.DataFrame:
    """An expected table written inline in a test, as CSV; empty cells stay empty strings."""
    frame = pd.read_csv(StringIO(inspect.cleandoc(text)), dtype=str, keep_default_na=False)
    return frame.astype(dtypes) if dtypes else frame


TINY_PLAN = """\
kind,code,programme_code,title,2024,2025
section,1,,Мероприятия по программам,,
group,1.1,,Результат мероприятий по разработке,,
indicator,1.1.1,,Сформированы экспертные группы:,,
programme,1.1.1,38.02.01,Экономика и бухгалтерский учет (по отраслям),1,-
programme,1.1.1,40.02.02,Правоохранительная деятельность,1,-
indicator,1.1.4,,Осуществлен запуск образовательных программ,9,10
group,1.6,,Результат мероприятий по включению работников,,
indicator,1.6.1,,Привлечены преподаватели от работодателей,да,да
"""

TINY_REGISTRY = """\
cluster_id,name,region_code,region_name,industry,base_college,plan_file
tiny-law,Тестовый кластер «Право»,63,Самарская область,Правоохранительная сфера и управление,,plans/tiny-law.csv
tiny-it,Тестовый кластер «ИТ»,64,Саратовская область,Информационные технологии,ГБПОУ «Тест»,plans/tiny-it.csv
"""

TINY_FACTS = """\
cluster_id,year,indicator,programme_code,fact,demo
tiny-law,2024,1.1.1,38.02.01,1,1
tiny-law,2024,1.1.4,,7,1
tiny-law,2024,1.6.1,,да,1
tiny-it,2024,1.1.4,,12,
tiny-it,2024,1.6.1,,нет,
"""


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    """A tiny raw-data folder: two clusters in two regions, their plans and a facts file."""
    return make_raw(tmp_path)


def make_raw(root: Path) -> Path:
    """Write the tiny raw-data folder under ``root``; return it."""
    raw = root / "raw"
    (raw / "plans").mkdir(parents=True)
    (raw / "facts").mkdir()
    (raw / "clusters.csv").write_text(TINY_REGISTRY, encoding="utf-8")
    for cluster in ("tiny-law", "tiny-it"):
        (raw / "plans" / f"{cluster}.csv").write_text(TINY_PLAN, encoding="utf-8")
    (raw / "facts" / "submitted.csv").write_text(TINY_FACTS, encoding="utf-8")
    return raw


TINY_PARTICIPANTS = '''\
cluster_id,organisation,org_type
tiny-law,ГБПОУ «Колледж права»,college
tiny-law,"ПАО ""Сбербанк""",employer
tiny-law,ООО «Юрконсалт»,employer
tiny-it,ГБПОУ «Тест»,college
tiny-it,АО «Софт»,employer
'''

# A good submission of tiny-law for 2024, sheet by sheet, rows as a person fills them in.
GOOD_FORM = {
    "Показатели": [
        ["1.1.1", "38.02.01", "Сформированы экспертные группы", "1", "1"],
        ["1.1.1", "40.02.02", "Сформированы экспертные группы", "1", " 0 "],
        ["1.1.4.", None, "Осуществлен запуск", "9", 7],
        ["1.6.1", None, "Привлечены преподаватели", "да", "ДА"],
    ],
    "Преподаватели": [
        ["Иванов Иван Иванович", "112-233-445 95", "ГБПОУ «Колледж права»", "штатный", "40.02.02", 720, None],
        ["Петрова Анна Сергеевна", None, 'ПАО "Сбербанк"', "совместитель", "38.02.01", "1,5", 45323],
        ["Сидоров Пётр Ильич", None, "ООО «Юрконсалт»", " Совместитель ", "40.02.02", 36, "15.03.2024"],
    ],
    "Наставничество": [
        [
            "Иванов Иван Иванович",
            "Сидоров Пётр Ильич",
            "ООО «Юрконсалт»",
            "40.02.02",
            "01.02.2024",
            None,
            "очно",
        ],
    ],
    "Набор": [
        ["38.02.01", 50, 10],
        ["40.02.02", "75", None],
    ],
}
NAMES = [
    "Иванов Иван Иванович",
    "Петрова Анна Сергеевна",
    "Сидоров Пётр Ильич",
    "Иванов",
    "Петрова",
    "Сидоров",
]


def write_form(
    path: Path,
    rows: dict[str, list[list]] | None = None,
    cluster: str = "tiny-law",
    year: int = 2024,
    submitted: object = "15.01.2025",
    demo: str = "",
    drop_sheet: str | None = None,
    headings: dict[str, list[str]] | None = None,
) -> Path:
    """Write a filled-in collection form as an .xlsx with openpyxl."""
    from openpyxl import Workbook

    from analysis.sources import forms

    rows = GOOD_FORM if rows is None else rows
    workbook = Workbook()
    meta = workbook.active
    meta.title = forms.META.title
    meta.append(forms.META.headings)
    for label, value in [
        ("Кластер", cluster),
        ("Год", year),
        ("Заполнил", "Иванов Иван Иванович"),
        ("Дата представления", submitted),
        ("Демонстрационные данные", demo),
    ]:
        meta.append([label, value])
    for spec in forms.INPUT_SHEETS:
        if spec.title == drop_sheet:
            continue
        sheet = workbook.create_sheet(spec.title)
        sheet.append((headings or {}).get(spec.title, spec.headings))
        for row in rows.get(spec.title, []):
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


@pytest.fixture
def raw_dir_with_forms(raw_dir: Path) -> Path:
    """The tiny raw folder plus participants and one good submission, no facts CSV."""
    (raw_dir / "participants.csv").write_text(TINY_PARTICIPANTS, encoding="utf-8")
    (raw_dir / "facts" / "submitted.csv").unlink()
    write_form(raw_dir / "submissions" / "tiny-law_2024.xlsx")
    return raw_dir


def run_ingest(raw: Path, demo: bool = True):
    """Ingest a raw folder with a fresh great-expectations context and the demo key."""
    from analysis.ingest.pseudonym import DEMO_KEY
    from analysis.ingest.run import ingest
    from analysis.ingest.validation import Validator
    from analysis.site.prepare import read_plans
    from analysis.sources.registry import load_registry

    registry = load_registry(raw / "clusters.csv")
    plan, _, _ = read_plans(registry)
    return ingest(raw, registry, plan, lambda demo_only: DEMO_KEY, Validator())


# A project as the notebooks' default parameters expect it (samara-law, region 63, 2025, as of
# 2026-01-21): the real seed plan and registry row of samara-law beside the tiny clusters, one
# submission of samara-law for 2025 with rosters, ingested into data/processed/.
SAMARA_PARTICIPANTS = '''\
samara-law,ГБПОУ «Колледж права»,college
samara-law,"ПАО ""Сбербанк""",employer
samara-law,ООО «Юрконсалт»,employer
'''


def make_project(root: Path) -> Path:
    """Write and ingest a project folder under ``root`` (usable as $PROFESSIONALITET_HOME)."""
    from analysis.site.prepare import prepare

    raw = make_raw(root / "data")
    registry = (ROOT / "data" / "raw" / "clusters.csv").read_text(encoding="utf-8").splitlines()[1]
    with (raw / "clusters.csv").open("a", encoding="utf-8") as out:
        out.write(registry + "\n")
    (raw / "plans" / "samara-law.csv").write_bytes(SEED_PLAN.read_bytes())
    (raw / "participants.csv").write_text(TINY_PARTICIPANTS + SAMARA_PARTICIPANTS, encoding="utf-8")
    write_form(
        raw / "submissions" / "samara-law_2025.xlsx",
        cluster="samara-law",
        year=2025,
        submitted="12.01.2026",
        demo="да",
    )
    prepare(raw, root / "data" / "processed", None, demo_key=True)
    return root


@pytest.fixture(scope="session", autouse=True)
def great_expectations_imported() -> None:
    """great-expectations imported once in each test process (3 s of CPU). A build run in a
    test's own process ingests in a child forked for the purpose (``site.aside``), which would
    import it anew each time, and forget it, until a test had validated in this process."""
    from analysis.ingest.validation import _import_great_expectations

    _import_great_expectations()


@pytest.fixture(scope="session")
def project_home(tmp_path_factory) -> Path:
    """A built fixture project, shared by the tests that run notebooks, ``show`` and JupyterLab.
    Read-only: a test that changes a project works on ``copy_project(project_home, tmp_path)``."""
    return make_project(tmp_path_factory.mktemp("home"))


def copy_project(source: Path, target: Path) -> Path:
    """A copy of a shared fixture project (times kept) for a test that changes it; returns it."""
    shutil.copytree(source, target, symlinks=True)
    return target


def outputs_text(notebook) -> str:
    """Every text and markdown output of an executed notebook, joined."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            for kind in ("text/markdown", "text/plain", "text/html"):
                parts.append(output.get("data", {}).get(kind, ""))
    return "\n".join(parts)
