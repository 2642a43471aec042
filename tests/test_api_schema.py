"""The OpenAPI schema describes every endpoint without a warning: `check --deploy` in production fails on
drf-spectacular's warnings (one name for two choice sets, say), so the suite catches them first."""

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
