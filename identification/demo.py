"""Identification records of the demo data set, on top of demo.builder: missions to al-Hol and Roj with the
persons they met, a partner authority's list, a list of relatives' requests, the requests themselves, and a few
citizenship verification steps. Deterministic (fixed seed and dates) and written in bulk."""

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Exists, OuterRef

from audit.models import AuditAction
from audit.services import audit_record
from casework.models import Case
from identification.models import (
    CitizenshipVerification,
    Confidence,
    IdentificationList,
    ListEntry,
    Mission,
    MissionContact,
    RequestChannel,
    ReturnRequest,
    SourceKind,
    VerificationKind,
    VerificationOutcome,
)
from identification.services import EVIDENCE_KIND
from people.models import CitizenshipEvidence, Place, PlaceKind, Presence, Relationship

if TYPE_CHECKING:
    from access.models import User

SEED = 2019_05
TEAM = "Consular mission team"
MISSIONS = [
    ("Mission to al-Hol, December 2018", date(2018, 12, 3), date(2018, 12, 14), ["al-Hol"]),
    ("Mission to al-Hol and Roj, February 2019", date(2019, 2, 4), date(2019, 2, 20), ["al-Hol", "Roj"]),
    ("Mission to Roj and al-Hol, April 2019", date(2019, 4, 8), date(2019, 4, 19), ["Roj", "al-Hol"]),
]
CAMPS = ("al-Hol", "Roj")


def _day_within(rng: random.Random, starts: date, ends: date) -> date:
    return starts + timedelta(days=rng.randint(0, (ends - starts).days))


