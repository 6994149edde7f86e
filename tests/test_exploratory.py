"""The exploratory starter notebook runs as it is and answers what it says it shows."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

from analysis import settings
from conftest import ROOT, outputs_text

STARTER = ROOT / "notebooks" / "exploratory" / "starter.ipynb"


def test_the_starter_runs_from_its_folder_on_the_fixture_project(project_home, monkeypatch):
    monkeypatch.setenv(settings.ENV_HOME, str(project_home))
    notebook = nbformat.read(STARTER, as_version=4)
    NotebookClient(notebook, timeout=120, resources={"metadata": {"path": str(STARTER.parent)}}).execute()
    text = outputs_text(notebook)
    by_cell = [outputs_text(nbformat.v4.new_notebook(cells=[cell])) for cell in notebook.cells]

    def output_of(source_start: str) -> str:
        return next(
            out
            for cell, out in zip(notebook.cells, by_cell, strict=True)
            if cell.source.startswith(source_start)
        )

    assert f"Tables('{project_home}/data/processed': ambition, cluster_years, clusters, " in text
    compared = output_of("analysis.compare_clusters(indicator")
    assert "samara-law" in compared and "tiny-law" in compared and "tiny-it" not in compared  # region 63 only
    not_met = output_of("not_met = ")
    # The pages' words, as display columns beside the codes.
    assert "выполнено частично" in not_met and "нет данных" in not_met and "не запланировано" not in not_met
    assert "в отчёте больше, чем в списках" in output_of("analysis.findings(")
    history = output_of("history = ")
    assert "2024" in history and "2026" in history and "представлен в срок" in history
    images = [o for c in notebook.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 1  # the cluster over the years
    assert "weighted_rate" in output_of("cy = analysis.load_cluster_year(")
