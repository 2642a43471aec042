"""Fixtures of the identification tests: a list of agency A and spreadsheet files built in memory."""

import io
from collections.abc import Callable
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from access.models import User
from identification import services
from identification.models import IdentificationList

HEADER = ["Family name", "Given name", "Patronymic", "Sex", "Date of birth", "Camp", "Passport", "Note"]


@pytest.fixture
def id_list(caseworker_a: User) -> IdentificationList:
    return services.list_create(
        actor=caseworker_a,
        name="Partner authority list 2019",
        source_kind="partner_authority",
        received_on=date(2019, 2, 1),
        default_confidence="probable",
    )


def csv_upload(
    rows: list[list[str]], *, encoding: str = "utf-8", header: list[str] | None = None
) -> SimpleUploadedFile:
    lines = [header or HEADER, *rows]
    text = "\r\n".join(";".join(cells) for cells in lines) + "\r\n"
    return SimpleUploadedFile("list.csv", text.encode(encoding), content_type="text/csv")


def xlsx_upload(rows: list[list[object]], header: list[str] | None = None) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header or HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("list.xlsx", buffer.getvalue(), content_type="application/octet-stream")


@pytest.fixture
def make_csv() -> Callable[..., SimpleUploadedFile]:
    return csv_upload
