"""Paths from one place: the project root, $PROFESSIONALITET_HOME, the CLI's defaults, the API."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import analysis
from analysis import settings
from analysis.cli import make_parser
from analysis.tables import MissingDataError
from conftest import ROOT


@pytest.fixture
def no_home(monkeypatch):
    monkeypatch.delenv(settings.ENV_HOME, raising=False)


def test_without_the_variable_the_root_is_the_checkout_the_package_runs_from(no_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert settings.project_root() == ROOT
    assert settings.processed_dir() == ROOT / "data" / "processed"
    assert settings.raw_dir() == ROOT / "data" / "raw"
    assert settings.reports_dir() == ROOT / "reports"
    assert (settings.notebooks_dir() / "cluster_report.ipynb").exists()
    assert "where the package is installed from" in settings.root_origin()


def test_the_variable_moves_the_data_but_not_the_notebook_templates(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(settings.ENV_HOME, "elsewhere/project")  # relative: to the working directory
    home = tmp_path / "elsewhere" / "project"
    assert settings.project_root() == home
    assert settings.processed_dir() == home / "data" / "processed"
    assert settings.reports_dir() == home / "reports"
    assert settings.notebooks_dir() == ROOT / "notebooks"
    assert settings.root_origin() == f"the project root {home} is ${settings.ENV_HOME}"
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(settings.ENV_HOME, " ~/p ")
    assert settings.project_root() == tmp_path / "p"
    monkeypatch.setenv(settings.ENV_HOME, "")
    assert settings.project_root() == ROOT


def test_relative_paths_resolve_under_the_root_absolute_ones_stay(tmp_path, monkeypatch):
    monkeypatch.setenv(settings.ENV_HOME, str(tmp_path))
    assert settings.resolve("data/processed") == tmp_path / "data" / "processed"
    assert settings.resolve(Path("/srv/x")) == Path("/srv/x")
    assert settings.resolve("x", base=Path("/b")) == Path("/b/x")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["ingest"], {"raw": "data/raw", "processed": "data/processed"}),
        (["demo"], {"raw": "data/raw", "processed": "data/processed"}),
        (["build"], {"raw": "data/raw", "processed": "data/processed", "out": "reports"}),
        (["template", "--cluster", "c", "--year", "2025"], {"raw": "data/raw"}),
        (["import-plan", "plan.pdf", "--cluster", "c"], {"raw": "data/raw"}),
        (["show", "--cluster", "c", "--year", "2025"], {"processed": "data/processed"}),
    ],
)
def test_command_defaults_come_from_the_project_root_not_the_working_directory(
    argv, expected, tmp_path, monkeypatch
):
    monkeypatch.setenv(settings.ENV_HOME, str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    args = make_parser().parse_args(argv)
    for name, relative in expected.items():
        assert getattr(args, name) == tmp_path / "home" / relative, name


def test_a_folder_given_on_the_command_line_is_read_from_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.setenv(settings.ENV_HOME, str(tmp_path / "home"))
    args = make_parser().parse_args(["ingest", "--raw", "mine"])
    assert args.raw == Path("mine")


def test_missing_data_names_the_absolute_path_what_to_run_and_the_root(tmp_path, monkeypatch):
    monkeypatch.setenv(settings.ENV_HOME, str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    from analysis import reports

    with pytest.raises(MissingDataError) as caught:
        reports.cluster.load("data/processed", "samara-law", 2025, "2026-01-21")
    message = str(caught.value)
    assert message.startswith(f"{tmp_path}/home/data/processed/clusters.parquet does not exist: ")
    assert "`python -m analysis ingest`" in message and "`make data`" in message
    assert message.endswith(f"the project root {tmp_path / 'home'} is ${settings.ENV_HOME}")
    assert "\n" not in message
    # A folder outside the project root is not blamed on the root.
    with pytest.raises(MissingDataError) as caught:
        analysis.load_tables(tmp_path / "fixture")
    assert str(caught.value).startswith(f"{tmp_path}/fixture/clusters.parquet does not exist: ")
    assert "project root" not in str(caught.value)


def test_the_cli_from_another_folder_says_where_it_looked(tmp_path):
    env = {**os.environ, settings.ENV_HOME: str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "show", "--cluster", "samara-law", "--year", "2025"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"error: {tmp_path}/home/data/processed/clusters.parquet does not exist: build the processed tables "
        "with `python -m analysis ingest` (or `make data` for the demonstration region); "
        f"the project root {tmp_path}/home is ${settings.ENV_HOME}"
    ]


def test_import_analysis_is_cheap_and_the_api_arrives_on_first_use():
    probe = (
        "import sys, analysis\n"
        "print('pandas' in sys.modules, 'analysis.api' in sys.modules)\n"
        "load = analysis.load_cluster_year\n"
        "print('pandas' in sys.modules, load.__module__)\n"
        "from analysis import reports, tables\n"
        "print(reports.__name__, tables.__name__)\n"
        "try:\n"
        "    analysis.load_cluster_yaer\n"
        "except AttributeError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.splitlines() == [
        "False False",
        "True analysis.api",
        "analysis.reports analysis.tables",
        "module 'analysis' has no attribute 'load_cluster_yaer'",
    ]


def test_the_top_level_names_are_the_api_and_every_one_is_documented():
    from analysis import api

    assert sorted(analysis.API) == sorted(api.__all__)
    assert set(analysis.API) <= set(dir(analysis))
    for name in api.__all__:
        assert getattr(analysis, name) is getattr(api, name)
        assert getattr(api, name).__doc__, name
