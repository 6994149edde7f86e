"""Shared fixtures: paths of the project and a tiny registry + plan + facts written per test."""

from __future__ import annotations

import inspect
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED_PLAN = ROOT / "data" / "raw" / "plans" / "samara-law.csv"
SEED_TEXT = ROOT.parent / "shared" / "seeds" / "000_4630c187282b80aa.txt"


def table(text: str, **dtypes) -> pd.DataFrame:
    """An expected table written inline in a test, as CSV; empty cells stay empty strings."""
    frame = pd.read_csv(StringIO(inspect.cleandoc(text)), dtype=str, keep_default_na=False)
    return frame.astype(dtypes) if dtypes else frame


TINY_PLAN = """\
kind,code,programme_code,title,2024,2025
section,1,,Мероприятия по программам,,
group,1.1,,Результат мероприятий по разработке,,
indicator,1.1.1,,Сформированы экспертные группы:,,
programme,1.1.1,38.02.01,Экономика и бухгалтерский учет (по отраслям),1,-
programme,1.1.1,40.02.02,Правоохранительная деятельность,1,-
indicator,1.1.4,,Осуществлен запуск образовательных программ,9,10
group,1.6,,Результат мероприятий по включению работников,,
indicator,1.6.1,,Привлечены преподаватели от работодателей,да,да
"""

TINY_REGISTRY = """\
cluster_id,name,region_code,region_name,industry,base_college,plan_file
tiny-law,Тестовый кластер «Право»,63,Самарская область,Правоохранительная сфера и управление,,plans/tiny-law.csv
tiny-it,Тестовый кластер «ИТ»,64,Саратовская область,Информационные технологии,ГБПОУ «Тест»,plans/tiny-it.csv
"""

TINY_FACTS = """\
cluster_id,year,indicator,programme_code,fact,demo
tiny-law,2024,1.1.1,38.02.01,1,1
tiny-law,2024,1.1.4,,7,1
tiny-law,2024,1.6.1,,да,1
tiny-it,2024,1.1.4,,12,
tiny-it,2024,1.6.1,,нет,
"""


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    """A tiny raw-data folder: two clusters in two regions, their plans and a facts file."""
    raw = tmp_path / "raw"
    (raw / "plans").mkdir(parents=True)
    (raw / "facts").mkdir()
    (raw / "clusters.csv").write_text(TINY_REGISTRY, encoding="utf-8")
    for cluster in ("tiny-law", "tiny-it"):
        (raw / "plans" / f"{cluster}.csv").write_text(TINY_PLAN, encoding="utf-8")
    (raw / "facts" / "submitted.csv").write_text(TINY_FACTS, encoding="utf-8")
    return raw
