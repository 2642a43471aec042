# Schema, step 3 of 3: every row has its row_uid and its index; now make both rules binding.

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_identitydocument_encrypt_numbers"),
    ]

    operations = [
        migrations.AlterField(
            model_name="identitydocument",
            name="row_uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddConstraint(
            model_name="identitydocument",
            constraint=models.UniqueConstraint(
                condition=models.Q(("number_index", ""), _negated=True),
                fields=("doc_type", "issuing_state", "number_index"),
                name="document_number_index_unique",
            ),
        ),
    ]
