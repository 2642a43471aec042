# Schema, step 3 of 3: every row has its row_uid and its encrypted kind_ref and place_ref (0004), so they become
# required, and the foreign keys that named the kind of test and the place of quarantine in clear go.

import uuid

import core.crypto
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reception", "0004_encrypt_special_fields_data"),
    ]

    operations = [
        migrations.AlterField(
            model_name="vaccination",
            name="row_uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="growthmeasurement",
            name="row_uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="medicaltest",
            name="kind_ref",
            field=core.crypto.EncryptedIntegerField(verbose_name="test"),
        ),
        migrations.RemoveField(
            model_name="medicaltest",
            name="kind",
        ),
        migrations.AlterField(
            model_name="quarantine",
            name="place_ref",
            field=core.crypto.EncryptedIntegerField(verbose_name="place"),
        ),
        migrations.RemoveField(
            model_name="quarantine",
            name="place",
        ),
    ]
