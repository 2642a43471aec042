"""Records of agency A for the IDOR walk (tests/test_idor.py): one of each kind an identification URL names."""

from collections.abc import Callable
from datetime import date
from typing import Any

from access.models import User
from casework.models import Case
from conftest import latin
from identification import imports, services
from identification.tests.conftest import csv_upload
from people import services as people_services
from people.models import Place, PlaceKind


def make(
    mother: Case, child: Case, caseworker: User, supervisor: User, make_user: Callable[..., Any]
) -> dict[str, int]:
    id_list = services.list_create(
        actor=caseworker, name="Partner list", source_kind="partner_authority", received_on=date(2019, 2, 1)
    )
    services.list_entry_add(actor=caseworker, id_list=id_list, person=mother.person)
    camp = Place.objects.create(kind=PlaceKind.CAMP, name="al-Hol (walk)")
    mission = services.mission_create(
        actor=caseworker, name="Mission", starts_on=date(2019, 1, 1), ends_on=date(2019, 1, 20), places=[camp]
    )
    services.mission_contact_add(
        actor=caseworker, mission=mission, person=mother.person, met_on=date(2019, 1, 5), place=camp
    )
    grandmother = people_services.relative_register(
        actor=caseworker, of_person=mother.person, kind="mother", names=[latin("Gulnar", "Nurlanova")], sex="F"
    )
    request = services.return_request_record(
        actor=caseworker, requested_by=grandmother, person=mother.person, received_on=date(2019, 1, 2), channel="letter"
    )
    batch = imports.import_upload(
        actor=caseworker, id_list=id_list, upload=csv_upload([["Walk", "Row", "", "F", "1990", "", "", ""]])
    )
    return {
        "lists": id_list.pk,
        "identification-lists": id_list.pk,
        "missions": mission.pk,
        "return-requests": request.pk,
        "imports": batch.pk,
    }
