# Schema, step 1 of 3 of encrypting document numbers: the columns encryption needs. row_uid stays nullable
# until 0003 has given every existing row its own value (one default for all rows would break uniqueness).

import core.crypto
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
    ]

    operations = [
        # Ciphertexts differ on every write: a unique constraint on them means nothing. 0004 puts it on the index.
        migrations.RemoveConstraint(
            model_name="identitydocument",
            name="document_number_unique",
        ),
        migrations.AddField(
            model_name="identitydocument",
            name="row_uid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="identitydocument",
            name="number_index",
            field=core.crypto.BlindIndexField(
                blank=True, db_index=True, editable=False, max_length=64, source="number"
            ),
        ),
        migrations.AlterField(
            model_name="identitydocument",
            name="number",
            field=core.crypto.EncryptedTextField(blank=True, max_length=50, verbose_name="number"),
        ),
    ]
