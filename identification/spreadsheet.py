"""Reading an uploaded list: CSV or XLSX, decided by the contents (never by the name), within fixed limits.

An XLSX file is a ZIP archive and starts with "PK"; anything else must be text: UTF-8 (with or without a byte order
mark) or, failing that, Windows-1251, the usual encoding of Cyrillic spreadsheets saved on older systems.
"""

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
MAX_COLUMNS = 50
MAX_CELL = 300  # characters kept of one cell
# A workbook is compressed: 5 MB may unpack to gigabytes (a "zip bomb"). Refused before openpyxl opens it.
MAX_UNPACKED = 100 * 1024 * 1024


@dataclass(frozen=True)
class Sheet:
    kind: str  # "csv" or "xlsx"
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line number in the file, cells), empty lines left out


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def read_upload(upload: Any) -> tuple[bytes, Sheet]:
    """The file's bytes and its rows, or ValidationError({"file": ...}) naming what is wrong."""
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse(_("The file is larger than %(limit)s.") % {"limit": filesizeformat(MAX_BYTES)})
    if not data:
        raise _refuse(_("The file is empty."))
    sheet = _read_xlsx(data) if data.startswith(b"PK") else _read_csv(data)
    if not sheet.headers or not any(sheet.headers):
        raise _refuse(_("The first line must hold the column names."))
    if not sheet.rows:
        raise _refuse(_("The file has column names but no rows."))
    return data, sheet


def _too_many_rows() -> ValidationError:
    return _refuse(_("The file has more than %(limit)d rows. Split it into smaller files.") % {"limit": MAX_ROWS})


def _not_a_spreadsheet() -> ValidationError:
    return _refuse(_("This file is not a spreadsheet. Upload a CSV file or an Excel workbook (.xlsx)."))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()[:MAX_CELL]


def _collect(lines: Any) -> tuple[list[str], list[tuple[int, list[str]]]]:
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, raw in enumerate(lines, start=1):
        cells = [_cell(v) for v in list(raw)[:MAX_COLUMNS]]
        if headers is None:
            if any(cells):
                headers = cells
            continue
        if not any(cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise _too_many_rows()
        rows.append((number, cells))
    return headers or [], rows


def _read_csv(data: bytes) -> Sheet:
    if b"\x00" in data:
        raise _not_a_spreadsheet()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1251", errors="strict") if _is_cp1251(data) else ""
        if not text:
            raise _not_a_spreadsheet() from None
    if any(ord(c) < 32 and c not in "\t\r\n" for c in text[:4096]):
        raise _not_a_spreadsheet()
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        headers, rows = _collect(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error:
        raise _not_a_spreadsheet() from None
    return Sheet("csv", headers, rows)


def _is_cp1251(data: bytes) -> bool:
    try:
        data.decode("cp1251")
    except UnicodeDecodeError:
        return False
    return True


def _read_xlsx(data: bytes) -> Sheet:
    from openpyxl import load_workbook  # imported here: only uploads of workbooks pay for it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _not_a_spreadsheet() from None
    if unpacked > MAX_UNPACKED:
        raise _refuse(_("This workbook unpacks to more than %(limit)s.") % {"limit": filesizeformat(MAX_UNPACKED)})
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise _not_a_spreadsheet() from None
    except Exception:  # openpyxl raises its own types for archives that are not workbooks
        raise _not_a_spreadsheet() from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise _not_a_spreadsheet()
        headers, rows = _collect(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()
    return Sheet("xlsx", headers, rows)
