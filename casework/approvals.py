"""Four eyes: acts that one person alone may not complete.

- Closing a case and releasing a genetic result are asked by one person and done when a second approves.
- Emergency access to a case of another agency (casework.break_glass) starts when a second person of the
  responsible agency approves it.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from access.models import User
from access.rules import Action, DataClass
from access.services import notify
from audit.models import AuditAction
from audit.services import audit_record
from casework import break_glass
from casework.models import ApprovalKind, ApprovalRequest, Case, CaseEvent, CaseEventKind, CaseNote
from casework.services import case_transition
from casework.transitions import TRANSITIONS_BY_NAME
from core.errors import refuse

MIN_REASON = 10


def _reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) < MIN_REASON or len(reason) > 2000:
        raise ValidationError({"reason": _("Give a reason of at least %(n)d characters.") % {"n": MIN_REASON}})
    return reason


# --- closing a case ---------------------------------------------------------------------------------------------


@transaction.atomic
def closing_request(*, actor: Any, case: Case, transition: str, reason: str) -> ApprovalRequest:
    """Ask to close a case; a second person with the right to close decides."""
    step = TRANSITIONS_BY_NAME.get(transition)
    if step is None or not step.four_eyes:
        raise ValidationError({"transition": _("This change does not need an approval.")})
    if not policy.can_transition(actor, case, step):
        raise refuse(_("You may not make this change to this case."))
    if case.state != step.source:
        raise ValidationError({"transition": _("The case is not in a state this change applies to.")})
    request = ApprovalRequest(
        kind=ApprovalKind.CLOSE_CASE, case=case, transition=step.name, reason=_reason(reason), requested_by=actor
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise ValidationError({"transition": _("Closing this case is already waiting for an approval.")}) from None
    CaseEvent.objects.create(
        case=case, actor=actor, kind=CaseEventKind.TRANSITION, summary=_("Closing requested"), reason=request.reason
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=request,
        person_id=case.person_id,
        changes={"kind": [None, request.kind], "transition": [None, step.name]},
        reason=request.reason,
    )
    _notify_deciders(request)
    return request


# --- releasing a genetic result -----------------------------------------------------------------------------------


@transaction.atomic
def genetic_release_request(*, actor: Any, note: CaseNote, reason: str) -> ApprovalRequest:
    if note.data_class != DataClass.GENETIC or note.released_at is not None:
        raise ValidationError({"note": _("Only an unreleased genetic result can be released.")})
    if not policy.can(actor, Action.CHANGE, DataClass.GENETIC, note.case):
        raise refuse()
    if ApprovalRequest.objects.filter(note=note, decided_at__isnull=True).exists():
        raise ValidationError({"note": _("This result is already waiting for an approval.")})
    request = ApprovalRequest.objects.create(
        kind=ApprovalKind.RELEASE_GENETIC_RESULT, case=note.case, note=note, reason=_reason(reason), requested_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=request,
        person_id=note.case.person_id,
        changes={"kind": [None, request.kind]},
        reason=request.reason,
    )
    _notify_deciders(request)
    return request


# --- deciding ----------------------------------------------------------------------------------------------------


def may_decide(user: Any, request: ApprovalRequest) -> bool:
    """A different person, with the right to do the act itself on this case."""
    if request.decided_at is not None or user.pk == request.requested_by_id:
        return False
    if request.kind == ApprovalKind.CLOSE_CASE:
        return policy.can_transition(user, request.case, TRANSITIONS_BY_NAME[request.transition])
    if request.kind == ApprovalKind.BREAK_GLASS:
        return break_glass.may_approve(user, request.case)
    return policy.can(user, Action.CHANGE, DataClass.GENETIC, request.case)


@transaction.atomic
def approval_decide(*, actor: Any, request: ApprovalRequest, approve: bool, note: str = "") -> ApprovalRequest:
    """Approve (and carry out) or reject a request. Nobody decides their own request."""
    # Lock the request row only (PostgreSQL refuses FOR UPDATE across the nullable join to the note).
    request = (
        ApprovalRequest.objects.select_for_update(of=("self",))
        .select_related("case", "note", "grant")
        .get(pk=request.pk)
    )
    if request.decided_at is not None:
        raise ValidationError({"request": _("This request has already been decided.")})
    if actor.pk == request.requested_by_id:
        raise refuse(_("Nobody approves their own request: a second person must decide."))
    if not may_decide(actor, request):
        raise refuse(_("You may not decide this request."))
    request.decided_by, request.decided_at, request.approved = actor, timezone.now(), approve
    request.decision_note = note.strip()[:2000]
    request.save(update_fields=["decided_by", "decided_at", "approved", "decision_note"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=request,
        person_id=request.case.person_id,
        changes={"approved": [None, approve]},
        reason=request.decision_note,
    )
    if approve and request.kind == ApprovalKind.CLOSE_CASE:
        case_transition(
            actor=actor,
            case=request.case,
            transition=request.transition,
            reason=request.reason,
            approved_by_second_person=True,
        )
    elif approve and request.note is not None:
        CaseNote.objects.filter(pk=request.note.pk).update(released_at=timezone.now())
    elif request.grant is not None:
        if approve:
            break_glass.grant_start(actor=actor, grant=request.grant)
        else:
            break_glass.grant_refused(actor=actor, grant=request.grant)
    notify(
        [request.requested_by],
        _("Your request was %(outcome)s: %(kind)s, case %(case)s")
        % {
            "outcome": _("approved") if approve else _("rejected"),
            "kind": request.get_kind_display(),
            "case": request.case.number,
        },
        link=f"/people/{request.case.person_id}/",
    )
    return request


def pending_for(user: Any) -> list[ApprovalRequest]:
    """Requests waiting for this user's decision, on cases the user may reach."""
    pending = ApprovalRequest.objects.filter(decided_at__isnull=True, case__in=policy.cases_visible_to(user))
    return [r for r in pending.select_related("case", "requested_by", "note") if may_decide(user, r)]


def _notify_deciders(request: ApprovalRequest) -> None:
    case = request.case
    if request.kind == ApprovalKind.CLOSE_CASE:
        candidates = User.objects.filter(agency_id=case.responsible_agency_id, is_active=True)
    else:
        candidates = User.objects.filter(case_assignments__case=case, case_assignments__ended_at__isnull=True)
    deciders = [u for u in candidates.distinct() if u.pk != request.requested_by_id and may_decide(u, request)]
    notify(
        deciders,
        _("Waiting for your approval: %(kind)s, case %(case)s")
        % {"kind": request.get_kind_display(), "case": case.number},
        link=f"/people/{case.person_id}/",
    )
