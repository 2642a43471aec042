"""The consent pages, receipts, scans and API: what each user reaches, audits, query counts."""

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from fpdf import FPDF
from rest_framework.test import APIClient

from access.models import User
from access.rules import Role
from audit.models import AuditAction, AuditEntry
from casework.models import Case
from conftest import latin
from consent.models import BestInterestsDecision, ConsentRecord, ConsentStatement
from consent.services import best_interests_decide, consent_record
from people.models import Place

from .conftest import TODAY_ISH, Family


@pytest.fixture(autouse=True)
def _camp(camp: Place) -> Place:
    return camp


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    location = tmp_path / "private"
    location.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": location}},
    }
    return location


@pytest.fixture
def consented(family: Family, caseworker_a: User, answer: Callable[..., dict[str, Any]]) -> ConsentRecord:
    return consent_record(
        actor=caseworker_a, person=family.mother.person, decision="consent", given_by="self", **answer()
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def printed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every text the PDF writer lays out, with the interface language active at that moment."""
    lines: list[tuple[str, str]] = []
    for method in ("cell", "multi_cell"):
        original = getattr(FPDF, method)

        def spy(self: FPDF, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            text = kwargs.get("text", args[2] if len(args) > 2 else "")
            lines.append((str(text), translation.get_language()))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(FPDF, method, spy)
    return lines


# --- the consent page ------------------------------------------------------------------


def test_the_consent_page_shows_the_history_and_the_actions(consented: ConsentRecord, caseworker_a: User) -> None:
    response = client_for(caseworker_a).get(f"/consent/people/{consented.person_id}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Officer Dana Field" in body and f"/consent/consents/{consented.pk}/receipt.pdf" in body
    assert "?decision=withdrawal" in body  # consented: a withdrawal is what may come next


@pytest.mark.parametrize("who", ["caseworker_b", "statistician", "unassigned"])
def test_the_consent_page_is_missing_for_those_who_may_not_see_the_person(
    consented: ConsentRecord, who: str, request: pytest.FixtureRequest, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.CASEWORKER) if who == "unassigned" else request.getfixturevalue(who)
    client = client_for(user)
    assert client.get(f"/consent/people/{consented.person_id}/").status_code == 404
    assert client.get(f"/consent/consents/{consented.pk}/receipt.pdf").status_code == 404


def test_recording_consent_through_the_page(family: Family, caseworker_a: User, statement_en: ConsentStatement) -> None:
    place = Place.objects.get(name="al-Hol")
    response = client_for(caseworker_a).post(
        f"/consent/people/{family.mother.person_id}/record/",
        {
            "decision": "consent",
            "given_by": "self",
            "statement": statement_en.pk,
            "told_may_be_held_responsible": "on",
            "language": "en",
            "witness": "Officer Dana Field",
            "recorded_on": "2024-03-01",
            "place": place.pk,
        },
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=family.mother.pk).state == "consented"


def test_a_refused_form_shows_the_message_and_writes_nothing(
    family: Family, caseworker_a: User, statement_en: ConsentStatement
) -> None:
    place = Place.objects.get(name="al-Hol")
    response = client_for(caseworker_a).post(
        f"/consent/people/{family.mother.person_id}/record/",
        {
            "decision": "consent",
            "given_by": "self",
            "statement": statement_en.pk,
            "language": "en",
            "witness": "",
            "recorded_on": "2024-03-01",
            "place": place.pk,
        },
    )
    assert response.status_code == 200
    assert "held responsible" in response.content.decode()
    assert ConsentRecord.objects.count() == 0


def test_the_family_page_records_the_mother_and_her_children(
    family: Family, caseworker_a: User, statement_en: ConsentStatement
) -> None:
    client = client_for(caseworker_a)
    page = client.get(f"/consent/people/{family.mother.person_id}/family/")
    assert page.status_code == 200 and "Amina" in page.content.decode()
    response = client.post(
        f"/consent/people/{family.mother.person_id}/family/",
        {
            "decision": "consent",
            "children": [family.child.person_id],
            "statement": statement_en.pk,
            "told_may_be_held_responsible": "on",
            "language": "en",
            "witness": "Officer Dana Field",
            "recorded_on": "2024-03-01",
            "place": Place.objects.get(name="al-Hol").pk,
        },
    )
    assert response.status_code == 302
    assert ConsentRecord.objects.filter(given_by="mother", person=family.child.person).exists()


def test_the_consent_page_makes_the_same_queries_for_2_and_20_records(
    family: Family, caseworker_a: User, answer: Callable[..., dict[str, Any]]
) -> None:
    person = family.mother.person

    def add(n: int) -> None:
        for _ in range(n):
            ConsentRecord.objects.create(
                person=person,
                case=family.mother,
                decision="refusal",
                given_by="self",
                reason="Not now",
                language="en",
                recorded_on=TODAY_ISH,
                place=Place.objects.get(name="al-Hol"),
                recorded_by=caseworker_a,
            )

    client = client_for(caseworker_a)
    add(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/consent/people/{person.pk}/").status_code == 200
    add(18)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/consent/people/{person.pk}/").status_code == 200
    assert len(many) == len(few)


# --- the receipt ------------------------------------------------------------------


def test_the_receipt_is_a_pdf_attachment_with_the_names_and_is_audited(
    consented: ConsentRecord, caseworker_a: User, printed: list[tuple[str, str]]
) -> None:
    response = client_for(caseworker_a).get(f"/consent/consents/{consented.pk}/receipt.pdf")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    text = " ".join(t for t, _ in printed)
    assert "Aigerim Nurlanova" in text and "Officer Dana Field" in text
    assert "held responsible under national law for acts in the conflict zone" in text  # the statement's clause
    assert AuditEntry.objects.filter(
        actor=caseworker_a,
        action=AuditAction.VIEW,
        object_id=str(consented.pk),
        changes__receipt=["printed", "printed"],
    ).exists()


def test_the_receipt_is_written_in_the_language_of_the_person(
    family: Family,
    caseworker_a: User,
    answer: Callable[..., dict[str, Any]],
    statement_ru: ConsentStatement,
    printed: list[tuple[str, str]],
) -> None:
    record = consent_record(
        actor=caseworker_a,
        person=family.mother.person,
        decision="consent",
        given_by="self",
        **answer(language="ru", statement=statement_ru),
    )
    with translation.override("en"):
        response = client_for(caseworker_a).get(f"/consent/consents/{record.pk}/receipt.pdf")
    assert response.status_code == 200
    assert printed and {language for _, language in printed} == {"ru"}
    assert any("Вы можете быть привлечены" in text for text, _ in printed)
    assert any("Аль-Холь" in text for text, _ in printed)  # the place in the person's language


def test_the_receipt_shows_names_only_of_persons_the_user_may_see(
    family: Family, caseworker_a: User, answer: Callable[..., dict[str, Any]], printed: list[tuple[str, str]]
) -> None:
    record = consent_record(
        actor=caseworker_a,
        person=family.child.person,
        decision="consent",
        given_by="mother",
        representative=family.mother.person,
        **answer(),
    )
    client_for(caseworker_a).get(f"/consent/consents/{record.pk}/receipt.pdf")
    text = " ".join(t for t, _ in printed)
    assert "Amina Nurlanova" in text and "Aigerim Nurlanova" in text


# --- the signed scan ------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\nCANARY-SIGNED-RECEIPT\n%%EOF\n"


def test_the_signed_scan_is_stored_encrypted_and_served_only_through_the_policy(
    consented: ConsentRecord, caseworker_a: User, caseworker_b: User, media: Path
) -> None:
    client = client_for(caseworker_a)
    upload = SimpleUploadedFile("my receipt.pdf", PDF, content_type="application/pdf")
    response = client.post(f"/consent/consents/{consented.pk}/scan/new/", {"scan": upload})
    assert response.status_code == 302
    stored = [p for p in media.rglob("*") if p.is_file()]
    assert len(stored) == 1 and b"CANARY" not in stored[0].read_bytes() and "my receipt" not in stored[0].name
    download = client.get(f"/consent/consents/{consented.pk}/scan/")
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert "attachment" in download["Content-Disposition"]
    assert AuditEntry.objects.filter(actor=caseworker_a, action=AuditAction.VIEW, changes__scan=["viewed", "viewed"])
    assert client_for(caseworker_b).get(f"/consent/consents/{consented.pk}/scan/").status_code == 404


def test_a_file_that_is_not_a_scan_is_refused(consented: ConsentRecord, caseworker_a: User, media: Path) -> None:
    upload = SimpleUploadedFile(
        "receipt.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    response = client_for(caseworker_a).post(f"/consent/consents/{consented.pk}/scan/new/", {"scan": upload})
    assert response.status_code == 200 and "PDF, JPEG or PNG" in response.content.decode()
    assert not [p for p in media.rglob("*") if p.is_file()]


# --- the panel page ------------------------------------------------------------------


def test_the_panel_page_lists_orphans_and_records_a_decision(
    orphan: Case, family: Family, supervisor_a: User, manager_a: User
) -> None:
    client = client_for(supervisor_a)
    page = client.get("/consent/best-interests/")
    body = page.content.decode()
    assert page.status_code == 200 and "Yusuf" in body and "Amina" not in body  # Amina has her mother
    response = client.post(
        f"/consent/best-interests/people/{orphan.person_id}/decide/",
        {
            "decided_on": "2024-03-01",
            "members": [supervisor_a.pk, manager_a.pk],
            "decision": "return",
            "reasons": "His grandmother at home asks for him.",
        },
    )
    assert response.status_code == 302
    decision = BestInterestsDecision.objects.get(child=orphan.person)
    detail = client.get(f"/consent/best-interests-decisions/{decision.pk}/")
    assert detail.status_code == 200 and "grandmother" in detail.content.decode()
    assert AuditEntry.objects.filter(actor=supervisor_a, action=AuditAction.VIEW, object_id=str(decision.pk)).exists()


def test_the_panel_page_is_refused_to_roles_off_the_panel(caseworker_a: User) -> None:
    assert client_for(caseworker_a).get("/consent/best-interests/").status_code == 403


def test_a_panel_decision_is_hidden_from_roles_without_child_protection(
    orphan: Case, supervisor_a: User, manager_a: User, make_user: Callable[..., User], team_a: Any
) -> None:
    decision = best_interests_decide(
        actor=supervisor_a,
        child=orphan.person,
        decided_on=TODAY_ISH,
        members=[supervisor_a, manager_a],
        decision="return",
        reasons="Secret reasons",
    )
    registrar = make_user(Role.FIELD_REGISTRAR, team=team_a)  # reaches the case, not child protection
    assert client_for(registrar).get(f"/consent/best-interests-decisions/{decision.pk}/").status_code == 404
    api = APIClient()
    api.force_authenticate(registrar)
    assert api.get(f"/api/v1/best-interests-decisions/{decision.pk}/").status_code == 404


def test_the_panel_page_makes_the_same_queries_for_2_and_20_children(
    register: Callable[..., Case], supervisor_a: User
) -> None:
    client = client_for(supervisor_a)

    def add(n: int) -> None:
        for i in range(n):
            register(latin(f"Child{i}", "Alone"), born=date(2015, 1, 1))

    add(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/consent/best-interests/").status_code == 200
    add(18)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/consent/best-interests/")
    assert response.content.decode().count("Alone") == 20
    assert len(many) == len(few)


# --- the API ------------------------------------------------------------------


def test_the_api_records_lists_and_prints_a_consent(
    family: Family, caseworker_a: User, caseworker_b: User, statement_en: ConsentStatement
) -> None:
    api = APIClient()
    api.force_authenticate(caseworker_a)
    payload = {
        "person": family.child.person_id,
        "decision": "consent",
        "given_by": "mother",
        "representative": family.mother.person_id,
        "statement": statement_en.pk,
        "told_may_be_held_responsible": True,
        "language": "en",
        "witness": "Officer Dana Field",
        "recorded_on": "2024-03-01",
        "place": Place.objects.get(name="al-Hol").pk,
    }
    created = api.post("/api/v1/consents/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["given_by"] == "mother"
    listed = api.get(f"/api/v1/consents/?person={family.child.person_id}")
    assert [r["id"] for r in listed.json()] == [created.json()["id"]]
    receipt = api.get(f"/api/v1/consents/{created.json()['id']}/receipt/")
    assert receipt.status_code == 200 and b"".join(receipt.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    outsider = APIClient()
    outsider.force_authenticate(caseworker_b)
    assert outsider.get(f"/api/v1/consents/{created.json()['id']}/").status_code == 404
    assert outsider.get(f"/api/v1/consents/?person={family.child.person_id}").status_code == 404


def test_the_api_refuses_a_consent_without_a_witness_with_a_message_per_field(
    family: Family, caseworker_a: User, statement_en: ConsentStatement
) -> None:
    api = APIClient()
    api.force_authenticate(caseworker_a)
    response = api.post(
        "/api/v1/consents/",
        {
            "person": family.mother.person_id,
            "decision": "consent",
            "given_by": "self",
            "statement": statement_en.pk,
            "told_may_be_held_responsible": True,
            "language": "en",
            "recorded_on": "2024-03-01",
            "place": Place.objects.get(name="al-Hol").pk,
        },
        format="json",
    )
    assert response.status_code == 400 and "witness" in response.json()["errors"]
    assert ConsentRecord.objects.count() == 0


def test_the_api_family_revisit_and_panel(
    family: Family,
    orphan: Case,
    caseworker_a: User,
    supervisor_a: User,
    manager_a: User,
    statement_en: ConsentStatement,
) -> None:
    api = APIClient()
    api.force_authenticate(supervisor_a)
    place = Place.objects.get(name="al-Hol").pk
    refused = api.post(
        "/api/v1/consents/family/",
        {
            "mother": family.mother.person_id,
            "children": [family.child.person_id],
            "decision": "refusal",
            "statement": statement_en.pk,
            "language": "en",
            "recorded_on": "2024-03-01",
            "place": place,
            "reason": "Will not leave her husband",
        },
        format="json",
    )
    assert refused.status_code == 201 and len(refused.json()) == 2
    revisited = api.post(
        "/api/v1/consents/revisit/", {"person": family.mother.person_id, "reason": "New talk"}, format="json"
    )
    assert revisited.json()["state"] == "consent_pending"
    waiting = api.get("/api/v1/best-interests-decisions/waiting/")
    assert [row["child"] for row in waiting.json()] == [orphan.person_id]
    decided = api.post(
        "/api/v1/best-interests-decisions/",
        {
            "child": orphan.person_id,
            "decided_on": "2024-03-01",
            "members": [supervisor_a.pk, manager_a.pk],
            "decision": "return",
            "reasons": "Grandmother at home",
        },
        format="json",
    )
    assert decided.status_code == 201, decided.json()
    assert api.get(f"/api/v1/best-interests-decisions/?child={orphan.person_id}").json()[0]["decision"] == "return"
    statements = api.get("/api/v1/consents/statements/")
    assert [s["language"] for s in statements.json()] == ["en"]


def test_the_panel_link_of_a_record_is_absent_for_roles_without_child_protection(
    orphan: Case,
    caseworker_a: User,
    supervisor_a: User,
    manager_a: User,
    make_user: Callable[..., User],
    team_a: Any,
    answer: Callable[..., dict[str, Any]],
) -> None:
    decision = best_interests_decide(
        actor=supervisor_a,
        child=orphan.person,
        decided_on=TODAY_ISH,
        members=[supervisor_a, manager_a],
        decision="return",
        reasons="Grandmother at home",
    )
    record = consent_record(
        actor=caseworker_a,
        person=orphan.person,
        decision="consent",
        given_by="panel",
        best_interests_decision=decision,
        **answer(),
    )
    api = APIClient()
    api.force_authenticate(supervisor_a)
    assert api.get(f"/api/v1/consents/{record.pk}/").json()["best_interests_decision"] == decision.pk
    registrar = make_user(Role.FIELD_REGISTRAR, team=team_a)  # identity, not child protection
    api.force_authenticate(registrar)
    data = api.get(f"/api/v1/consents/{record.pk}/").json()
    assert data["given_by"] == "panel" and "best_interests_decision" not in data
    page = client_for(registrar).get(f"/consent/people/{orphan.person_id}/").content.decode()
    assert f"/consent/best-interests-decisions/{decision.pk}/" not in page


def test_reading_the_consent_page_is_audited(consented: ConsentRecord, caseworker_a: User) -> None:
    client_for(caseworker_a).get(f"/consent/people/{consented.person_id}/")
    assert AuditEntry.objects.filter(
        actor=caseworker_a, action=AuditAction.VIEW, person_id=consented.person_id, changes__consent_records__0="viewed"
    ).exists()
