"""Reading uploads: CSV in several encodings and XLSX, decided by the contents; bad files refused."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from identification import spreadsheet
from identification.tests.conftest import HEADER, csv_upload, xlsx_upload


def _message(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.message_dict["file"])


def test_a_cp1251_csv_is_read_with_its_cyrillic_names() -> None:
    upload = csv_upload([["Сейтказиева", "Айгерим", "", "ж", "12.03.1990", "Аль-Холь", "", ""]], encoding="cp1251")
    _data, sheet = spreadsheet.read_upload(upload)
    assert sheet.kind == "csv"
    assert sheet.headers == HEADER
    assert sheet.rows[0] == (2, ["Сейтказиева", "Айгерим", "", "ж", "12.03.1990", "Аль-Холь", "", ""])


def test_a_utf8_csv_with_a_byte_order_mark_loses_the_mark() -> None:
    upload = SimpleUploadedFile("x.csv", "\ufeffFamily name,Given name\nСейтказиева,Айгерим\n".encode())
    _data, sheet = spreadsheet.read_upload(upload)
    assert sheet.headers == ["Family name", "Given name"]
    assert sheet.rows == [(2, ["Сейтказиева", "Айгерим"])]


def test_an_xlsx_workbook_is_read_whatever_its_name() -> None:
    upload = xlsx_upload([["Seitkazieva", "Aigerim", None, "F", 1990, "al-Hol", None, None]])
    upload.name = "list.csv"  # the name lies: the contents decide
    _data, sheet = spreadsheet.read_upload(upload)
    assert sheet.kind == "xlsx"
    assert sheet.rows == [(2, ["Seitkazieva", "Aigerim", "", "F", "1990", "al-Hol", "", ""])]


def test_empty_lines_are_left_out_and_line_numbers_kept() -> None:
    upload = csv_upload([["A", "B", "", "", "", "", "", ""], ["", "", "", "", "", "", "", ""], ["C", "D"] + [""] * 6])
    _data, sheet = spreadsheet.read_upload(upload)
    assert [n for n, _cells in sheet.rows] == [2, 4]


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",  # an image
        b"%PDF-1.4 \x00\x01\x02 binary",  # a PDF
        b"PK\x03\x04 not really a zip",  # starts like a ZIP
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(content: bytes) -> None:
    with pytest.raises(ValidationError) as error:
        spreadsheet.read_upload(SimpleUploadedFile("list.xlsx", content))
    assert "not a spreadsheet" in _message(error)


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    with pytest.raises(ValidationError) as error:
        spreadsheet.read_upload(SimpleUploadedFile("list.xlsx", buffer.getvalue()))
    assert "not a spreadsheet" in _message(error)


def test_a_file_over_five_megabytes_is_refused() -> None:
    big = b"Family name,Given name\n" + b"Nurlanova,Aigerim\n" * 300_000
    assert len(big) > spreadsheet.MAX_BYTES
    with pytest.raises(ValidationError) as error:
        spreadsheet.read_upload(SimpleUploadedFile("list.csv", big))
    assert "larger than" in _message(error)


def test_a_file_over_five_thousand_rows_is_refused() -> None:
    text = "Family name,Given name\n" + "".join(f"Nurlanova{i},Aigerim\n" for i in range(5_001))
    with pytest.raises(ValidationError) as error:
        spreadsheet.read_upload(SimpleUploadedFile("list.csv", text.encode()))
    assert "more than 5000 rows" in _message(error)


def test_five_thousand_rows_are_accepted() -> None:
    text = "Family name,Given name\n" + "".join(f"Nurlanova{i},Aigerim\n" for i in range(5_000))
    _data, sheet = spreadsheet.read_upload(SimpleUploadedFile("list.csv", text.encode()))
    assert len(sheet.rows) == 5_000


def test_an_empty_file_and_a_header_alone_are_refused() -> None:
    with pytest.raises(ValidationError):
        spreadsheet.read_upload(SimpleUploadedFile("list.csv", b""))
    with pytest.raises(ValidationError) as error:
        spreadsheet.read_upload(SimpleUploadedFile("list.csv", b"Family name,Given name\n"))
    assert "no rows" in _message(error)


def test_a_workbook_that_unpacks_to_a_huge_size_is_refused_before_it_is_read() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"\0" * (spreadsheet.MAX_UNPACKED + 1))
    assert len(buffer.getvalue()) < spreadsheet.MAX_BYTES
    with pytest.raises(ValidationError) as error:
        spreadsheet.read_upload(SimpleUploadedFile("list.xlsx", buffer.getvalue()))
    assert "unpacks to more than" in _message(error)
