# Data, step 2 of 3 of encrypting the special-category fields of reception: give vaccinations and growth
# measurements their row_uid, copy each test's kind and each quarantine's place into kind_ref and place_ref,
# and encrypt every value still in clear.
# core.crypto is called directly (core is not an app with models). Running it twice changes nothing.

import uuid

from django.db import migrations

from core.crypto import binding, decrypt, encrypt, is_encrypted, stored_values

ENCRYPTED = {
    "legalassessment": ["authority", "valid_until"],
    "quarantine": ["place_ref", "starts_on", "ends_on"],
    "medicaltest": ["kind_ref", "taken_on", "result_on"],
    "vaccination": ["given_on", "batch"],
    "treatment": ["kind", "referred_to", "on"],
    "growthmeasurement": [
        "measured_on",
        "weight_kg",
        "height_cm",
        "position",
        "muac_cm",
        "oedema",
        "age_days",
        "waz",
        "haz",
        "whz",
        "baz",
        "z_notes",
        "acute_malnutrition",
        "stunting",
        "underweight",
    ],
}
# A boolean column turned text reads "true"/"false" on PostgreSQL and "1"/"0" on SQLite.
BOOLEANS = {"1": "true", "0": "false", "t": "true", "f": "false", "true": "true", "false": "false"}


def give_row_uids(apps, schema_editor):
    for name in ("Vaccination", "GrowthMeasurement"):
        model = apps.get_model("reception", name)
        for pk in list(model.objects.filter(row_uid__isnull=True).values_list("pk", flat=True)):
            model.objects.filter(pk=pk).update(row_uid=uuid.uuid4())


REFERENCES = (("MedicalTest", "kind_ref", "kind_id"), ("Quarantine", "place_ref", "place_id"))


def copy_references(apps, schema_editor):
    # The foreign keys that named a test's kind and a quarantine's place become encrypted ids (0005 drops them).
    for name, ref, fk in REFERENCES:
        model = apps.get_model("reception", name)
        for pk, target in list(model.objects.filter(**{f"{ref}__isnull": True}).values_list("pk", fk)):
            _update(schema_editor, model, pk, {ref: str(target)})  # clear here, encrypted just below


def restore_references(apps, schema_editor):
    # Reverse: the ids, decrypted by decrypt_values just before, go back into the foreign keys.
    for name, ref, fk in REFERENCES:
        model = apps.get_model("reception", name)
        for pk, target in list(model.objects.filter(**{f"{fk}__isnull": True}).values_list("pk", ref)):
            if target:
                _update(schema_editor, model, pk, {fk: int(target)})


def _plaintext(field, raw):
    text = str(raw)
    if type(field).__name__ == "EncryptedBooleanField":
        text = BOOLEANS[text.lower()]
    if hasattr(field, "parse"):  # a typed field: normalise the text the old column gave ("12.5" -> "12.50")
        return field.to_plaintext(field.parse(text))
    return text


def encrypt_values(apps, schema_editor):
    for model_name, names in ENCRYPTED.items():
        model = apps.get_model("reception", model_name)
        label = model._meta.label_lower
        fields = [model._meta.get_field(name) for name in names]
        for page in stored_values(model, names):
            for pk, row_uid, *values in page:
                changes = {}
                for field, raw in zip(fields, values, strict=True):
                    if raw is None or raw == "" or is_encrypted(raw):
                        continue
                    context = binding(label, row_uid, field.name)
                    changes[field.attname] = encrypt(_plaintext(field, raw), context=context)
                if changes:
                    _update(schema_editor, model, pk, changes)


def decrypt_values(apps, schema_editor):
    # Back to clear text before 0003 is reversed (the columns become dates, numbers, booleans again).
    for model_name, names in ENCRYPTED.items():
        model = apps.get_model("reception", model_name)
        label = model._meta.label_lower
        fields = [model._meta.get_field(name) for name in names]
        for page in stored_values(model, names):
            for pk, row_uid, *values in page:
                changes = {
                    field.attname: _native(field, decrypt(raw, context=binding(label, row_uid, field.name)))
                    for field, raw in zip(fields, values, strict=True)
                    if is_encrypted(raw)
                }
                if changes:
                    _update(schema_editor, model, pk, changes)


def _native(field, text):
    # "1"/"0" casts to a boolean on PostgreSQL and is read as one by SQLite ("false" would read as true there).
    if type(field).__name__ == "EncryptedBooleanField":
        return "1" if text == "true" else "0"
    return text


def _update(schema_editor, model, pk, changes):
    # Raw SQL: the encrypted fields refuse to write clear text through the ORM, and the reverse needs it.
    table = schema_editor.quote_name(model._meta.db_table)
    columns = ", ".join(f"{schema_editor.quote_name(model._meta.get_field(n).column)} = %s" for n in changes)
    schema_editor.execute(f"UPDATE {table} SET {columns} WHERE id = %s", [*changes.values(), pk])  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("reception", "0003_encrypt_special_fields_schema"),
    ]

    operations = [
        migrations.RunPython(give_row_uids, migrations.RunPython.noop),
        migrations.RunPython(copy_references, restore_references),
        migrations.RunPython(encrypt_values, decrypt_values),
    ]
