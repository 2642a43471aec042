"""English and Russian are complete: every message has a Russian translation, compiled into the .mo file."""

import gettext
import re
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"


def _po_entries(path: Path) -> list[tuple[str, str, bool]]:
    """(msgid, first msgstr, fuzzy) for each entry, joining continuation lines; a msgid with a context is
    "context\x04msgid", as gettext stores it."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block.splitlines())
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[0\])?)\s+"(.*)"$', line)
            if match:
                current = match.group(1).replace("[0]", "")
                fields.setdefault(current, match.group(2))
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
            elif not line.startswith("#"):
                current = None
        if fields.get("msgid"):
            msgid = f"{fields['msgctxt']}\x04{fields['msgid']}" if "msgctxt" in fields else fields["msgid"]
            entries.append((msgid, fields.get("msgstr", ""), fuzzy))
    return entries


def test_every_russian_message_is_translated_and_none_is_fuzzy() -> None:
    entries = _po_entries(LOCALE / "ru" / "LC_MESSAGES" / "django.po")
    assert len(entries) > 400
    assert [m for m, s, _ in entries if not s] == []
    assert [m for m, _, fuzzy in entries if fuzzy] == []


def _unescape(text: str) -> str:
    return text.replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    with (LOCALE / "ru" / "LC_MESSAGES" / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)

    def translated(msgid: str) -> str:
        context, _, text = msgid.rpartition("\x04")
        return catalogue.pgettext(context, _unescape(text)) if context else catalogue.gettext(_unescape(text))

    stale = [
        msgid
        for msgid, msgstr, _ in _po_entries(LOCALE / "ru" / "LC_MESSAGES" / "django.po")
        if translated(msgid) != _unescape(msgstr)
    ]
    assert stale == [], "run: manage.py compilemessages -l ru"


def test_pages_speak_russian(client, caseworker_a) -> None:
    client.force_login(caseworker_a)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Дела по статусам" in page
