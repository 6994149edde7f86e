"""The project home and the package's own files, kept apart: `--home`, `--version`, the notebooks
and the seed shipped with the package, and an installed package without a home. (The wheel
itself, installed into a fresh environment, is exercised by `.ci/wheel-check`.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import analysis
from analysis import settings
from analysis.cli import main
from conftest import ROOT


def cli(*argv: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != settings.ENV_HOME}
    return subprocess.run(
        [sys.executable, "-m", "analysis", *argv],
        cwd=cwd,
        env={**environment, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_version_is_the_package_version_and_pyproject_reads_it_from_there(tmp_path):
    done = cli("--version", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, f"analysis {analysis.__version__}\n")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "analysis.__version__"}


def test_home_option_is_the_home_of_the_command_and_of_what_it_starts(tmp_path):
    done = cli("--home", "proj", "show", "--cluster", "samara-law", "--year", "2025", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"error: {tmp_path}/proj/data/processed/clusters.parquet does not exist: build the processed tables "
        "with `python -m analysis ingest` (or `make data` for the demonstration region); "
        f"the project root {tmp_path}/proj is ${settings.ENV_HOME}"
    ]
    # --home wins over the variable; `--home=DIR` works too.
    done = cli(f"--home={tmp_path}/b", "show", "--cluster", "x", "--year", "2025", cwd=tmp_path,
               env={settings.ENV_HOME: str(tmp_path / "a")})  # fmt: skip
    assert f"{tmp_path}/b/data/processed" in done.stderr and f"{tmp_path}/a" not in done.stderr


def test_demo_seeds_an_empty_home_with_the_package_seed(tmp_path):
    home = tmp_path / "home"
    done = cli("--home", str(home), "demo", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    raw = home / "data" / "raw"
    assert done.stdout.splitlines()[:2] == [f"seed: {raw}/clusters.csv", f"seed: {raw}/plans/samara-law.csv"]
    assert (raw / "plans" / "samara-law.csv").read_bytes() == (
        ROOT / "data/raw/plans/samara-law.csv"
    ).read_bytes()
    assert (raw / "clusters-demo.csv").exists() and list((raw / "submissions").glob("samara-law_*.xlsx"))
    # A home with a registry of its own is not seeded again.
    again = cli("--home", str(home), "demo", cwd=tmp_path)
    assert again.returncode == 0 and "seed:" not in again.stdout


def test_the_package_seed_is_the_checkouts_seed_cluster():
    seed = settings.seed_dir()
    assert (seed / "plans" / "samara-law.csv").read_bytes() == (
        ROOT / "data/raw/plans/samara-law.csv"
    ).read_bytes()
    rows = (seed / "clusters.csv").read_text(encoding="utf-8").splitlines()
    checkout = (ROOT / "data/raw/clusters.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == checkout[0] and [r for r in rows[1:]] == [
        r for r in checkout if r.startswith("samara-law,")
    ]


def test_the_build_reads_the_homes_report_notebooks_when_it_has_both(tmp_path, monkeypatch):
    monkeypatch.setenv(settings.ENV_HOME, str(tmp_path))
    assert settings.notebooks_dir() == ROOT / "notebooks" == settings.package_notebooks_dir()
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "cluster_report.ipynb", tmp_path / "notebooks")
    assert settings.notebooks_dir() == ROOT / "notebooks"  # one of two: not a set of templates
    shutil.copy(ROOT / "notebooks" / "region_report.ipynb", tmp_path / "notebooks")
    assert settings.notebooks_dir() == tmp_path / "notebooks"


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """The package as a wheel lays it out: analysis/ in site-packages, no checkout around it."""
    site = tmp_path / "site-packages" / "analysis"
    shutil.copytree(ROOT / "src" / "analysis" / "seed", site / "seed")
    shutil.copytree(ROOT / "notebooks", site / "notebooks")
    monkeypatch.setattr(settings, "PACKAGE_DIR", site)
    monkeypatch.setattr(settings, "PACKAGE_ROOT", site.parents[1])
    monkeypatch.delenv(settings.ENV_HOME, raising=False)
    return site


def test_an_installed_package_without_a_home_says_how_to_name_one(installed, capsys):
    assert settings.checkout() is None
    with pytest.raises(settings.NoProjectHome):
        settings.processed_dir()
    assert main(["ingest"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "error: no project folder: pass --home DIR (python -m analysis --home DIR COMMAND) or set "
        f"{settings.ENV_HOME}=DIR — the folder for data/, reports/ and logs/, created when missing"
    ]
    # --help still works without a home, and names where the folders would be.
    with pytest.raises(SystemExit) as done:
        main(["ingest", "--help"])
    assert done.value.code == 0
    assert "data/raw under the project home" in " ".join(capsys.readouterr().out.split())


def test_an_installed_package_reads_its_own_notebooks(installed, tmp_path, monkeypatch):
    monkeypatch.setattr(settings.resources, "files", lambda package: installed)
    assert settings.package_notebooks_dir() == installed / "notebooks"
    assert settings.notebooks_dir() == installed / "notebooks"
    monkeypatch.setenv(settings.ENV_HOME, str(tmp_path / "home"))
    assert settings.notebooks_dir() == installed / "notebooks"
    assert settings.seed_dir() == installed / "seed"


def test_lab_of_an_installed_package_opens_the_home_with_a_copy_of_the_starter(
    installed, tmp_path, monkeypatch
):
    from analysis.commands.lab import STARTER, lab_root, place_starter

    monkeypatch.setattr(settings.resources, "files", lambda package: installed)
    home = tmp_path / "home"
    monkeypatch.setenv(settings.ENV_HOME, str(home))
    assert lab_root() == home
    assert place_starter(home) == home / STARTER
    assert (home / STARTER).read_bytes() == (
        ROOT / "notebooks" / STARTER.relative_to("notebooks")
    ).read_bytes()
    (home / STARTER).write_text("{}", encoding="utf-8")  # the analyst's edits stay
    assert place_starter(home) is None and (home / STARTER).read_text(encoding="utf-8") == "{}"
    assert settings.notebooks_dir() == installed / "notebooks"  # the starter alone replaces no report
