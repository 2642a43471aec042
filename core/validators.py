"""Validators of names and identifiers: no character that changes how a text looks without being seen.

A right-to-left override (U+202E) before "321" makes the text after it show as "123"; a zero-width space
makes two names that look the same differ, so a duplicate check, a search or a reader is fooled. Names and
identifiers (person names, document and case numbers, place, agency, team, centre and operation names...)
refuse every format (Cf), control (Cc), surrogate (Cs), private-use (Co) and line or paragraph separator
(Zl, Zp) character.

One exception, the zero-width non-joiner (U+200C): Persian, Kurdish and other Arabic-script names need it
to keep two letters apart (Mohammad-reza written in Persian). It is accepted between two letters only,
where it does its work; at the start, at the end, doubled or next to a space it only hides (docs/decisions/0037).
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ZWNJ = "\u200c"
REFUSED_CATEGORIES = frozenset({"Cf", "Cc", "Cs", "Co", "Zl", "Zp"})


def _is_letter(char: str) -> bool:
    return unicodedata.category(char)[0] in ("L", "M")  # a letter, or a mark on one (Arabic vowel signs)


def hidden_characters(value: str) -> list[str]:
    """The code points of `value` that a name may not hold, as "U+202E", in order, each once."""
    found: list[str] = []
    for index, char in enumerate(value):
        if unicodedata.category(char) not in REFUSED_CATEGORIES:
            continue
        if (
            char == ZWNJ
            and 0 < index < len(value) - 1
            and _is_letter(value[index - 1])
            and _is_letter(value[index + 1])
        ):
            continue
        code = f"U+{ord(char):04X}"
        if code not in found:
            found.append(code)
    return found


def refuse_hidden_characters(value: object) -> None:
    """Field validator of names and identifiers (models, forms and serializers use the same one)."""
    if not isinstance(value, str):
        return
    found = hidden_characters(value)
    if found:
        raise ValidationError(
            _(
                "Remove the invisible or text-direction characters (%(characters)s): "
                "they make a name look like another."
            ),
            code="hidden_characters",
            params={"characters": ", ".join(found)},
        )


MAX_LANGUAGES = 20


def refuse_bad_names_by_language(value: object) -> None:
    """A `names` JSON field of reference data ({"ru": "Аль-Холь", "ar": "الهول"}): a small object of language
    codes to names, each a name like any other. Anything else stored there would reach every page that shows it."""
    if not isinstance(value, dict):
        raise ValidationError(_('Give the names as {"language code": "name", ...}.'), code="names_shape")
    if len(value) > MAX_LANGUAGES:
        raise ValidationError(_("At most %(limit)d languages."), code="names_count", params={"limit": MAX_LANGUAGES})
    for language, name in value.items():
        if not (isinstance(language, str) and 2 <= len(language) <= 10 and language.replace("-", "").isalpha()):
            raise ValidationError(
                _("“%(language)s” is not a language code."),
                code="names_language",
                params={"language": str(language)[:20]},
            )
        if not isinstance(name, str) or not 0 < len(name) <= 200:
            raise ValidationError(_("Each name is a text of at most 200 characters."), code="names_value")
        refuse_hidden_characters(name)
