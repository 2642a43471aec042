"""The OpenAPI schema describes every endpoint without a warning: `check --deploy` in production fails on
drf-spectacular's warnings (one name for two choice sets, say), so the suite catches them first."""

import json
from pathlib import Path

from django.core.management import call_command


def test_the_schema_generates_without_warnings(db: None, tmp_path: Path) -> None:
    schema = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(schema))
    text = schema.read_text()
    for path in ("/api/v1/reports/programme-summary/", "/api/v1/waves/{id}/execute/", "/api/v1/consents/"):
        assert path in text


def test_the_system_checks_raise_no_warning() -> None:
    call_command("check", "--fail-level", "WARNING")


def _schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_operation_declares_its_refusals_in_the_one_error_shape(db: None) -> None:
    schema = _schema()
    error = {"$ref": "#/components/schemas/Error"}
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail", "errors"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = {"400", "401", "403", "404"} | ({"409", "413", "415"} if method != "get" else set())
            for code in codes:
                assert operation["responses"][code]["content"]["application/json"]["schema"] == error, (method, path)


def test_lists_that_answer_a_page_are_declared_as_a_page_not_an_array(db: None) -> None:
    paths = _schema()["paths"]
    for path in ("/api/v1/cases/", "/api/v1/persons/", "/api/v1/stays/", "/api/v1/self-returns/", "/api/v1/audit/"):
        declared = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in declared, (path, declared)
    notes = paths["/api/v1/cases/{id}/notes/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert notes["type"] == "array"  # the case's other lists are plain arrays


def test_no_field_is_declared_in_the_time_format_that_demands_an_offset(db: None) -> None:
    schema = _schema()
    assert '"format": "time"' not in json.dumps(schema)
    session = schema["components"]["schemas"]["CentreSession"]
    assert session["properties"]["starts_at"]["type"] == "string"
    assert "visible_entries" in schema["components"]["schemas"]["IdentificationList"]["required"]
