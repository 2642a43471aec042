# Data, step 2 of 2 of encrypting the panel's decision and external members: encrypt the values still in clear.

from django.db import migrations

from core.crypto import binding, decrypt, encrypt, is_encrypted, stored_values

FIELDS = ["decision", "external_members"]


def _rewrite(apps, schema_editor, seal):
    model = apps.get_model("consent", "BestInterestsDecision")
    label = model._meta.label_lower
    table = schema_editor.quote_name(model._meta.db_table)
    for page in stored_values(model, FIELDS):
        for pk, row_uid, *values in page:
            changes = {}
            for name, raw in zip(FIELDS, values, strict=True):
                if raw in (None, "") or is_encrypted(raw) == seal:
                    continue
                context = binding(label, row_uid, name)
                changes[name] = encrypt(str(raw), context=context) if seal else decrypt(raw, context=context)
            if changes:
                # Raw SQL: the encrypted fields refuse clear text through the ORM, and the reverse writes it.
                columns = ", ".join(f"{schema_editor.quote_name(n)} = %s" for n in changes)
                schema_editor.execute(f"UPDATE {table} SET {columns} WHERE id = %s", [*changes.values(), pk])  # noqa: S608


def encrypt_values(apps, schema_editor):
    _rewrite(apps, schema_editor, seal=True)


def decrypt_values(apps, schema_editor):
    _rewrite(apps, schema_editor, seal=False)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0002_bestinterests_encrypt_decision_schema"),
    ]

    operations = [
        migrations.RunPython(encrypt_values, decrypt_values),
    ]
