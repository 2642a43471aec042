"""Every write of the rehabilitation centre. Atomic, policy-checked, audited in the same transaction."""

from datetime import date, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from access import policy
from access.models import User
from access.rules import Action, DataClass
from audit.models import AuditAction
from audit.services import audit_batch, audit_record
from casework.models import Case
from casework.services import case_transition
from casework.transitions import CaseState
from centres import placement, reach
from centres.models import (
    Attendance,
    AttendanceStatus,
    Building,
    Centre,
    Group,
    GroupMember,
    GroupProfile,
    Room,
    Session,
    SessionKind,
    Stay,
    StayKind,
)
from core.errors import refuse
from people.models import Person, Place
from people.services import EARLIEST_DATE

# A case must have arrived to be admitted. A residential stay is the centre stage of the lifecycle; the day
# programme also serves people already living at home (local rehabilitation centres, source document 6.2).
ADMISSIBLE_STATES = {
    StayKind.RESIDENTIAL: (CaseState.RECEIVED, CaseState.IN_CENTRE),
    StayKind.DAY: (
        CaseState.RECEIVED,
        CaseState.IN_CENTRE,
        CaseState.RELOCATED,
        CaseState.IN_LOCAL_PROGRAMME,
        CaseState.FOLLOW_UP,
    ),
}


def _require_manager(actor: Any) -> None:
    if not reach.may_manage(actor):
        raise refuse(_("You may not manage centres."))


def _require_centre(actor: Any, centre: Centre) -> None:
    """The actor manages centres and works at this one (its agency or its staff list)."""
    _require_manager(actor)
    if not reach.centres_visible_to(actor).filter(pk=centre.pk).exists():
        raise refuse(_("You do not work at this centre."))


def _check_day(on: date, field: str) -> None:
    if not EARLIEST_DATE <= on <= timezone.localdate():
        raise ValidationError({field: _("Give a date between 1900 and today.")})


# --- the centre, its buildings and rooms -------------------------------------------------------------------------


@transaction.atomic
def centre_create(*, actor: Any, name: str, place: Place, default_stay_days: int = 30, agency: Any = None) -> Centre:
    """Open a centre run by the actor's agency (unless another is named)."""
    _require_manager(actor)
    centre = Centre(name=name.strip(), place=place, default_stay_days=default_stay_days, agency=agency or actor.agency)
    if centre.agency_id is None:
        raise ValidationError({"agency": _("Name the agency that runs the centre.")})
    centre.full_clean()
    centre.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=centre,
        changes={"name": [None, centre.name], "agency": [None, centre.agency_id], "place": [None, place.pk]},
    )
    return centre


@transaction.atomic
def building_add(*, actor: Any, centre: Centre, name: str) -> Building:
    _require_centre(actor, centre)
    building = Building(centre=centre, name=name.strip())
    building.full_clean()
    building.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=building, changes={"name": [None, building.name]})
    return building


@transaction.atomic
def room_add(*, actor: Any, building: Building, name: str, capacity: int) -> Room:
    """Add a room with its number of beds (zero for a room not used for sleeping)."""
    _require_centre(actor, building.centre)
    room = Room(building=building, name=name.strip(), capacity=capacity)
    room.full_clean()
    room.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=room,
        changes={"building": [None, building.pk], "name": [None, room.name], "capacity": [None, capacity]},
    )
    return room


# --- admission and discharge -------------------------------------------------------------------------------------


def _check_admissible(person: Person, case: Case, kind: str, admitted_on: date, field: str = "person") -> None:
    if case.state not in ADMISSIBLE_STATES[StayKind(kind)]:
        raise ValidationError(
            {
                field: _("Person № %(id)s cannot be admitted: the case is '%(state)s'; it must be received first.")
                % {"id": person.pk, "state": CaseState(case.state).label}
            }
        )
    if case.evacuated_on and admitted_on < case.evacuated_on:
        raise ValidationError(
            {
                "admitted_on": _("Person № %(id)s arrived on %(date)s: the admission cannot be earlier.")
                % {"id": person.pk, "date": case.evacuated_on.isoformat()}
            }
        )
    if Stay.objects.filter(person=person).filter(placement.holding_from(admitted_on)).exists():
        raise ValidationError(
            {field: _("Person № %(id)s already has a stay under way: discharge it first.") % {"id": person.pk}}
        )


