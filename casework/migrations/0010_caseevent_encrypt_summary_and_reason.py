# Data, step 3 of 4: give each timeline line its row_uid and encrypt the summaries and reasons stored in clear.

import uuid

from django.db import migrations

from core.crypto import binding, decrypt, encrypt, is_encrypted, stored_values

FIELDS = ["summary", "reason"]


def give_row_uids(apps, schema_editor):
    CaseEvent = apps.get_model("casework", "CaseEvent")
    for pk in list(CaseEvent.objects.filter(row_uid__isnull=True).values_list("pk", flat=True)):
        CaseEvent.objects.filter(pk=pk).update(row_uid=uuid.uuid4())


def encrypt_lines(apps, schema_editor):
    CaseEvent = apps.get_model("casework", "CaseEvent")
    label = CaseEvent._meta.label_lower
    for page in stored_values(CaseEvent, FIELDS):
        for pk, row_uid, *values in page:
            sealed = {
                name: encrypt(str(value), context=binding(label, row_uid, name))
                for name, value in zip(FIELDS, values, strict=True)
                if value and not is_encrypted(value)
            }
            if sealed:
                CaseEvent.objects.filter(pk=pk).update(**sealed)


def decrypt_lines(apps, schema_editor):
    # Raw SQL: the field refuses to write plaintext through the ORM.
    CaseEvent = apps.get_model("casework", "CaseEvent")
    label = CaseEvent._meta.label_lower
    table = schema_editor.quote_name(CaseEvent._meta.db_table)
    for page in stored_values(CaseEvent, FIELDS):
        for pk, row_uid, *values in page:
            for name, value in zip(FIELDS, values, strict=True):
                if is_encrypted(value):
                    plaintext = decrypt(value, context=binding(label, row_uid, name))
                    column = schema_editor.quote_name(name)
                    schema_editor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [plaintext, pk])


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0009_caseevent_classify_existing"),
    ]

    operations = [
        migrations.RunPython(give_row_uids, migrations.RunPython.noop),
        migrations.RunPython(encrypt_lines, decrypt_lines),
    ]
