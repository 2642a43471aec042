# Schema, step 1 of 3 of encrypting person photos (finding 8): a person gets the row_uid an encrypted file is
# bound to (nullable until 0008 has given every row its own), and the photo becomes an encrypted file field.
# The column is unchanged (a file name); 0008 seals the files already stored.

import core.crypto
import people.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_document_number_review"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="row_uid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="person",
            name="photo",
            field=core.crypto.EncryptedFileField(
                blank=True, editable=False, upload_to=people.models.photo_path, verbose_name="photo"
            ),
        ),
    ]