def _case_of(person: Person, field: str = "person") -> Case:
    case = Case.objects.filter(person=person).first()
    if case is None:
        raise ValidationError({field: _("Person № %(id)s has no case.") % {"id": person.pk}})
    return case


def _write_stay(actor: Any, centre: Centre, person: Person, case: Case, **fields: Any) -> Stay:
    """Insert the stay, move a received case into the centre, write the audit entry."""
    stay = Stay(person=person, case=case, centre=centre, admitted_by=actor, **fields)
    stay.full_clean(exclude=["person", "case", "centre", "room", "admitted_by"], validate_constraints=False)
    try:
        with transaction.atomic():
            stay.save()
    except IntegrityError:  # a concurrent admission of the same person
        raise ValidationError(
            {"person": _("Person № %(id)s already has a stay under way: discharge it first.") % {"id": person.pk}}
        ) from None
    if case.state == CaseState.RECEIVED:
        case_transition(actor=actor, case=case, transition="admit")
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=stay,
        person_id=person.pk,
        changes={
            "centre": [None, centre.pk],
            "room": [None, stay.room_id],
            "kind": [None, stay.kind],
            "admitted_on": [None, stay.admitted_on.isoformat()],
            "planned_until": [None, stay.planned_until.isoformat()],
        },
    )
    return stay


def _planned(centre: Centre, admitted_on: date, planned_until: date | None) -> date:
    planned = planned_until or admitted_on + timedelta(days=centre.default_stay_days)
    if planned < admitted_on:
        raise ValidationError({"planned_until": _("The planned end cannot be before the admission.")})
    return planned


def _require_person_change(actor: Any, person: Person, field: str = "person") -> None:
    if not policy.can(actor, Action.CHANGE, DataClass.LOCATION, person):
        raise refuse(_("You may not record where this person stays."))


@transaction.atomic
def stay_admit(
    *,
    actor: Any,
    centre: Centre,
    person: Person,
    kind: str = StayKind.RESIDENTIAL,
    room: Room | None = None,
    admitted_on: date | None = None,
    planned_until: date | None = None,
) -> Stay:
    """Admit one person. Refused beyond the room's beds, for a second stay under way, for a case that has not
    arrived; a received case moves into the centre (the 'admit' transition), one already in the centre stays."""
    _require_centre(actor, centre)
    _require_person_change(actor, person)
    admitted_on = admitted_on or timezone.localdate()
    _check_day(admitted_on, "admitted_on")
    if kind not in StayKind.values:
        raise ValidationError({"kind": _("Choose a residential stay or the day programme.")})
    if kind == StayKind.RESIDENTIAL:
        if room is None:
            raise ValidationError({"room": _("Choose a room for a residential stay.")})
        room = Room.objects.select_for_update().select_related("building").get(pk=room.pk)  # admissions queue here
        if room.building.centre_id != centre.pk:
            raise ValidationError({"room": _("This room is not in this centre.")})
        if placement.free_beds([room], admitted_on)[room.pk] < 1:
            raise ValidationError(
                {
                    "room": _("Room %(room)s is full: all its %(beds)d beds are taken.")
                    % {"room": room.name, "beds": room.capacity}
                }
            )
    elif room is not None:
        raise ValidationError({"room": _("A day programme takes no room.")})
    case = _case_of(person)
    _check_admissible(person, case, kind, admitted_on)
    return _write_stay(
        actor,
        centre,
        person,
        case,
        room=room,
        kind=kind,
        admitted_on=admitted_on,
        planned_until=_planned(centre, admitted_on, planned_until),
    )


