"""Every write to operations and waves. Atomic, checked against the policy and `operations.rules`, audited."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from access.models import Agency, User
from access.rules import Capability
from audit.models import AuditAction
from audit.services import AuditItem, audit_batch, audit_record, audit_record_many, diff, snapshot
from casework.models import Case
from casework.services import case_transition
from casework.transitions import TRANSITIONS_BY_NAME, CaseState
from core.errors import Conflict, refuse
from operations import rules
from operations.models import Operation, Wave, WaveMember, WaveStatus
from operations.selectors import person_labels

# Bounds of the lists a request may carry (docs/decisions/0037): past them it is a mistake or an attack.
MAX_PARTNER_AGENCIES = 20
MAX_ESCORT = 30
MAX_PERSONS_AT_ONCE = 500  # persons added to or taken off a wave in one request

OPERATION_FIELDS = ("name", "code", "description", "lead_agency", "starts_on", "ends_on")
WAVE_FIELDS = (
    "number",
    "name",
    "departs_on",
    "arrives_on",
    "origin",
    "destination",
    "route",
    "transport",
    "escort_team",
    "capacity",
)


def _unknown(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in sorted(unknown)})


def _require_manager(actor: Any, operation: Operation) -> None:
    if not rules.may_manage(actor, operation):
        raise refuse(_("You may not plan waves of this operation."))


def _agency_ids(agencies: Iterable[Agency]) -> list[int]:
    return sorted(a.pk for a in agencies)


# --- operations -----------------------------------------------------------------------------------------------


@transaction.atomic
def operation_create(*, actor: Any, partner_agencies: Iterable[Agency] = (), **fields: Any) -> Operation:
    """Start an operation. It is led by the actor's own agency; partners' planners may plan its waves too."""
    if not policy.has_capability(actor, Capability.MANAGE_OPERATIONS):
        raise refuse(_("You may not plan operations."))
    _unknown(fields, OPERATION_FIELDS)
    fields.setdefault("lead_agency", actor.agency)
    if fields["lead_agency"] is None or fields["lead_agency"].pk != actor.agency_id:
        raise ValidationError({"lead_agency": _("An operation is led by your own agency.")})
    partner_agencies = _check_partners(partner_agencies)
    operation = Operation(created_by=actor, **fields)
    operation.full_clean()
    operation.save()
    partners = [a for a in partner_agencies if a.pk != operation.lead_agency_id]
    operation.partner_agencies.set(partners)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=operation,
        changes={
            **diff({}, snapshot(operation, OPERATION_FIELDS), {}),
            "partner_agencies": [None, _agency_ids(partners)],
        },
    )
    return operation


@transaction.atomic
def operation_update(
    *, actor: Any, operation: Operation, partner_agencies: Iterable[Agency] | None = None, **fields: Any
) -> Operation:
    """Change an operation's name, dates or partners. The lead agency stays."""
    _unknown(fields, set(OPERATION_FIELDS) - {"lead_agency"})
    if partner_agencies is not None:
        partner_agencies = _check_partners(partner_agencies)
    operation = Operation.objects.select_for_update().get(pk=operation.pk)
    _require_manager(actor, operation)
    before = snapshot(operation, OPERATION_FIELDS)
    for name, value in fields.items():
        setattr(operation, name, value)
    operation.full_clean()
    earliest = operation.waves.exclude(status=WaveStatus.CANCELLED).order_by("departs_on").first()
    if earliest and earliest.departs_on < operation.starts_on:
        raise ValidationError({"starts_on": _("A wave of this operation departs before this date.")})
    operation.save()
    changes = diff(before, snapshot(operation, OPERATION_FIELDS), {})
    if partner_agencies is not None:
        old = _agency_ids(operation.partner_agencies.all())
        partners = [a for a in partner_agencies if a.pk != operation.lead_agency_id]
        operation.partner_agencies.set(partners)
        if old != _agency_ids(partners):
            changes["partner_agencies"] = [old, _agency_ids(partners)]
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=operation, changes=changes)
    return operation


# --- waves ----------------------------------------------------------------------------------------------------


def _check_wave(wave: Wave) -> None:
    wave.full_clean(exclude=["operation", "origin", "destination"], validate_constraints=False)
    errors: dict[str, str] = {}
    operation = wave.operation
    if wave.departs_on and wave.arrives_on and wave.arrives_on < wave.departs_on:
        errors["arrives_on"] = _("A wave cannot arrive before it departs.")
    if wave.departs_on and wave.departs_on < operation.starts_on:
        errors["departs_on"] = _("The wave departs before the operation starts.")
    if wave.arrives_on and operation.ends_on and wave.arrives_on > operation.ends_on:
        errors["arrives_on"] = _("The wave arrives after the operation ends.")
    if wave.origin_id and wave.origin_id == wave.destination_id:
        errors["destination"] = _("The destination must differ from the place of departure.")
    if Wave.objects.filter(operation=operation, number=wave.number).exclude(pk=wave.pk).exists():
        errors["number"] = _("This operation already has a wave with this number.")
    if errors:
        raise ValidationError(errors)


