"""The build engine as a scheduler and an operator meet it: incremental, atomic, locked,
killable, fault-isolated, scaling out. Real builds of the tiny fixture, real notebooks run by
papermill, real processes and real signals."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from analysis.cli import main

AS_OF = "2025-03-01"
ROOT = Path(__file__).resolve().parents[1]


def _args(root: Path, *more: str) -> list[str]:
    return [
        "build",
        "--raw",
        str(root / "raw"),
        "--processed",
        str(root / "processed"),
        "--out",
        str(root / "reports"),
        "--as-of",
        AS_OF,
        *more,
    ]


def notebook(path: Path, *cells: str, kind: str = "cluster") -> Path:
    """A report template with the build's parameters and the given code cells."""
    who = 'cluster = "tiny-law"' if kind == "cluster" else 'region = "63"'
    parameters = nbformat.v4.new_code_cell(
        f'{who}\nyear = 2024\ndata_dir = ""\nas_of = ""\ndeadline = ""', metadata={"tags": ["parameters"]}
    )
    book = nbformat.v4.new_notebook(cells=[parameters, *(nbformat.v4.new_code_cell(c) for c in cells)])
    book.metadata["kernelspec"] = {"name": "professionalitet", "display_name": "x", "language": "python"}
    nbformat.write(book, path)
    return path


def manifest(root: Path) -> dict:
    return json.loads((root / "reports" / "build.json").read_text(encoding="utf-8"))