@transaction.atomic
def group_admit(
    *,
    actor: Any,
    centre: Centre,
    persons: list[Person],
    admitted_on: date | None = None,
    building: Building | None = None,
) -> list[Stay]:
    """Admit a whole arrival into one building (by default the first free one), keeping each mother with her
    children in one room where the beds allow. All or nothing: with too few beds nobody is admitted and the
    message says how many are missing; one person who cannot be admitted stops the whole group."""
    _require_centre(actor, centre)
    admitted_on = admitted_on or timezone.localdate()
    _check_day(admitted_on, "admitted_on")
    persons = list({p.pk: p for p in persons}.values())
    if not persons:
        raise ValidationError({"persons": _("Choose the persons to admit.")})
    changeable = policy.classes_by_person(actor, [p.pk for p in persons], Action.CHANGE)
    outside = [p for p in persons if DataClass.LOCATION not in changeable[p.pk]]
    if outside:
        raise refuse(
            ngettext(
                "%(count)d person of this group is outside your reach: nobody was admitted.",
                "%(count)d persons of this group are outside your reach: nobody was admitted.",
                len(outside),
            )
            % {"count": len(outside)}
        )
    if building is None:
        building = placement.free_building(centre, admitted_on)
        if building is None:
            raise ValidationError({"building": _("No building of this centre is free on this date.")})
    elif building.centre_id != centre.pk:
        raise ValidationError({"building": _("This building is not in this centre.")})
    rooms = list(Room.objects.select_for_update().filter(building=building).order_by("name", "id"))
    cases = {c.person_id: c for c in Case.objects.filter(person__in=persons)}
    for person in persons:
        if person.pk not in cases:
            raise ValidationError({"persons": _("Person № %(id)s has no case.") % {"id": person.pk}})
        _check_admissible(person, cases[person.pk], StayKind.RESIDENTIAL, admitted_on, field="persons")
    plan = placement.distribute(placement.family_units(cases), placement.free_beds(rooms, admitted_on))
    if plan.missing:
        raise ValidationError(
            {
                "persons": ngettext(
                    "Building %(building)s lacks %(missing)d bed for these %(count)d persons: nobody was admitted.",
                    "Building %(building)s lacks %(missing)d beds for these %(count)d persons: nobody was admitted.",
                    plan.missing,
                )
                % {"building": building.name, "missing": plan.missing, "count": len(persons)}
            }
        )
    with audit_batch():  # one append of the chain for the whole change set (docs/decisions/0037)
        by_id = {r.pk: r for r in rooms}
        planned = _planned(centre, admitted_on, None)
        return [
            _write_stay(
                actor,
                centre,
                person,
                cases[person.pk],
                room=by_id[plan.rooms[person.pk]],
                kind=StayKind.RESIDENTIAL,
                admitted_on=admitted_on,
                planned_until=planned,
            )
            for person in sorted(persons, key=lambda p: p.pk)
        ]


@transaction.atomic
def stay_discharge(*, actor: Any, stay: Stay, reason: str, discharged_on: date | None = None) -> Stay:
    """End a stay and free its bed. The case is not moved: relocation is its own decision (casework)."""
    _require_centre(actor, stay.centre)
    _require_person_change(actor, stay.person)
    stay = Stay.objects.select_for_update().get(pk=stay.pk)
    if stay.discharged_on is not None:
        raise ValidationError({"discharged_on": _("This stay has already ended.")})
    discharged_on = discharged_on or timezone.localdate()
    _check_day(discharged_on, "discharged_on")
    if discharged_on < stay.admitted_on:
        raise ValidationError({"discharged_on": _("A stay cannot end before the admission.")})
    reason = reason.strip()
    if not reason or len(reason) > 500:
        raise ValidationError({"reason": _("Say in up to 500 characters why the stay ends.")})
    stay.discharged_on, stay.discharge_reason, stay.discharged_by = discharged_on, reason, actor
    stay.save(update_fields=["discharged_on", "discharge_reason", "discharged_by"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=stay,
        person_id=stay.person_id,
        changes={"discharged_on": [None, discharged_on.isoformat()], "discharge_reason": [None, reason]},
    )
    return stay


@transaction.atomic
def stay_plan(*, actor: Any, stay: Stay, planned_until: date, reason: str = "") -> Stay:
    """Change the planned end of a stay under way (a longer or shorter stay than the centre's default)."""
    _require_centre(actor, stay.centre)
    _require_person_change(actor, stay.person)
    stay = Stay.objects.select_for_update().get(pk=stay.pk)
    if stay.discharged_on is not None:
        raise ValidationError({"planned_until": _("This stay has already ended.")})
    if planned_until < stay.admitted_on:
        raise ValidationError({"planned_until": _("The planned end cannot be before the admission.")})
    before = stay.planned_until
    stay.planned_until = planned_until
    stay.save(update_fields=["planned_until"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=stay,
        person_id=stay.person_id,
        changes={"planned_until": [before.isoformat(), planned_until.isoformat()]},
        reason=reason,
    )
    return stay


# --- groups and the daily programme --------------------------------------------------------------------------------


@transaction.atomic
def group_create(*, actor: Any, centre: Centre, name: str, profile: str, starts_on: date) -> Group:
    _require_centre(actor, centre)
    if profile not in GroupProfile.values:
        raise ValidationError({"profile": _("Choose a social profile.")})
    group = Group(centre=centre, name=name.strip(), profile=profile, starts_on=starts_on)
    group.full_clean(validate_constraints=False)
    if Group.objects.filter(centre=centre, name=group.name).exists():
        raise ValidationError({"name": _("This centre already has a group of this name.")})
    group.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=group,
        changes={"name": [None, group.name], "profile": [None, profile], "starts_on": [None, starts_on.isoformat()]},
    )
    return group


@transaction.atomic
def group_member_add(*, actor: Any, group: Group, person: Person) -> GroupMember:
    """Put a person staying at the centre (now or when the group started) into one of its groups."""
    _require_centre(actor, group.centre)
    _require_person_change(actor, person)
    stays = Stay.objects.filter(person=person, centre_id=group.centre_id).filter(
        placement.holding_from(group.starts_on)
    )
    if not stays.exists():
        raise ValidationError({"person": _("This person has no stay at the centre while the group runs.")})
    if GroupMember.objects.filter(group=group, person=person).exists():
        raise ValidationError({"person": _("This person is already in the group.")})
    member = GroupMember.objects.create(group=group, person=person, added_by=actor)
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=member, person_id=person.pk, changes={"group": [None, group.pk]}
    )
    return member


