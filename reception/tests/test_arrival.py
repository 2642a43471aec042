"""Check-in on arrival: the case moves from evacuated to received, one person or a whole board at once."""

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from access.models import User
from audit.models import AuditEntry
from casework.models import Case
from casework.transitions import CaseState
from conftest import latin
from people.models import Place
from reception import services
from reception.models import Arrival


def test_checking_in_receives_the_case_and_records_the_arrival(
    evacuate: Callable[..., Case], caseworker_a: User, aktau: Place
) -> None:
    case = evacuate()
    arrival = services.arrival_check_in(actor=caseworker_a, case=case, arrived_on=date(2019, 5, 9), place=aktau)
    case.refresh_from_db()
    assert case.state == CaseState.RECEIVED
    assert (arrival.person_id, arrival.place, arrival.checked_in_by) == (case.person_id, aktau, caseworker_a)
    assert AuditEntry.objects.filter(
        object_type="reception.arrival", action="create", person_id=case.person_id
    ).exists()
    assert AuditEntry.objects.filter(object_type="casework.case", action="transition", object_id=str(case.pk)).exists()


def test_arrival_before_the_evacuation_is_refused(
    evacuate: Callable[..., Case], caseworker_a: User, aktau: Place
) -> None:
    case = evacuate()
    with pytest.raises(ValidationError) as refused:
        services.arrival_check_in(actor=caseworker_a, case=case, arrived_on=date(2019, 5, 1), place=aktau)
    assert "arrived_on" in refused.value.message_dict
    case.refresh_from_db()
    assert case.state == CaseState.EVACUATED and not Arrival.objects.exists()


def test_a_bulk_check_in_is_all_or_nothing(
    evacuate: Callable[..., Case], register: Callable[..., Case], caseworker_a: User, aktau: Place
) -> None:
    ready = [evacuate(latin("Aigerim", f"Family{i}")) for i in range(3)]
    not_evacuated = register(latin("Dana", "Late"))
    with pytest.raises(ValidationError) as refused:
        services.arrivals_check_in(
            actor=caseworker_a,
            case_ids=[c.pk for c in ready] + [not_evacuated.pk],
            arrived_on=date(2019, 5, 9),
            place=aktau,
        )
    assert "cases" in refused.value.message_dict
    assert not Arrival.objects.exists()
    assert set(Case.objects.filter(pk__in=[c.pk for c in ready]).values_list("state", flat=True)) == {"evacuated"}
    assert not AuditEntry.objects.filter(object_type="reception.arrival").exists()


def test_a_case_of_another_agency_spoils_the_whole_bulk_check_in(
    evacuate: Callable[..., Case], register: Callable[..., Case], caseworker_a: User, caseworker_b: User, aktau: Place
) -> None:
    mine = evacuate()
    theirs = register(latin("Other", "Agency"), actor=caseworker_b)
    with pytest.raises(ValidationError):
        services.arrivals_check_in(
            actor=caseworker_a, case_ids=[mine.pk, theirs.pk], arrived_on=date(2019, 5, 9), place=aktau
        )
    mine.refresh_from_db()
    assert mine.state == CaseState.EVACUATED and not Arrival.objects.exists()


def test_the_board_lists_evacuated_persons_by_date_and_checks_them_in(
    evacuate: Callable[..., Case], register: Callable[..., Case], caseworker_a: User, aktau: Place
) -> None:
    january = evacuate(latin("January", "Wave"), on=date(2019, 1, 6))
    may = evacuate(latin("May", "Wave"))
    register(latin("Still", "Incamp"))
    client = Client()
    client.force_login(caseworker_a)
    html = client.get("/reception/arrivals/").content.decode()
    assert "January" in html and "May" in html and "Still" not in html
    assert html.index("2019-01-06") < html.index("2019-05-09")
    response = client.post(
        "/reception/arrivals/", {"case": [january.pk, may.pk], "arrived_on": "2019-06-01", "place": aktau.pk}
    )
    assert response.status_code == 302
    assert Arrival.objects.count() == 2
    assert "January" not in client.get("/reception/arrivals/").content.decode()


def test_the_board_shows_the_refusal_and_changes_nothing(
    evacuate: Callable[..., Case], caseworker_a: User, aktau: Place
) -> None:
    case = evacuate()
    client = Client()
    client.force_login(caseworker_a)
    response = client.post("/reception/arrivals/", {"case": [case.pk], "arrived_on": "2019-05-01", "place": aktau.pk})
    assert response.status_code == 200
    assert "arrival cannot be before the evacuation" in response.content.decode()
    assert not Arrival.objects.exists()


def test_the_board_is_refused_to_roles_that_do_not_move_cases(statistician: User, doctor: User) -> None:
    for user in (statistician, doctor):
        client = Client()
        client.force_login(user)
        assert client.get("/reception/arrivals/").status_code == 403


def test_the_api_checks_in_and_lists_arrivals(evacuate: Callable[..., Case], caseworker_a: User, aktau: Place) -> None:
    cases = [evacuate(latin("Aigerim", f"Family{i}")) for i in range(2)]
    api = APIClient()
    api.force_authenticate(caseworker_a)
    response = api.post(
        "/api/v1/arrivals/",
        {"cases": [c.pk for c in cases], "arrived_on": "2019-05-10", "place": aktau.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert len(response.json()) == 2
    assert api.get("/api/v1/arrivals/").json()["count"] == 2
    again = api.post(
        "/api/v1/arrivals/", {"cases": [cases[0].pk], "arrived_on": "2019-05-10", "place": aktau.pk}, format="json"
    )
    assert again.status_code == 400 and "cases" in again.json()["errors"]


def test_the_board_makes_the_same_number_of_queries_for_2_or_20_persons(
    evacuate: Callable[..., Case], caseworker_a: User
) -> None:
    client = Client()
    client.force_login(caseworker_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/reception/arrivals/").status_code == 200
        return len(captured)

    for i in range(2):
        evacuate(latin("Small", f"Family{i}"))
    small = count()
    for i in range(18):
        evacuate(latin("Large", f"Family{i}"), on=date(2019, 6, 10) if i % 2 else date(2019, 5, 9))
    assert count() == small


def test_a_bulk_check_in_appends_its_audit_entries_in_one_step(
    evacuate: Callable[..., Case], caseworker_a: User, aktau: Place, chain_appends: list[int]
) -> None:
    ready = [evacuate(latin("Aigerim", f"Family{i}")) for i in range(3)]
    chain_appends.clear()
    services.arrivals_check_in(
        actor=caseworker_a, case_ids=[c.pk for c in ready], arrived_on=date(2019, 5, 9), place=aktau
    )
    assert len(chain_appends) == 1
    arrived = AuditEntry.objects.filter(object_type="reception.arrival", action="create")
    assert set(arrived.values_list("person_id", flat=True)) == {c.person_id for c in ready}
