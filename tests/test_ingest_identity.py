"""A submission's identity read where it is unambiguous — any case, spaces around the name, look-
alike Cyrillic and Latin letters, «2025 г.» — and, where it is refused, a message that shows the
difference the eye cannot see. A refused file still counts as received: «получен, не принят»."""

from __future__ import annotations

import re

import pytest
from test_hostile_inputs import AS_OF, Run, clean, form_writer  # noqa: F401

from analysis.sources.lookalike import difference


def _sheet_renamed(old: str, new: str, **options):
    def write(path):
        from openpyxl import load_workbook

        form_writer(**options)(path)
        book = load_workbook(path)
        book[old].title = new
        book.save(path)

    return write


# (case, file name, writer): each is tiny-it's 2025 form, read whole.
TOLERATED = [
    ("upper-case-name", "TINY-IT_2025.xlsx", form_writer(cluster="tiny-it", year=2025)),
    ("space-after-xlsx", "tiny-it_2025.xlsx ", form_writer(cluster="tiny-it", year=2025)),
    ("space-before-name", " tiny-it_2025.xlsx", form_writer(cluster="tiny-it", year=2025)),
    ("cyrillic-i-in-name", "tiny-\u0456t_2025.xlsx", form_writer(cluster="tiny-it", year=2025)),
    ("cyrillic-letters-in-sheet", "tiny-it_2025.xlsx", form_writer(cluster="t\u0456ny-\u0456t", year=2025)),
    ("upper-case-in-sheet", "tiny-it_2025.xlsx", form_writer(cluster=" TINY-IT ", year=2025)),
    ("year-with-g", "tiny-it_2025.xlsx", form_writer(cluster="tiny-it", year="2025 г.")),
    ("year-as-float", "tiny-it_2025.xlsx", form_writer(cluster="tiny-it", year=2025.0)),
    ("space-between", "tiny-it 2025.xlsx", form_writer(cluster="tiny-it", year=2025)),
    (
        "latin-c-in-sheet-title",
        "tiny-it_2025.xlsx",
        _sheet_renamed("Сведения", "Cведения", cluster="tiny-it", year=2025),
    ),
    (
        "latin-letters-in-data-sheet-title",
        "tiny-it_2025.xlsx",
        _sheet_renamed("Набор", "Ha6op", cluster="tiny-it", year=2025),
    ),
]


@pytest.mark.parametrize(("case", "name", "write"), TOLERATED, ids=[c[0] for c in TOLERATED])
def test_an_unambiguous_identity_is_read(clean, tmp_path, capsys, case, name, write):  # noqa: F811
    run = Run(clean, tmp_path, capsys, name, write)
    if case == "latin-letters-in-data-sheet-title":
        # «Ha6op» has a «6» for «б»: not a look-alike letter, so the sheet is missing — said so.
        assert run.entry["status"] == "unreadable" and "нет листов: Набор" in run.entry["message"]
        return
    assert run.entry["status"] == "read", run.entry["message"]
    assert (run.entry["cluster_id"], run.entry["year"], run.entry["rows_accepted"]) == ("tiny-it", 2025, 4)
    assert not run.lines()
    run.check_others_untouched(("tiny-it", 2025))


def test_a_refusal_shows_the_letter_that_differs(clean, tmp_path, capsys):  # noqa: F811
    # A Greek iota in «Кластер»: it looks like «i» and is no Latin or Cyrillic look-alike we fold.
    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", form_writer(cluster="tiny-\u03b9t", year=2025))
    [line] = run.lines()
    assert "имя файла называет tiny-it 2025, а лист «Сведения» — tiny-\u03b9t 2025" in line
    assert "(различие — знак 6: «i» (U+0069, латиница) против «\u03b9» (U+03B9, греческая буква))" in line
    assert run.entry["status"] == "rejected"


def test_a_refused_file_counts_as_received_not_taken_with_its_name_s_cluster_year(clean, tmp_path, capsys):  # noqa: F811
    run = Run(clean, tmp_path, capsys, "tiny-it_2025.xlsx", form_writer(cluster="tiny-law", year=2025))
    assert (run.entry["status"], run.entry["cluster_id"], run.entry["year"]) == ("rejected", "tiny-it", 2025)
    from analysis.reports import cluster
    from analysis.site.validation_page import render_validation_page

    cy = cluster.load(tmp_path / "processed", "tiny-it", 2025, AS_OF)
    assert cy.submission["state"] == "refused"
    assert "получен, не принят" in cluster.summary_text(cy).data
    assert "tiny-it_2025.xlsx" in cy.sources["file"].tolist()
    page = re.sub(r"<[^>]+>", " ", render_validation_page(tmp_path / "processed"))
    row = re.sub(r"\s+", " ", page[page.index("tiny-it_2025.xlsx") :][:300])
    assert row.startswith("tiny-it_2025.xlsx tiny-it 2025"), row


def test_an_old_xls_named_for_a_cluster_year_is_received_not_taken(clean, tmp_path, capsys):  # noqa: F811
    run = Run(
        clean,
        tmp_path,
        capsys,
        "tiny-it_2025.xls",
        lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600),
    )
    assert (run.entry["status"], run.entry["cluster_id"], run.entry["year"]) == (
        "unreadable",
        "tiny-it",
        2025,
    )


def test_difference_names_code_points():
    assert difference("samara-law", "s\u0430mara-law") == (
        "знак 2: «a» (U+0061, латиница) против «а» (U+0430, кириллица)"
    )
    assert difference("2025", "2025 ") == "знак 5: лишний « » (U+0020, пробел)"
    assert difference("x", "x") == ""
