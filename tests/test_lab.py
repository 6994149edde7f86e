"""A real JupyterLab, started as `make lab` starts it, on a free loopback port with a token.

It must list the project's kernel and make it the default; opening the cluster report as
JupyterLab does (a session for notebooks/cluster_report.ipynb, the notebook read through the
contents API, every cell executed over the kernel's websocket) must run it with its default
parameters against the project's data; and shutting the server down leaves no process behind.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from analysis import settings
from analysis.commands.lab import lab_argv
from analysis.site.kernel import KERNEL_NAME
from conftest import ROOT

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts child processes through /proc")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid: int) -> set[int]:
    """Every live process whose parent is ``pid``, read from /proc."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Lab:
    def __init__(self, port: int, token: str, process: subprocess.Popen, log: Path):
        self.url = f"http://127.0.0.1:{port}"
        self.token = token
        self.process = process
        self.log = log

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else {}

    def wait_ready(self, seconds: float = 90) -> None:
        limit = time.monotonic() + seconds
        while time.monotonic() < limit:
            if self.process.poll() is not None:
                pytest.fail(f"JupyterLab exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                self.call("GET", "/api/status")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        pytest.fail(f"JupyterLab did not answer within {seconds} s:\n{self.log.read_text()}")


async def execute(lab: Lab, kernel_id: str, session_id: str, code: str) -> list[dict]:
    """Run ``code`` on the kernel over the server's websocket; return its iopub outputs."""
    url = lab.url.replace("http", "ws") + f"/api/kernels/{kernel_id}/channels?session_id={session_id}"
    connection = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {lab.token}"}))
    msg_id = uuid.uuid4().hex
    connection.write_message(
        json.dumps(
            {
                "header": {
                    "msg_id": msg_id,
                    "msg_type": "execute_request",
                    "username": "test",
                    "session": session_id,
                    "date": datetime.now(UTC).isoformat(),
                    "version": "5.3",
                },
                "parent_header": {},
                "metadata": {},
                "content": {
                    "code": code,
                    "silent": False,
                    "store_history": True,
                    "user_expressions": {},
                    "allow_stdin": False,
                    "stop_on_error": True,
                },
                "channel": "shell",
                "buffers": [],
            }
        )
    )
    outputs, replied, idle = [], False, False
    while not (replied and idle):
        raw = await asyncio.wait_for(connection.read_message(), timeout=120)
        assert raw is not None, "the kernel's websocket closed"
        message = json.loads(raw)
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = message["msg_type"]
        if kind == "execute_reply":
            replied = True
        elif kind == "status":
            idle = message["content"]["execution_state"] == "idle"
        elif kind in ("stream", "display_data", "execute_result", "error"):
            outputs.append(message)
    connection.close()
    return outputs


def text_of(outputs: list[dict]) -> str:
    parts = []
    for message in outputs:
        content = message["content"]
        parts.append(content.get("text", ""))
        kinds = ("text/html", "text/markdown", "text/plain")
        parts += [content.get("data", {}).get(kind, "") for kind in kinds]
    return "\n".join(parts)


@pytest.fixture
def lab(project_home, tmp_path):
    """JupyterLab on the project, data from the fixture project, user state in tmp_path."""
    port, token = free_port(), uuid.uuid4().hex
    env = {
        **os.environ,
        settings.ENV_HOME: str(project_home),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "lab-workspaces"),
    }
    log = tmp_path / "lab.log"
    command = [sys.executable, "-m", "analysis", "lab", "--port", str(port), "--no-browser", "--"]
    with log.open("w") as out:
        process = subprocess.Popen(
            [*command, f"--IdentityProvider.token={token}"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Lab(port, token, process, log)
    try:
        server.wait_ready()
        yield server
    finally:
        if process.poll() is None:  # the test failed before its own shutdown: leave nothing running
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_lab_command_line_is_the_one_make_lab_runs():
    argv = lab_argv(port=9999, browser=False, extra=["--x=1"])
    assert argv[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={ROOT}" in argv
    assert f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}" in argv
    assert "--ServerApp.ip=127.0.0.1" in argv and "--ServerApp.port=9999" in argv
    assert ("--allow-root" in argv) == (os.geteuid() == 0)
    assert argv[-2:] == ["--no-browser", "--x=1"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\t$(RUN) lab $(ARGS)" in makefile


def test_jupyterlab_runs_the_cluster_report_on_the_project_kernel(lab):
    specs = lab.call("GET", "/api/kernelspecs")
    assert specs["default"] == KERNEL_NAME
    assert specs["kernelspecs"][KERNEL_NAME]["spec"]["display_name"] == "Python (professionalitet)"

    path = "notebooks/cluster_report.ipynb"
    notebook = lab.call("GET", f"/api/contents/{path}?content=1")["content"]
    assert notebook["metadata"]["kernelspec"]["name"] == KERNEL_NAME
    session = lab.call(
        "POST",
        "/api/sessions",
        {"path": path, "type": "notebook", "name": "cluster_report.ipynb", "kernel": {"name": KERNEL_NAME}},
    )
    kernel_id, session_id = session["kernel"]["id"], session["id"]
    assert session["kernel"]["name"] == KERNEL_NAME
    kernels = children(lab.process.pid)
    assert kernels, "the kernel runs as a child of the server"

    async def run_notebook() -> tuple[str, list[dict]]:
        where = await execute(
            lab, kernel_id, session_id, "import os, sys\nprint(os.getcwd())\nprint(sys.executable)"
        )
        outputs = []
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                outputs += await execute(lab, kernel_id, session_id, "".join(cell["source"]))
        return text_of(where), outputs

    where, outputs = asyncio.run(run_notebook())
    assert where.split() == [str(ROOT / "notebooks"), sys.executable]
    errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
    assert errors == [], errors[0]["evalue"] if errors else ""
    shown = text_of(outputs)
    assert "<h1>Образовательный кластер «Правоохранительная сфера и управление»" in shown
    assert "Выполнено 1 из 19" in shown  # the fixture project's data, from the default parameters
    assert any("image/png" in m["content"].get("data", {}) for m in outputs)

    lab.call("DELETE", f"/api/sessions/{session_id}")
    lab.call("POST", "/api/shutdown")
    lab.process.wait(timeout=30)
    limit = time.monotonic() + 10
    while any(alive(pid) for pid in kernels) and time.monotonic() < limit:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in kernels), "a kernel outlived the server"
    assert lab.process.returncode == 0, lab.log.read_text()
