"""Report notebooks stay thin, parameterised and committed without outputs (STYLE.md)."""

from __future__ import annotations

import ast

import nbformat
import papermill
import pytest

from analysis.errors import ParameterError
from analysis.site.build import CLUSTER_NOTEBOOK, check_parameters
from analysis.site.kernel import KERNEL_NAME
from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
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
