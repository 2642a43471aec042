"""Identification pages: home, lists, missions, requests, verification, and the import walked through the pages."""

from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.models import User
from audit.models import AuditEntry
from casework.models import Case
from conftest import cyrillic, latin
from identification import services
from identification.models import (
    CitizenshipVerification,
    IdentificationList,
    ImportBatch,
    ImportStatus,
    ListEntry,
    Mission,
    MissionContact,
    ReturnRequest,
)
from identification.tests.conftest import csv_upload, xlsx_upload
from people import services as people_services
from people.models import CitizenshipEvidence, Place, PlaceKind, Relationship


@pytest.fixture
def client_a(caseworker_a: User) -> Client:
    client = Client()
    client.force_login(caseworker_a)
    return client


def test_the_home_page_shows_lists_missions_and_imports(client_a: Client, id_list: IdentificationList) -> None:
    response = client_a.get(reverse("identification-home"))
    assert response.status_code == 200
    assert id_list.name in response.content.decode()


def test_roles_without_the_identification_capability_are_refused(statistician: User) -> None:
    client = Client()
    client.force_login(statistician)
    assert client.get(reverse("identification-home")).status_code == 403


def test_a_list_shows_only_persons_the_user_may_see_and_does_not_count_the_others(
    client_a: Client,
    caseworker_a: User,
    caseworker_b: User,
    id_list: IdentificationList,
    register: Callable[..., Case],
) -> None:
    mine = register(latin("Aigerim", "Nurlanova"))
    theirs = register(latin("Hidden", "Person"), actor=caseworker_b)
    services.list_entry_add(actor=caseworker_a, id_list=id_list, person=mine.person)
    ListEntry.objects.create(id_list=id_list, person=theirs.person, confidence="possible")
    page = client_a.get(reverse("identification-list-detail", args=[id_list.pk])).content.decode()
    assert "Nurlanova" in page and "Hidden" not in page
    home = client_a.get(reverse("identification-home")).content.decode()
    assert "<td>1</td>" in home and "<td>2</td>" not in home


def _list_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_and_home_pages_make_a_constant_number_of_queries(
    client_a: Client, caseworker_a: User, id_list: IdentificationList, register: Callable[..., Case]
) -> None:
    camp = Place.objects.create(kind=PlaceKind.CAMP, name="al-Hol")
    mission = services.mission_create(
        actor=caseworker_a, name="M", starts_on=date(2019, 1, 1), ends_on=date(2019, 1, 31), places=[camp]
    )

    def add(n: int) -> None:
        for i in range(n):
            case = register(latin(f"Given{i}", f"Family{i}"))
            services.list_entry_add(actor=caseworker_a, id_list=id_list, person=case.person)
            services.mission_contact_add(
                actor=caseworker_a, mission=mission, person=case.person, met_on=date(2019, 1, 5), place=camp
            )

    urls = [
        reverse("identification-list-detail", args=[id_list.pk]),
        reverse("identification-mission-detail", args=[mission.pk]),
        reverse("identification-home"),
    ]
    add(2)
    few = [_list_queries(client_a, url) for url in urls]
    add(18)
    many = [_list_queries(client_a, url) for url in urls]
    assert many == few


def test_a_mission_is_created_and_records_the_persons_it_met(
    client_a: Client, caseworker_a: User, team_a: object, register: Callable[..., Case]
) -> None:
    camp = Place.objects.create(kind=PlaceKind.CAMP, name="Roj")
    response = client_a.post(
        reverse("identification-mission-create"),
        {
            "name": "Mission to Roj",
            "starts_on": "2019-01-10",
            "ends_on": "2019-01-20",
            "team": team_a.pk,  # type: ignore[attr-defined]
            "members": [caseworker_a.pk],
            "places": [camp.pk],
        },
    )
    assert response.status_code == 302
    mission = Mission.objects.get(members=caseworker_a)
    woman = register(latin("Aigerim", "Nurlanova"))
    url = reverse("identification-mission-detail", args=[mission.pk])
    outside = client_a.post(url, {"person": woman.person_id, "met_on": "2019-02-01", "place": camp.pk})
    assert outside.status_code == 200 and "within the mission" in outside.content.decode()
    assert client_a.post(url, {"person": woman.person_id, "met_on": "2019-01-12", "place": camp.pk}).status_code == 302
    assert MissionContact.objects.get().person_id == woman.person_id
    assert "Nurlanova" in client_a.get(url).content.decode()


def test_a_mission_ending_before_it_starts_is_refused(client_a: Client) -> None:
    response = client_a.post(
        reverse("identification-mission-create"), {"name": "M", "starts_on": "2019-01-10", "ends_on": "2019-01-01"}
    )
    assert response.status_code == 200 and "cannot end before it starts" in response.content.decode()


