"""The case timeline: each line carries its data class and is shown only to who may see that class."""

import importlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from access.models import User
from access.rules import DataClass, Role
from audit.models import AuditAction, AuditEntry
from casework.models import Case, CaseAssignment, CaseEvent
from casework.selectors import case_timeline
from casework.services import case_note_add, case_transition
from people import services
from people.models import Place, PlaceKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_in_kentau(register: Callable[..., Case], caseworker_a: User) -> Case:
    case = register()
    kentau = Place.objects.create(kind=PlaceKind.SETTLEMENT, name="Kentau")
    since = timezone.localdate() - timedelta(days=3)
    services.presence_record(actor=caseworker_a, person=case.person, place=kentau, since=since, source="visit")
    return case


def _specialist(role: Role, case: Case, make_user: Callable[..., User]) -> User:
    user = make_user(role)
    CaseAssignment.objects.create(case=case, user=user, purpose="test")
    return user


def _page(user: User, case: Case) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/people/{case.person_id}/")
    assert response.status_code == 200
    return response.content.decode()


def _api_timeline(user: User, case: Case) -> list[dict]:
    api = APIClient()
    api.force_authenticate(user)
    response = api.get(f"/api/v1/cases/{case.pk}/timeline/")
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("role", [Role.LAB_ANALYST, Role.PSYCHOLOGIST])
def test_whereabouts_on_the_timeline_are_not_shown_to_roles_without_the_location_class(
    role: Role, case_in_kentau: Case, make_user: Callable[..., User]
) -> None:
    user = _specialist(role, case_in_kentau, make_user)
    assert "Kentau" not in _page(user, case_in_kentau)
    lines = _api_timeline(user, case_in_kentau)
    assert lines and not any("Kentau" in line["summary"] for line in lines)
    assert {line["data_class"] for line in lines} == {"identity"}


def test_whereabouts_on_the_timeline_are_shown_to_roles_with_the_location_class(
    case_in_kentau: Case, caseworker_a: User, make_user: Callable[..., User]
) -> None:
    doctor = _specialist(Role.MEDICAL_OFFICER, case_in_kentau, make_user)
    for user in (caseworker_a, doctor):
        assert "Whereabouts recorded: Kentau" in _page(user, case_in_kentau)
        lines = _api_timeline(user, case_in_kentau)
        assert {"summary": "Whereabouts recorded: Kentau", "data_class": "location"}.items() <= next(
            line for line in lines if "Kentau" in line["summary"]
        ).items()


def test_reading_the_timeline_through_the_api_is_audited_with_the_classes_shown(
    case_in_kentau: Case, make_user: Callable[..., User]
) -> None:
    analyst = _specialist(Role.LAB_ANALYST, case_in_kentau, make_user)
    _api_timeline(analyst, case_in_kentau)
    entry = AuditEntry.objects.filter(action=AuditAction.VIEW, actor=analyst, object_type="casework.case").get()
    assert entry.changes == {"timeline": ["identity"]} and entry.person_id == case_in_kentau.person_id


def test_a_note_line_is_shown_only_to_those_who_may_see_its_class(
    register: Callable[..., Case], make_user: Callable[..., User]
) -> None:
    case = register()
    doctor = _specialist(Role.MEDICAL_OFFICER, case, make_user)
    psychologist = _specialist(Role.PSYCHOLOGIST, case, make_user)
    case_note_add(actor=doctor, case=case, data_class="medical", text="Tuberculosis screening")
    assert CaseEvent.objects.get(case=case, kind="note").data_class == DataClass.MEDICAL
    assert "Note added: Medical" in _page(doctor, case)
    assert "Note added: Medical" not in _page(psychologist, case)


def test_a_change_of_personal_details_writes_one_line_per_class(
    register: Callable[..., Case], caseworker_a: User, make_user: Callable[..., User]
) -> None:
    case = register()
    services.person_update(actor=caseworker_a, person=case.person, phone="+7 700 000 0000", sex="M")
    lines = {e.summary: e.data_class for e in CaseEvent.objects.filter(case=case, kind="record_changed")}
    assert lines == {"Personal details changed: phone": "contact", "Personal details changed: sex": "identity"}
    psychologist = _specialist(Role.PSYCHOLOGIST, case, make_user)
    shown = [e.summary for e in case_timeline(case, frozenset({DataClass.IDENTITY, DataClass.FAMILY}))]
    assert "Personal details changed: sex" in shown and "Personal details changed: phone" not in shown
    assert "Personal details changed: phone" not in _page(psychologist, case)


