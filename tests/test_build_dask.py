"""The dask executor as an operator meets it: a real `dask scheduler` and two `dask worker`
processes started here on the loopback, the build as a real subprocess, real signals. Nothing a
build starts outlives it, a lost worker fails its report once, a wrong address never hangs."""

from __future__ import annotations

import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from test_build_engine import _args, _cli, notebook, snapshot, statuses

from analysis.cli import main

DASK = str(Path(sys.executable).with_name("dask"))


def _processes(marker: str, needle: str = "analysis.site.") -> dict[int, int]:
    """Live processes carrying ``marker`` in their environment and ``needle`` in their command
    line (reports, and the report servers that fork them): pid → parent pid."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            command = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        mine = f"ANALYSIS_TEST_MARKER={marker}".encode() in environ and needle.encode() in command
        if mine and stat[0] != "Z":
            found[int(entry.name)] = int(stat[1])
    return found


def _until(condition, seconds: float = 90.0, every: float = 0.2):
    """Poll ``condition`` until it holds (a generous bound against a hang, not a speed check)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    return condition()


class Cluster:
    """A scheduler and ``workers`` worker processes (no nanny, one thread each) on 127.0.0.1."""

    def __init__(self, folder: Path, workers: int = 2, env: dict | None = None):
        self.marker = uuid.uuid4().hex
        self.env = {**os.environ, **(env or {}), "ANALYSIS_TEST_MARKER": self.marker}
        file = folder / "scheduler.json"
        self.processes = [
            subprocess.Popen(
                [
                    DASK,
                    "scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--no-dashboard",
                    "--scheduler-file",
                    str(file),
                ],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        ]
        assert _until(lambda: file.exists() and file.read_text().strip()), "the scheduler did not start"
        self.address = json.loads(file.read_text())["address"]
        self.workers = []
        for n in range(workers):
            command = [DASK, "worker", "--scheduler-file", str(file), "--nthreads", "1", "--no-nanny"]
            command += ["--no-dashboard", "--host", "127.0.0.1", "--name", f"w{n}"]
            worker = subprocess.Popen(
                command,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            self.workers.append(worker)
            self.processes.append(worker)
        from distributed import Client

        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)

    def reports(self) -> dict[int, int]:
        return _processes(self.marker)

    def close(self) -> None:
        from analysis.bench.build import stop_cluster

        stop_cluster(self.processes)


@pytest.fixture
def cluster(tmp_path):
    started = Cluster(tmp_path, env={"GATE": str(tmp_path / "gate"), "STARTS": str(tmp_path / "starts")})
    yield started
    started.close()


# A report that says it started, then waits for the test to open the gate.
GATED = (
    "import os, pathlib, time",
    'open(os.environ["STARTS"], "a").write(f"{cluster} {os.getpid()}\\n")',
    'while not pathlib.Path(os.environ["GATE"]).exists():\n    time.sleep(0.1)',
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    from conftest import make_raw

    make_raw(tmp_path / "project")
    return tmp_path / "project"


def _started(folder: Path) -> dict[str, int]:
    """The reports the gated notebook says started: cluster → pid of its report process."""
    starts = folder / "starts"
    lines = starts.read_text().splitlines() if starts.exists() else []
    return {cluster: int(pid) for cluster, pid in (line.split() for line in lines)}


def _on(cluster: Cluster, book: Path) -> list[str]:
    """Build options: two cluster reports from ``book`` on ``cluster``."""
    return ["--year", "2024", "--cluster", "tiny-law", "--cluster", "tiny-it", "--force",
            "--executor", "dask", "--scheduler", cluster.address, "--notebook", str(book)]  # fmt: skip


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_a_stopped_or_killed_dask_build_leaves_no_report_process(project, tmp_path, cluster, signum):
    assert main(_args(project, "--year", "2024", "--cluster", "tiny-law")) == 0  # data, a site
    gated = notebook(tmp_path / "gated.ipynb", *GATED)
    build = _cli(project, *_on(cluster, gated))
    assert _until(lambda: len(_started(tmp_path)) == 2), build.communicate(timeout=60)
    assert set(_started(tmp_path).values()) <= set(cluster.reports())
    build.send_signal(signum)
    build.communicate(timeout=60)
    assert build.returncode == {signal.SIGTERM: 143, signal.SIGKILL: -9}[signum]
    assert _until(lambda: not cluster.reports()), cluster.reports()
    # Nothing wrote into the dead build's staging folder (SIGKILL leaves it): its pages are the
    # published ones, linked when it started.
    published = project / "reports" / "html" / "63" / "tiny-law" / "2024.html"
    for staging in (project / "reports").glob(".staging-*"):
        pages = sorted(staging.glob("html/**/*.html"))
        assert [p.relative_to(staging) for p in pages] == [published.relative_to(project / "reports")]
        assert pages[0].stat().st_ino == published.stat().st_ino
    # The next build of any kind (here a no-op one) removes what the killed one left.
    assert main(_args(project, "--year", "2024", "--cluster", "tiny-law")) == 0
    assert list((project / "reports").glob(".staging-*")) == []


def test_a_lost_worker_fails_its_report_once_and_no_second_process_writes_it(project, tmp_path, cluster):
    gated = notebook(tmp_path / "gated.ipynb", *GATED)
    build = _cli(project, *_on(cluster, gated))
    assert _until(lambda: len(_started(tmp_path)) == 2), build.communicate(timeout=60)
    reports = cluster.reports()
    workers = {w.pid: w for w in cluster.workers}
    victim_report = _started(tmp_path)["tiny-it"]
    victim_worker = reports[victim_report]
    while victim_worker in reports:  # forked by the worker's report server
        victim_worker = reports[victim_worker]
    assert victim_worker in workers
    workers[victim_worker].send_signal(signal.SIGKILL)
    workers[victim_worker].wait()
    assert _until(lambda: victim_report not in cluster.reports()), "the lost worker's report still runs"
    (tmp_path / "gate").touch()
    _out, err = build.communicate(timeout=300)
    assert build.returncode == 1, err
    failed = [line for line in err.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and "рабочий процесс dask, выполнявший отчёт, потерян" in failed[0], err
    lost = failed[0].split()[1].rstrip(":")
    # Each report was started once: the lost one was not run again on the other worker.
    lines = (tmp_path / "starts").read_text().splitlines()
    assert sorted(line.split()[0] for line in lines) == ["tiny-it", "tiny-law"]
    assert statuses(project)[lost] == "failed"
    assert not (project / "reports" / "html" / f"{lost}.html").exists()
    assert _until(lambda: not cluster.reports())


def test_a_cancelled_dask_task_ends_its_report_process(tmp_path, cluster):
    from distributed import Client

    from analysis.site.remote import run_task

    site = tmp_path / "site"
    site.mkdir()
    gated = notebook(tmp_path / "gated.ipynb", *GATED)
    payload = {"key": "63/tiny-law/2024", "kind": "cluster", "title": "t", "notebook": str(gated),
               "parameters": {"cluster": "tiny-law", "year": 2024}, "clusters": ["tiny-law"]}  # fmt: skip
    with Client(cluster.address) as client:
        future = client.submit(
            run_task, payload, str(site), "inprocess", "professionalitet", 600.0, "", pure=False
        )
        assert _until(lambda: len(cluster.reports()) == 1)
        future.cancel()
        assert _until(lambda: not cluster.reports()), "a cancelled task's report still runs"


def test_on_dask_a_hanging_report_times_out_and_a_killed_one_fails_alone(project, tmp_path, cluster):
    """Reports forked by the workers' report servers: one hangs past --timeout and fails naming
    its cell, one is killed by a signal and fails saying so; nothing is left running after."""
    book = notebook(
        tmp_path / "faults.ipynb",
        "import os, signal, time",
        'os.kill(os.getpid(), signal.SIGKILL) if cluster == "tiny-law" else None',
        'time.sleep(600) if cluster == "tiny-it" else None',
    )
    assert main(_args(project, "--year", "2024", "--cluster", "tiny-law")) == 0  # data, a site
    build = _cli(project, *_on(cluster, book), "--timeout", "5")
    _out, err = build.communicate(timeout=300)
    assert build.returncode == 1, err
    failed = sorted(line for line in err.splitlines() if line.startswith("FAILED"))
    assert len(failed) == 2, err
    assert failed[0].startswith("FAILED 63/tiny-law/2024: процесс отчёта на tcp://127.0.0.1:"), failed
    assert "убит сигналом SIGKILL; ячейка 4: os.kill(os.getpid(), signal.SIGKILL)" in failed[0], failed
    assert failed[1] == (
        "FAILED 64/tiny-it/2024: не завершился за 5 с (--timeout); ячейка 5: time.sleep(600) if cluster"
        ' == "tiny-it" else None'
    ), failed
    assert _until(lambda: not cluster.reports()), cluster.reports()


# --- a wrong address ------------------------------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def web_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"tcp://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def chatter():
    """A TCP peer that answers every connection with bytes that are no dask message."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                peer, _ = listener.accept()
            except TimeoutError:
                continue
            peer.sendall(b"\xff" * 64 + b"SSH-2.0-OpenSSH_9.6\r\n")
            peer.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    listener.close()


@pytest.fixture
def closed_port():
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"tcp://127.0.0.1:{port}"


@pytest.mark.parametrize("peer", ["web_server", "chatter", "closed_port"])
def test_a_wrong_scheduler_address_gives_one_line_naming_it_and_takes_no_lock(
    project, peer, request, capsys, monkeypatch
):
    from analysis.lock import BuildLock
    from analysis.site import remote

    # A peer that never answers (the web server waits for a request's end) is given up on after
    # the bound: 2 s here instead of the 10 s an operator's build waits.
    monkeypatch.setattr(remote, "CONNECT_SECONDS", 2.0)

    address = request.getfixturevalue(peer)
    assert main(_args(project, "--year", "2024", "--cluster", "tiny-law")) == 0
    capsys.readouterr()
    args = _args(project, "--executor", "dask", "--scheduler", address, "--force")
    # Another build holds the lock: the address is refused before the lock is even asked for.
    with BuildLock(project / "processed" / ".build.lock"):
        assert main(args) == 69
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and address in err[0] and "dask" in err[0], err
    assert len(err[0]) < 300
    assert main(args) == 69  # and without another build: nothing hangs, nothing is held after
    with BuildLock(project / "processed" / ".build.lock"), BuildLock(project / "reports" / ".build.lock"):
        pass


# --- the same site ---------------------------------------------------------------------------


@pytest.mark.parametrize("portable", ["", "1"])
def test_a_dask_build_publishes_the_same_bytes_as_a_local_build(tmp_path, portable):
    """The real notebooks on the same inputs, built by the local pool (reports forked from the
    build) and on a scheduler with two worker processes (reports forked by each worker's report
    server; with the portable switch, each a fresh interpreter): every page, chart, download and
    the index are the same bytes."""
    from conftest import make_raw

    local, remote = tmp_path / "local", tmp_path / "remote"
    make_raw(local)
    make_raw(remote)
    assert main(_args(local, "--year", "2024")) == 0
    cluster = Cluster(tmp_path, workers=2, env={"ANALYSIS_PORTABLE": portable})
    try:
        assert (
            main(_args(remote, "--year", "2024", "--executor", "dask", "--scheduler", cluster.address)) == 0
        )
    finally:
        cluster.close()
    assert set(statuses(remote).values()) == {"built", "missing"}  # 2025: not asked for
    assert statuses(remote) == statuses(local)
    ours, theirs = snapshot(local / "reports"), snapshot(remote / "reports")
    assert sorted(ours) == sorted(theirs)
    assert len([name for name in ours if name.endswith(".html")]) >= 6
    # What records the run itself: when it ran and how long it took (the manifest, the feed's
    # entry, the index's and the changes page's lines saying so); the feed's id also names the
    # site's place.
    when = re.compile(rb"\d\d\.\d\d\.\d{4} \d\d:\d\d")
    for files in (ours, theirs):
        del files["build.json"], files["changes.xml"]
        for page in ("index.html", "changes.html"):
            files[page] = when.sub(b"", files[page])
        files["index.html"] = re.sub(rb"[\d.]+ \xd1\x81\. ", b"", files["index.html"])
    differ = sorted(name for name in ours if ours[name] != theirs[name])
    assert differ == [], differ


def test_a_report_server_is_ready_after_whatever_its_imports_print_and_not_when_it_dies():
    from analysis.site import forkserver

    def started(code: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)

    noisy = started('print("a library says hello"); print(7); print(\'{"ready": "/tmp/x/socket"}\')')
    assert forkserver._ready(noisy) == "/tmp/x/socket"
    dead = started('print("warming up"); raise SystemExit(3)')
    assert forkserver._ready(dead) is None
    for process in (noisy, dead):
        process.wait()
        process.stdout.close()
