"""The reader's backstop: a file whose reading hangs, eats memory or crashes its process is
reported on its own while every other file is read."""

from __future__ import annotations

import os
import time

import pytest

from analysis.errors import InputError, Location
from analysis.ingest.workers import Failed, Reading


def _read(item: str) -> str:
    if item == "hangs":
        time.sleep(120)
    if item == "greedy":
        return str(len(bytearray(16 << 30)))  # beyond the worker's address space
    if item == "crashes":
        os.abort()
    if item == "refused":
        raise InputError(Location(file=item, sheet="Набор"), "правило", "что сделать", value="x")
    return item.upper()


ITEMS = ["a", "b", "c", "d", "e", "f"]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("hangs", "файл не прочитан за 3 с"),
        ("greedy", "не хватило памяти при чтении"),
        ("crashes", "чтение файла прервалось аварийно (сигнал SIGABRT): файл повреждён"),
    ],
)
def test_a_bad_file_fails_alone_and_the_others_are_read(bad, reason):
    items = [*ITEMS[:2], bad, *ITEMS[2:]]
    results = Reading(items, _read, seconds=3, workers=2).results()  # ample for the good ones under load
    assert isinstance(results[bad], Failed) and reason in results[bad].reason
    assert {k: v for k, v in results.items() if k != bad} == {i: i.upper() for i in ITEMS}


def test_an_exception_comes_back_whole_and_in_process_reading_gives_the_same():
    for workers in (2, 0):
        results = Reading(["a", "refused"], _read, seconds=5, workers=workers).results()
        error = results["refused"]
        assert isinstance(error, InputError) and results["a"] == "A"
        assert error.line() == "refused, sheet 'Набор': правило (value 'x') — что сделать"


def test_the_answers_folder_is_removed():
    reading = Reading(ITEMS, _read, seconds=5, workers=2)
    folder = reading.folder
    assert os.path.isdir(folder)
    reading.results()
    assert not os.path.exists(folder)


def test_where_the_kernel_has_no_timer_the_parent_ends_a_hanging_reader(monkeypatch):
    """Windows has no SIGALRM: there the parent ends a reader past the time limit (the path
    ANALYSIS_READ_TIMER=parent takes on POSIX), with the same message."""
    from analysis.ingest import workers

    monkeypatch.setattr(workers, "PARENT_TIMER", True)
    items = [*ITEMS[:2], "hangs", *ITEMS[2:]]
    results = Reading(items, _read, seconds=3, workers=2).results()
    assert isinstance(results["hangs"], Failed)
    assert results["hangs"].reason.startswith("файл не прочитан за 3 с: он слишком велик")
    assert {k: v for k, v in results.items() if k != "hangs"} == {i: i.upper() for i in ITEMS}
