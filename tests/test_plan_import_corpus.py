"""A corpus of renderings of the seed plan and of a made-up plan of another shape, each made
here the way staff make Appendix 2 (text layers, browser copies, pdftotext, Word tables of
several shapes, spreadsheets) and imported back: every one gives the plan cell by cell, or is
refused with a Russian message naming the place."""

from __future__ import annotations

import shutil
import subprocess

import pandas as pd
import plan_renderings as r
import pytest

from analysis.sources.plan import read_plan_file
from analysis.sources.plan_import.assemble import SourceError
from analysis.sources.plan_import.docx import read_docx_file
from analysis.sources.plan_import.sheet import is_federal_sheet, read_sheet_file
from analysis.sources.plan_import.text import parse_text, read_text_file
from conftest import SEED_PLAN

SEED = read_plan_file(SEED_PLAN)
PLANS = {"seed": SEED, "other": r.OTHER_PLAN}
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")


def same(result, truth: pd.DataFrame) -> None:
    """The import equals the truth cell by cell, and nothing stops it."""
    assert result.problems == []
    pd.testing.assert_frame_equal(
        result.plan.reset_index(drop=True), truth.reset_index(drop=True), check_dtype=False
    )


@pytest.fixture(params=sorted(PLANS))
def plan(request) -> pd.DataFrame:
    return PLANS[request.param]


@pytest.mark.parametrize("width", [30, 60, 200])
@pytest.mark.parametrize("apart", [True, False])
def test_text_layers(plan, width, apart):
    same(parse_text(r.text_layer(plan, width, apart), "layer.txt"), plan)


@pytest.mark.parametrize("code_apart", [True, False])
@pytest.mark.parametrize("strip", [True, False])
def test_browser_copies_with_tabs(plan, code_apart, strip):
    result = parse_text(r.tab_copy(plan, code_apart, strip), "copy.txt")
    same(result, plan)


def test_a_browser_copy_in_cp1251_with_crlf(tmp_path):
    path = tmp_path / "copy.txt"
    path.write_bytes(r.tab_copy(SEED).replace("\n", "\r\n").encode("cp1251"))
    same(read_text_file(path), SEED)


@pytest.mark.parametrize(
    "header",
    [
        "Значение по итогам года\n{0} год {1} год {2} год",
        "Значение по итогам года\n{0} {1} {2}\nгод год год",
        "Значение показателя\nна {0} год\nна {1} год\nна {2} год",
        "{0}\nгод\n{1}\nгод\n{2}\nгод",
    ],
)
def test_year_headers_as_documents_write_them(header):
    years = r.years_of(SEED)
    same(parse_text(r.text_layer(SEED, header=header.format(*years)), "h.txt"), SEED)


def test_programmes_as_bullets():
    text = r.text_layer(r.OTHER_PLAN, 200, False)
    for code in ("15.02.10", "09.02.07"):
        text = text.replace(f"\n{code} ", f"\n– {code} ")
    same(parse_text(text, "bullets.txt"), r.OTHER_PLAN)


def test_a_signature_block_after_the_plan_is_left_out_with_a_note(plan):
    result = parse_text(r.with_signatures(r.text_layer(plan)), "signed.txt")
    same(result, plan)
    assert any("СОГЛАСОВАНО" in n and "не прочитаны" in n for n in result.notes)


@pytest.mark.skipif(CHROMIUM is None or PDFTOTEXT is None, reason="needs chromium and pdftotext")
@pytest.mark.parametrize("layout", [True, False])
def test_pdftotext_of_a_printed_plan(plan, layout, tmp_path):
    from test_plan_import_pdf import plan_html, print_to_pdf

    page = tmp_path / "plan.html"
    page.write_text(plan_html(plan), encoding="utf-8")
    pdf = print_to_pdf(page, tmp_path / "plan.pdf")
    out = tmp_path / "plan.txt"
    subprocess.run([PDFTOTEXT, *(["-layout"] if layout else []), str(pdf), str(out)], check=True)
    try:
        result = read_text_file(out)
    except SourceError as refused:  # plain pdftotext may put a page's rows out of order
        assert not layout, refused
        assert len(refused.line()) < 200 and "plan.txt" in refused.line()
        return
    same(result, plan)


# ---------------------------------------------------------------- Word


def test_word_plain_table(plan, tmp_path):
    same(read_docx_file(r.docx_plain(plan, tmp_path / "p.docx")), plan)


@pytest.mark.parametrize("style", [lambda y: f"{y} год", lambda y: f"на {y} год", lambda y: f"{y}\nгод"])
def test_word_year_headings(style, tmp_path):
    same(read_docx_file(r.docx_plain(SEED, tmp_path / "p.docx", style)), SEED)


def test_word_content_controls_are_read_and_placeholders_are_empty(plan, tmp_path):
    result = read_docx_file(r.docx_content_controls(plan, tmp_path / "form.docx"))
    same(result, plan)
    assert result.cells_read == int((plan.iloc[:, 4:] != "").sum().sum())


def test_word_tracked_changes_take_the_insertion_and_say_so(tmp_path):
    result = read_docx_file(r.docx_tracked(SEED, tmp_path / "t.docx", "1.1.4", "2026", "12"))
    same(result, SEED)
    assert [n.split(": ", 1)[1] for n in result.notes] == [
        "удаление «12» (исправление) не учтено",
        "вставка «10» (исправление) принята",
    ]


def test_word_superscript_footnote_is_not_part_of_the_value(tmp_path):
    result = read_docx_file(r.docx_footnote(SEED, tmp_path / "f.docx", "1.1.4", "2024"))
    same(result, SEED)
    assert result.plan.loc[result.plan["code"].eq("1.1.4"), "2024"].tolist() == ["9"]
    assert any("1.1.4 · 2024: знак сноски «¹»" in n for n in result.notes)


def test_word_programmes_in_nested_tables(plan, tmp_path):
    same(read_docx_file(r.docx_nested(plan, tmp_path / "n.docx")), plan)


def test_word_result_group_in_its_own_merged_column(plan, tmp_path):
    same(read_docx_file(r.docx_group_column(plan, tmp_path / "g.docx")), plan)


def test_word_programme_code_column(plan, tmp_path):
    same(read_docx_file(r.docx_programme_column(plan, tmp_path / "c.docx")), plan)


def test_word_programmes_as_paragraphs_in_one_cell(plan, tmp_path):
    same(read_docx_file(r.docx_paragraphs(plan, tmp_path / "para.docx")), plan)


@pytest.mark.parametrize("same_width", [True, False])
def test_word_signature_table_after_the_plan_is_left_out(same_width, tmp_path):
    path = tmp_path / "s.docx"
    if same_width:
        r.docx_signature_same_width(SEED, path)
    else:
        r.docx_plain(SEED, path, signature=True)
    result = read_docx_file(path)
    same(result, SEED)
    assert any("таблица 2" in n for n in result.notes)


# ---------------------------------------------------------------- spreadsheets


@pytest.mark.parametrize("numbers", [True, False])
def test_xlsx_retyped(plan, numbers, tmp_path):
    path = r.xlsx_retyped(plan, tmp_path / "plan.xlsx", numbers)
    assert not is_federal_sheet(path)
    same(read_sheet_file(path), plan)


@pytest.mark.parametrize(("delimiter", "encoding"), [(";", "cp1251"), (",", "utf-8"), (";", "utf-8-sig")])
def test_csv_retyped(plan, delimiter, encoding, tmp_path):
    path = r.csv_retyped(plan, tmp_path / "plan.csv", delimiter, encoding)
    same(read_sheet_file(path), plan)