def _check_partners(partner_agencies: Iterable[Agency]) -> list[Agency]:
    partners = list(partner_agencies)
    if len(partners) > MAX_PARTNER_AGENCIES:
        raise ValidationError(
            {"partner_agencies": _("Choose at most %(limit)d partner agencies.") % {"limit": MAX_PARTNER_AGENCIES}}
        )
    return partners


def _check_escort(escort: Iterable[User]) -> list[User]:
    people = list(escort)
    if len(people) > MAX_ESCORT:
        raise ValidationError({"escort": _("An escort has at most %(limit)d members.") % {"limit": MAX_ESCORT}})
    if any(not u.is_active for u in people):
        raise ValidationError({"escort": _("Choose active members of staff for the escort.")})
    return people


@transaction.atomic
def wave_create(*, actor: Any, operation: Operation, escort: Iterable[User] = (), **fields: Any) -> Wave:
    """Plan a new wave of an operation (empty: persons are added with `wave_members_add`)."""
    _require_manager(actor, operation)
    _unknown(fields, WAVE_FIELDS)
    if fields.get("number") is None:
        last = operation.waves.aggregate(m=Max("number"))["m"] or 0
        fields["number"] = last + 1
    wave = Wave(operation=operation, **fields)
    _check_wave(wave)
    wave.save()
    escort_users = _check_escort(escort)
    wave.escort.set(escort_users)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=wave,
        changes={
            **diff({}, snapshot(wave, WAVE_FIELDS), {}),
            "operation": [None, operation.pk],
            "escort": [None, sorted(u.pk for u in escort_users)],
        },
    )
    return wave


def _locked(wave: Wave) -> Wave:
    return Wave.objects.select_for_update().select_related("operation").get(pk=wave.pk)


def _check_version(wave: Wave, expected_version: int | None) -> None:
    if expected_version is not None and wave.version != expected_version:
        raise Conflict(_("Someone changed this wave after you opened it. Reload it and check it again."))


@transaction.atomic
def wave_update(
    *,
    actor: Any,
    wave: Wave,
    expected_version: int | None = None,
    escort: Iterable[User] | None = None,
    **fields: Any,
) -> Wave:
    """Change a planned wave's dates, route, escort or capacity (never below the persons already planned)."""
    _unknown(fields, WAVE_FIELDS)
    wave = _locked(wave)
    _require_manager(actor, wave.operation)
    rules.require_planned(wave)
    _check_version(wave, expected_version)
    before = snapshot(wave, WAVE_FIELDS)
    for name, value in fields.items():
        setattr(wave, name, value)
    _check_wave(wave)
    planned = wave.members.filter(active=True).count()
    if wave.capacity < planned:
        raise ValidationError(
            {
                "capacity": _("%(planned)s persons are already planned: the capacity cannot be lower.")
                % {"planned": planned}
            }
        )
    changes = diff(before, snapshot(wave, WAVE_FIELDS), {})
    if escort is not None:
        old = sorted(wave.escort.values_list("pk", flat=True))
        new = _check_escort(escort)
        wave.escort.set(new)
        if old != sorted(u.pk for u in new):
            changes["escort"] = [old, sorted(u.pk for u in new)]
    if changes:
        wave.version += 1
        wave.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=wave, changes=changes)
    return wave