def test_the_timeline_is_one_query_whatever_its_length_and_classes(case_in_kentau: Case, caseworker_a: User) -> None:
    for _ in range(5):
        services.person_update(actor=caseworker_a, person=case_in_kentau.person, phone=f"+7 700 {_}")
    classes = frozenset({DataClass.IDENTITY, DataClass.LOCATION, DataClass.CONTACT})
    with CaptureQueriesContext(connection) as captured:
        lines = list(case_timeline(case_in_kentau, classes))
        actors = {line.actor.username for line in lines if line.actor}
    assert len(captured) == 1 and actors == {"caseworker_a"} and len(lines) == 7


def test_the_api_timeline_does_not_grow_in_queries_with_the_lines(case_in_kentau: Case, caseworker_a: User) -> None:
    api = APIClient()
    api.force_authenticate(caseworker_a)
    url = f"/api/v1/cases/{case_in_kentau.pk}/timeline/"
    with CaptureQueriesContext(connection) as small:
        api.get(url)
    for n in range(5):
        services.person_update(actor=caseworker_a, person=case_in_kentau.person, phone=f"+7 701 {n}")
    with CaptureQueriesContext(connection) as large:
        api.get(url)
    assert len(small) == len(large)


def test_timeline_summaries_and_reasons_are_encrypted_at_rest(case_in_kentau: Case, caseworker_a: User) -> None:
    case = case_transition(
        actor=caseworker_a, case=case_in_kentau, transition="ask_consent", reason="Met her brother in Kentau"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT summary, reason FROM casework_caseevent WHERE case_id = %s", [case.pk])
        stored = cursor.fetchall()
    assert stored and all(s.startswith("zhenc:") and (r == "" or r.startswith("zhenc:")) for s, r in stored)
    assert not any("Kentau" in s + r for s, r in stored)
    reasons = [e.reason for e in CaseEvent.objects.filter(case=case)]
    assert "Met her brother in Kentau" in reasons


# --- the data migrations --------------------------------------------------------------------------------------

CLASSIFY = importlib.import_module("casework.migrations.0009_caseevent_classify_existing")
ENCRYPT = importlib.import_module("casework.migrations.0010_caseevent_encrypt_summary_and_reason")


@pytest.mark.parametrize(
    ("kind", "summary", "data_class"),
    [
        ("record_changed", "Whereabouts recorded: Kentau", "location"),
        ("record_changed", "Family link recorded", "family"),
        ("record_changed", "Joined household: Nurlanov", "family"),
        ("record_changed", "Best-interests decision recorded", "child_protection"),
        ("record_changed", "Personal details changed: address, phone", "contact"),
        ("record_changed", "Personal details changed: phone, sex", "identity"),
        ("record_changed", "Name added", "identity"),
        ("note", "Note added: Genetic", "genetic"),
        ("note", "Note added: Legal and criminal status", "legal"),
        ("transition", "Whereabouts recorded: Kentau", "identity"),  # only record lines say where
    ],
)
def test_the_migration_classifies_existing_lines_by_their_wording(kind: str, summary: str, data_class: str) -> None:
    assert CLASSIFY._classifier()(kind, summary) == data_class


def test_the_migration_classifies_lines_written_in_russian() -> None:
    from django.utils import translation

    with translation.override("ru"):
        summary = translation.gettext("Whereabouts recorded: %(place)s") % {"place": "Кентау"}
    assert CLASSIFY._classifier()("record_changed", summary) == "location"


class _Editor:
    """What the migration uses of a schema editor, inside the test's transaction (SQLite refuses a real one)."""

    quote_name = staticmethod(connection.ops.quote_name)

    def execute(self, sql: str, params: list) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_the_migration_encrypts_lines_stored_in_clear_and_decrypts_them_back(
    case_in_kentau: Case,
) -> None:
    line = CaseEvent.objects.filter(case=case_in_kentau, data_class="location").get()
    with connection.cursor() as cursor:  # as a line written before encryption: plaintext in the column
        cursor.execute(
            "UPDATE casework_caseevent SET summary = %s, reason = %s WHERE id = %s",
            ["Whereabouts recorded: Kentau", "Seen at the market", line.pk],
        )
    ENCRYPT.encrypt_lines(django_apps, _Editor())
    with connection.cursor() as cursor:
        cursor.execute("SELECT summary, reason FROM casework_caseevent WHERE id = %s", [line.pk])
        summary, reason = cursor.fetchone()
    assert summary.startswith("zhenc:") and reason.startswith("zhenc:")
    line = CaseEvent.objects.get(pk=line.pk)
    assert (line.summary, line.reason) == ("Whereabouts recorded: Kentau", "Seen at the market")
    ENCRYPT.decrypt_lines(django_apps, _Editor())
    with connection.cursor() as cursor:
        cursor.execute("SELECT summary FROM casework_caseevent WHERE id = %s", [line.pk])
        assert cursor.fetchone()[0] == "Whereabouts recorded: Kentau"
