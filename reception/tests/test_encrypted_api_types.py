"""Encrypting a date, number or link changes nothing for API clients: the schema keeps each field's type."""

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

EXPECTED: dict[str, dict[str, tuple[str, str | None]]] = {
    "LegalAssessment": {"valid_until": ("string", "date"), "authority": ("string", None)},
    "Quarantine": {"starts_on": ("string", "date"), "place": ("integer", None)},
    "MedicalTest": {"kind": ("integer", None), "taken_on": ("string", "date"), "result_on": ("string", "date")},
    "Vaccination": {"given_on": ("string", "date")},
    "Treatment": {"on": ("string", "date")},
    "GrowthMeasurement": {
        "measured_on": ("string", "date"),
        "weight_kg": ("string", "decimal"),
        "oedema": ("boolean", None),
        "age_days": ("integer", None),
        "whz": ("number", "double"),
    },
}


@pytest.fixture(scope="module")
def components() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]


@pytest.mark.parametrize("component", EXPECTED)
def test_encrypted_fields_keep_their_types_in_the_api_schema(components: dict[str, Any], component: str) -> None:
    properties = components[component]["properties"]
    for name, (kind, fmt) in EXPECTED[component].items():
        assert (properties[name].get("type"), properties[name].get("format")) == (kind, fmt), (component, name)
