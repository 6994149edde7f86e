from __future__ import annotations

import pytest

from analysis.errors import RegistryError, UnknownClusterError
from analysis.sources.registry import cluster_info, load_registry
from conftest import ROOT


def test_the_project_registry_lists_the_seed_cluster():
    registry = load_registry(ROOT / "data" / "raw" / "clusters.csv")
    seed = cluster_info(registry, "samara-law")
    assert (seed["region_code"], seed["region_name"]) == ("63", "Самарская область")
    assert seed["industry"] == "Правоохранительная сфера и управление"
    assert seed["plan_path"].endswith("plans/samara-law.csv")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("tiny-it,", "Tiny IT,", "row 3, column 'cluster_id': cluster ids are lowercase"),
        ("tiny-it,", "tiny-law,", "row 3, column 'cluster_id': cluster ids must be unique"),
        (",64,", ",640,", "row 3, column 'region_code': region codes are two digits"),
        ("plans/tiny-it.csv", "plans/missing.csv", "row 3, column 'plan_file': the plan file does not exist"),
        (",Информационные технологии,", ",,", "row 3, column 'industry': a required value is empty"),
    ],
)
def test_registry_errors_name_row_and_column(raw_dir, old, new, message):
    path = raw_dir / "clusters.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    with pytest.raises(RegistryError, match=message):
        load_registry(path)


def test_unknown_cluster_lists_the_known_ones(raw_dir):
    registry = load_registry(raw_dir / "clusters.csv")
    with pytest.raises(UnknownClusterError, match="tiny-law, tiny-it"):
        cluster_info(registry, "nope")


def test_sibling_registries_are_read_together_and_mark_demo_clusters(raw_dir):
    extra = raw_dir / "clusters-demo.csv"
    extra.write_text(
        "cluster_id,name,region_code,region_name,industry,base_college,plan_file,demo\n"
        "demo-one,Демо-кластер,63,Самарская область,Химия,,plans/tiny-it.csv,1\n",
        encoding="utf-8",
    )
    registry = load_registry(raw_dir / "clusters.csv")
    assert registry["cluster_id"].tolist() == ["tiny-law", "tiny-it", "demo-one"]
    assert registry["demo"].tolist() == [False, False, True]
    extra.write_text(extra.read_text(encoding="utf-8").replace("demo-one", "tiny-it"), encoding="utf-8")
    with pytest.raises(
        RegistryError, match=r"clusters-demo.csv, row 2, column 'cluster_id': cluster ids must be unique"
    ):
        load_registry(raw_dir / "clusters.csv")