@transaction.atomic
def wave_cancel(*, actor: Any, wave: Wave, expected_version: int | None = None, reason: str = "") -> Wave:
    """Cancel a planned wave: its persons are free to be planned on another one."""
    wave = _locked(wave)
    _require_manager(actor, wave.operation)
    rules.require_planned(wave)
    _check_version(wave, expected_version)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the wave is cancelled.")})
    released = wave.members.filter(active=True).update(active=False)
    wave.status = WaveStatus.CANCELLED
    wave.version += 1
    wave.save(update_fields=["status", "version"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=wave,
        changes={"status": [WaveStatus.PLANNED, WaveStatus.CANCELLED], "members_released": [None, released]},
        reason=reason.strip()[:2000],
    )
    return wave


# --- members --------------------------------------------------------------------------------------------------


def _label_for(actor: Any, person_ids: Iterable[int]) -> rules.Label:
    """Names for refusal messages: only of persons the actor may see (a relative of another agency stays unnamed)."""
    visible = policy.persons_visible_to(actor).filter(pk__in=set(person_ids)).values_list("pk", flat=True)
    labels = person_labels(visible, str(getattr(actor, "preferred_script", "latn")))
    return lambda pid: labels.get(pid, _("a person outside your reach"))


def _reachable_cases(actor: Any, person_ids: set[int]) -> dict[int, Case]:
    return {c.person_id: c for c in policy.cases_visible_to(actor).filter(person_id__in=person_ids)}


@transaction.atomic
def wave_members_add(
    *,
    actor: Any,
    wave: Wave,
    person_ids: Iterable[int],
    include_children: bool = False,
    separation_reason: str = "",
    expected_version: int | None = None,
) -> list[WaveMember]:
    """Plan persons on a wave: consented, within the actor's reach, not on another wave, within capacity, and
    with their mother or guardian (or a recorded reason to travel apart). All of them or none.

    `include_children` adds each added mother's or guardian's consented children who are not yet planned.
    """
    wave = _locked(wave)
    _require_manager(actor, wave.operation)
    rules.require_planned(wave)
    _check_version(wave, expected_version)
    asked = _asked(person_ids)
    if not asked:
        raise ValidationError({"persons": _("Choose at least one person.")})
    separation_reason = separation_reason.strip()
    if len(separation_reason) > 1000:
        raise ValidationError({"separation_reason": _("Keep the reason under 1000 characters.")})
    links = rules.family_links(asked)
    if include_children:
        offered = {child for guardian in asked for child in links.children.get(guardian, ())}
        planned_elsewhere = set(
            WaveMember.objects.filter(person_id__in=offered, active=True).values_list("person_id", flat=True)
        )
        consented = set(
            policy.cases_visible_to(actor)
            .filter(person_id__in=offered - planned_elsewhere, state=CaseState.CONSENTED)
            .values_list("person_id", flat=True)
        )
        asked |= consented
        links = rules.family_links(asked)
    cases = _reachable_cases(actor, asked)
    label = _label_for(actor, asked | {p for ids in links.guardians.values() for p in ids} | set(links.children))
    out_of_reach = sorted(asked - cases.keys())
    if out_of_reach:
        raise ValidationError(
            {
                "persons": _("No person with these numbers is within your reach: %(ids)s.")
                % {"ids": ", ".join(str(p) for p in out_of_reach)}
            }
        )
    rules.require_consent(cases.values(), label)
    wave_of = dict(
        WaveMember.objects.filter(active=True, person_id__in=asked | _relatives(links)).values_list(
            "person_id", "wave_id"
        )
    )
    already = sorted(p for p in asked if p in wave_of)
    if already:
        raise ValidationError(
            {
                "persons": _("Already planned on a wave: %(persons)s.")
                % {"persons": "; ".join(label(p) for p in already)}
            }
        )
    planned = wave.members.filter(active=True).count()
    rules.require_capacity(wave, planned, len(asked))
    rules.require_family_together(wave, asked, links, wave_of, separation_reason, label)
    members = [
        WaveMember(
            wave=wave,
            person_id=pid,
            case=cases[pid],
            added_by=actor,
            separation_reason=separation_reason if _apart(pid, wave, asked, links, wave_of) else "",
        )
        for pid in sorted(asked)
    ]
    try:
        with transaction.atomic():
            WaveMember.objects.bulk_create(members)
    except IntegrityError:
        # Someone planned one of them on another wave at the same moment.
        raise ValidationError(
            {"persons": _("One of these persons was just planned on a wave. Reload and try again.")}
        ) from None
    members = list(wave.members.filter(person_id__in=asked, active=True))
    wave.version += 1
    wave.save(update_fields=["version"])
    audit_record_many(actor=actor, items=[_added(member, wave) for member in members])  # one append for all
    return members


def _added(member: WaveMember, wave: Wave) -> AuditItem:
    changes: dict[str, Any] = {"wave": [None, wave.pk], "case": [None, member.case_id]}
    if member.separation_reason:
        changes["separation_reason"] = [None, member.separation_reason]
    return AuditItem(action=AuditAction.CREATE, obj=member, person_id=member.person_id, changes=changes)


def _asked(person_ids: Iterable[int]) -> set[int]:
    asked = {int(p) for p in person_ids}
    if len(asked) > MAX_PERSONS_AT_ONCE:
        raise ValidationError(
            {"persons": _("Choose at most %(limit)d persons at once.") % {"limit": MAX_PERSONS_AT_ONCE}}
        )
    return asked


def _relatives(links: rules.FamilyLinks) -> set[int]:
    return {p for ids in links.guardians.values() for p in ids} | {p for ids in links.children.values() for p in ids}


def _apart(pid: int, wave: Wave, adding: set[int], links: rules.FamilyLinks, wave_of: dict[int, int]) -> bool:
    """Whether this person travels apart from a mother, guardian or child (the reason is kept only for them)."""
    guardians_apart = any(g not in adding and wave_of.get(g) != wave.pk for g in links.guardians.get(pid, ()))
    children_apart = any(
        c not in adding and c in wave_of and wave_of[c] != wave.pk for c in links.children.get(pid, ())
    )
    return guardians_apart or children_apart


@transaction.atomic
def wave_members_remove(
    *,
    actor: Any,
    wave: Wave,
    person_ids: Iterable[int],
    include_children: bool = False,
    expected_version: int | None = None,
    reason: str = "",
) -> int:
    """Take persons off a planned wave. A mother or guardian goes only with her children on the wave
    (`include_children` takes them off too)."""
    wave = _locked(wave)
    _require_manager(actor, wave.operation)
    rules.require_planned(wave)
    _check_version(wave, expected_version)
    asked = _asked(person_ids)
    reachable = set(policy.cases_visible_to(actor).filter(person_id__in=asked).values_list("person_id", flat=True))
    on_wave = set(wave.members.filter(active=True).values_list("person_id", flat=True))
    missing = sorted(asked - (reachable & on_wave))
    if missing or not asked:
        raise ValidationError({"persons": _("These persons are not on this wave: %(ids)s.") % {"ids": missing}})
    links = rules.family_links(asked)
    if include_children:
        asked |= {c for g in asked for c in links.children.get(g, ()) if c in on_wave}
    rules.require_children_removed(asked, links, on_wave, _label_for(actor, asked | _relatives(links)))
    members = list(wave.members.filter(person_id__in=asked, active=True))
    audit_record_many(  # one append for all
        actor=actor,
        items=[
            AuditItem(
                action=AuditAction.DELETE,
                obj=member,
                person_id=member.person_id,
                changes={"wave": [wave.pk, None]},
                reason=reason[:2000],
            )
            for member in members
        ],
    )
    WaveMember.objects.filter(pk__in=[m.pk for m in members]).delete()
    wave.version += 1
    wave.save(update_fields=["version"])
    return len(members)


# --- execution ------------------------------------------------------------------------------------------------


@transaction.atomic
def wave_execute(*, actor: Any, wave: Wave, version: int) -> Wave:
    """The wave has arrived: every member's case goes CONSENTED → EVACUATED, evacuated on the arrival date.

    All or nothing: if one member cannot be moved (consent withdrawn meanwhile, case changed, out of the
    actor's reach) or the wave changed since the actor read it, nothing changes and the message names who blocks.
    """
    wave = _locked(wave)
    _require_manager(actor, wave.operation)
    rules.require_planned(wave)
    _check_version(wave, version)
    if wave.arrives_on > timezone.localdate():
        raise ValidationError(
            {"wave": _("The wave arrives on %(date)s: it can be executed from that day.") % {"date": wave.arrives_on}}
        )
    members = list(wave.members.filter(active=True).select_related("case"))
    if not members:
        raise ValidationError({"wave": _("Nobody is planned on this wave.")})
    evacuate = TRANSITIONS_BY_NAME["evacuate"]
    cases = {c.pk: c for c in Case.objects.select_for_update().filter(pk__in=[m.case_id for m in members])}
    reachable = set(policy.cases_visible_to(actor).filter(pk__in=cases).values_list("pk", flat=True))
    hidden = [m for m in members if m.case_id not in reachable]
    label = _label_for(actor, [m.person_id for m in members if m.case_id in reachable])
    blocked = [
        f"{label(m.person_id)} ({CaseState(cases[m.case_id].state).label})"
        for m in members
        if m.case_id in reachable
        and (
            cases[m.case_id].state != CaseState.CONSENTED
            or not policy.can_transition(actor, cases[m.case_id], evacuate)
        )
    ]
    if hidden:
        blocked.append(_("%(count)s persons outside your reach") % {"count": len(hidden)})
    if blocked:
        raise ValidationError(
            {
                "wave": _("Nobody was marked evacuated. These persons cannot be: %(persons)s.")
                % {"persons": "; ".join(blocked)}
            }
        )
    with audit_batch():  # one append of the chain for the whole change set (docs/decisions/0037)
        for member in members:
            case_transition(
                actor=actor,
                case=cases[member.case_id],
                transition=evacuate,
                on=wave.arrives_on,
                reason=_("Arrived with %(wave)s") % {"wave": wave.name},
            )
        wave.status = WaveStatus.EXECUTED
        wave.executed_at = timezone.now()
        wave.executed_by = actor
        wave.version += 1
        wave.save(update_fields=["status", "executed_at", "executed_by", "version"])
        audit_record(
            actor=actor,
            action=AuditAction.TRANSITION,
            obj=wave,
            changes={"status": [WaveStatus.PLANNED, WaveStatus.EXECUTED], "evacuated": [None, len(members)]},
        )
        return wave
