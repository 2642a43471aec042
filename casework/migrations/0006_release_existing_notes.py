"""Notes written before four-eyes release existed count as released when they were written."""

from django.db import migrations
from django.db.models import F


def release_existing(apps, schema_editor):
    apps.get_model("casework", "CaseNote").objects.filter(released_at__isnull=True).update(released_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("casework", "0005_casenote_released_at_approvalrequest")]
    operations = [migrations.RunPython(release_existing, migrations.RunPython.noop)]
