# Schema, step 3 of 3: every person has a row_uid (0008): make it required and unique.

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0009_person_encrypt_photos"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="row_uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
