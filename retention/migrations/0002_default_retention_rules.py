"""Starting retention periods, one per data class. The programme sets its own in the administration pages."""

from django.db import migrations

# Years after a case is closed. Deliberately conservative placeholders: a state's data protection law decides.
DEFAULTS = {
    "identity": 25, "contact": 5, "location": 10, "family": 25, "legal": 10,
    "medical": 10, "psychological": 10, "genetic": 5, "child_protection": 25,
}


def add_defaults(apps, schema_editor):
    RetentionRule = apps.get_model("retention", "RetentionRule")
    for data_class, years in DEFAULTS.items():
        RetentionRule.objects.get_or_create(
            data_class=data_class, defaults={"keep_years": years, "basis": "Default; set by the programme"}
        )


def remove_defaults(apps, schema_editor):
    apps.get_model("retention", "RetentionRule").objects.filter(basis="Default; set by the programme").delete()


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_retention_rules_and_holds")]
    operations = [migrations.RunPython(add_defaults, remove_defaults)]
