# Schema, step 4 of 4: every timeline line has its row_uid; now make it required and unique.

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0010_caseevent_encrypt_summary_and_reason"),
    ]

    operations = [
        migrations.AlterField(
            model_name="caseevent",
            name="row_uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