def statuses(root: Path) -> dict[str, str]:
    return {e["key"]: e["status"] for e in manifest(root)["reports"]}


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file a reader reaches under ``folder`` (through the site's links), by path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in site_files(folder)}


def site_files(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / name for name in files if not name.startswith(".")]
    return sorted(found)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    from conftest import make_raw

    make_raw(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> Path:
    """The tiny fixture built once with the real report notebooks (8 reports); read-only."""
    from conftest import make_raw

    root = tmp_path_factory.mktemp("engine")
    make_raw(root)
    assert main(_args(root, "--jobs", "2")) == 0
    return root


@pytest.fixture
def built(built_once, tmp_path, capsys) -> Path:
    """A copy of the built fixture of this test's own, to build on, lock or kill."""
    from conftest import copy_project

    capsys.readouterr()  # the first build's output, when this test set it up, is not this test's
    return copy_project(built_once, tmp_path / "built")


def test_a_noop_rebuild_runs_no_report_and_touches_no_file(built, capsys):
    before = {p: (p.stat().st_ino, p.read_bytes()) for p in (built / "reports" / "html").rglob("*.html")}
    capsys.readouterr()
    assert main(_args(built, "--jobs", "2")) == 0
    out = capsys.readouterr().out
    assert "0 built, 8 unchanged, 0 failed" in out
    assert set(statuses(built).values()) == {"unchanged"}
    after = {p: (p.stat().st_ino, p.read_bytes()) for p in (built / "reports" / "html").rglob("*.html")}
    assert after == before
    assert manifest(built)["build"]["prepared"] is False


def test_one_clusters_change_reruns_its_reports_and_its_regions_only(project, capsys):
    """Each cluster reports in a file of its own; one changes. (A file shared by clusters is in
    every report it feeds: its checksum is in their provenance, so all of them re-run.)"""
    facts = project / "raw" / "facts"
    lines = (facts / "submitted.csv").read_text(encoding="utf-8").splitlines()
    (facts / "submitted.csv").unlink()
    for cluster in ("tiny-law", "tiny-it"):
        mine = [lines[0], *(line for line in lines[1:] if line.startswith(f"{cluster},"))]
        (facts / f"{cluster}.csv").write_text("\n".join(mine) + "\n", encoding="utf-8")
    assert main(_args(project, "--year", "2024", "--jobs", "2")) == 0
    tables = {p.name: p.stat().st_mtime_ns for p in (project / "processed").glob("*.parquet")}
    mine = facts / "tiny-it.csv"
    original = mine.read_text(encoding="utf-8")
    mine.write_text(original.replace("tiny-it,2024,1.1.4,,12,", "tiny-it,2024,1.1.4,,13,"), encoding="utf-8")
    assert main(_args(project, "--year", "2024", "--jobs", "2")) == 0
    rerun = {k for k, s in statuses(project).items() if s == "built"}
    assert rerun == {"64/tiny-it/2024", "64/region-2024"}
    changed = {
        p.name for p in (project / "processed").glob("*.parquet") if p.stat().st_mtime_ns != tables[p.name]
    }
    assert "clusters.parquet" not in changed and "plan.parquet" not in changed  # not rewritten
    assert "facts.parquet" in changed
    mine.write_text(original, encoding="utf-8")
    assert main(_args(project, "--year", "2024", "--jobs", "2")) == 0  # back as it was: the same two
    assert {k for k, s in statuses(project).items() if s == "built"} == rerun


def test_a_partial_build_updates_its_reports_and_keeps_the_whole_index(project, capsys):
    # Built where it stays: --force ingests again, and the processed tables name their raw files
    # by absolute path, so in a copy of a built project every other report would turn stale.
    built = project
    assert main(_args(built, "--jobs", "2")) == 0
    capsys.readouterr()
    assert main(_args(built, "--cluster", "tiny-law", "--year", "2024", "--force", "--jobs", "1")) == 0
    out = capsys.readouterr().out
    assert "1 built, 7 unchanged" in out, out
    index = (built / "reports" / "index.html").read_text(encoding="utf-8")
    for key in statuses(built):
        assert f'href="html/{key}.html"' in index, key


def test_a_failed_report_keeps_its_previous_html_marked_stale(built, tmp_path, capsys):
    page = built / "reports" / "html" / "64" / "tiny-it" / "2024.html"
    previous = page.read_bytes()
    broken = notebook(tmp_path / "broken.ipynb", 'raise RuntimeError("broken on purpose")')
    code = main(_args(built, "--cluster", "tiny-it", "--year", "2024", "--notebook", str(broken)))
    assert code == 1
    assert "(its previous version stays, marked stale)" in capsys.readouterr().err
    assert page.read_bytes() == previous
    entry = next(e for e in manifest(built)["reports"] if e["key"] == "64/tiny-it/2024")
    assert entry["status"] == "failed" and entry["has_html"] and "broken on purpose" in entry["error"]
    index = (built / "reports" / "index.html").read_text(encoding="utf-8")
    assert "не построен; показан отчёт от" in index and 'href="html/64/tiny-it/2024.html"' in index
    assert (built / "logs" / "failed" / "64" / "tiny-it" / "2024.ipynb").exists()
    # With its own notebook back, the kept HTML is current again, and the debugging copy goes.
    assert main(_args(built, "--cluster", "tiny-it", "--year", "2024")) == 0
    assert statuses(built)["64/tiny-it/2024"] == "unchanged"
    assert not (built / "logs" / "failed" / "64" / "tiny-it" / "2024.ipynb").exists()


def test_logs_have_a_timestamped_line_per_report_and_the_manifest_records_each(project, capsys):
    assert main(_args(project, "--year", "2024", "--jobs", "2")) == 0
    out = capsys.readouterr().out
    for key in ("63/tiny-law/2024", "64/tiny-it/2024", "63/region-2024", "64/region-2024"):
        assert re.search(rf"^\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d built  {key} \d+\.\d s$", out, re.M), key
    assert re.search(r"done in \d+\.\d s: 4 built, 0 unchanged, 0 failed, 0 stale, 4 not built yet", out)
    record = manifest(project)
    assert record["build"]["as_of"] == AS_OF and record["build"]["seconds"] > 0
    entry = next(e for e in record["reports"] if e["key"] == "63/tiny-law/2024")
    assert entry["html"] == "html/63/tiny-law/2024.html" and entry["fingerprint"] and entry["seconds"] > 0
    assert {e["status"] for e in record["reports"]} == {"built", "missing"}  # 2025 was not selected


def test_reports_are_isolated_from_each_other(project, tmp_path, capsys):
    """Each report changes global state; the next one on the same worker must not see it."""
    polluter = notebook(
        tmp_path / "polluter.ipynb",
        "import matplotlib\nimport analysis\nfrom analysis.reports import labels",
        'assert matplotlib.rcParams["lines.linewidth"] == 1.5, "rcParams leaked"\n'
        'assert not hasattr(analysis, "leaked"), "a module attribute leaked"\n'
        'assert "leaked_global" not in globals(), "a global leaked"\n'
        'assert labels.STATUS_RU["met"] == "выполнено", "a module constant leaked"',
        'matplotlib.rcParams["lines.linewidth"] = 9\nanalysis.leaked = 1\nleaked_global = 1\n'
        'labels.STATUS_RU["met"] = "испорчено"',
    )
    region = notebook(tmp_path / "region.ipynb", "print(region)", kind="region")
    args = _args(project, "--jobs", "1", "--notebook", str(polluter), "--region-notebook", str(region))
    assert main(args) == 0, capsys.readouterr().err
    assert "8 built, 0 unchanged, 0 failed" in capsys.readouterr().out
    assert set(statuses(project).values()) == {"built"}


def test_a_killed_report_process_fails_that_report_alone(project, tmp_path, capsys):
    killer = notebook(
        tmp_path / "killer.ipynb",
        "import os, signal",
        'os.kill(os.getpid(), signal.SIGKILL) if cluster == "tiny-it" else None',
    )
    code = main(_args(project, "--year", "2024", "--jobs", "2", "--notebook", str(killer)))
    assert code == 1
    err = capsys.readouterr().err
    assert re.search(
        r"FAILED 64/tiny-it/2024: процесс отчёта убит сигналом SIGKILL \(не хватило памяти\?\); "
        r"ячейка 4: os.kill",
        err,
    ), err
    assert statuses(project)["63/tiny-law/2024"] == "built"
    _kept_until(project, "64/tiny-it/2024", "os.kill")


def _kept_until(project: Path, key: str, source: str) -> None:
    """The failed report's notebook is kept as far as it ran: the cells before the one that
    was running executed, that one marked running."""
    kept = nbformat.read(project / "logs" / "failed" / f"{key}.ipynb", as_version=4)
    code = [c for c in kept.cells if c.cell_type == "code"]
    running = next(n for n, c in enumerate(code) if c.source.startswith(source))
    assert [c.execution_count for c in code[:running]] == list(range(1, running + 1))
    assert code[running].metadata.papermill.status == "running"


def test_a_hanging_report_times_out_naming_its_cell(project, tmp_path, capsys):
    sleeper = notebook(
        tmp_path / "sleeper.ipynb", "import time", 'time.sleep(600) if cluster == "tiny-it" else None'
    )
    code = main(_args(project, "--year", "2024", "--timeout", "3", "--notebook", str(sleeper)))
    assert code == 1
    err = capsys.readouterr().err
    assert "FAILED 64/tiny-it/2024: не завершился за 3 с (--timeout); ячейка 4: time.sleep(600)" in err
    assert statuses(project)["63/tiny-law/2024"] == "built"
    _kept_until(project, "64/tiny-it/2024", "time.sleep(600)")


def test_the_kernel_engine_runs_reports_on_a_real_kernel(project, tmp_path, capsys):
    pid = notebook(tmp_path / "pid.ipynb", "import os\nprint('kernel pid', os.getpid())")
    region = notebook(tmp_path / "region.ipynb", "print(region)", kind="region")
    args = _args(project, "--year", "2024", "--engine", "kernel", "--notebook", str(pid))
    assert main([*args, "--region-notebook", str(region)]) == 0
    built = {k for k, s in statuses(project).items() if s == "built"}
    assert built == {"63/tiny-law/2024", "64/tiny-it/2024", "63/region-2024", "64/region-2024"}


def test_a_kernel_that_fails_to_start_is_retried_then_fails_its_report(
    project, tmp_path, monkeypatch, capsys
):
    spec = tmp_path / "jupyter" / "kernels" / "broken"
    spec.mkdir(parents=True)
    attempts = tmp_path / "attempts"
    start = "import sys; open(sys.argv[1], 'a').write('started\\n'); sys.exit(3)"
    argv = [sys.executable, "-c", start, str(attempts), "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "broken", "language": "python"})
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    trivial = notebook(tmp_path / "trivial.ipynb", "1 + 1")
    args = _args(
        project, "--year", "2024", "--cluster", "tiny-law", "--engine", "kernel", "--kernel", "broken"
    )
    code = main([*args, "--notebook", str(trivial)])
    assert code == 1
    err = capsys.readouterr().err
    assert re.search(
        r"FAILED 63/tiny-law/2024: RuntimeError: Kernel died before replying to kernel_info", err
    ), err
    assert attempts.read_text().splitlines() == ["started"] * 3  # a fresh kernel each time, then failed


def test_a_noop_build_loads_no_table_library_and_no_notebook_machinery(built):
    probe = (
        "import sys\nfrom analysis.cli import main\n"
        f"code = main({_args(built)!r})\n"
        "heavy = sorted(m for m in ('pandas', 'papermill', 'nbformat', 'matplotlib') if m in sys.modules)\n"
        "print('loaded', heavy)\nsys.exit(code)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "loaded []" in done.stdout and "0 built, 8 unchanged" in done.stdout


def test_a_changed_notebook_reruns_the_reports_made_from_it(project, tmp_path, capsys):
    cluster = notebook(tmp_path / "cluster.ipynb", "print(cluster)")
    region = notebook(tmp_path / "region.ipynb", "print(region)", kind="region")
    args = [*_args(project, "--year", "2024"), "--notebook", str(cluster), "--region-notebook", str(region)]
    assert main(args) == 0
    notebook(cluster, "print(cluster, year)")
    assert main(args) == 0
    rerun = {k for k, s in statuses(project).items() if s == "built"}
    assert rerun == {"63/tiny-law/2024", "64/tiny-it/2024"}


def test_a_region_report_depends_on_every_cluster_of_its_region(project, tmp_path, capsys):
    """A cluster whose plan cannot be read has no reports of its own, but the region report
    lists it: renaming it re-runs that region report."""
    registry = project / "raw" / "clusters.csv"
    registry.write_text(
        registry.read_text(encoding="utf-8")
        + "tiny-x,Кластер без плана,63,Самарская область,Туризм,,plans/tiny-x.csv\n",
        encoding="utf-8",
    )
    (project / "raw" / "plans" / "tiny-x.csv").write_text("not a plan\n", encoding="utf-8")
    cluster = notebook(tmp_path / "cluster.ipynb", "print(cluster)")
    # The region report lists its clusters: it reads the registry (its reads are recorded).
    reads = "from analysis.tables import read_table\nprint(region, len(read_table(data_dir, 'clusters')))"
    region = notebook(tmp_path / "region.ipynb", reads, kind="region")
    args = [*_args(project, "--year", "2024"), "--notebook", str(cluster), "--region-notebook", str(region)]
    assert main(args) == 1  # the unreadable plan is reported
    entry = next(e for e in manifest(project)["reports"] if e["key"] == "63/region-2024")
    assert entry["clusters"] == ["tiny-law", "tiny-x"]
    registry.write_text(registry.read_text(encoding="utf-8").replace("Кластер без плана", "Другое имя"))
    assert main(args) == 1
    assert {k for k, s in statuses(project).items() if s == "built"} == {"63/region-2024"}


def test_a_relative_out_folder_works_from_any_working_directory(project):
    """The notebooks run in their own folder: the downloads must still land beside the page."""
    command = [sys.executable, "-m", "analysis", "build", "--raw", "raw", "--processed", "processed"]
    command += ["--out", "reports", "--as-of", AS_OF, "--year", "2024", "--cluster", "tiny-law"]
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    page = project / "reports" / "html" / "63" / "tiny-law"
    assert sorted(p.name for p in page.iterdir()) == ["2024.html", "2024.reads", "2024.xlsx", "2024.zip"]
    assert not (ROOT / "notebooks" / "reports").exists()


def test_the_same_inputs_give_byte_identical_html(built):
    before = snapshot(built / "reports" / "html")
    assert main(_args(built, "--force", "--no-prepare", "--jobs", "2")) == 0
    after = snapshot(built / "reports" / "html")
    assert set(after) == set(before)
    different = [name for name in before if before[name] != after[name]]
    assert not different, different


# --- the lock, signals and processes: the build as a real subprocess -------------------------


def _cli(root: Path, *more: str, marker: str = "", portable: str = "", **kwargs) -> subprocess.Popen:
    env = {**os.environ, "ANALYSIS_TEST_MARKER": marker or uuid.uuid4().hex, "PYTHONUNBUFFERED": "1"}
    env["ANALYSIS_PORTABLE"] = portable  # "1": no fork, no PR_SET_PDEATHSIG, no renameat2
    return subprocess.Popen(
        [sys.executable, "-m", "analysis", *_args(root, *more)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def _marked(marker: str) -> list[int]:
    """Every live process whose environment carries ``marker``: the build and all it started."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split()[2]
        except OSError:
            continue
        if f"ANALYSIS_TEST_MARKER={marker}".encode() in environ and state != "Z":
            found.append(int(entry.name))
    return found


def test_a_second_build_says_who_holds_the_lock_and_changes_nothing(built):
    from analysis.lock import BuildLock

    before = snapshot(built / "reports")
    with BuildLock(built / "processed" / ".build.lock"):
        done = _cli(built)
        _out, err = done.communicate(timeout=60)
    assert done.returncode == 75, err
    assert f"another build is running (pid {os.getpid()}" in err and "--wait" in err
    assert snapshot(built / "reports") == before


def test_wait_waits_for_the_running_build(built):
    from analysis.lock import BuildLock

    lock = BuildLock(built / "processed" / ".build.lock")
    lock.acquire()
    try:
        waiting = _cli(built, "--wait")
        time.sleep(2)
        assert waiting.poll() is None  # still waiting
    finally:
        lock.release()
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    assert "8 unchanged" in out
    assert re.search(rf"waiting for the build that holds .*\(pid {os.getpid()} on .*\): \d+ s so far", err), (
        err
    )


@pytest.mark.parametrize(
    ("signum", "portable"),
    [
        (signal.SIGTERM, ""),
        (signal.SIGINT, ""),
        (signal.SIGKILL, ""),
        (signal.SIGTERM, "1"),
        (signal.SIGKILL, "1"),
    ],
)
def test_a_signal_stops_a_parallel_build_leaving_no_process_and_the_site_intact(
    built, tmp_path, signum, portable
):
    """Also as on systems without fork and PR_SET_PDEATHSIG (ANALYSIS_PORTABLE=1): reports start
    as fresh interpreters and watch their parent instead. (SIGINT goes through SIGTERM's
    handler, so the portable path is tried with SIGTERM and SIGKILL.) The build takes the copied
    site's data as they are and only runs reports, which is what the signal stops."""
    project = built
    before = snapshot(project / "reports")
    slow = notebook(tmp_path / "slow.ipynb", "import time", "time.sleep(120)")
    marker = uuid.uuid4().hex
    args = ("--jobs", "2", "--force", "--no-prepare", "--notebook", str(slow))
    build = _cli(project, *args, marker=marker, portable=portable)
    deadline = time.monotonic() + 60
    while len(_marked(marker)) < 3 and time.monotonic() < deadline:  # the build and two reports
        time.sleep(0.2)
    assert len(_marked(marker)) >= 3, build.stderr.read() if build.poll() is not None else "not started"
    time.sleep(0.5)
    build.send_signal(signum)
    build.communicate(timeout=120)  # a guard against a hang, not a measure of speed
    assert build.returncode == {signal.SIGTERM: 143, signal.SIGINT: 130, signal.SIGKILL: -9}[signum]
    deadline = time.monotonic() + 5
    while _marked(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _marked(marker) == []
    after = snapshot(project / "reports")
    assert {k: v for k, v in after.items() if not k.startswith(".")} == {
        k: v for k, v in before.items() if not k.startswith(".")
    }


def test_reports_run_on_a_dask_cluster_and_a_failing_one_fails_alone(project, tmp_path, capsys):
    from distributed import LocalCluster

    failing = notebook(
        tmp_path / "failing.ipynb",
        'if cluster == "tiny-it":\n    raise ValueError("broken on the cluster")\nprint(cluster)',
    )
    region = notebook(tmp_path / "region.ipynb", "print(region)", kind="region")
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
        args = _args(project, "--year", "2024", "--cluster", "tiny-law", "--cluster", "tiny-it")
        args += ["--executor", "dask", "--scheduler", cluster.scheduler_address]
        code = main([*args, "--notebook", str(failing), "--region-notebook", str(region)])
    assert code == 1
    err = capsys.readouterr().err
    assert "FAILED 64/tiny-it/2024: ValueError: broken on the cluster" in err
    assert statuses(project) == {
        "63/tiny-law/2024": "built",
        "64/tiny-it/2024": "failed",
        "63/region-2024": "missing",  # --cluster selects cluster reports only
        "64/region-2024": "missing",
        "63/tiny-law/2025": "missing",
        "64/tiny-it/2025": "missing",
        "63/region-2025": "missing",
        "64/region-2025": "missing",
    }
    assert (project / "reports" / "html" / "63" / "tiny-law" / "2024.html").exists()


def test_the_code_fingerprint_covers_what_reports_are_made_by_and_nothing_else(tmp_path):
    """Found from the import statements: a module the notebook imports (even inside a function,
    two steps away) or the runner's template counts; the index, the command line and the demo
    do not — no list names them."""
    from analysis.site import closure

    files = {
        "__init__.py": "",
        "reports/__init__.py": "from analysis.reports import cluster\n",
        "reports/cluster.py": "def f():\n    from ..metrics import fulfilment\n",
        "metrics/__init__.py": "",
        "metrics/fulfilment.py": "import pandas\n",
        "site/__init__.py": "",
        "site/runner.py": "",
        "site/engine.py": "",
        "site/templates/report/index.html.j2": "",
        "site/index.py": "",
        "site/templates/site/index.html.j2": "",
        "commands/build.py": "from analysis.site import index\n",
        "demo/region.py": "",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text + "# 1\n", encoding="utf-8")
    book = notebook(tmp_path / "report.ipynb", "from analysis import reports")

    def code() -> dict:
        return closure.report_code([book], None, tmp_path)

    first = code()
    assert "pandas" in first["libraries"] and "numpy" in first["libraries"]  # pandas requires numpy
    for outside in (
        "site/index.py",
        "site/templates/site/index.html.j2",
        "commands/build.py",
        "demo/region.py",
    ):
        (tmp_path / outside).write_text("# changed\n", encoding="utf-8")
        assert code()["code"] == first["code"], outside
    for inside in (
        "reports/cluster.py",
        "metrics/fulfilment.py",
        "site/engine.py",
        "site/templates/report/index.html.j2",
    ):
        (tmp_path / inside).write_text(
            (tmp_path / inside).read_text() + f"# changed {inside}\n", encoding="utf-8"
        )
        assert code()["code"] != first["code"], inside
        first = code()


@pytest.mark.parametrize("engine", ["inprocess", "kernel"])
def test_the_build_forks_its_reports_from_a_process_with_one_os_thread(project, tmp_path, engine):
    """Forking copies only the calling thread: a lock held by another one (Arrow's pools reading
    Parquet, BLAS, tqdm's monitor) would stay locked for ever in the report. Each report reads
    its build's thread count as the OS counts it, after ingestion, the grid and the tables."""
    counting = notebook(
        tmp_path / "threads.ipynb",
        "import os, re\nfrom analysis.tables import read_table",
        "read_table(data_dir, 'facts')",
        "build = os.getppid() if os.environ.get('JPY_PARENT_PID') is None else int(os.environ['JPY_PARENT_PID'])",
        "status = open(f'/proc/{build}/status').read()\nbuild = int(re.search(r'PPid:\\s+(\\d+)', status)[1])"
        " if 'JPY_PARENT_PID' in os.environ else build",
        "threads = int(re.search(r'Threads:\\s+(\\d+)', open(f'/proc/{build}/status').read())[1])\n"
        "assert threads == 1, f'the build had {threads} threads'",
    )
    done = _cli(project, "--year", "2024", "--jobs", "2", "--engine", engine, "--notebook", str(counting))
    out, err = done.communicate(timeout=600)
    assert done.returncode == 0, err
    assert "2 built" in out or "4 built" in out, out


def test_a_fact_far_above_its_target_is_counted_and_flagged_on_its_report(project, capsys):
    facts = project / "raw" / "facts" / "submitted.csv"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace("tiny-law,2024,1.1.4,,7,1", "tiny-law,2024,1.1.4,,9000,1")
    )
    assert main(_args(project, "--cluster", "tiny-law", "--year", "2024")) == 0
    page = (project / "reports" / "html" / "63" / "tiny-law" / "2024.html").read_text(encoding="utf-8")
    assert "Проверьте данные." in page
    assert re.search(r"1\.1\.4: факт 9\s000 больше плана 9 в 1\s000 раз", page)
    other = project / "reports" / "html" / "64" / "tiny-it" / "2024.html"
    assert not other.exists()  # --cluster: only tiny-law was built


# --- publication: one version behind one pointer; what killed builds leave ------------------


def _trivial(tmp_path: Path) -> list[str]:
    """Quick report templates whose pages show the build's as-of date."""
    cluster = notebook(tmp_path / "cluster.ipynb", "print('as of', as_of)")
    region = notebook(tmp_path / "region.ipynb", "print('as of', as_of)", kind="region")
    return ["--notebook", str(cluster), "--region-notebook", str(region)]


def _whole(root: Path) -> str:
    """Assert the published site is one build's: its manifest, index, validation page and every
    page agree, and every link of the index resolves; return its as-of date."""
    reports = root / "reports"
    as_of = manifest(root)["build"]["as_of"]
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert date_ru(as_of) in index
    assert (reports / "validation.html").exists()
    for entry in manifest(root)["reports"]:
        page = reports / entry["html"]
        assert page.exists() == entry["has_html"], entry["key"]
        if entry["has_html"]:
            assert f"as of {as_of}" in page.read_text(encoding="utf-8"), entry["key"]
            assert f'href="{entry["html"]}"' in index
    return as_of


def date_ru(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}.{month}.{year}"


def test_the_site_is_one_version_swapped_in_by_one_rename(project, tmp_path):
    quick = _trivial(tmp_path)
    assert main(_args(project, *quick)) == 0
    reports = project / "reports"
    for name in ("index.html", "build.json", "validation.html", "html"):
        assert os.readlink(reports / name) == f".current/{name}"
    first = os.readlink(reports / ".current")
    assert first.startswith(".site-") and sorted(p.name for p in reports.glob(".site-*")) == [first]
    page = reports / "html" / "63" / "tiny-law" / "2024.html"
    inode = page.stat().st_ino
    assert main(_args(project, "--cluster", "tiny-it", "--no-prepare", *quick)) == 0
    second = os.readlink(reports / ".current")
    assert second != first and sorted(p.name for p in reports.glob(".site-*")) == [second]
    assert page.stat().st_ino == inode  # unchanged pages are the same files, linked
    _whole(project)


def test_a_site_of_real_folders_becomes_a_version_once(project, tmp_path):
    quick = _trivial(tmp_path)
    assert main(_args(project, *quick)) == 0
    reports = project / "reports"
    version = reports / os.readlink(reports / ".current")
    for entry in version.iterdir():  # as earlier versions published it: real folders and files
        (reports / entry.name).unlink()
        entry.rename(reports / entry.name)
    (reports / ".current").unlink()
    shutil.rmtree(version)
    before = snapshot(reports)
    assert main(_args(project, *quick)) == 0
    assert os.readlink(reports / "html") == ".current/html"
    assert snapshot(reports).keys() == before.keys()
    _whole(project)


@pytest.mark.parametrize("portable", ["", "1"])
def test_builds_killed_at_any_moment_leave_one_whole_site(project, tmp_path, portable):
    """SIGKILL at moments spread over a build's run, publication among them: after each the
    site is one whole build (the previous or the new), and the next build cleans up."""
    quick = _trivial(tmp_path)

    def start(day: str, *more: str, portable: str = portable) -> subprocess.Popen:
        args = [a if a != AS_OF else day for a in _args(project, "--year", "2024", *more, *quick)]
        quiet = subprocess.DEVNULL
        env = {**os.environ, "ANALYSIS_PORTABLE": portable}
        return subprocess.Popen(
            [sys.executable, "-m", "analysis", *args], env=env, stdout=quiet, stderr=quiet
        )

    # The data and a first site (either path: what is tested starts with the next build).
    assert start(AS_OF, portable="").wait() == 0
    started = time.monotonic()
    assert start(AS_OF, "--no-prepare", "--force").wait() == 0
    seconds = time.monotonic() - started
    # Moments from half the build's time to a quarter more than it (publication is near its
    # end); three where each report starts a fresh interpreter (the portable path).
    moments = [0.5, 0.8, 1.1] if portable else [0.5, 0.75, 0.95, 1.1, 1.25]
    for n, moment in enumerate(moments):
        # --force: a new as-of day alone re-runs nothing (no deadline passes in March)
        build = start(f"2025-03-{n + 2:02d}", "--no-prepare", "--jobs", "2", "--force")
        try:
            build.wait(timeout=seconds * moment)  # a build done before its moment is not killed
        except subprocess.TimeoutExpired:
            build.kill()
        build.wait()
        _whole(project)
    assert start("2025-03-20", "--no-prepare", "--force").wait() == 0
    assert _whole(project) == "2025-03-20"
    reports = project / "reports"
    assert [p.name for p in reports.glob(".staging-*")] == []
    assert [p.name for p in reports.glob(".site-*")] == [os.readlink(reports / ".current")]


def test_the_next_build_removes_what_killed_processes_left(built, tmp_path):
    import tempfile

    gone = subprocess.Popen(["true"])
    gone.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    base = Path(tempfile.gettempdir())
    try:
        left = [
            base / f"analysis-read-{gone.pid}-x1",
            base / f"analysis-report-{gone.pid}-x2",
            built / "reports" / f".staging-{gone.pid}",
        ]
        kept = [base / f"analysis-read-{alive.pid}-x3", built / "reports" / f".staging-{alive.pid}"]
        for folder in left + kept:
            (folder / "html").mkdir(parents=True)
        assert main(_args(built)) == 0  # a no-op build
        assert [p for p in left if p.exists()] == []
        assert [p for p in kept if p.exists()] == kept
    finally:
        alive.kill()
        alive.wait()
        for folder in kept:
            shutil.rmtree(folder, ignore_errors=True)


def test_a_kernel_reports_temporary_files_and_connection_file_go_with_its_process(project, tmp_path):
    where = tmp_path / "where.txt"
    probe = notebook(
        tmp_path / "probe.ipynb",
        "from ipykernel.connect import get_connection_file\nimport tempfile\n"
        f"open({str(where)!r}, 'w').write(get_connection_file() + '\\n' + tempfile.mkdtemp())",
    )
    args = _args(project, "--year", "2024", "--cluster", "tiny-law", "--engine", "kernel")
    assert main([*args, "--notebook", str(probe)]) == 0
    connection, made = map(Path, where.read_text().splitlines())
    assert connection.parent.name.startswith("analysis-report-") and connection.parent == made.parent
    assert not connection.parent.exists()


@pytest.mark.parametrize("size", ["64k", "400k"])
def test_a_full_disk_gives_russian_lines_naming_the_path(project, tmp_path, size):
    """The site's folder on a small file system of its own (a private mount namespace): full
    before the reports run, or while they do."""
    quick = _trivial(tmp_path)
    assert main(_args(project, "--year", "2024", *quick)) == 0  # data ready; a site on the disk
    small = tmp_path / "small"
    small.mkdir()
    mount = f'mount -t tmpfs -o size={size} tmpfs "$0" && exec "$@"'
    # pages of ~150 KB each, so that a 400 KiB disk fills while the reports are written
    big = "print('as of', as_of)\nprint('x' * 150_000)"
    cluster = notebook(tmp_path / "big-cluster.ipynb", big)
    region = notebook(tmp_path / "big-region.ipynb", big, kind="region")
    pages = ["--notebook", str(cluster), "--region-notebook", str(region)]
    args = [*_args(project, "--year", "2024", "--force", "--no-prepare", *pages)]
    args[args.index("--out") + 1] = str(small)
    command = ["unshare", "--mount", "--propagation", "private", "sh", "-c", mount, str(small)]
    done = subprocess.run(
        [*command, sys.executable, "-m", "analysis", *args], capture_output=True, text=True, timeout=600
    )
    if "mount:" in done.stderr or "unshare:" in done.stderr:
        pytest.skip(f"no private mount here: {done.stderr.strip()[:200]}")
    assert done.returncode in (1, 74), done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines and all("нет места на диске при записи " + str(small) in line for line in lines), lines
    assert all("internal error" not in line and "кодом 70" not in line for line in lines)
    if done.returncode == 74:
        assert lines[-1].startswith("ошибка: нет места на диске") and "опубликован прежний сайт" in lines[-1]


@pytest.mark.parametrize("portable", ["", "1"])
def test_a_crashed_report_process_sends_back_its_traceback(project, tmp_path, portable):
    """A report whose process dies of an error outside the notebook's cells (here its exporter,
    broken from inside the report): the build logs the traceback and names its last line."""
    crash = notebook(
        tmp_path / "crash.ipynb",
        "import analysis.site.runner as runner\n"
        "runner.export_html = lambda *args: (_ for _ in ()).throw(KeyboardInterrupt('exporter broken'))",
    )
    # The data ingested here, so the build's process only runs the report.
    assert main(["ingest", "--raw", str(project / "raw"), "--processed", str(project / "processed"),
                 "--as-of", AS_OF]) == 0  # fmt: skip
    done = _cli(
        project, "--year", "2024", "--cluster", "tiny-law", "--notebook", str(crash), portable=portable
    )
    _out, err = done.communicate(timeout=600)
    assert done.returncode == 1, err
    assert "Traceback (most recent call last)" in err and "KeyboardInterrupt: exporter broken" in err
    assert re.search(
        r"FAILED 63/tiny-law/2024: процесс отчёта завершился с ошибкой KeyboardInterrupt: exporter broken",
        err,
    ), err
    entry = next(e for e in manifest(project)["reports"] if e["key"] == "63/tiny-law/2024")
    index = (project / "reports" / "index.html").read_text(encoding="utf-8")
    assert "KeyboardInterrupt: exporter broken" in entry["error"] and "exporter broken" in index
