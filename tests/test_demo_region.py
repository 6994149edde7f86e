from __future__ import annotations

import shutil
from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.cli import main
from analysis.demo.region import DEFECTS, DEMO_CLUSTERS, SEED_EMPLOYER, snils, write_demo_region
from analysis.sources import forms
from analysis.sources.participants import load_participants
from analysis.sources.plan import check_plan_rows, read_plan_file
from analysis.sources.registry import load_registry
from conftest import ROOT

SEED = 3


def make_raw(folder):
    raw = folder / "raw"
    (raw / "plans").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "raw" / "clusters.csv", raw / "clusters.csv")
    shutil.copy(ROOT / "data" / "raw" / "plans" / "samara-law.csv", raw / "plans" / "samara-law.csv")
    return raw


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    raw = make_raw(tmp_path_factory.mktemp("region"))
    written = write_demo_region(raw, SEED)
    return raw, written


def test_the_demo_command_writes_the_same_bytes_for_the_same_seed(region, tmp_path, capsys):
    raw, written = region
    again = make_raw(tmp_path)
    assert main(["demo", "--raw", str(again), "--seed", str(SEED)]) == 0
    output = capsys.readouterr().out
    assert "planted defects" in output
    second = sorted(p for p in again.rglob("*") if p.is_file())
    expected = sorted([*written, raw / "clusters.csv", raw / "plans" / "samara-law.csv"])
    assert [p.relative_to(again) for p in second] == [p.relative_to(raw) for p in expected]
    for first, other in zip(expected, second, strict=True):
        assert first.read_bytes() == other.read_bytes(), first.name
        assert str(other) in output or other.parent == again or other.name == "samara-law.csv"


def test_demo_clusters_are_labelled_and_their_plans_pass_the_plan_checks(region):
    raw, _ = region
    registry = load_registry(raw / "clusters.csv")
    demo = registry[registry["demo"]]
    assert len(demo) >= 5
    assert demo["cluster_id"].str.startswith("demo-").all()
    assert demo["name"].str.endswith(" (демо)").all()
    assert set(demo["region_code"]) == {"63"} and len(set(demo["industry"])) == len(demo)
    seed = read_plan_file(raw / "plans" / "samara-law.csv")
    seed_tree = seed.loc[seed["kind"] != "programme", ["kind", "code"]].to_numpy().tolist()
    for row in demo.itertuples():
        plan = read_plan_file(row.plan_path)
        check_plan_rows(plan)
        assert plan.loc[plan["kind"] != "programme", ["kind", "code"]].to_numpy().tolist() == seed_tree
        codes = plan.loc[plan["kind"] == "programme", "programme_code"].unique()
        assert 3 <= len(codes) <= 5
        assert row.industry in " ".join(plan["title"])


def test_participants_cover_every_cluster_with_colleges_and_employers(region):
    raw, _ = region
    participants = load_participants(raw)
    assert participants["demo"].all()
    counts = participants.groupby(["cluster_id", "org_type"]).size().unstack()
    assert set(counts.index) == {"samara-law", *(c.cluster_id for c in DEMO_CLUSTERS)}
    assert counts["college"].between(2, 5).all() and counts["employer"].between(4, 10).all()
    law = participants[participants["cluster_id"] == "samara-law"]
    assert SEED_EMPLOYER in set(law["organisation"])
    names = " ".join(participants["organisation"])
    assert "«" in names and '"' in names


def test_every_cluster_sent_its_forms_except_the_planted_missing_one(region):
    raw, _ = region
    sent = {p.name for p in (raw / "submissions").iterdir()}
    missing = {d.file.split("/")[-1] for d in DEFECTS if d.kind == "missing_submission"}
    for cluster in ["samara-law", *(c.cluster_id for c in DEMO_CLUSTERS)]:
        for year in (2024, 2025):
            name = forms.submission_name(cluster, year)
            assert (name in sent or forms.submission_folder(cluster, year) in sent) != (name in missing)
    assert len([n for n in sent if "_2026" in n]) >= 2


def test_forms_hold_facts_rosters_pairs_and_enrolment(region):
    raw, _ = region
    book = load_workbook(raw / "submissions" / "demo-chem_2025.xlsx")
    meta = {row[0]: row[1] for row in book[forms.META.title].iter_rows(min_row=2, values_only=True)}
    assert meta["Кластер"] == "demo-chem" and meta["Год"] == 2025 and meta["Заполнил"].endswith("(демо)")
    facts = [row[4] for row in book[forms.INDICATORS.title].iter_rows(min_row=2, values_only=True)]
    assert sum(f is not None for f in facts) > len(facts) / 2
    teachers = pd.DataFrame(
        list(book[forms.TEACHERS.title].iter_rows(min_row=2, values_only=True)), columns=forms.TEACHERS.names
    )
    assert set(teachers["employment"]) == set(forms.EMPLOYMENT_WORDS)
    assert teachers["snils"].notna().any() and teachers["training_completed"].notna().any()
    pairs = list(book[forms.PAIRS.title].iter_rows(min_row=2, values_only=True))
    assert any(p[5] is None for p in pairs) and any(p[5] is not None for p in pairs)
    enrolled = [row[1] for row in book[forms.ENROLMENT.title].iter_rows(min_row=2, values_only=True)]
    assert sum(enrolled) >= 200


