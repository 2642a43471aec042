"""Every field of a special-category record is encrypted at rest or says why it stays in clear, and the inventory
in docs/security.md is the one the models give (`manage.py field_inventory --write` regenerates it)."""

import pytest
from django.apps import apps

from access.management.commands.field_inventory import (
    BEGIN,
    END,
    field_inventory_markdown,
    inventory,
    is_encrypted,
    is_special_record,
    security_doc,
)

# The fields finding 8 found in clear: each must now be encrypted.
FOUND_IN_CLEAR = [
    ("reception.LegalAssessment", "authority"),
    ("reception.LegalAssessment", "valid_until"),
    ("reception.Treatment", "referred_to"),
    ("reception.Treatment", "kind"),
    ("reception.Treatment", "on"),
    ("reception.MedicalTest", "kind_ref"),
    ("reception.MedicalTest", "taken_on"),
    ("reception.MedicalTest", "result_on"),
    ("reception.Vaccination", "given_on"),
    ("reception.Vaccination", "batch"),
    ("reception.GrowthMeasurement", "measured_on"),
    ("reception.GrowthMeasurement", "weight_kg"),
    ("reception.GrowthMeasurement", "acute_malnutrition"),
    ("reception.GrowthMeasurement", "whz"),
    ("reception.Quarantine", "starts_on"),
    ("reception.Quarantine", "ends_on"),
    ("reception.Quarantine", "place_ref"),
    ("consent.BestInterestsDecision", "decision"),
    ("consent.BestInterestsDecision", "external_members"),
    ("people.Person", "photo"),
]


def test_the_inventory_in_docs_security_is_the_inventory_in_the_code() -> None:
    document = security_doc().read_text()
    assert BEGIN in document and END in document, "docs/security.md lost the field inventory's markers"
    between = document[document.index(BEGIN) + len(BEGIN) : document.index(END)].strip()
    assert between == field_inventory_markdown(), "run `manage.py field_inventory --write`"


def test_every_field_of_a_special_category_record_is_encrypted_or_says_why_it_is_clear() -> None:
    unexplained = [f"{row.model}.{row.field}" for row in inventory() if not row.encrypted and not row.why]
    assert not unexplained, f"encrypt these fields or give the reason in the model's CLEAR_FIELDS: {unexplained}"


def test_every_reason_to_stay_clear_names_a_field_of_the_model_that_is_in_clear() -> None:
    for model in apps.get_models():
        for name in getattr(model, "CLEAR_FIELDS", {}):
            field = model._meta.get_field(name)  # FieldDoesNotExist for a stale entry
            assert not is_encrypted(field), f"{model._meta.label}.{name} is encrypted: drop its reason"
            assert is_special_record(model), f"{model._meta.label} holds no special class: CLEAR_FIELDS is unused"


@pytest.mark.parametrize(("label", "name"), FOUND_IN_CLEAR)
def test_the_fields_found_in_clear_are_encrypted(label: str, name: str) -> None:
    assert is_encrypted(apps.get_model(label)._meta.get_field(name))