def test_a_relatives_request_links_the_two_and_needs_the_relationship(
    client_a: Client, caseworker_a: User, register: Callable[..., Case]
) -> None:
    daughter = register(latin("Aigerim", "Nurlanova"))
    mother = people_services.relative_register(
        actor=caseworker_a, of_person=daughter.person, kind="mother", names=[cyrillic("Гульнар", "Нурланова")], sex="F"
    )
    stranger = register(latin("Dana", "Bekova"))
    url = reverse("identification-return-request-create")
    base = {"received_on": "2019-01-03", "channel": "letter"}
    refused = client_a.post(url, {**base, "requested_by": stranger.person_id, "person": daughter.person_id})
    assert "not linked yet" in refused.content.decode() and not ReturnRequest.objects.exists()
    assert client_a.post(url, {**base, "requested_by": mother.pk, "person": daughter.person_id}).status_code == 302
    request = ReturnRequest.objects.get()
    assert request.relationship.subject_id == mother.pk and request.relationship.kind == "mother"
    created = client_a.post(
        url, {**base, "requested_by": stranger.person_id, "person": daughter.person_id, "relationship_kind": "sibling"}
    )
    assert created.status_code == 302
    assert Relationship.objects.filter(subject=stranger.person, object=daughter.person, kind="sibling").exists()
    page = client_a.get(reverse("identification-person", args=[daughter.person_id])).content.decode()
    assert "Нурланова" in page or "Гульнар" in page


def test_the_person_picker_offers_only_visible_persons(
    client_a: Client, caseworker_b: User, register: Callable[..., Case]
) -> None:
    register(latin("Aigerim", "Nurlanova"))
    register(latin("Aigerim", "Hidden"), actor=caseworker_b)
    page = client_a.get(reverse("identification-person-picker"), {"field": "person", "q_person": "aigerim"})
    text = page.content.decode()
    assert 'name="person"' in text and "Nurlanova" in text and "Hidden" not in text
    assert client_a.get(reverse("identification-person-picker"), {"field": "evil"}).status_code == 404


def test_a_verification_step_is_recorded_as_citizenship_evidence(
    client_a: Client, register: Callable[..., Case]
) -> None:
    case = register(latin("Aigerim", "Nurlanova"))
    url = reverse("identification-verification-add", args=[case.person_id])
    data = {"kind": "registry_check", "evidence": "Birth record 1990 found", "outcome": "supports"}
    assert client_a.post(url, {**data, "checked_on": "2019-02-01"}).status_code == 302
    step = CitizenshipVerification.objects.get()
    assert step.evidence.kind == "registry_record" and step.evidence.description == "Birth record 1990 found"
    assert CitizenshipEvidence.objects.count() == 1
    future = client_a.post(url, {**data, "checked_on": "2999-01-01"})
    assert future.status_code == 200 and CitizenshipVerification.objects.count() == 1
    page = client_a.get(reverse("identification-person", args=[case.person_id])).content.decode()
    assert "Birth record 1990 found" in page
    assert AuditEntry.objects.filter(action="view", person_id=case.person_id).exists()


def test_an_import_walked_through_the_pages(
    client_a: Client, caseworker_a: User, id_list: IdentificationList, register: Callable[..., Case]
) -> None:
    aigerim = register(cyrillic("Айгерим", "Сейтказиева"), born=date(1990, 3, 12))
    upload = xlsx_upload(
        [["Seitkazieva", "Aigerim", None, "F", "12.03.1990", "al-Hol", None, None], ["", "", "", "F", 1990, "", "", ""]]
    )
    response = client_a.post(reverse("identification-import-upload"), {"id_list": id_list.pk, "file": upload})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.file_kind == "xlsx"
    detail = reverse("identification-import-detail", args=[batch.pk])
    mapping = {target: str(index) for target, index in batch.mapping.items()}
    client_a.post(reverse("identification-import-mapping", args=[batch.pk]), mapping)
    page = client_a.get(detail).content.decode()
    assert "The name is missing." in page
    poll = client_a.post(reverse("identification-import-match", args=[batch.pk]), headers={"HX-Request": "true"})
    assert poll.status_code == 200 and poll["HX-Redirect"] == detail
    page = client_a.get(detail).content.decode()
    assert f'value="same-{aigerim.person_id}"' in page
    client_a.post(reverse("identification-import-decide", args=[batch.pk]), {"row-2": f"same-{aigerim.person_id}"})
    client_a.post(reverse("identification-import-commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert ListEntry.objects.filter(id_list=id_list, person=aigerim.person).exists()


def test_a_long_import_polls_with_a_progress_bar(
    client_a: Client, caseworker_a: User, id_list: IdentificationList, monkeypatch: pytest.MonkeyPatch
) -> None:
    from identification import imports

    monkeypatch.setattr(imports, "MATCH_CHUNK", 2)
    rows = [[f"Fam{chr(97 + i)}", "Given", "", "F", "1990", "", "", ""] for i in range(5)]
    client_a.post(reverse("identification-import-upload"), {"id_list": id_list.pk, "file": csv_upload(rows)})
    batch = ImportBatch.objects.get()
    client_a.post(reverse("identification-import-mapping", args=[batch.pk]), {"family": "0", "given": "1"})
    url = reverse("identification-import-match", args=[batch.pk])
    first = client_a.post(url, headers={"HX-Request": "true"}).content.decode()
    assert 'max="5" value="2"' in first and f'hx-post="{url}"' in first
    second = client_a.post(url, headers={"HX-Request": "true"}).content.decode()
    assert 'value="4"' in second
    last = client_a.post(url, headers={"HX-Request": "true"})
    assert "HX-Redirect" in last


def test_a_bad_upload_is_refused_on_the_form(client_a: Client, id_list: IdentificationList) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = SimpleUploadedFile("list.csv", b"\x89PNG\r\n\x1a\n\x00\x00")
    response = client_a.post(reverse("identification-import-upload"), {"id_list": id_list.pk, "file": png})
    assert response.status_code == 200 and "not a spreadsheet" in response.content.decode()
    assert not ImportBatch.objects.exists()
