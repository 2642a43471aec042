# Schema, step 3 of 3: every note has its row_uid; now make it required and unique.

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0003_casenote_encrypt_text"),
    ]

    operations = [
        migrations.AlterField(
            model_name="casenote",
            name="row_uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