@transaction.atomic
def session_plan(
    *,
    actor: Any,
    centre: Centre,
    group: Group,
    on: date,
    starts_at: time,
    ends_at: time,
    kind: str,
    specialist: User,
    topic: str,
) -> Session:
    """Put a session of a specialist with a group on the day's programme."""
    _require_centre(actor, centre)
    if group.centre_id != centre.pk:
        raise ValidationError({"group": _("This group is not in this centre.")})
    if kind not in SessionKind.values:
        raise ValidationError({"kind": _("Choose the kind of session.")})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("A session ends after it starts.")})
    if not specialist.is_active:
        raise ValidationError({"specialist": _("This user account is disabled.")})
    session = Session(
        centre=centre,
        group=group,
        on=on,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=kind,
        specialist=specialist,
        topic=topic.strip(),
    )
    session.full_clean(exclude=["centre", "group", "specialist"], validate_constraints=False)
    session.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=session,
        changes={
            "group": [None, group.pk],
            "on": [None, on.isoformat()],
            "kind": [None, kind],
            "specialist": [None, specialist.pk],
            "topic": [None, session.topic],
        },
    )
    return session


@transaction.atomic
def attendance_record(*, actor: Any, session: Session, marks: dict[int, str]) -> list[Attendance]:
    """Record who came to a session: members of its group within the actor's reach only, all marks or none."""
    if not reach.may_record_attendance(actor):
        raise refuse(_("You may not record attendance."))
    if not reach.centres_visible_to(actor).filter(pk=session.centre_id).exists():
        raise refuse(_("You do not work at this centre."))
    if not marks:
        raise ValidationError({"marks": _("Mark at least one person.")})
    if any(status not in AttendanceStatus.values for status in marks.values()):
        raise ValidationError({"marks": _("Mark each person present, absent or excused.")})
    members = set(session.group.members.filter(person_id__in=list(marks)).values_list("person_id", flat=True))
    if set(marks) - members:
        raise ValidationError({"marks": _("Only members of the session's group can be marked.")})
    visible = policy.classes_by_person(actor, list(marks), Action.VIEW)
    if any(DataClass.IDENTITY not in visible[pid] for pid in marks):
        raise refuse(_("You may not record attendance for a person outside your reach."))
    existing = {a.person_id: a for a in Attendance.objects.select_for_update().filter(session=session)}
    with audit_batch():  # one append of the chain for the whole change set (docs/decisions/0037)
        saved = []
        for person_id, status in sorted(marks.items()):
            row = existing.get(person_id)
            before = row.status if row else None
            if row is None:
                row = Attendance.objects.create(session=session, person_id=person_id, status=status, recorded_by=actor)
            elif row.status != status:
                row.status, row.recorded_by = status, actor
                row.save(update_fields=["status", "recorded_by", "recorded_at"])
            else:
                saved.append(row)
                continue
            audit_record(
                actor=actor,
                action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
                obj=row,
                person_id=person_id,
                changes={"status": [before, status]},
            )
            saved.append(row)
        return saved