@transaction.atomic
def seed(users: dict[str, "User"]) -> None:
    rng = random.Random(SEED)  # noqa: S311 - a reproducible demo, not a secret
    registrar = users["registrar"]
    team = registrar.team
    assert team is not None and team.name == TEAM  # the demo's own set-up
    agency_id = team.agency_id
    camps = {p.name: p for p in Place.objects.filter(kind=PlaceKind.CAMP, name__in=CAMPS)}

    missions = []
    for name, starts, ends, places in MISSIONS:
        mission = Mission.objects.create(
            name=name,
            starts_on=starts,
            ends_on=ends,
            agency_id=agency_id,
            team=team,
            created_by=registrar,
            notes="Interviews of nationals in the camp, with the camp administration's agreement.",
        )
        mission.members.set([registrar])
        mission.places.set([camps[p] for p in places])
        missions.append((mission, places))

    # Mothers who were evacuated: each met by the last mission before her wave.
    has_children = Case.objects.filter(parent_case=OuterRef("pk"))
    evacuated_mothers = list(
        Case.objects.filter(evacuated_on__isnull=False, person__sex="F", parent_case__isnull=True)
        .filter(Exists(has_children))
        .order_by("pk")
        .values_list("person_id", "evacuated_on")
    )
    # Women still in the camps (and their open stay there).
    in_camps = list(
        Presence.objects.filter(
            until__isnull=True,
            place__name__in=CAMPS,
            person__sex="F",
            person__case__evacuated_on__isnull=True,
            person__case__parent_case__isnull=True,
        )
        .order_by("person_id")
        .values_list("person_id", "place__name")
    )
    contacts = []
    for person_id, evacuated_on in rng.sample(evacuated_mothers, min(60, len(evacuated_mothers))):
        before = [(m, p) for m, p in missions if evacuated_on and m.ends_on < evacuated_on]
        if not before:
            continue
        mission, places = before[-1]
        contacts.append(
            MissionContact(
                mission=mission,
                person_id=person_id,
                met_on=_day_within(rng, mission.starts_on, mission.ends_on),
                place=camps[rng.choice(places)],
                notes="Asked to return with her children.",
                recorded_by=registrar,
            )
        )
    for person_id, camp in in_camps:
        mission, _places = rng.choice([(m, p) for m, p in missions if camp in p])
        contacts.append(
            MissionContact(
                mission=mission,
                person_id=person_id,
                met_on=_day_within(rng, mission.starts_on, mission.ends_on),
                place=camps[camp],
                notes="Interviewed; identity to be confirmed.",
                recorded_by=registrar,
            )
        )
    MissionContact.objects.bulk_create(contacts)

    partner = IdentificationList.objects.create(
        name="Partner authority list of nationals in camps, February 2019",
        source_kind=SourceKind.PARTNER_AUTHORITY,
        source_description="Camp administration of north-east Syria, through the embassy",
        received_on=date(2019, 2, 25),
        default_confidence=Confidence.PROBABLE,
        agency_id=agency_id,
        created_by=registrar,
    )
    relatives_list = IdentificationList.objects.create(
        name="Relatives' requests to the ministry, 2018",
        source_kind=SourceKind.RELATIVES_REQUESTS,
        source_description="Letters and visits of families to the ministry and local authorities",
        received_on=date(2018, 12, 20),
        default_confidence=Confidence.POSSIBLE,
        agency_id=agency_id,
        created_by=registrar,
    )
    abroad = list(
        Case.objects.filter(evacuated_on__isnull=True, team__name=TEAM)
        .order_by("pk")
        .values_list("person_id", flat=True)
    )
    later_waves = list(
        Case.objects.filter(evacuated_on__gt=partner.received_on).order_by("pk").values_list("person_id", flat=True)
    )
    entries = [
        ListEntry(id_list=partner, person_id=pid, confidence=Confidence.PROBABLE, added_by=registrar) for pid in abroad
    ]
    entries += [
        ListEntry(id_list=partner, person_id=pid, confidence=Confidence.CONFIRMED, added_by=registrar)
        for pid in rng.sample(later_waves, min(80, len(later_waves)))
    ]

    # Relatives at home (no case of their own, living in a town) linked to an evacuated person.
    at_home = Presence.objects.filter(person=OuterRef("subject"), until__isnull=True, place__kind=PlaceKind.SETTLEMENT)
    links = list(
        Relationship.objects.filter(subject__case__isnull=True, object__case__evacuated_on__isnull=False)
        .filter(Exists(at_home))
        .order_by("pk")
        .values_list("pk", "subject_id", "object_id")
    )
    requests = []
    for link_id, relative_id, person_id in rng.sample(links, min(40, len(links))):
        requests.append(
            ReturnRequest(
                requested_by_id=relative_id,
                person_id=person_id,
                relationship_id=link_id,
                received_on=_day_within(rng, date(2018, 3, 1), date(2018, 12, 15)),
                channel=rng.choice(RequestChannel.values),
                note="Asks for the return of the family member and the grandchildren.",
                recorded_by=registrar,
            )
        )
    ReturnRequest.objects.bulk_create(requests)
    requested = sorted({r.person_id for r in requests})
    entries += [
        ListEntry(id_list=relatives_list, person_id=pid, confidence=Confidence.POSSIBLE, added_by=registrar)
        for pid in requested
    ]
    ListEntry.objects.bulk_create(entries)

    # Registry checks for the women met in the camps.
    checked = [pid for pid, _camp in in_camps[:20]]
    evidence = CitizenshipEvidence.objects.bulk_create(
        CitizenshipEvidence(
            person_id=pid,
            kind=EVIDENCE_KIND[VerificationKind.REGISTRY_CHECK],
            description="Birth and passport records found in the civil registry",
            recorded_by=registrar,
        )
        for pid in checked
    )
    CitizenshipVerification.objects.bulk_create(
        CitizenshipVerification(
            person_id=record.person_id,
            kind=VerificationKind.REGISTRY_CHECK,
            evidence=record,
            outcome=VerificationOutcome.SUPPORTS,
            checked_on=date(2019, 3, 4),
            checked_by=registrar,
        )
        for record in evidence
    )
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        reason="Demo identification data loaded",
        changes={
            "missions": [None, len(missions)],
            "mission_contacts": [None, len(contacts)],
            "lists": [None, 2],
            "list_entries": [None, len(entries)],
            "return_requests": [None, len(requests)],
            "verifications": [None, len(checked)],
        },
    )
