"""No password and no part of the audit key ever reaches the logs or the audit log."""

import base64
import json
import logging
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from access.models import User
from audit.chain import audit_key
from audit.models import AuditAction, AuditEntry
from audit.services import audit_record

PASSWORD = "correct horse battery staple"  # conftest's make_user gives every persona this one
WRONG_PASSWORD = "my-other-password-from-2019"


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every record's message, arguments, exception text and extra attributes, as one text."""
    return "\n".join(
        f"{record.getMessage()} {record.args!r} {record.exc_text or ''} {vars(record)!r}" for record in caplog.records
    )


def everything_audited() -> str:
    return "\n".join(
        f"{json.dumps(changes, ensure_ascii=False)} {reason}"
        for changes, reason in AuditEntry.objects.values_list("changes", "reason")
    )


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every logger at DEBUG, SQL statements with their parameters included."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    return caplog


def test_a_password_typed_at_log_in_reaches_neither_the_logs_nor_the_audit_log(
    caseworker_a: User, all_logs: pytest.LogCaptureFixture
) -> None:
    client = Client()
    with CaptureQueriesContext(connection):  # logs every SQL statement with its parameters
        refused = client.post("/accounts/login/", {"username": "caseworker_a", "password": WRONG_PASSWORD})
        accepted = client.post("/accounts/login/", {"username": "caseworker_a", "password": PASSWORD})
    assert refused.status_code == 200 and accepted.status_code == 302
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).exists()
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN, actor=caseworker_a).exists()
    assert any(record.name == "django.db.backends" for record in all_logs.records)
    for secret in (PASSWORD, WRONG_PASSWORD):
        assert secret not in everything_logged(all_logs)
        assert secret not in everything_audited()


def test_the_audit_key_reaches_neither_the_logs_nor_the_output_of_the_commands(
    db: None, all_logs: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    key = audit_key()
    forms = [base64.b64encode(key).decode(), key.hex(), repr(key)]
    out = StringIO()
    with CaptureQueriesContext(connection):
        audit_record(actor=None, action=AuditAction.VIEW, reason="a look")
        call_command("audit_verify", stdout=out, stderr=out)
        call_command("audit_anchor", out=tmp_path / "anchor.json", stdout=out, stderr=out)
    written = out.getvalue() + (tmp_path / "anchor.json").read_text()
    assert "intact: 1 entries" in written
    for form in forms:
        assert form not in everything_logged(all_logs)
        assert form not in everything_audited()
        assert form not in written
