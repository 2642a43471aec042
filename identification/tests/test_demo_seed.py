"""The demo's identification records: deterministic, consistent with the persons of the demo data set."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from access.models import NdaAcceptance, NdaVersion
from audit.models import AuditEntry
from demo.builder import build_demo
from identification import demo
from identification.models import (
    CitizenshipVerification,
    IdentificationList,
    ListEntry,
    Mission,
    MissionContact,
    ReturnRequest,
)
from people.models import Presence


@pytest.mark.django_db
def test_the_demo_seed_adds_missions_lists_and_requests() -> None:
    users = build_demo(programme=False)
    demo.seed(users)
    assert Mission.objects.count() == 3
    assert set(Mission.objects.values_list("team__name", flat=True)) == {"Consular mission team"}
    assert all(list(m.members.values_list("username", flat=True)) == ["registrar"] for m in Mission.objects.all())
    contacts = list(MissionContact.objects.select_related("mission", "person__case"))
    assert len(contacts) > 60
    for contact in contacts:
        assert contact.mission.starts_on <= contact.met_on <= contact.mission.ends_on
        case = contact.person.case
        assert case.evacuated_on is None or contact.met_on < case.evacuated_on
    in_camps = Presence.objects.filter(until__isnull=True, place__name__in=["al-Hol", "Roj"], person__sex="F")
    assert MissionContact.objects.filter(person__in=in_camps.values("person")).exists()
    assert IdentificationList.objects.count() == 2
    partner = IdentificationList.objects.get(source_kind="partner_authority")
    assert partner.entries.filter(person__case__evacuated_on__isnull=True).exists()
    assert partner.entries.filter(person__case__evacuated_on__isnull=False).exists()
    requests = list(ReturnRequest.objects.select_related("relationship", "requested_by"))
    assert len(requests) == 40
    for request in requests:
        assert {request.relationship.subject_id, request.relationship.object_id} == {
            request.requested_by_id,
            request.person_id,
        }
        assert not hasattr(request.requested_by, "case")
    relatives_list = IdentificationList.objects.get(source_kind="relatives_requests")
    assert set(relatives_list.entries.values_list("person_id", flat=True)) == {r.person_id for r in requests}
    assert CitizenshipVerification.objects.count() == 20
    assert AuditEntry.objects.filter(reason="Demo identification data loaded").count() == 1
    first = (
        sorted(MissionContact.objects.values_list("person_id", "met_on")),
        sorted(ListEntry.objects.values_list("person_id", flat=True)),
    )
    registrar = users["registrar"]
    nda = NdaVersion.current()
    assert nda is not None
    NdaAcceptance.objects.create(user=registrar, nda=nda)
    client = Client()
    client.force_login(registrar)
    page = client.get(reverse("identification-list-detail", args=[partner.pk]))
    assert page.status_code == 200
    assert (
        len(page.context["entries"]) == partner.entries.filter(person__case__team__name="Consular mission team").count()
    )
    # Deterministic: built again, the same records.
    MissionContact.objects.all().delete()
    ReturnRequest.objects.all().delete()
    ListEntry.objects.all().delete()
    CitizenshipVerification.objects.all().delete()
    Mission.objects.all().delete()
    IdentificationList.objects.all().delete()
    from people.models import CitizenshipEvidence

    CitizenshipEvidence.objects.filter(verification__isnull=True, description__startswith="Birth and passport").delete()
    started = time.monotonic()
    demo.seed(users)
    assert time.monotonic() - started < 5
    assert first == (
        sorted(MissionContact.objects.values_list("person_id", "met_on")),
        sorted(ListEntry.objects.values_list("person_id", flat=True)),
    )
