# Data, step 2 of 3: give each document its row_uid, encrypt the numbers stored in clear, fill the blind index.
# Numbers that only differ by case, spaces or dashes were distinct before; the later ones keep an empty index
# (nothing is deleted) so that the unique constraint of 0004 can be added.

import uuid

from django.db import migrations

from core.crypto import binding, blind_index, decrypt, encrypt, is_encrypted, stored_values


def give_row_uids(apps, schema_editor):
    IdentityDocument = apps.get_model("people", "IdentityDocument")
    for pk in list(IdentityDocument.objects.filter(row_uid__isnull=True).values_list("pk", flat=True)):
        IdentityDocument.objects.filter(pk=pk).update(row_uid=uuid.uuid4())


def encrypt_numbers(apps, schema_editor):
    IdentityDocument = apps.get_model("people", "IdentityDocument")
    label = IdentityDocument._meta.label_lower
    seen = set()
    for page in stored_values(IdentityDocument, ["doc_type", "issuing_state_id", "number"]):
        for pk, row_uid, doc_type, state_id, number in page:
            if not number:
                continue
            context = binding(label, row_uid, "number")
            plaintext = decrypt(number, context=context) if is_encrypted(number) else str(number)
            index = blind_index(plaintext)
            if state_id is not None and (doc_type, state_id, index) in seen:
                index = ""
            seen.add((doc_type, state_id, index))
            changes = {"number_index": index}
            if not is_encrypted(number):
                changes["number"] = encrypt(plaintext, context=context)
            IdentityDocument.objects.filter(pk=pk).update(**changes)


def decrypt_numbers(apps, schema_editor):
    # Back to plaintext before 0002 is reversed (the column becomes varchar(50) again). Raw SQL: the field
    # refuses to write plaintext through the ORM.
    IdentityDocument = apps.get_model("people", "IdentityDocument")
    label = IdentityDocument._meta.label_lower
    table = schema_editor.quote_name(IdentityDocument._meta.db_table)
    for page in stored_values(IdentityDocument, ["number"]):
        for pk, row_uid, number in page:
            if is_encrypted(number):
                plaintext = decrypt(number, context=binding(label, row_uid, "number"))
                schema_editor.execute(f"UPDATE {table} SET number = %s WHERE id = %s", [plaintext, pk])


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_identitydocument_number_encryption_fields"),
    ]

    operations = [
        migrations.RunPython(give_row_uids, migrations.RunPython.noop),
        migrations.RunPython(encrypt_numbers, decrypt_numbers),
    ]
