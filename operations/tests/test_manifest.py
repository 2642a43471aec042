"""The manifest: grouped by family, only the members and columns the printing user may see, printing audited."""

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from access.models import User
from access.rules import Role
from audit.models import AuditEntry
from casework.models import CaseAssignment
from operations import selectors, services
from operations.manifest import manifest_pdf, manifest_table
from operations.models import Wave
from operations.tests.conftest import Family
from reception.models import LegalAssessment, LegalStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(wave: Wave, make_family: Callable[..., Family], supervisor_a: User) -> tuple[Wave, list[Family]]:
    families = [make_family(children=2), make_family(children=0)]
    for family in families:
        services.wave_members_add(actor=supervisor_a, wave=wave, person_ids=family.person_ids)
    wave.refresh_from_db()
    return wave, families


@pytest.fixture
def legal_records(planned: tuple[Wave, list[Family]], supervisor_a: User) -> None:
    """Every person on the wave has a legal assessment "under investigation" (the reception app's records)."""
    wave, _ = planned
    for member in wave.members.select_related("case"):
        LegalAssessment.objects.create(
            person_id=member.person_id,
            case=member.case,
            status=LegalStatus.UNDER_INVESTIGATION,
            decided_on=date(2019, 1, 10),
            authority="Prosecutor's office",
            recorded_by=supervisor_a,
        )


def test_the_manifest_groups_each_mother_with_her_children(
    planned: tuple[Wave, list[Family]], supervisor_a: User
) -> None:
    wave, families = planned
    manifest = selectors.wave_manifest(supervisor_a, wave, "latn")
    groups = [[row.person.pk for row in group] for group in manifest.groups]
    assert sorted(groups, key=len) == [[families[1].mother.person_id], families[0].person_ids]
    heads = [group[0] for group in manifest.groups if len(group) > 1]
    assert heads[0].role == "mother or guardian" and heads[0].is_head
    assert {row.role for row in manifest.groups[0][1:]} == {"child"}


def test_the_pdf_is_a_pdf_and_its_printing_is_audited(planned: tuple[Wave, list[Family]], supervisor_a: User) -> None:
    wave, _ = planned
    content = manifest_pdf(supervisor_a, wave, "latn")
    assert content.startswith(b"%PDF")
    entry = AuditEntry.objects.get(action="export", object_type="operations.wave")
    assert entry.changes["members_printed"] == [None, 4]


def test_the_printing_entry_names_each_person_printed_and_whose_legal_status_was_printed(
    planned: tuple[Wave, list[Family]], make_user: Callable[..., User], legal_records: None
) -> None:
    wave, families = planned
    lawyer = make_user(Role.LEGAL_OFFICER)
    CaseAssignment.objects.create(case=families[1].mother, user=lawyer, purpose="Legal assessment")
    CaseAssignment.objects.create(case=families[0].mother, user=lawyer, purpose="Travel list")
    mother_without_record = families[0].mother
    LegalAssessment.objects.filter(person_id=mother_without_record.person_id).delete()
    before = AuditEntry.objects.count()
    manifest_pdf(lawyer, wave, "latn")
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.get(action="export", object_type="operations.wave", actor=lawyer)
    printed = sorted([families[0].mother.person_id, families[1].mother.person_id])
    assert entry.changes["persons_printed"] == [None, printed]
    assert entry.changes["legal_status_printed_for"] == [None, [families[1].mother.person_id]]


def test_a_printing_without_the_legal_column_names_the_persons_and_no_legal_status(
    planned: tuple[Wave, list[Family]], supervisor_a: User, legal_records: None
) -> None:
    wave, families = planned
    manifest_pdf(supervisor_a, wave, "latn")
    entry = AuditEntry.objects.get(action="export", object_type="operations.wave")
    assert entry.changes["persons_printed"] == [None, sorted(p for f in families for p in f.person_ids)]
    assert "legal_status_printed_for" not in entry.changes


def test_the_pdf_download_is_an_attachment(planned: tuple[Wave, list[Family]], supervisor_a: User) -> None:
    wave, _ = planned
    client = Client()
    client.force_login(supervisor_a)
    response = client.get(reverse("operations-wave-manifest", args=[wave.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;") and response.content.startswith(b"%PDF")


def test_the_legal_column_is_absent_for_those_who_may_not_see_the_legal_class(
    planned: tuple[Wave, list[Family]], supervisor_a: User, legal_records: None
) -> None:
    wave, _ = planned
    headings, rows = manifest_table(selectors.wave_manifest(supervisor_a, wave, "latn"))
    assert "Legal status" not in headings
    assert not any("Under investigation" in cell for row in rows for cell in row)


def test_a_legal_officer_sees_the_legal_status_of_the_persons_assigned_to_them_only(
    planned: tuple[Wave, list[Family]],
    make_user: Callable[..., User],
    supervisor_a: User,
    legal_records: None,
) -> None:
    wave, families = planned
    lawyer = make_user(Role.LEGAL_OFFICER)
    CaseAssignment.objects.create(case=families[1].mother, user=lawyer, purpose="Legal assessment")
    manifest = selectors.wave_manifest(lawyer, wave, "latn")
    headings, rows = manifest_table(manifest)
    assert "Legal status" in headings
    assert len(rows) == 1 and rows[0][1] == families[1].mother.number and "Under investigation" in rows[0]
    assert manifest.hidden == 3  # the others are counted, never shown
    client = Client()
    client.force_login(lawyer)
    page = client.get(reverse("operations-wave-detail", args=[wave.pk])).content.decode()
    assert "Under investigation" in page and "Mother1 Family" not in page
    viewed = AuditEntry.objects.filter(action="view", object_type="operations.wave", actor=lawyer).last()
    assert viewed is not None and viewed.changes["legal"] == ["viewed", "viewed"]
    assert viewed.changes["legal_status_shown_for"] == [None, [families[1].mother.person_id]]


def test_members_are_printed_in_their_scripts(
    wave: Wave, register: Callable[..., object], supervisor_a: User, caseworker_a: User
) -> None:
    from conftest import cyrillic, latin
    from operations.tests.conftest import consent

    case = register(cyrillic("Айгерим", "Сейтказиева"), latin("Aigerim", "Seitkazieva"))
    consent(case, caseworker_a)  # type: ignore[arg-type]
    services.wave_members_add(actor=supervisor_a, wave=wave, person_ids=[case.person_id])  # type: ignore[attr-defined]
    _, rows = manifest_table(selectors.wave_manifest(supervisor_a, wave, "cyrl"))
    assert rows[0][2] == "Сейтказиева Айгерим\nAigerim Seitkazieva"
    assert manifest_pdf(supervisor_a, wave, "cyrl").startswith(b"%PDF")
