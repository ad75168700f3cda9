"""Files that are not a plain course workbook: each gets a clear message and no course files."""

from __future__ import annotations

import os
import zipfile
from io import BytesIO

from openpyxl import Workbook
from openpyxl.drawing.image import Image

from bot.lessons.workbook import MAX_BYTES, too_big
from bot.lessons.workbook.guard import MAX_UNPACKED
from tests.lessons.workbook.books import SAMPLE, edited, errors, imported, put, starter_book


def zipped(members: dict[str, bytes]) -> bytes:
    output = BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return output.getvalue()


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


NOT_A_WORKBOOK = "This is not an Excel workbook (.xlsx). Open it in Excel and save it as .xlsx."


def test_merged_cells_are_named() -> None:
    found = errors(imported(edited(lambda book: book["Cards"].merge_cells("D2:D3"))))
    assert "Cards!D2:D3: merged cells: unmerge them and put each value in its own cell." in found


def test_a_formula_is_refused_at_its_cell() -> None:
    assert errors(imported(edited(put("Lessons", "F2", "=2+3")))) == [
        "Lessons!F2: a formula: type the value itself (copy, then paste as values only)."
    ]


def test_a_pasted_picture_is_refused() -> None:
    def paste(book: Workbook) -> None:
        book["Cards"].add_image(Image(str(SAMPLE / "media" / "peach.png")), "G2")

    assert errors(imported(edited(paste))) == [
        "Cards: a picture is pasted on the sheet “Cards”. Remove it: write the image's file name "
        "in the cell instead."
    ]


def test_a_picture_in_a_cell_is_refused() -> None:
    members = members_of(starter_book())
    members["xl/richData/rdrichvalue.xml"] = b"<rvData/>"
    members["xl/media/image1.png"] = (SAMPLE / "media" / "peach.png").read_bytes()
    assert errors(imported(zipped(members))) == [
        "A picture is pasted into the workbook. Remove it: write the image's file name in the "
        "cell instead."
    ]


def test_an_empty_row_in_the_middle_is_named() -> None:
    assert errors(imported(edited(lambda book: book["Cards"].insert_rows(5)))) == [
        "Cards!5: row 5 is empty but rows follow it: delete the empty row."
    ]


def test_empty_rows_at_the_end_are_fine() -> None:
    def blank_tail(book: Workbook) -> None:
        sheet = book["Cards"]
        sheet.cell(row=sheet.max_row + 3, column=4).value = ""

    assert imported(edited(blank_tail)).errors == []


def test_a_renamed_sheet_is_unknown_and_its_sheet_missing() -> None:
    def rename(book: Workbook) -> None:
        book["Cards"].title = "My cards"

    assert errors(imported(edited(rename))) == [
        "My cards: unknown sheet “My cards”: was it renamed? Give it back its name or delete it.",
        "the sheet “Cards” is missing: export the course again, or add it back with its name.",
    ]


def test_a_deleted_sheet_is_missing() -> None:
    def delete(book: Workbook) -> None:
        del book["Quiz"]

    assert errors(imported(edited(delete), "es")) == [
        "falta la hoja “Preguntas”: exporte el curso otra vez o vuelva a ponerla con su nombre."
    ]


def test_a_renamed_column_is_named() -> None:
    found = errors(imported(edited(put("Cards", "D1", "Words"))))
    assert found[0] == "Cards!D1: unknown column “Words”: was it renamed? Give it back its name."
    assert found[1] == "Cards!1: the column “Text” is missing: add it back in the first row."


def test_a_file_over_the_cap_is_refused_before_it_is_read() -> None:
    message = "The file is 10.0 MB; a course workbook may be at most 10 MB."
    assert errors(imported(bytes(MAX_BYTES + 1)))[0].startswith(message)
    refused = too_big(50 * 1024 * 1024, "en")
    assert refused is not None and errors(refused)[0].startswith("The file is 50.0 MB")
    assert too_big(MAX_BYTES, "en") is None


def test_random_bytes_a_csv_and_a_word_document_are_not_workbooks() -> None:
    docx = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    csv = b"lesson,card,language,text\ngetting-started,1,en,Hello\n"
    for data in (os.urandom(4096), csv, docx, b""):
        assert errors(imported(data)) == [NOT_A_WORKBOOK]


def test_a_zip_that_only_looks_like_a_workbook_is_not_one() -> None:
    members = members_of(starter_book())
    members["xl/workbook.xml"] = b"<not-a-workbook"
    assert errors(imported(zipped(members))) == [NOT_A_WORKBOOK]


def test_a_macro_enabled_workbook_is_refused() -> None:
    members = members_of(starter_book())
    members["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 macros"
    assert errors(imported(zipped(members))) == [
        "The workbook is macro-enabled (.xlsm). Save it as a plain .xlsx workbook instead."
    ]


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    output = BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = bytes(1024 * 1024)
            for _ in range(MAX_UNPACKED // len(chunk) + 1):
                member.write(chunk)
    data = output.getvalue()
    assert len(data) < MAX_BYTES  # small on the way in
    assert errors(imported(data)) == [
        "The workbook unpacks to far more data than a course holds. Export the course again and "
        "copy your changes into it."
    ]
