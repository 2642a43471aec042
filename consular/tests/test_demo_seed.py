"""The demo's self-return: case "A" of the source document, on top of the demo data set."""

import pytest

from access import policy
from access.models import NdaAcceptance, NdaVersion
from audit.models import AuditEntry
from casework.models import Case
from casework.transitions import CaseState
from consular import demo, selectors
from consular.models import SelfReturnRequest, SelfReturnStatus
from demo.builder import WAVES, build_demo
from people.models import PersonName, Presence, Relationship, RelationshipKind


@pytest.mark.django_db
def test_the_seed_adds_case_a_apart_from_the_waves_and_the_demo_caseworker_sees_her() -> None:
    users = build_demo(programme=False)
    wave_evacuated = Case.objects.filter(evacuated_on__isnull=False).count()
    demo.seed(users)
    demo.seed(users)  # a second run adds nothing

    request = SelfReturnRequest.objects.get()
    assert request.consulate.name == "Consulate General in Istanbul"
    assert request.status == SelfReturnStatus.ARRIVED
    assert request.arrived_on is not None and request.arrived_on.month == 4
    assert set(request.applicant.names.values_list("script", flat=True)) == {"cyrl", "latn"}
    children = [m.person for m in request.members.select_related("person")]
    assert len(children) == 4
    assert sum(1 for c in children if c.birth_place_actual and c.birth_place_actual.name == "Turkey") == 3
    assert all(r.is_issued for r in request.restorations.filter(doc_type="return_certificate"))
    assert request.restorations.filter(doc_type="return_certificate").count() == 5

    husband = Relationship.objects.get(object=request.applicant, kind=RelationshipKind.SPOUSE).subject
    assert Presence.objects.filter(person=husband, place__parent__name="Syria", until__isnull=True).exists()
    assert not Case.objects.filter(person=husband).exists()

    cases = Case.objects.filter(pk__in=[request.case_id, *request.members.values_list("case_id", flat=True)])
    assert {c.state for c in cases} == {CaseState.IN_LOCAL_PROGRAMME}
    assert {c.evacuated_on for c in cases} == {request.arrived_on}
    # The waves keep their 595: the five self-returners arrived on a day that is no wave's.
    assert wave_evacuated == 595
    assert Case.objects.filter(evacuated_on__in=[day for day, _size in WAVES]).count() == 595
    assert AuditEntry.objects.filter(reason="Demo self-returns loaded").count() == 1
    assert selectors.self_returned_case_ids() == {c.pk for c in cases}

    caseworker = users["caseworker"]
    current = NdaVersion.current()
    assert current is not None
    NdaAcceptance.objects.create(user=caseworker, nda=current)
    rows = selectors.request_list(caseworker, "latn")
    assert [r.applicant_name for r in rows] == ["Anara Zhumabayeva"]
    assert policy.case_for_user(caseworker, request.case_id)
    assert PersonName.objects.filter(given="Анара").exists()
