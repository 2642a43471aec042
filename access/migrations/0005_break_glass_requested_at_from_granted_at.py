"""Grants made before emergency access had requests: asked when granted, with the number of their case."""

from typing import Any

from django.db import migrations
from django.db.models import F, OuterRef, Subquery


def forwards(apps: Any, schema_editor: Any) -> None:
    grant = apps.get_model("access", "BreakGlassGrant")
    case = apps.get_model("casework", "Case")
    grant.objects.filter(granted_at__isnull=False).update(requested_at=F("granted_at"))
    grant.objects.filter(case__isnull=False, case_number="").update(
        case_number=Subquery(case.objects.filter(pk=OuterRef("case_id")).values("number")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0004_break_glass_requests_and_categories"),
        ("casework", "0006_release_existing_notes"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
