"""The one-build-at-a-time lock: the OS's, behind one interface (fcntl on POSIX, msvcrt on
Windows), released with its holder however it ends; a waiting build says whom it waits for; and
the analyst's side imports no POSIX-only module, as on Windows."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from analysis.lock import BuildLock, LockHeld
from conftest import SEED_TEXT

HOLDER = textwrap.dedent(
    """
    import sys
    from analysis.lock import BuildLock
    with BuildLock(sys.argv[1]):
        print("held", flush=True)
        sys.stdin.read()  # until the test closes it
    """
)


@pytest.fixture
def holder(tmp_path):
    """Another process holding the lock until its stdin closes."""
    path = tmp_path / ".build.lock"
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), "build", "--force"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline() == "held\n"
    yield path, process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)


def test_a_held_lock_is_refused_naming_its_holder_and_freed_when_the_holder_is_killed(holder):
    path, process = holder
    with pytest.raises(LockHeld) as refused:
        BuildLock(path).acquire()
    message = str(refused.value)
    assert message.startswith(f"another build is running (pid {process.pid} on ")
    assert f"`-c {path} build --force`; lock {path}): nothing was changed" in message
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    with BuildLock(path) as lock:  # the OS let go of it with its process
        assert lock.holder()["pid"] == os.getpid()
    assert lock.holder() == {}  # released: the note is cleared


def test_wait_says_whom_it_waits_for_and_goes_on_when_the_holder_ends(holder, caplog):
    path, process = holder
    lock = BuildLock(path, wait=True, poll=0.05, notice=0.2)
    taken = threading.Event()

    def take():
        lock.acquire()
        taken.set()

    caplog.set_level(logging.INFO, logger="analysis.lock")
    waiter = threading.Thread(target=take, daemon=True)
    waiter.start()
    while len([r for r in caplog.records if "waiting for" in r.getMessage()]) < 2:
        assert waiter.is_alive() and not taken.is_set()
        time.sleep(0.05)
    process.stdin.close()  # the holder finishes
    waiter.join(timeout=60)
    assert taken.is_set()
    lock.release()
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0].startswith(f"waiting for the build that holds {path} (pid {process.pid} on ")
    assert messages[0].endswith("`-c " + f"{path} build --force`): 0 s so far")
    assert messages[-1].startswith(f"the lock {path} is free after ") and messages[-1].endswith(": going on")


# What the analyst's side runs, in a Python where POSIX-only modules cannot be imported (as on
# Windows): the API, `show`, `template`, `import-plan`.
WINDOWS_LIKE = textwrap.dedent(
    """
    import sys
    for name in ("fcntl", "termios", "resource", "pwd", "grp"):
        sys.modules[name] = None
    from analysis.cli import main
    import analysis
    home, out, seed = sys.argv[1:4]
    print(len(analysis.load_cluster_year("samara-law", 2025, as_of="2026-01-21").cells) > 0)
    print(main(["--home", home, "show", "--cluster", "samara-law", "--year", "2025", "--format", "csv"]))
    print(main(["--home", home, "template", "--cluster", "samara-law", "--year", "2026", "--out", out]))
    if seed:  # the shared seed, when it is beside the repository
        print(main(["--home", home, "import-plan", seed, "--cluster", "samara-law", "--dry-run"]))
    print(sorted(m for m in ("fcntl", "termios", "resource") if sys.modules.get(m) is not None))
    """
)


def test_the_analysts_side_runs_without_posix_only_modules(project_home, tmp_path):
    env = {**os.environ, "PROFESSIONALITET_HOME": str(project_home)}
    form = tmp_path / "form.xlsx"
    seed = SEED_TEXT.exists()
    done = subprocess.run(
        [sys.executable, "-c", WINDOWS_LIKE, str(project_home), str(form), str(SEED_TEXT) if seed else ""],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "True" and lines[-1] == "[]"
    results = [line for line in lines if line in ("0", "1", "2", "3")]
    assert results == ["0", "0", "0"][: 3 if seed else 2], done.stdout + done.stderr
    assert form.stat().st_size > 0
