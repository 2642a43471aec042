"""Demo records of the operations app, on top of demo.builder's data set.

The 2019 operation "Zhusan" led by the Ministry of Foreign Affairs, with its four executed waves: each carried
exactly the cases whose `evacuated_on` is its date (595 persons in all), from Qamishli airport to Aktau. A fifth
wave, planned and empty, waits for the newcomer to fill it with consented families and execute it.
Deterministic (fixed dates, no randomness) and written with bulk inserts; recorded as one audit entry.
"""

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from access.models import Agency
from audit.models import AuditAction
from audit.services import audit_record
from casework.models import Case
from demo.builder import WAVES
from operations.models import Operation, Wave, WaveMember, WaveStatus
from people.models import Place, PlaceKind

if TYPE_CHECKING:
    from access.models import User

PARTNERS = ("NSC", "MoH", "MLSP", "Aktau Centre", "Pravo")
ESCORT_TEAM = "Consular officers of the MFA, officers of the NSC, doctors and nurses of the Ministry of Health"
TRANSPORT = "Special flight (government aircraft)"
# The wave the newcomer plans: after the four of 2019, dated so that it can be executed at once.
NEXT_WAVE_ON = date(2019, 11, 28)


def _places() -> tuple[Place, Place]:
    syria = Place.objects.get(kind=PlaceKind.COUNTRY, code="SY")
    origin, _ = Place.objects.get_or_create(
        kind=PlaceKind.FACILITY,
        name="Qamishli airport",
        parent=syria,
        defaults={"names": {"ru": "Аэропорт Камышлы", "ar": "مطار القامشلي"}},
    )
    destination = Place.objects.filter(kind=PlaceKind.SETTLEMENT, name="Aktau").first()
    if destination is None:
        destination = Place.objects.create(kind=PlaceKind.SETTLEMENT, name="Aktau", names={"ru": "Актау"})
    return origin, destination


def _size_to_capacity(size: int) -> int:
    return max(10, -(-size // 10) * 10)  # rounded up to tens: the aircraft had some seats free


@transaction.atomic
def seed(users: dict[str, "User"]) -> None:
    agencies = {a.short_name: a for a in Agency.objects.all()}
    planner = users["registrar"]
    escort = [users[name] for name in ("registrar", "doctor") if name in users]
    operation = Operation.objects.create(
        name="Zhusan 2019",
        code="ZHUSAN-2019",
        description=(
            "Return of nationals from the camps of north-east Syria, in stages from January to June 2019, "
            "and onwards for those who consent later."
        ),
        lead_agency=agencies["MFA"],
        starts_on=WAVES[0][0],
        created_by=planner,
    )
    operation.partner_agencies.set([agencies[s] for s in PARTNERS if s in agencies])
    origin, destination = _places()
    case_rows = Case.objects.filter(evacuated_on__in=[on for on, _ in WAVES]).values_list(
        "evacuated_on", "pk", "person_id"
    )
    by_date: dict[date, list[tuple[int, int]]] = {on: [] for on, _ in WAVES}
    for on, case_id, person_id in case_rows.order_by("number"):
        if on is not None:
            by_date[on].append((case_id, person_id))
    waves = []
    for number, (on, _) in enumerate(WAVES, start=1):
        waves.append(
            Wave(
                operation=operation,
                number=number,
                name=f"Zhusan-{number}",
                departs_on=on,
                arrives_on=on,
                origin=origin,
                destination=destination,
                route="",
                transport=TRANSPORT,
                escort_team=ESCORT_TEAM,
                capacity=_size_to_capacity(len(by_date[on])),
                status=WaveStatus.EXECUTED,
                executed_at=timezone.make_aware(datetime.combine(on, time(18))),
                executed_by=planner,
                version=2,
            )
        )
    waves.append(
        Wave(
            operation=operation,
            number=len(WAVES) + 1,
            name=f"Zhusan-{len(WAVES) + 1}",
            departs_on=NEXT_WAVE_ON,
            arrives_on=NEXT_WAVE_ON,
            origin=origin,
            destination=destination,
            route="",
            transport=TRANSPORT,
            escort_team=ESCORT_TEAM,
            capacity=60,
        )
    )
    Wave.objects.bulk_create(waves)
    for wave in waves:
        wave.escort.set(escort)
    members = [
        WaveMember(wave=wave, case_id=case_id, person_id=person_id, added_by=planner)
        for wave in waves
        if wave.status == WaveStatus.EXECUTED
        for case_id, person_id in by_date[wave.departs_on]
    ]
    WaveMember.objects.bulk_create(members)
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        reason="Demo data set: operations and waves",
        changes={"waves": [None, len(waves)], "wave_members": [None, len(members)]},
    )
