"""Re-importing a revised plan: the diff, the kept history, and the import-plan command end to end."""

from __future__ import annotations

import inspect
import shutil
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.sources.plan import plan_version, read_plan_file, write_plan_file
from analysis.sources.plan_import.revision import (
    diff_lines,
    diff_plans,
    diff_records,
    history_path,
    replace_file,
)

ROOT = Path(__file__).resolve().parents[1]
CANONICAL = ROOT / "data" / "raw" / "plans" / "samara-law.csv"
SEED = ROOT.parent / "shared" / "seeds" / "000_4630c187282b80aa.txt"


def frame(text: str) -> pd.DataFrame:
    return pd.read_csv(StringIO(inspect.cleandoc(text)), dtype=str, keep_default_na=False)


OLD = frame("""
    kind,code,programme_code,title,2024,2025,2026
    section,1,,Раздел,,,
    group,1.1,,Группа,,,
    indicator,1.1.1,,Показатель,,,
    programme,1.1.1,38.02.01,Экономика,1,-,-
    programme,1.1.1,38.02.04,Коммерция,1,-,-
    indicator,1.1.2,,Запуск программ,9,10,10
""")


def test_diff_lists_added_removed_and_changed_cells():
    new = frame("""
        kind,code,programme_code,title,2024,2025,2026
        section,1,,Раздел,,,
        group,1.1,,Группа,,,
        indicator,1.1.1,,Показатель,,,
        programme,1.1.1,38.02.01,Экономика,1,-,Да
        programme,1.1.1,40.02.02,Право,1,-,-
        indicator,1.1.2,,Запуск образовательных программ,9,11,10
    """)
    expected = frame("""
        change,code,programme_code,column,old,new
        changed,1.1.1,38.02.01,2026,-,Да
        added,1.1.1,40.02.02,,,Право
        changed,1.1.2,,title,Запуск программ,Запуск образовательных программ
        changed,1.1.2,,2025,10,11
        removed,1.1.1,38.02.04,,Коммерция,
    """)
    pd.testing.assert_frame_equal(diff_plans(OLD, new), expected, check_dtype=False)
    assert diff_plans(OLD, OLD).empty


def test_a_new_year_column_shows_as_changed_cells():
    new = OLD.assign(**{"2027": ["", "", "", "1", "1", "12"]})
    changes = diff_plans(OLD, new)
    assert changes["column"].eq("2027").all() and changes["new"].tolist() == ["1", "1", "12"]


def test_replacing_keeps_the_previous_version_by_its_plan_version(tmp_path):
    target = tmp_path / "plans" / "x.csv"
    assert replace_file(target, write_plan_file(OLD), "x") is None
    old_version = plan_version(target)
    assert replace_file(target, write_plan_file(OLD), "x") is None  # same bytes: nothing kept
    changed = OLD.assign(**{"2024": ["", "", "", "2", "1", "9"]})
    kept = replace_file(target, write_plan_file(changed), "x")
    assert (
        kept
        == history_path(target, "x", old_version)
        == tmp_path / "plans" / "history" / "x" / f"{old_version}.csv"
    )
    assert kept.read_text(encoding="utf-8") == write_plan_file(OLD)
    assert target.read_text(encoding="utf-8") == write_plan_file(changed)


@pytest.fixture
def raw(tmp_path) -> Path:
    """A data/raw folder with the registry and an older plan of samara-law."""
    raw = tmp_path / "raw"
    (raw / "plans").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "raw" / "clusters.csv", raw / "clusters.csv")
    old = read_plan_file(CANONICAL)
    old.loc[old["code"].eq("1.2.2"), "2026"] = "7"
    old = old[~old["programme_code"].eq("40.02.02") | ~old["code"].eq("1.4.2")]
    write_plan_file(old, raw / "plans" / "samara-law.csv")
    return raw


needs_seed = pytest.mark.skipif(not SEED.exists(), reason="the shared seed is not beside the repository")


