# Data, step 2 of 3: give each note its row_uid and encrypt the texts stored in clear.

import uuid

from django.db import migrations

from core.crypto import binding, decrypt, encrypt, is_encrypted, stored_values


def give_row_uids(apps, schema_editor):
    CaseNote = apps.get_model("casework", "CaseNote")
    for pk in list(CaseNote.objects.filter(row_uid__isnull=True).values_list("pk", flat=True)):
        CaseNote.objects.filter(pk=pk).update(row_uid=uuid.uuid4())


def encrypt_texts(apps, schema_editor):
    CaseNote = apps.get_model("casework", "CaseNote")
    label = CaseNote._meta.label_lower
    for page in stored_values(CaseNote, ["text"]):
        for pk, row_uid, text in page:
            if text and not is_encrypted(text):
                CaseNote.objects.filter(pk=pk).update(
                    text=encrypt(str(text), context=binding(label, row_uid, "text"))
                )


def decrypt_texts(apps, schema_editor):
    # Raw SQL: the field refuses to write plaintext through the ORM.
    CaseNote = apps.get_model("casework", "CaseNote")
    label = CaseNote._meta.label_lower
    table = schema_editor.quote_name(CaseNote._meta.db_table)
    for page in stored_values(CaseNote, ["text"]):
        for pk, row_uid, text in page:
            if is_encrypted(text):
                plaintext = decrypt(text, context=binding(label, row_uid, "text"))
                schema_editor.execute(f"UPDATE {table} SET text = %s WHERE id = %s", [plaintext, pk])


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0002_casenote_text_encryption_fields"),
    ]

    operations = [
        migrations.RunPython(give_row_uids, migrations.RunPython.noop),
        migrations.RunPython(encrypt_texts, decrypt_texts),
    ]
