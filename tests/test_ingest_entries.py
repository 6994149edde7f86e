"""Entries of the raw folders that are not plain files: pipes, sockets, devices, links and folders
named like a submission. Each is dropped beside good submissions; ingest finishes, names it in one
line and reads everything else as before. A link is followed only into the raw folder, and the
submissions table records what was read."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

import pytest
from test_hostile_inputs import Run, clean, form_writer  # noqa: F401 — ``clean`` is a fixture

from analysis.sources.entries import NotRegular, examine, read_regular


@pytest.fixture(autouse=True)
def no_hang():
    """A guard, not a speed target: a run that blocks on an entry fails instead of hanging."""

    def stop(signum, frame):
        raise TimeoutError("ingest blocked on an entry of the raw folder")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(300)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def fifo(path: Path) -> None:
    os.mkfifo(path)


def unix_socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()  # the socket file stays


def link_to(target: str | Path):
    def write(path: Path) -> None:
        path.symlink_to(target)

    return write


def outside_file(path: Path) -> None:
    outside = path.parent.parent.parent / "elsewhere" / "tiny-it_2025.xlsx"
    form_writer(cluster="tiny-it", year=2025)(outside)
    path.symlink_to(outside)


def folder_named_like_a_form(path: Path) -> None:
    path.mkdir()
    (path / "Показатели.csv").write_text("Код показателя;Факт\n1.1.4;3\n", encoding="utf-8")


# (case, writer, words of its one line)
SPECIAL = [
    ("fifo", fifo, "именованный канал (FIFO), а не файл: пропущен"),
    ("socket", unix_socket, "сокет, а не файл: пропущен"),
    ("link-to-dev-zero", link_to("/dev/zero"), "ссылка на символьное устройство (/dev/zero), а не на файл"),
    ("dangling-link", link_to("nowhere/tiny-it_2025.xlsx"), "ссылка ведёт в никуда"),
    ("link-out-of-raw", outside_file, "ссылка ведёт за пределы папки исходных данных"),
    ("folder-named-xlsx", folder_named_like_a_form, "папка, а не файл .xlsx: не представление"),
]


@pytest.mark.parametrize(("case", "write", "words"), SPECIAL, ids=[c[0] for c in SPECIAL])
def test_a_special_entry_is_named_in_one_line_and_skipped(clean, tmp_path, capsys, case, write, words):  # noqa: F811
    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", write)
    [line] = run.lines()
    assert words in line and "файл не загружен" in line
    assert run.entry["status"] == "unreadable"
    # Nothing but a folder is opened, even to take its fingerprint.
    assert (run.entry["sha256"] == "") == (case != "folder-named-xlsx")
    assert not run.lines("out")
    assert (run.log["status"] == "read").sum() == 2  # the two good submissions
    run.check_accounted()
    run.check_others_untouched()


def test_a_link_inside_the_raw_folder_is_read_and_its_target_recorded(clean, tmp_path, capsys):  # noqa: F811
    def write(path: Path) -> None:
        target = path.parent.parent / "archive" / "2025" / "tiny-it_2025.xlsx"
        form_writer(cluster="tiny-it", year=2025, submitted="15.01.2026")(target)
        path.symlink_to(Path("..") / "archive" / "2025" / "tiny-it_2025.xlsx")

    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", write)
    assert run.entry["status"] == "read" and run.entry["rows_accepted"] == 4, run.err
    assert run.entry["read_from"] == "archive/2025/tiny-it_2025.xlsx"
    assert len(run.entry["sha256"]) == 64 and run.entry["size_bytes"] == run.path.stat().st_size
    assert not run.lines()
    own = run.log.loc[str(run.path.with_name("tiny-law_2024.xlsx"))]
    assert own["read_from"] == "submissions/tiny-law_2024.xlsx"
    run.check_others_untouched(("tiny-it", 2025))


def test_a_csv_folder_whose_sheet_is_a_pipe_is_refused_in_one_line(clean, tmp_path, capsys):  # noqa: F811
    def write(path: Path) -> None:
        path.mkdir()
        for title in ("Сведения", "Показатели", "Преподаватели", "Наставничество"):
            (path / f"{title}.csv").write_text("Поле;Значение\n", encoding="utf-8")
        os.mkfifo(path / "Набор.csv")

    run = Run(clean, tmp_path, capsys, "tiny-it_2025", write)
    [line] = run.lines()
    assert "Набор.csv: именованный канал (FIFO), а не файл" in line
    run.check_others_untouched()


@pytest.mark.parametrize("case", ["fifo", "link-to-dev-zero", "link-out-of-raw"])
def test_a_special_entry_among_the_facts_files_is_skipped_in_one_line(clean, tmp_path, capsys, case):  # noqa: F811
    def write(path: Path) -> None:
        facts = path.parent.parent / "facts" / "more.csv"
        if case == "fifo":
            os.mkfifo(facts)
        elif case == "link-to-dev-zero":
            facts.symlink_to("/dev/zero")
        else:
            outside = tmp_path / "outside.csv"
            outside.write_text("cluster_id,year,indicator,programme_code,fact\ntiny-it,2024,1.1.4,,99\n")
            facts.symlink_to(outside)
        path.write_bytes(b"")  # the submission slot holds only an Excel lock file

    run = Run(clean, tmp_path, capsys, "~$placeholder.xlsx", write)
    more = str(tmp_path / "raw" / "facts" / "more.csv")
    printed = [line for line in run.err.splitlines() if more in line]
    assert len(printed) == 1 and run.log.loc[more, "status"] == "unreadable"
    run.check_others_untouched()


def test_reading_a_pipe_or_a_device_never_blocks(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(NotRegular, match="FIFO"):
        read_regular(tmp_path / "pipe")
    with pytest.raises(NotRegular, match="устройство"):
        read_regular("/dev/zero")
    (tmp_path / "file").write_bytes(b"12345")
    assert read_regular(tmp_path / "file") == b"12345"


def test_a_link_loop_is_a_link_to_nowhere(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    entry = examine(tmp_path / "a", tmp_path)
    assert entry.kind == "skip" and "ведёт в никуда" in entry.reason
