"""environment.yml mirrors pyproject.toml: the same dependencies with the same version ranges."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT


def normalise(spec: str) -> tuple[str, str]:
    name, version = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec).groups()
    return name.lower().replace("_", "-"), version.replace(" ", "")


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = [
        d
        for d in environment["dependencies"]
        if isinstance(d, str) and normalise(d)[0] not in ("python", "pip")
    ]
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert dict(map(normalise, conda)) == dict(map(normalise, wanted))
    assert "-e ." in pip


def test_python_floor_is_the_same():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    environment = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert project["requires-python"] == ">=3.11"
    assert "python>=3.11" in environment
