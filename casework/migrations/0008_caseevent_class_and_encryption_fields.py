# Schema, step 1 of 4 of classifying and encrypting timeline lines: the data class column (identity, the class
# of the case itself, until 0008 classifies the existing lines), the encrypted summary and reason, and row_uid,
# nullable until 0009 has given every existing line its own value.

import core.crypto
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0007_approvalrequest_break_glass"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="data_class",
            field=models.CharField(
                choices=[
                    ("identity", "Identity"),
                    ("contact", "Contact"),
                    ("location", "Location"),
                    ("family", "Family"),
                    ("legal", "Legal and criminal status"),
                    ("medical", "Medical"),
                    ("psychological", "Psychological"),
                    ("genetic", "Genetic"),
                    ("child_protection", "Child protection"),
                ],
                default="identity",
                max_length=20,
                verbose_name="data class",
            ),
        ),
        migrations.AddField(
            model_name="caseevent",
            name="row_uid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="summary",
            field=core.crypto.EncryptedTextField(blank=True, max_length=300),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="reason",
            field=core.crypto.EncryptedTextField(blank=True),
        ),
    ]
