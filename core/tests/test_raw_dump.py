"""A raw copy of the database (the SQLite file, a pg_dump) holds none of the secrets written through the app."""

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from access.models import User
from access.rules import Role
from audit.models import AuditEntry
from casework.models import Case, CaseAssignment
from casework.services import case_note_add
from conftest import latin
from core.crypto import encrypted_fields, normalise_for_index
from people.models import Place, PlaceKind
from people.services import document_add

CANARY_NOTE = "Canary-Note-QX7Z: positive for canarypox"
CANARY_NUMBER = "CQ 4471-9902"
# Names are not encrypted: finding this one proves the dump was read at all.
CONTROL_NAME = "Kanareikina"


def raw_dump() -> bytes:
    """Everything the database would hand to someone who copies its files or dumps it, without the app's keys."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        image = raw.serialize()  # the whole database file image, free pages included
        text = "\n".join(raw.iterdump()).encode()
        # A test database on disk: the file itself and its WAL (pytest-django's default is in memory).
        path = Path(str(settings["NAME"]))
        on_disk = b"".join(p.read_bytes() for p in path.parent.glob(f"{path.name}*")) if path.is_file() else b""
        return image + text + on_disk
    if connection.vendor == "postgresql":
        pg_dump = shutil.which("pg_dump") or "/usr/bin/pg_dump"
        if not Path(pg_dump).is_file():
            pytest.skip("pg_dump is not installed: no raw-dump check on PostgreSQL (install postgresql-client)")
        command = [
            pg_dump,
            "--no-owner",
            "-h",
            settings["HOST"] or "localhost",
            "-U",
            settings["USER"],
            settings["NAME"],
        ]
        if settings["PORT"]:
            command[1:1] = ["-p", str(settings["PORT"])]
        env = {"PATH": "/usr/bin:/bin", "PGPASSWORD": settings["PASSWORD"] or ""}
        return subprocess.run(command, capture_output=True, check=True, env=env, timeout=120).stdout  # noqa: S603
    pytest.fail(f"No raw dump for {connection.vendor}")


def stored_columns(obj: Any, names: list[str]) -> dict[str, Any]:
    """The values as the database holds them (no decryption), read with plain SQL."""
    model = type(obj)
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in names)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE id = %s", [obj.pk])  # noqa: S608
        return dict(zip(names, cursor.fetchone(), strict=True))


def assert_sealed(obj: Any) -> None:
    """Every encrypted field of the row holds ciphertext or nothing: a number or a yes/no cannot be a canary."""
    names = [f.name for f in encrypted_fields(type(obj))]
    for name, value in stored_columns(obj, names).items():
        assert value in (None, "") or str(value).startswith("zhenc:v1:"), f"{type(obj).__name__}.{name}: {value!r}"


def assert_absent(dump: bytes, secret: str) -> None:
    lowered = dump.lower()
    for form in {secret, normalise_for_index(secret)}:
        assert form.lower().encode() not in lowered, f"{form!r} found in the raw dump"


@pytest.mark.django_db(transaction=True)
def test_canaries_written_through_the_app_are_absent_from_a_raw_dump(
    register: Callable[..., Case], caseworker_a: User, make_user: Callable[..., User]
) -> None:
    case = register(latin("Alia", CONTROL_NAME))
    doctor = make_user(Role.MEDICAL_OFFICER)
    CaseAssignment.objects.create(case=case, user=doctor, purpose="Screening")
    note = case_note_add(actor=doctor, case=case, data_class="medical", text=CANARY_NOTE)
    kazakhstan = Place.objects.create(kind=PlaceKind.COUNTRY, name="Kazakhstan")
    document = document_add(
        actor=caseworker_a,
        person=case.person,
        doc_type="passport",
        number=CANARY_NUMBER,
        issuing_state=kazakhstan,
        status="lost",
    )
    assert (note.text, document.number) == (CANARY_NOTE, CANARY_NUMBER)

    dump = raw_dump()

    assert CONTROL_NAME.encode() in dump
    assert_absent(dump, CANARY_NOTE)
    assert_absent(dump, CANARY_NUMBER)
    logged = " ".join(str(entry.changes) for entry in AuditEntry.objects.all())
    assert "positive" not in logged and "4471" not in logged
