"""Demo records of self-returns, on top of demo.builder's data set: the source document's case "A" (section 5.6).

A woman reached the Consulate General in Istanbul in January 2019 without documents, with four children (one born
at home in 2013, three born in Turkey); her husband stayed in Syria and had called them to join him. Her documents
and the children's were restored, the family flew home in April 2019 and now follows the local programme.
She is not a member of any wave: her case's `evacuated_on` is the arrival date, apart from the four waves.

Deterministic (fixed names and dates), written with bulk inserts like demo.builder, recorded as one audit entry.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from casework.models import Case, CaseEvent, CaseEventKind
from casework.transitions import CaseState
from consular.models import (
    DocumentRestoration,
    MemberRelation,
    SelfReturnMember,
    SelfReturnRequest,
    SelfReturnStatus,
)
from people.family import best_birth_date
from people.models import (
    BirthDatePrecision,
    CitizenshipStatus,
    DocumentStatus,
    DocumentType,
    IdentityDocument,
    NameKind,
    NameToken,
    Person,
    PersonName,
    Place,
    Presence,
    Relationship,
    RelationshipBasis,
    RelationshipKind,
    Sex,
)
from people.transliteration import fold_tokens

if TYPE_CHECKING:
    from access.models import User

CONSULATE = "Consulate General in Istanbul"
TEAM = "Mangystau reintegration team"
REQUESTED_ON = date(2019, 1, 21)
DOCUMENTS_ASKED_ON = date(2019, 1, 23)
DOCUMENTS_ISSUED_ON = date(2019, 3, 18)
ARRIVED_ON = date(2019, 4, 16)
RELOCATED_ON = date(2019, 4, 25)
ENROLLED_ON = date(2019, 5, 6)
SITUATION = (
    "Came to the consulate on her own from Istanbul, without any documents, with four children; three were born "
    "in Turkey and have no birth registration. Her husband is in Syria and called the family to join him; she "
    "refused and asks for help to return home to her parents in Aktau."
)

# given (Cyrillic, Latin), sex, born, born in Turkey
CHILDREN = [
    (("Алихан", "Alikhan"), Sex.MALE, date(2013, 3, 5), False),
    (("Самира", "Samira"), Sex.FEMALE, date(2015, 7, 12), True),
    (("Ибрагим", "Ibragim"), Sex.MALE, date(2016, 11, 3), True),
    (("Айша", "Aisha"), Sex.FEMALE, date(2018, 2, 20), True),
]


@dataclass
class Member:
    person: Person
    names: list[PersonName] = field(default_factory=list)


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _names(person: Person, script_names: list[tuple[str, str, str, str, str]]) -> list[PersonName]:
    return [
        PersonName(person=person, script=script, given=given, family=family, kind=kind, source=source)
        for script, given, family, kind, source in script_names
    ]


def _person(**fields: object) -> Person:
    person = Person(**fields)
    person.birth_date_best = best_birth_date(person)
    return person


@transaction.atomic
def seed(users: dict[str, "User"]) -> None:
    """Add the self-return of case "A" (six persons: the woman, four children, the husband in Syria)."""
    if SelfReturnRequest.objects.exists():
        return
    places = {p.name: p for p in Place.objects.filter(name__in=[CONSULATE, "Turkey", "Kazakhstan", "Aktau", "Raqqa"])}
    caseworker = users["caseworker"]
    supervisor = users.get("supervisor")
    team = caseworker.team

    mother = _person(
        sex=Sex.FEMALE,
        birth_date=date(1989, 8, 14),
        birth_date_precision=BirthDatePrecision.DAY,
        birth_place_actual=places["Aktau"],
        birth_place_registered=places["Aktau"],
        citizenship_status=CitizenshipStatus.CITIZEN,
    )
    husband = _person(
        sex=Sex.MALE,
        birth_date=date(1985, 1, 1),
        birth_date_precision=BirthDatePrecision.YEAR,
        citizenship_status=CitizenshipStatus.CITIZEN,
    )
    children = [
        _person(
            sex=sex,
            birth_date=born,
            birth_date_precision=BirthDatePrecision.DAY,
            birth_place_actual=places["Turkey"] if in_turkey else places["Aktau"],
            birth_place_registered=None if in_turkey else places["Aktau"],
            citizenship_status=CitizenshipStatus.CLAIMED if in_turkey else CitizenshipStatus.CITIZEN,
        )
        for _given, sex, born, in_turkey in CHILDREN
    ]
    persons = [mother, husband, *children]
    Person.objects.bulk_create(persons)

    names = _names(
        mother,
        [
            ("cyrl", "Анара", "Жумабаева", NameKind.REGISTERED, "Civil registry"),
            ("latn", "Anara", "Zhumabayeva", NameKind.DECLARED, "Consular interview"),
        ],
    ) + _names(husband, [("cyrl", "Ерлан", "Жумабаев", NameKind.DECLARED, "Wife's statement")])
    for child, ((cyrillic, latin), sex, _born, in_turkey) in zip(children, CHILDREN, strict=True):
        family = ("Жумабаева", "Zhumabayeva") if sex == Sex.FEMALE else ("Жумабаев", "Zhumabayev")
        kind = NameKind.CHOSEN_BY_MOTHER if in_turkey else NameKind.REGISTERED
        names += _names(
            child,
            [
                ("cyrl", cyrillic, family[0], kind, "Mother's statement" if in_turkey else "Civil registry"),
                ("latn", latin, family[1], NameKind.DECLARED, "Consular interview"),
            ],
        )
    PersonName.objects.bulk_create(names)
    NameToken.objects.bulk_create(
        NameToken(person_id=n.person_id, name=n, token=word[:100])
        for n in names
        for word in {w for part in (n.given, n.family, n.patronymic) for w in fold_tokens(part)}
    )

    Relationship.objects.bulk_create(
        [Relationship(subject=husband, object=mother, kind=RelationshipKind.SPOUSE, basis=RelationshipBasis.DECLARED)]
        + [
            Relationship(
                subject=mother,
                object=child,
                kind=RelationshipKind.MOTHER,
                basis=RelationshipBasis.DECLARED if in_turkey else RelationshipBasis.DOCUMENTED,
            )
            for child, (_g, _s, _b, in_turkey) in zip(children, CHILDREN, strict=True)
        ]
        + [
            Relationship(subject=husband, object=child, kind=RelationshipKind.FATHER, basis=RelationshipBasis.DECLARED)
            for child in children
        ]
    )

    travellers = [mother, *children]
    presences = [
        Presence(person=husband, place=places["Raqqa"], since=date(2015, 6, 1), source="Wife's statement"),
    ]
    for person in travellers:
        in_turkey_since = max(date(2014, 9, 1), person.birth_date or date(2014, 9, 1))
        presences += [
            Presence(
                person=person,
                place=places["Turkey"],
                since=in_turkey_since,
                until=REQUESTED_ON,
                source="Consular interview",
            ),
            Presence(
                person=person, place=places[CONSULATE], since=REQUESTED_ON, until=ARRIVED_ON, source="Consular register"
            ),
            Presence(person=person, place=places["Aktau"], since=ARRIVED_ON, source="Arrival record"),
        ]
    Presence.objects.bulk_create(presences)

    cases = _cases(travellers, team, caseworker, supervisor)
    documents = [
        IdentityDocument(
            person=mother,
            doc_type=DocumentType.PASSPORT,
            number="N08812345",
            issuing_state=places["Kazakhstan"],
            issued_on=date(2011, 6, 1),
            status=DocumentStatus.LOST,
        )
    ] + [
        IdentityDocument(
            person=person,
            doc_type=DocumentType.RETURN_CERTIFICATE,
            number=f"VK 19{index:04d}",
            issuing_state=places["Kazakhstan"],
            issued_on=DOCUMENTS_ISSUED_ON,
            status=DocumentStatus.VALID,
        )
        for index, person in enumerate(travellers, start=1)
    ]
    IdentityDocument.objects.bulk_create(documents)
    issued = {d.person_id: d for d in documents if d.doc_type == DocumentType.RETURN_CERTIFICATE}

    request = SelfReturnRequest.objects.create(
        applicant=mother,
        case=cases[0],
        consulate=places[CONSULATE],
        requested_on=REQUESTED_ON,
        situation=SITUATION,
        status=SelfReturnStatus.ARRIVED,
        travel_on=ARRIVED_ON,
        travel_details="Flight Istanbul – Aktau, accompanied by a consular officer",
        arrived_on=ARRIVED_ON,
        arrival_place=places["Aktau"],
        created_by=caseworker,
        version=len(travellers) * 2 + 3,
    )
    SelfReturnMember.objects.bulk_create(
        SelfReturnMember(request=request, person=child, case=case, relation=MemberRelation.CHILD)
        for child, case in zip(children, cases[1:], strict=True)
    )
    restorations = [
        DocumentRestoration(
            request=request,
            person=person,
            doc_type=DocumentType.RETURN_CERTIFICATE,
            requested_on=DOCUMENTS_ASKED_ON,
            issued_on=DOCUMENTS_ISSUED_ON,
            document=issued[person.pk],
        )
        for person in travellers
    ] + [
        DocumentRestoration(
            request=request,
            person=child,
            doc_type=DocumentType.BIRTH_CERTIFICATE,
            requested_on=DOCUMENTS_ASKED_ON,
            note="Born in Turkey: birth to be registered at home by the civil registry.",
        )
        for child, (_g, _s, _b, in_turkey) in zip(children, CHILDREN, strict=True)
        if in_turkey
    ]
    DocumentRestoration.objects.bulk_create(restorations)
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        reason="Demo self-returns loaded",
        changes={"persons": [None, len(persons)], "self_return_requests": [None, 1]},
    )


def _cases(travellers: list[Person], team: object, caseworker: "User", supervisor: "User | None") -> list[Case]:
    """The mother's case, then one per child linked to it; each with its timeline from the consulate to home."""
    last = Case.objects.filter(number__startswith="ZH-2019-").aggregate(m=Max("number"))["m"]
    number = int(last.rsplit("-", 1)[1]) if last else 0
    mother_case: Case | None = None
    cases: list[Case] = []
    for person in travellers:
        number += 1
        case = Case(
            number=f"ZH-2019-{number:05d}",
            person=person,
            parent_case=mother_case,
            state=CaseState.IN_LOCAL_PROGRAMME,
            responsible_agency=caseworker.agency,
            team=team,  # type: ignore[misc]
            caseworker=caseworker,
            supervisor=supervisor,
            opened_at=_at(REQUESTED_ON, 9),
            state_changed_at=_at(ENROLLED_ON),
            evacuated_on=ARRIVED_ON,
        )
        if mother_case is None:
            case.save()
            mother_case = case
        cases.append(case)
    Case.objects.bulk_create(cases[1:])
    request = f"the consular request at {CONSULATE} on {REQUESTED_ON.isoformat()}"
    steps = [
        (
            REQUESTED_ON,
            CaseState.IDENTIFIED,
            CaseState.CONSENT_PENDING,
            "Ask for consent",
            f"Asked to return at {request}",
        ),
        (
            REQUESTED_ON,
            CaseState.CONSENT_PENDING,
            CaseState.CONSENTED,
            "Record consent",
            f"Asked to return at {request}",
        ),
        (ARRIVED_ON, CaseState.CONSENTED, CaseState.EVACUATED, "Mark evacuated", f"Arrived home from {request}"),
        (ARRIVED_ON, CaseState.EVACUATED, CaseState.RECEIVED, "Receive on arrival", f"Arrived home from {request}"),
        (
            RELOCATED_ON,
            CaseState.RECEIVED,
            CaseState.RELOCATED,
            "Relocate without centre stay",
            "Self-return: the family lives with her parents in Aktau",
        ),
        (ENROLLED_ON, CaseState.RELOCATED, CaseState.IN_LOCAL_PROGRAMME, "Enrol in local programme", ""),
    ]
    events = []
    for case in cases:
        events.append(
            CaseEvent(
                case=case,
                at=_at(REQUESTED_ON, 9),
                actor=caseworker,
                kind=CaseEventKind.OPENED,
                to_state=CaseState.IDENTIFIED,
                summary="Case opened",
            )
        )
        for hour, (day, source, target, summary, reason) in enumerate(steps, start=10):
            events.append(
                CaseEvent(
                    case=case,
                    at=_at(day, hour),
                    actor=caseworker,
                    kind=CaseEventKind.TRANSITION,
                    from_state=source,
                    to_state=target,
                    summary=summary,
                    reason=reason,
                )
            )
    CaseEvent.objects.bulk_create(events)
    return cases