def test_the_csv_submission_is_cp1251_with_semicolons(region):
    raw, _ = region
    folder = raw / "submissions" / forms.submission_folder("demo-med", 2024)
    titles = {p.stem for p in folder.glob("*.csv")}
    assert {forms.META.title, *(s.title for s in forms.INPUT_SHEETS)} <= titles
    text = (folder / f"{forms.TEACHERS.title}.csv").read_bytes().decode("cp1251")
    assert text.splitlines()[0] == ";".join(forms.TEACHERS.headings)


def _cell(raw, defect):
    book = load_workbook(raw / defect.file)
    sheet = book[defect.sheet]
    headings = [c.value for c in sheet[1]]
    return sheet, sheet.cell(
        row=defect.row, column=headings.index(defect.column) + 1
    ) if defect.column else None


@pytest.mark.parametrize("defect", DEFECTS, ids=lambda d: f"{d.kind}-{d.file.split('/')[-1]}")
def test_every_listed_defect_is_in_the_files(region, defect):
    raw, _ = region
    if defect.kind == "missing_submission":
        assert not (raw / defect.file).exists()
        return
    sheet, cell = _cell(raw, defect)
    if defect.kind == "duplicated_row":
        row = [c.value for c in sheet[defect.row]]
        assert row == [c.value for c in sheet[defect.row - 1]] and row[0]
        return
    value = cell.value.date() if isinstance(cell.value, datetime) else cell.value
    assert value == defect.value
    if defect.kind == "serial_date":
        assert cell.data_type == "n" and not cell.is_date
    if defect.kind in ("text_date", "decimal_comma"):
        assert cell.data_type == "s"
    if defect.kind == "late_submission":
        assert value > date(2025, 1, 20)
    if defect.kind == "yes_spelling":
        plan = sheet.cell(row=defect.row, column=forms.INDICATORS.names.index("plan") + 1).value
        assert plan.lower() == "да"
    if defect.kind == "specialist_from_college":
        colleges = load_participants(raw).query("org_type == 'college'")["organisation"]
        assert value in set(colleges)


def test_names_appear_only_in_submissions(region):
    raw, _ = region
    names = set()
    for path in (raw / "submissions").glob("*.xlsx"):
        book = load_workbook(path, read_only=True)
        for spec, columns in ((forms.TEACHERS, [0]), (forms.PAIRS, [0, 1])):
            for row in book[spec.title].iter_rows(min_row=2, values_only=True):
                names |= {row[i] for i in columns if row[i]}
    assert len(names) > 100
    for path in raw.rglob("*"):
        if path.is_file() and "submissions" not in path.parts:
            if path.suffix == ".xlsx":
                cells = load_workbook(path, read_only=True).active.iter_rows(values_only=True)
                text = "\n".join(str(v) for row in cells for v in row if v is not None)
            else:
                text = path.read_text(encoding="utf-8")
            assert not [n for n in names if n in text], path


def test_snils_check_numbers_are_valid():
    import numpy as np

    rng = np.random.default_rng(0)
    for value in (snils(rng) for _ in range(50)):
        digits = value.replace("-", "").replace(" ", "")
        total = sum(int(d) * w for d, w in zip(digits[:9], range(9, 0, -1), strict=True))
        assert int(digits[9:]) == total % 101 % 100


def test_the_demo_leaves_real_clusters_and_real_submissions_alone(tmp_path):
    """A real cluster added to the registry, and a real form of the seed cluster: `demo` (which
    `make reports` runs) writes demonstration forms beside them, never over them."""
    from conftest import TINY_PLAN, write_form

    raw = make_raw(tmp_path)
    with (raw / "clusters.csv").open("a", encoding="utf-8") as registry:
        registry.write("tula-law,Настоящий кластер,71,Тульская область,Право,,plans/tula-law.csv\n")
    (raw / "plans" / "tula-law.csv").write_text(TINY_PLAN, encoding="utf-8")
    real = write_form(raw / "submissions" / "samara-law_2025.xlsx", cluster="samara-law", year=2025)
    before = real.read_bytes()
    write_demo_region(raw, seed=3)
    assert real.read_bytes() == before
    assert not list((raw / "submissions").glob("tula-law_*"))
    assert (raw / "submissions" / "samara-law_2024.xlsx").exists()  # the seed cluster's demo forms
