"""A small client of headless Chromium over the DevTools protocol, for the tests that open the
published pages as a reader would: what ran (dialogs, console calls, exceptions), what was
requested, what the page shows, and how it lays out for print.

One browser per ``Chromium`` context; each ``open`` gets a fresh tab with its own websocket.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import websocket

from analysis.site.pdf import FLAGS as PRINT_FLAGS

FLAGS = [f for f in PRINT_FLAGS if f != "--no-pdf-header-footer"]  # the printer's, for a page
TIMEOUT = 60.0


def executable() -> str:
    """The Chromium binary; skips the test where there is none (fails on CI, which installs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("no chromium on PATH: .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return found


@dataclass
class Visit:
    """What happened while a page loaded and what it shows."""

    url: str
    dialogs: list[str] = field(default_factory=list)  # messages of alert / confirm / prompt
    console: list[str] = field(default_factory=list)  # console.* calls
    exceptions: list[str] = field(default_factory=list)  # uncaught script errors
    requests: list[str] = field(default_factory=list)  # every URL the page asked for

    @property
    def scripts_ran(self) -> list[str]:
        return self.dialogs + self.console + self.exceptions


class Tab:
    """One page over its own websocket: send commands, collect events."""

    def __init__(self, socket_url: str):
        self.ws = websocket.create_connection(socket_url, timeout=TIMEOUT, suppress_origin=True)
        self.next_id = 0
        self.visit: Visit | None = None
        self.loaded = False

    def close(self) -> None:
        self.ws.close()

    def send(self, method: str, **params):
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._event(message)
        raise TimeoutError(method)

    def _event(self, message: dict) -> None:
        method, params = message.get("method"), message.get("params", {})
        visit = self.visit
        if method == "Page.loadEventFired":
            self.loaded = True
        if visit is None:
            return
        if method == "Page.javascriptDialogOpening":
            visit.dialogs.append(f"{params.get('type')}: {params.get('message')}")
            # Answered so the page goes on loading; the dialog is recorded all the same.
            self.ws.send(
                json.dumps(
                    {
                        "id": 10**6 + len(visit.dialogs),
                        "method": "Page.handleJavaScriptDialog",
                        "params": {"accept": True},
                    }
                )
            )
        elif method == "Runtime.consoleAPICalled":
            args = [a.get("value", a.get("description", "")) for a in params.get("args", [])]
            visit.console.append(f"console.{params.get('type')}: {args}")
        elif method == "Runtime.exceptionThrown":
            visit.exceptions.append(str(params.get("exceptionDetails", {}).get("text")))
        elif method == "Network.requestWillBeSent":
            visit.requests.append(params["request"]["url"])

    def wait_loaded(self) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not self.loaded and time.monotonic() < deadline:
            self._event(json.loads(self.ws.recv()))
        if not self.loaded:
            raise TimeoutError("the page did not finish loading")

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}…: {result['exceptionDetails']}")
        return result["result"].get("value")


class Chromium:
    """A headless Chromium with the DevTools protocol on a free loopback port."""

    def __init__(self, profile: Path):
        self.profile = profile
        self.process: subprocess.Popen | None = None
        self.port = 0

    def __enter__(self) -> Chromium:
        self.profile.mkdir(parents=True, exist_ok=True)
        active = self.profile / "DevToolsActivePort"
        active.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [
                executable(),
                *FLAGS,
                f"--user-data-dir={self.profile}",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--remote-allow-origins=*",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if active.exists() and len(active.read_text().splitlines()) >= 2:
                self.port = int(active.read_text().splitlines()[0])
                break
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.process.returncode}")
            time.sleep(0.05)
        else:
            raise TimeoutError("chromium did not open its DevTools port")
        browser = active.read_text().splitlines()[1]
        self.browser = Tab(f"ws://127.0.0.1:{self.port}{browser}")
        return self

    def __exit__(self, *exc) -> None:
        self.browser.close()
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def tab(self) -> Tab:
        target = self.browser.send("Target.createTarget", url="about:blank")["targetId"]
        return Tab(f"ws://127.0.0.1:{self.port}/devtools/page/{target}")

    def open(self, page: Path | str, media: str | None = None, width: int | None = None) -> tuple[Tab, Visit]:
        """Load a page in a new tab, recording what ran and what was requested; ``media`` and
        ``width`` emulate print media on a viewport of that many CSS pixels."""
        tab = self.tab()
        url = page.as_uri() if isinstance(page, Path) else page
        tab.visit = Visit(url)
        for domain in ("Page", "Runtime", "Network"):
            tab.send(f"{domain}.enable")
        if media:
            tab.send("Emulation.setEmulatedMedia", media=media)
        if width:
            tab.send(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=1100,
                deviceScaleFactor=1,
                mobile=False,
            )
        tab.loaded = False
        tab.send("Page.navigate", url=url)
        tab.wait_loaded()
        # A beat for timers and late handlers (onerror of a broken image fires after load at times).
        tab.evaluate("new Promise(r => setTimeout(r, 150))")
        return tab, tab.visit
