"""What one spreadsheet row says once its columns are mapped: names, sex, date of birth, place; and what is wrong.

The rules are plain functions so that the preview, the API and the tests use the same ones.
"""

import re
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.validators import hidden_characters
from people.models import BirthDatePrecision, Sex
from people.transliteration import fold_tokens

# Target fields of a list row, in the order the mapping page shows them.
TARGETS: dict[str, Any] = {
    "given": gettext_lazy("Given name"),
    "family": gettext_lazy("Family name"),
    "patronymic": gettext_lazy("Patronymic"),
    "sex": gettext_lazy("Sex"),
    "birth_date": gettext_lazy("Date of birth"),
    "place": gettext_lazy("Place or camp"),
    "document": gettext_lazy("Document number"),
    "note": gettext_lazy("Note"),
}

# Header words (folded: lower case, letters only) that name each target, in English and Russian.
_HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "given": ("givenname", "firstname", "name", "given", "forename", "имя"),
    "family": ("familyname", "surname", "lastname", "family", "фамилия"),
    "patronymic": ("patronymic", "middlename", "fathersname", "отчество"),
    "sex": ("sex", "gender", "пол"),
    "birth_date": ("birthdate", "dateofbirth", "dob", "born", "birth", "yearofbirth", "датарождения", "годрождения"),
    "place": ("place", "camp", "location", "whereabouts", "prison", "место", "лагерь", "местонахождение"),
    "document": ("document", "documentnumber", "passport", "passportnumber", "документ", "номердокумента", "паспорт"),
    "note": ("note", "notes", "comment", "comments", "remarks", "примечание", "комментарий", "примечания"),
}

_SEX_VALUES = {
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "woman": Sex.FEMALE,
    "w": Sex.FEMALE,
    "girl": Sex.FEMALE,
    "ж": Sex.FEMALE,
    "жен": Sex.FEMALE,
    "женский": Sex.FEMALE,
    "женщина": Sex.FEMALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "man": Sex.MALE,
    "boy": Sex.MALE,
    "м": Sex.MALE,
    "муж": Sex.MALE,
    "мужской": Sex.MALE,
    "мужчина": Sex.MALE,
    "u": Sex.UNKNOWN,
    "unknown": Sex.UNKNOWN,
    "?": Sex.UNKNOWN,
    "неизвестно": Sex.UNKNOWN,
}

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DOTTED = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
EARLIEST = date(1900, 1, 1)


def _header_key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """For each target, the first column whose header names it (exact words first, then words it contains)."""
    keys = [_header_key(h) for h in headers]
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for exact in (True, False):
        for target, words in _HEADER_WORDS.items():
            if target in mapping:
                continue
            for index, key in enumerate(keys):
                if index in used or not key:
                    continue
                if (key in words) if exact else any(w in key for w in words if len(w) > 3):
                    mapping[target] = index
                    used.add(index)
                    break
    return mapping


def parse_birth_date(text: str) -> tuple[date | None, str, str | None]:
    """(date, precision, error). Accepts YYYY-MM-DD, DD.MM.YYYY (or DD/MM/YYYY) and a year alone."""
    text = text.strip()
    if not text:
        return None, BirthDatePrecision.UNKNOWN, None
    year_only = _YEAR.match(text)
    if year_only:
        year = int(year_only.group(1))
        return _checked(year, 7, 1, BirthDatePrecision.YEAR, text)
    iso, dotted = _ISO.match(text), _DOTTED.match(text)
    if iso:
        return _checked(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)), BirthDatePrecision.DAY, text)
    if dotted:
        return _checked(int(dotted.group(3)), int(dotted.group(2)), int(dotted.group(1)), BirthDatePrecision.DAY, text)
    return (
        None,
        BirthDatePrecision.UNKNOWN,
        _("The date of birth “%(value)s” is not in a known format.") % {"value": text},
    )


def _checked(year: int, month: int, day: int, precision: str, text: str) -> tuple[date | None, str, str | None]:
    today = timezone.localdate()
    try:
        value = date(year, month, day)
    except ValueError:
        return None, BirthDatePrecision.UNKNOWN, _("The date of birth “%(value)s” does not exist.") % {"value": text}
    if year > today.year or (precision == BirthDatePrecision.DAY and value > today):
        return None, BirthDatePrecision.UNKNOWN, _("The date of birth “%(value)s” is in the future.") % {"value": text}
    if value < EARLIEST:
        return None, BirthDatePrecision.UNKNOWN, _("The date of birth “%(value)s” is before 1900.") % {"value": text}
    if value > today:  # a year alone, this year: the middle of the year is still to come
        value = date(year, 1, 1)
    return value, precision, None


def parse_row(cells: list[str], mapping: dict[str, int]) -> tuple[dict[str, Any], list[str]]:
    """The row's values by target field, and the reasons it cannot be imported (empty when it can)."""

    def cell(target: str) -> str:
        index = mapping.get(target)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    data: dict[str, Any] = {t: cell(t) for t in TARGETS}
    errors: list[str] = []
    if not (fold_tokens(data["given"]) or fold_tokens(data["family"])):
        errors.append(_("The name is missing."))
    for target in ("given", "family", "patronymic", "document"):
        hidden = hidden_characters(data[target])
        if hidden:
            errors.append(
                _("The %(column)s holds invisible or text-direction characters (%(characters)s).")
                % {"column": str(TARGETS[target]).lower(), "characters": ", ".join(hidden)}
            )
    sex_text = data["sex"].lower().strip(" .")
    if sex_text and sex_text not in _SEX_VALUES:
        errors.append(_("The sex “%(value)s” is not a known value (use F or M).") % {"value": data["sex"]})
    data["sex"] = _SEX_VALUES.get(sex_text, Sex.UNKNOWN)
    born, precision, date_error = parse_birth_date(data["birth_date"])
    if date_error:
        errors.append(date_error)
    data["birth_date"] = born.isoformat() if born else ""
    data["birth_date_precision"] = precision
    data["folded"] = " ".join(fold_tokens(" ".join((data["given"], data["patronymic"], data["family"]))))
    return data, errors


def duplicate_key(data: dict[str, Any]) -> tuple[str, str]:
    """Two rows with the same folded name and date of birth are the same row written twice."""
    return " ".join(sorted(data.get("folded", "").split())), data.get("birth_date", "")


def script_of(text: str) -> str:
    """The script a name is written in, by its letters: Cyrillic, Arabic, else Latin."""
    for ch in text:
        if "\u0400" <= ch <= "\u04ff":
            return "cyrl"
        if "\u0600" <= ch <= "\u06ff":
            return "arab"
    return "latn"
