"""Data, step 2 of 4: give the timeline lines written before they carried a class the class of what they tell.

Lines are recognised by their kind and the wording the services used, in every language of settings.LANGUAGES
(a summary was written in the language of the user who acted):
- "Whereabouts recorded: …" → location; "Family link recorded", "Household started: …", "Joined household: …"
  → family; "Best-interests decision recorded" → child protection;
- "Note added: <class>" → the class named; "Personal details changed: <fields>" → contact when every field
  named is a contact field (phone, address).
What it cannot classify stays identity, the class of the case: opening, state changes and their reasons,
assignments, names, documents, photos, scans, consent receipts, anonymisation (all identity anyway), a line
whose wording was changed since or translated by a catalogue no longer shipped, a "Personal details changed"
line naming both contact and identity fields (it names the fields, never their values), and a summary cut at
300 characters before its class word. Runs on the plaintext, before 0009 encrypts it.
"""

import re

from django.conf import settings
from django.db import migrations
from django.utils import translation

CLASS_LABELS = {
    "identity": "Identity",
    "contact": "Contact",
    "location": "Location",
    "family": "Family",
    "legal": "Legal and criminal status",
    "medical": "Medical",
    "psychological": "Psychological",
    "genetic": "Genetic",
    "child_protection": "Child protection",
}
RECORD_LINES = {
    "Whereabouts recorded: %(place)s": "location",
    "Family link recorded": "family",
    "Household started: %(name)s": "family",
    "Joined household: %(name)s": "family",
    "Best-interests decision recorded": "child_protection",
}
DETAILS_LINE = "Personal details changed: %(fields)s"
NOTE_LINE = "Note added: %(kind)s"
CONTACT_FIELDS = {"phone", "address"}
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _pattern(template: str) -> re.Pattern[str]:
    parts = [re.escape(part) for part in PLACEHOLDER.split(template)]
    return re.compile("(.*)".join(parts), re.DOTALL)


def _in_every_language(msgid: str) -> list[str]:
    found = {msgid}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(translation.gettext(msgid))
    return sorted(found)


def _classifier():
    records = [(_pattern(t), klass) for msgid, klass in RECORD_LINES.items() for t in _in_every_language(msgid)]
    details = [_pattern(t) for t in _in_every_language(DETAILS_LINE)]
    notes = [_pattern(t) for t in _in_every_language(NOTE_LINE)]
    labels = {label: klass for klass, msgid in CLASS_LABELS.items() for label in _in_every_language(msgid)}

    def classify(kind: str, summary: str) -> str:
        if kind == "note":
            for pattern in notes:
                match = pattern.fullmatch(summary)
                if match and match.group(1) in labels:
                    return labels[match.group(1)]
            return "identity"
        if kind != "record_changed":
            return "identity"
        for pattern, klass in records:
            if pattern.fullmatch(summary):
                return klass
        for pattern in details:
            match = pattern.fullmatch(summary)
            if match and {f.strip() for f in match.group(1).split(",")} <= CONTACT_FIELDS:
                return "contact"
        return "identity"

    return classify


def classify_lines(apps, schema_editor):
    CaseEvent = apps.get_model("casework", "CaseEvent")
    classify = _classifier()
    by_class: dict[str, list[int]] = {}
    rows = CaseEvent.objects.filter(kind__in=["record_changed", "note"]).order_by("pk")
    for pk, kind, summary in rows.values_list("pk", "kind", "summary").iterator(chunk_size=2000):
        klass = classify(kind, str(summary or ""))
        if klass != "identity":
            by_class.setdefault(klass, []).append(pk)
    for klass, ids in by_class.items():
        for start in range(0, len(ids), 500):
            CaseEvent.objects.filter(pk__in=ids[start : start + 500]).update(data_class=klass)


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0008_caseevent_class_and_encryption_fields"),
    ]

    operations = [
        migrations.RunPython(classify_lines, migrations.RunPython.noop),
    ]
