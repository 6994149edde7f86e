"""Report notebooks stay thin, parameterised and committed without outputs (STYLE.md), and run as
they are wherever they are opened: in JupyterLab (kernel working directory ``notebooks/``),
under nbconvert and under papermill from any folder."""

from __future__ import annotations

import ast

import nbformat
import papermill
import pytest
from nbclient import NotebookClient

from analysis import settings
from analysis.errors import ParameterError
from analysis.site.build import CLUSTER_NOTEBOOK, check_parameters
from analysis.site.kernel import KERNEL_NAME
from conftest import ROOT, outputs_text

REPORT_NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NOTEBOOKS = REPORT_NOTEBOOKS + sorted((ROOT / "notebooks" / "exploratory").glob("*.ipynb"))
FORBIDDEN_CALLS = {"groupby", "merge", "read_csv", "read_parquet", "read_excel", "pivot_table", "apply"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_thin(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(node, ast.FunctionDef | ast.ClassDef | ast.Lambda), cell.source
            if isinstance(node, ast.Attribute):
                assert node.attr not in FORBIDDEN_CALLS, f"{node.attr} belongs in src/analysis: {cell.source}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_on_the_project_kernel(path):
    assert nbformat.read(path, as_version=4).metadata.kernelspec.name == KERNEL_NAME


PARAMETERS = {
    "cluster_report.ipynb": {"cluster", "year", "data_dir", "as_of", "deadline", "downloads"},
    "region_report.ipynb": {"region", "year", "data_dir", "as_of", "deadline", "downloads"},
    "national_report.ipynb": {"year", "data_dir", "as_of", "deadline", "downloads"},
    "starter.ipynb": {"region", "cluster", "year", "indicator", "as_of", "data_dir"},
}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_holds_literals_only(path):
    notebook = nbformat.read(path, as_version=4)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for node in ast.parse(tagged[0].source).body:
        assert isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Constant), ast.unparse(node)
    declared = papermill.inspect_notebook(str(path))
    assert set(declared) == PARAMETERS[path.name]
    assert all(p["help"] for p in declared.values()), "every parameter explains itself"


def test_an_undeclared_parameter_is_an_error_not_a_warning():
    check_parameters(str(CLUSTER_NOTEBOOK), {"cluster": "x", "year": 2024})
    with pytest.raises(ParameterError, match=r"does not declare parameter\(s\) \['yaer'\]"):
        check_parameters(str(CLUSTER_NOTEBOOK), {"cluster": "x", "yaer": 2024})


# What the fixture project shows with each template's default parameters (samara-law / region 63,
# 2025, as of 2026-01-21): its data, not a developer's data/processed/.
EXPECTED = {
    "cluster_report.ipynb": [
        "<h1>Образовательный кластер «Правоохранительная сфера и управление»",
        "Выполнено 1 из 19",
    ],
    "region_report.ipynb": ["<h1>63 — Самарская область</h1>", "Тестовый кластер «Право»"],
    "national_report.ipynb": ["<h1>Профессионалитет: регионы страны</h1>", "63 — Самарская область"],
}


@pytest.mark.parametrize("path", REPORT_NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_as_it_is_with_the_kernel_in_the_notebooks_folder(path, project_home, monkeypatch):
    """As JupyterLab and `jupyter nbconvert --execute` run it: default parameters, cwd notebooks/."""
    monkeypatch.setenv(settings.ENV_HOME, str(project_home))
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=120, resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    assert client.kernel_name == KERNEL_NAME
    text = outputs_text(notebook)
    for expected in EXPECTED[path.name]:
        assert expected in text, expected


def test_papermill_runs_a_template_from_any_folder(project_home, tmp_path, monkeypatch):
    monkeypatch.setenv(settings.ENV_HOME, str(project_home))
    monkeypatch.chdir(tmp_path)
    executed = papermill.execute_notebook(
        str(CLUSTER_NOTEBOOK), str(tmp_path / "out.ipynb"), parameters={"year": 2024}, progress_bar=False
    )
    assert "Выполнение плана мероприятий за 2024 год" in outputs_text(executed)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ipynb"]
