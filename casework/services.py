"""Every write to cases: opening, transitions, assignments, notes. Atomic, policy-checked, audited."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from access.models import Agency, Team, User
from access.rules import Action, Capability, DataClass
from audit.models import AuditAction
from audit.services import audit_record
from casework.models import Case, CaseAssignment, CaseEvent, CaseEventKind, CaseNote
from casework.transitions import TRANSITIONS_BY_NAME, CaseState, Transition, transitions_from
from core.errors import refuse
from people.models import Person
from people.services import EARLIEST_DATE, person_register, relative_register


def next_case_number(year: int) -> str:
    prefix = f"ZH-{year}-"
    last = Case.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:05d}"


@transaction.atomic
def case_open(
    *,
    actor: Any,
    person: Person,
    responsible_agency: Agency | None = None,
    team: Team | None = None,
    caseworker: User | None = None,
    supervisor: User | None = None,
    parent_case: Case | None = None,
) -> Case:
    """Open a person's case. The actor's agency is responsible unless another is named.

    A child's case links to the mother's or guardian's case through `parent_case`.
    """
    if not policy.has_capability(actor, Capability.REGISTER_PERSON):
        raise refuse(_("You may not open cases."))
    if Case.objects.filter(person=person).exists():
        raise ValidationError({"person": _("This person already has a case.")})
    agency = responsible_agency or actor.agency
    if agency is None:
        raise ValidationError({"responsible_agency": _("Name the agency responsible for the case.")})
    if team is not None and team.agency_id != agency.pk:
        raise ValidationError({"team": _("The team must belong to the responsible agency.")})
    if caseworker is None and Capability.TRANSITION_CASE in _caps(actor):
        caseworker = actor
    case = Case(
        number=next_case_number(timezone.localdate().year),
        person=person,
        responsible_agency=agency,
        team=team or actor.team,
        caseworker=caseworker,
        supervisor=supervisor,
        parent_case=parent_case,
    )
    case.full_clean(exclude=["person", "parent_case", "team", "caseworker", "supervisor", "responsible_agency"])
    case.save()
    CaseEvent.objects.create(
        case=case, actor=actor, kind=CaseEventKind.OPENED, to_state=case.state, summary=_("Case opened")
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=case,
        person_id=person.pk,
        changes={
            "number": [None, case.number],
            "state": [None, case.state],
            "responsible_agency": [None, agency.pk],
        },
    )
    return case


def _caps(user: Any) -> set[Capability]:
    return {c for c in Capability if policy.has_capability(user, c)}


@transaction.atomic
def returnee_register(
    *, actor: Any, names: list[dict[str, Any]], parent_case: Case | None = None, **person_fields: Any
) -> Case:
    """Register a person the programme works for, with their case, in one step."""
    person = person_register(actor=actor, names=names, **person_fields)
    if parent_case is not None and not policy.can(actor, Action.CHANGE, DataClass.FAMILY, parent_case):
        raise refuse()
    return case_open(actor=actor, person=person, parent_case=parent_case)


@transaction.atomic
def relative_register_with_case(
    *,
    actor: Any,
    of_person: Person,
    kind: str,
    names: list[dict[str, Any]],
    basis: str = "declared",
    **person_fields: Any,
) -> Person:
    """Register a relative of a person; a child of someone with a case gets their own case, linked to it."""
    relative = relative_register(actor=actor, of_person=of_person, kind=kind, names=names, basis=basis, **person_fields)
    parent_case = Case.objects.filter(person=of_person).first() if kind == "child" else None
    if parent_case is not None:
        case_open(
            actor=actor,
            person=relative,
            parent_case=parent_case,
            responsible_agency=parent_case.responsible_agency,
            team=parent_case.team,
            caseworker=parent_case.caseworker,
            supervisor=parent_case.supervisor,
        )
    return relative


@transaction.atomic
def case_transition(
    *,
    actor: Any,
    case: Case,
    transition: str | Transition,
    reason: str = "",
    on: date | None = None,
    approved_by_second_person: bool = False,
) -> Case:
    """Move a case along the lifecycle table; refuse any move the table or the policy does not allow.

    A four-eyes transition (closing) runs only from casework.approvals.approval_decide, once a second
    person approved it: asked directly, it is refused.
    """
    step = TRANSITIONS_BY_NAME.get(transition) if isinstance(transition, str) else transition
    if step is None:
        raise ValidationError({"transition": _("Unknown transition.")})
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not policy.can_transition(actor, case, step):
        raise refuse(_("You may not make this change to this case."))
    if step.four_eyes and not approved_by_second_person:
        raise ValidationError({"transition": _("This change needs a second person's approval: ask for it.")})
    if case.state != step.source:
        raise ValidationError(
            {
                "transition": _("A case in state '%(state)s' cannot be moved by '%(step)s'.")
                % {"state": CaseState(case.state).label, "step": step.label}
            }
        )
    reason = reason.strip()
    if step.reason_required and not reason:
        raise ValidationError({"reason": _("Give a reason for this change.")})
    if len(reason) > 2000:
        raise ValidationError({"reason": _("Keep the reason under 2000 characters.")})
    source = case.state
    case.state = step.target
    case.state_changed_at = timezone.now()
    if step.target == CaseState.EVACUATED:
        if on is not None and not EARLIEST_DATE <= on <= timezone.localdate():
            raise ValidationError({"on": _("Give a date of evacuation between 1900 and today.")})
        case.evacuated_on = on or timezone.localdate()
    case.save(update_fields=["state", "state_changed_at", "evacuated_on"])
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=CaseEventKind.TRANSITION,
        from_state=source,
        to_state=step.target,
        summary=str(step.label),
        reason=reason,
    )
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=case,
        person_id=case.person_id,
        changes={"state": [source, step.target]},
        reason=reason,
    )
    return case


def transitions_allowed(user: Any, case: Case) -> list[Transition]:
    return [t for t in transitions_from(case.state) if policy.can_transition(user, case, t)]


@transaction.atomic
def case_assign(*, actor: Any, case: Case, user: User, purpose: str) -> CaseAssignment:
    """Give a specialist access to one case (and nothing else). Refused to anyone outside the responsible agency
    or reaching the case only through break-glass, and to anyone naming themselves."""
    _require_assigner(actor, case)
    _refuse_self_assignment(actor, user=user)
    purpose = purpose.strip()
    if not purpose or len(purpose) > 200:
        raise ValidationError({"purpose": _("Say in up to 200 characters why this person needs the case.")})
    if not user.is_active:
        raise ValidationError({"user": _("This user account is disabled.")})
    if case.assignments.filter(user=user, ended_at__isnull=True).exists():
        raise ValidationError({"user": _("This user is already assigned to the case.")})
    assignment = CaseAssignment.objects.create(case=case, user=user, purpose=purpose, assigned_by=actor)
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=CaseEventKind.ASSIGNED,
        summary=_("%(user)s assigned: %(purpose)s")
        % {"user": user.get_full_name() or user.username, "purpose": purpose},
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=assignment,
        person_id=case.person_id,
        changes={"user": [None, user.pk], "purpose": [None, purpose]},
    )
    return assignment


@transaction.atomic
def case_note_add(*, actor: Any, case: Case, data_class: str, text: str) -> CaseNote:
    """File a note under its data class; only those who may change that class may write it."""
    try:
        klass = DataClass(data_class)
    except ValueError:
        raise ValidationError({"data_class": _("Unknown kind of note.")}) from None
    if not policy.can(actor, Action.CHANGE, klass, case):
        raise refuse(_("You may not write this kind of note on this case."))
    # A genetic result waits for a second analyst's release (casework.approvals); other notes count at once.
    released = None if klass == DataClass.GENETIC else timezone.now()
    note = CaseNote(case=case, data_class=klass, text=text, author=actor, released_at=released)
    note.full_clean(exclude=["case", "author"])
    note.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=note,
        person_id=case.person_id,
        changes={"data_class": [None, klass], "text": ["***", "***"]},
    )
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=CaseEventKind.NOTE,
        data_class=klass,  # the line tells that a note of this class exists: only for who may see the class
        summary=_("Note added: %(kind)s") % {"kind": klass.label},
    )
    return note


def _require_assigner(actor: Any, case: Case) -> None:
    """Only a member of the responsible agency who reaches the case without break-glass decides who works on it:
    otherwise an emergency grant would turn into lasting access through an assignment (ADR 0028)."""
    if not policy.may_assign(actor, case):
        raise refuse(_("You may not assign this case."))


def _refuse_self_assignment(actor: Any, **chosen: User | None) -> None:
    """Nobody gives a case to themselves: a second person decides who works on it."""
    errors = {field: _("Nobody assigns a case to themselves.") for field, user in chosen.items() if user == actor}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def case_reassign(
    *,
    actor: Any,
    case: Case,
    caseworker: User | None,
    supervisor: User | None,
    team: Team | None,
    reason: str = "",
) -> Case:
    """Change who is responsible for a case. Caseworker, supervisor and team must belong to the responsible agency;
    the actor must belong to it too, reach the case without break-glass, and not name themselves."""
    _require_assigner(actor, case)
    agency_id = case.responsible_agency_id
    errors = {}
    for field, user in (("caseworker", caseworker), ("supervisor", supervisor)):
        if user is not None and (not user.is_active or user.agency_id != agency_id):
            errors[field] = _("Choose an active member of the responsible agency.")
    if team is not None and team.agency_id != agency_id:
        errors["team"] = _("The team must belong to the responsible agency.")
    if errors:
        raise ValidationError(errors)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _refuse_self_assignment(
        actor,
        caseworker=caseworker if caseworker != case.caseworker else None,
        supervisor=supervisor if supervisor != case.supervisor else None,
    )
    before = {"caseworker": case.caseworker_id, "supervisor": case.supervisor_id, "team": case.team_id}
    case.caseworker, case.supervisor, case.team = caseworker, supervisor, team
    case.save(update_fields=["caseworker", "supervisor", "team"])
    after = {"caseworker": case.caseworker_id, "supervisor": case.supervisor_id, "team": case.team_id}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        CaseEvent.objects.create(
            case=case,
            actor=actor,
            kind=CaseEventKind.ASSIGNED,
            summary=_("Responsibility changed: %(fields)s") % {"fields": ", ".join(changes)},
            reason=reason,
        )
        audit_record(
            actor=actor, action=AuditAction.UPDATE, obj=case, person_id=case.person_id, changes=changes, reason=reason
        )
    return case


@transaction.atomic
def assignment_end(*, actor: Any, assignment: CaseAssignment, reason: str = "") -> CaseAssignment:
    """End a specialist's access to a case; it stops at their next request."""
    _require_assigner(actor, assignment.case)
    if assignment.ended_at is not None:
        raise ValidationError({"assignment": _("This assignment has already ended.")})
    assignment.ended_at = timezone.now()
    assignment.save(update_fields=["ended_at"])
    CaseEvent.objects.create(
        case=assignment.case,
        actor=actor,
        kind=CaseEventKind.ASSIGNED,
        summary=_("Assignment ended: %(user)s") % {"user": assignment.user.username},
        reason=reason,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=assignment,
        person_id=assignment.case.person_id,
        changes={"ended_at": [None, assignment.ended_at.isoformat()]},
        reason=reason,
    )
    return assignment
