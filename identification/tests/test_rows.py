"""Row rules: column guessing in English and Russian, dates in several formats, each reason a row is refused."""

from datetime import date

import pytest

from identification import rows
from identification.tests.conftest import HEADER

MAPPING = rows.guess_mapping(HEADER)


def test_columns_are_guessed_from_english_headers() -> None:
    assert MAPPING == {
        "family": 0,
        "given": 1,
        "patronymic": 2,
        "sex": 3,
        "birth_date": 4,
        "place": 5,
        "document": 6,
        "note": 7,
    }


def test_columns_are_guessed_from_russian_headers() -> None:
    headers = ["№", "Фамилия", "Имя", "Отчество", "Пол", "Дата рождения", "Лагерь", "Номер документа", "Примечание"]
    assert rows.guess_mapping(headers) == {
        "family": 1,
        "given": 2,
        "patronymic": 3,
        "sex": 4,
        "birth_date": 5,
        "place": 6,
        "document": 7,
        "note": 8,
    }


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("1990-03-12", date(1990, 3, 12), "day"),
        ("12.03.1990", date(1990, 3, 12), "day"),
        ("12/03/1990", date(1990, 3, 12), "day"),
        ("1990", date(1990, 7, 1), "year"),
        ("", None, "unknown"),
    ],
)
def test_dates_of_birth_in_each_format(text: str, expected: date | None, precision: str) -> None:
    value, got_precision, error = rows.parse_birth_date(text)
    assert (value, got_precision, error) == (expected, precision, None)


def _errors(cells: list[str]) -> list[str]:
    return rows.parse_row(cells, MAPPING)[1]


def test_a_good_row_has_no_errors_and_reads_russian_sex() -> None:
    data, errors = rows.parse_row(["Сейтказиева", "Айгерим", "", "ж", "12.03.1990", "", "", ""], MAPPING)
    assert errors == []
    assert data["sex"] == "F" and data["birth_date"] == "1990-03-12" and data["folded"] == "aigerim seitkazieva"


def test_a_row_without_a_name_is_refused() -> None:
    assert _errors(["", "", "", "F", "1990", "", "", ""]) == ["The name is missing."]


@pytest.mark.parametrize("text", ["31.02.1990", "1990-13-01", "2999-01-01", "1850", "03.1990"])
def test_a_row_with_an_impossible_date_is_refused(text: str) -> None:
    errors = _errors(["Nurlanova", "Aigerim", "", "F", text, "", "", ""])
    assert len(errors) == 1 and "date of birth" in errors[0]


def test_a_row_with_an_unknown_sex_is_refused() -> None:
    errors = _errors(["Nurlanova", "Aigerim", "", "X?", "1990", "", "", ""])
    assert errors == ["The sex “X?” is not a known value (use F or M)."]


def test_the_script_of_a_name_is_read_from_its_letters() -> None:
    assert rows.script_of("Айгерим") == "cyrl"
    assert rows.script_of("Aigerim") == "latn"
    assert rows.script_of("عائشة") == "arab"