@needs_seed
def test_reimport_shows_the_changes_keeps_the_old_plan_and_writes_the_new(raw, capsys):
    old_version = plan_version(raw / "plans" / "samara-law.csv")
    assert main(["import-plan", str(SEED), "--cluster", "samara-law", "--raw", str(raw), "--dry-run"]) == 0
    assert plan_version(raw / "plans" / "samara-law.csv") == old_version  # a dry run writes nothing
    assert main(["import-plan", str(SEED), "--cluster", "samara-law", "--raw", str(raw)]) == 0
    out = capsys.readouterr().out
    assert "показателей: 21 (со своими значениями: 17), строк программ: 15" in out
    assert "2024: с целью 20 (чисел 6, «да» 14, «-» 12, пустых 4)" in out
    assert "значений: прочитано в документе 95, записано в план 95" in out
    assert "строка 285: у 1.4.1 / 40.02.02 нет ячейки за 2026" in out
    assert f"(версия {old_version}): добавлено строк: 1, изменено ячеек: 1" in out
    assert "  1.2.2 · 2026: 7 → 6\n" in out
    assert "  + 1.4.2 / 40.02.02 Правоохранительная деятельность: 2024 -, 2025 -, 2026 да\n" in out
    assert (raw / "plans" / "samara-law.csv").read_bytes() == CANONICAL.read_bytes()
    assert (raw / "plans" / "history" / "samara-law" / f"{old_version}.csv").exists()
    assert main(["import-plan", str(SEED), "--cluster", "samara-law", "--raw", str(raw)]) == 0
    assert "): нет" in capsys.readouterr().out
    assert len(list((raw / "plans" / "history" / "samara-law").iterdir())) == 1


@needs_seed
def test_the_same_plan_always_gives_the_same_file(tmp_path):
    for name in ("a.csv", "b.csv"):
        assert main(["import-plan", str(SEED), "--cluster", "samara-law", "--out", str(tmp_path / name)]) == 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes() == CANONICAL.read_bytes()


def test_a_line_that_cannot_be_attached_stops_the_import(tmp_path, capsys):
    source = tmp_path / "plan.txt"
    source.write_text("2024 2025 2026\n1. Раздел\n1.1 Группа\nда - -\n", encoding="utf-8")
    assert (
        main(["import-plan", str(source), "--cluster", "samara-law", "--out", str(tmp_path / "x.csv")]) != 0
    )
    err = capsys.readouterr().err
    assert (
        "plan.txt, строка 4: значения, не относящиеся к показателю (группа результатов 1.1) («да - -»)" in err
    )
    assert not (tmp_path / "x.csv").exists()


def test_unknown_document_types_and_clusters_are_refused(tmp_path, raw, capsys):
    (tmp_path / "plan.odt").write_text("x", encoding="utf-8")
    assert main(["import-plan", str(tmp_path / "plan.odt"), "--cluster", "samara-law"]) != 0
    assert "неизвестный тип документа" in capsys.readouterr().err
    (tmp_path / "plan.txt").write_text("2024\n1. Р\n1.1 Г\n1.1.1 Показатель 1\n", encoding="utf-8")
    # An unknown cluster is a usage error, as in every command: exit 2, the known ids listed.
    assert main(["import-plan", str(tmp_path / "plan.txt"), "--cluster", "nope", "--raw", str(raw)]) == 2
    assert "unknown cluster 'nope'; the registry lists: " in capsys.readouterr().err


def test_diff_lines_name_each_cell_mark_changed_words_and_give_added_rows_targets():
    new = frame("""
        kind,code,programme_code,title,2024,2025,2026
        section,1,,Раздел,,,
        group,1.1,,Группа,,,
        indicator,1.1.1,,Показатель,,,
        programme,1.1.1,38.02.01,Экономика,1,-,Да
        programme,1.1.1,40.02.02,Право,1,-,-
        indicator,1.1.2,,Запуск образовательных программ,9,11,10
    """)
    assert diff_lines(OLD, new) == [
        "1.1.1 / 38.02.01 · 2026: - → Да",
        "+ 1.1.1 / 40.02.02 Право: 2024 1, 2025 -, 2026 -",
        "1.1.2 · название: Запуск {+образовательных+} программ",
        "1.1.2 · 2025: 10 → 11",
        "− 1.1.1 / 38.02.04 Коммерция: 2024 1, 2025 -, 2026 -",
    ]
    [added] = [r for r in diff_records(OLD, new) if r["change"] == "added"]
    assert added["targets"] == {"2024": "1", "2025": "-", "2026": "-"}


def test_the_preview_escapes_what_the_document_says(tmp_path):
    from analysis.sources.plan_import.preview import render_preview
    from analysis.sources.plan_import.text import parse_text

    text = "№ п/п\n2024 2025 2026\n1. Раздел <script>alert(1)</script>\n1.1 Группа\n1.1.1 Показатель & ко 1 2 3\n"
    page = render_preview(parse_text(text, "x.txt"), "samara-law")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Показатель &amp; ко" in page and page.count("<tr") == 4
