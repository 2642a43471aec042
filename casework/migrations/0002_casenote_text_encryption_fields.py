# Schema, step 1 of 3 of encrypting case notes. row_uid stays nullable until 0003 has given every existing
# note its own value (one default for all rows would break uniqueness).

import core.crypto
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="casenote",
            name="row_uid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="casenote",
            name="text",
            field=core.crypto.EncryptedTextField(max_length=10000, verbose_name="note"),
        ),
    ]
