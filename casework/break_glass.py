"""Break-glass: emergency access to a case one does not reach, bounded as an emergency (ADR 0028).

- Only roles that face emergencies ask (`Capability.BREAK_GLASS`), with a fresh second factor, a kind of
  emergency and a reason a person would accept, at most `ZHUSAN_BREAK_GLASS_PER_DAY` requests in any 24 hours.
- Within the user's own agency the case opens at once for `ZHUSAN_BREAK_GLASS_MINUTES`; across agencies a
  supervisor or manager of the responsible agency approves first (`casework.approvals.approval_decide`), and the
  time starts then.
- The responsible agency's managers, the case's caseworker and supervisor, and the auditors are told at once.
- A number that names no case answers like a case out of reach: same words, same status, recorded and counted.
"""

import re
from collections import Counter
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access import policy
from access.models import BreakGlassGrant, BreakGlassReason, User
from access.rules import Capability, Role
from access.services import notify
from audit.models import AuditAction
from audit.services import audit_record
from casework.models import ApprovalKind, ApprovalRequest, Case, CaseEvent, CaseEventKind
from core.errors import refuse

# The same words for a case of another agency and for a number that names no case (the API and the page).
SENT_FOR_APPROVAL = gettext_lazy(
    "Your request was sent to the responsible agency for approval. You will be told when it is decided."
)

MIN_REASON_CHARS = 20
MIN_REASON_WORDS = 3
MAX_REASON_CHARS = 2000
_WORD = re.compile(r"[^\W\d_]{2,}")
_SAME_LETTER_FOUR_TIMES = re.compile(r"([^\W\d_])\1{3,}")
_KEYBOARD_RUNS = ("qwer", "asdf", "sdfg", "zxcv", "hjkl", "uiop", "йцук", "фыва", "ячсм")
_VOWELS = frozenset("aeiouyаеёиоуыэюяәіөүұ")


def reason_problem(text: str) -> str | None:
    """Why a person would not accept `text` as the reason for opening someone's file, or None if they would.

    At least 20 characters and three different words; no letter struck four times in a row, no keyboard run,
    no single letter making up more than a third of the text, and most Latin or Cyrillic words with a vowel.
    A plain check against filler ("xxxxxxxxxx", "asdf asdf"), not a judge of truth: the people told judge that.
    """
    text = " ".join(text.split())
    if len(text) < MIN_REASON_CHARS:
        return _("Describe the emergency in at least %(n)d characters.") % {"n": MIN_REASON_CHARS}
    if len(text) > MAX_REASON_CHARS:
        return _("Keep the reason under %(n)d characters.") % {"n": MAX_REASON_CHARS}
    folded = text.casefold()
    words = _WORD.findall(folded)
    if len(set(words)) < MIN_REASON_WORDS:
        return _("Describe the emergency in at least %(n)d different words.") % {"n": MIN_REASON_WORDS}
    letters = [c for c in folded if c.isalpha()]
    spoken = [w for w in words if all(c < "\u0600" for c in w)]  # Latin and Cyrillic; Arabic writes few vowels
    if (
        _SAME_LETTER_FOUR_TIMES.search(folded)
        or any(run in folded for run in _KEYBOARD_RUNS)
        or Counter(letters).most_common(1)[0][1] * 3 > len(letters)
        or sum(1 for w in spoken if not _VOWELS & set(w)) * 3 > len(spoken)
    ):
        return _("Describe the emergency in words a colleague would understand, not repeated or random keys.")
    return None


def _checked_request(case_number: str, category: str, reason: str) -> tuple[str, str, str]:
    errors: dict[str, str] = {}
    number = case_number.strip().upper()
    if not number or len(number) > 30:
        errors["case_number"] = _("Give the number of the case, as ZH-2026-00001.")
    if category not in BreakGlassReason.values:
        errors["category"] = _("Choose the kind of emergency.")
    problem = reason_problem(reason)
    if problem:
        errors["reason"] = problem
    if errors:
        raise ValidationError(errors)
    return number, category, " ".join(reason.split())


@transaction.atomic
def break_glass_request(
    *, actor: Any, case_number: str, category: str, reason: str, second_factor_fresh: bool
) -> BreakGlassGrant:
    """Ask emergency access to a case. Opened at once within one's own agency, sent for approval otherwise.

    `second_factor_fresh` is the surface's proof that the user gave their second factor just now: a recent code
    in the session for pages, a valid current code in the body for the API. A token or an old session never is.
    Refused without the role, without that proof, past the daily limit, and while a grant on the case runs.
    """
    if not policy.reaches_cases(actor) or not policy.has_capability(actor, Capability.BREAK_GLASS):
        raise refuse(_("Your role may not use emergency access."))
    if not second_factor_fresh:
        raise refuse(_("Confirm emergency access with a current code from your authenticator."))
    number, category, reason = _checked_request(case_number, category, reason)
    # One request at a time per user, so concurrent requests cannot pass the limit together.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    since = timezone.now() - timedelta(hours=24)
    limit = settings.ZHUSAN_BREAK_GLASS_PER_DAY
    if BreakGlassGrant.objects.filter(user=actor, requested_at__gt=since).count() >= limit:
        raise refuse(
            _("You have made %(n)d emergency requests in the last 24 hours, the most allowed. Ask your supervisor.")
            % {"n": limit}
        )
    case = Case.objects.filter(number=number).select_related("caseworker", "supervisor").first()
    if case is not None:
        _refuse_when_reached_already(actor, case)
    grant = BreakGlassGrant.objects.create(user=actor, case=case, case_number=number, category=category, reason=reason)
    audit_record(
        actor=actor,
        action=AuditAction.BREAK_GLASS,
        obj=grant,
        person_id=case.person_id if case else None,
        changes={"requested": [None, number], "category": [None, category]},
        reason=reason,
    )
    if case is not None and actor.agency_id and actor.agency_id == case.responsible_agency_id:
        grant_start(actor=actor, grant=grant)
    else:
        _send_for_approval(actor, grant)
    return grant


def _refuse_when_reached_already(actor: Any, case: Case) -> None:
    """Only for cases the user reaches anyway, so the answer tells nothing about other cases."""
    running = BreakGlassGrant.objects.filter(user=actor, case=case, expires_at__gt=timezone.now()).first()
    if running is not None and running.expires_at is not None:
        raise ValidationError(
            {
                "case_number": _("Your emergency access to this case runs until %(time)s; it is not renewed.")
                % {"time": timezone.localtime(running.expires_at).strftime("%H:%M")}
            }
        )
    if policy.reaches_without_emergency(actor, case):
        raise ValidationError({"case_number": _("You already work on this case: open it from your cases.")})


def _send_for_approval(actor: Any, grant: BreakGlassGrant) -> None:
    """Across agencies, a second person of the responsible agency decides. A number naming no case goes no
    further than the record and the auditors, and its requester hears the same as for a real case."""
    category = BreakGlassReason(grant.category).label
    case = grant.case
    if case is None:
        notify(
            _auditors(),
            _("Emergency access asked by %(user)s for %(case)s, a number that names no case: %(category)s")
            % {"user": actor.username, "case": grant.case_number, "category": category},
            link="/audit/?action=break_glass",
        )
        return
    request = ApprovalRequest.objects.create(
        kind=ApprovalKind.BREAK_GLASS,
        case=case,
        grant=grant,
        reason=f"{category}: {grant.reason}",  # the approver reads the kind of emergency beside the account
        requested_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=request,
        person_id=case.person_id,
        changes={"kind": [None, request.kind]},
        reason=grant.reason,
    )
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=CaseEventKind.ASSIGNED,
        summary=_("Emergency access asked from another agency (%(category)s), waiting for approval")
        % {"category": category},
        reason=grant.reason,
    )
    approvers = [
        u
        for u in User.objects.filter(agency_id=case.responsible_agency_id, is_active=True).exclude(pk=actor.pk)
        if may_approve(u, case)
    ]
    text = _("Emergency access asked by %(user)s (%(agency)s) to case %(case)s: %(category)s: %(reason)s") % {
        "user": actor.username,
        "agency": actor.agency or "-",
        "case": case.number,
        "category": category,
        "reason": grant.reason[:200],
    }
    notify(approvers, _("Waiting for your approval: %(text)s") % {"text": text}, link=f"/people/{case.person_id}/")
    _tell_those_responsible(case, text)


def may_approve(user: Any, case: Case) -> bool:
    """A supervisor or manager of the case's responsible agency, reaching it by their own standing."""
    return (
        policy.has_capability(user, Capability.APPROVE_BREAK_GLASS)
        and bool(user.agency_id)
        and user.agency_id == case.responsible_agency_id
        and policy.reaches_without_emergency(user, case)
    )


def grant_start(*, actor: Any, grant: BreakGlassGrant) -> BreakGlassGrant:
    """Open the case to the grant's user for `ZHUSAN_BREAK_GLASS_MINUTES` from now; the actor is the requester
    (own agency) or the approver. Runs inside the caller's transaction."""
    case = grant.case
    if case is None:
        raise ValidationError({"case_number": _("No case to open.")})
    minutes = settings.ZHUSAN_BREAK_GLASS_MINUTES
    now = timezone.now()
    expires_at = now + timedelta(minutes=minutes)
    grant.granted_at, grant.expires_at = now, expires_at
    grant.save(update_fields=["granted_at", "expires_at"])
    audit_record(
        actor=actor,
        action=AuditAction.BREAK_GLASS,
        obj=case,
        person_id=case.person_id,
        changes={"user": [None, grant.user_id], "expires_at": [None, expires_at.isoformat()]},
        reason=grant.reason,
    )
    category = BreakGlassReason(grant.category).label
    CaseEvent.objects.create(
        case=case,
        actor=grant.user,
        kind=CaseEventKind.ASSIGNED,
        summary=_("Emergency access opened for %(minutes)d minutes (%(category)s)")
        % {"minutes": minutes, "category": category},
        reason=grant.reason,
    )
    _tell_those_responsible(
        case,
        _("Emergency access: %(user)s opened case %(case)s for %(minutes)d minutes: %(category)s: %(reason)s")
        % {
            "user": grant.user.username,
            "case": case.number,
            "minutes": minutes,
            "category": category,
            "reason": grant.reason[:200],
        },
    )
    return grant


def grant_refused(*, actor: Any, grant: BreakGlassGrant) -> None:
    """Record a refused cross-agency request on the case's timeline (the decision itself is audited)."""
    if grant.case is not None:
        CaseEvent.objects.create(
            case=grant.case,
            actor=actor,
            kind=CaseEventKind.ASSIGNED,
            summary=_("Emergency access refused to %(user)s") % {"user": grant.user.username},
        )


def _auditors() -> list[User]:
    return [u for u in User.objects.filter(is_active=True) if Role.AUDITOR in u.role_set]


def _tell_those_responsible(case: Case, text: str) -> None:
    """The responsible agency's managers, the case's caseworker and supervisor, and every auditor."""
    managers = [
        u
        for u in User.objects.filter(agency_id=case.responsible_agency_id, is_active=True)
        if Role.AGENCY_MANAGER in u.role_set
    ]
    workers = [u for u in (case.caseworker, case.supervisor) if u is not None and u.is_active]
    notify(managers + workers, text, link=f"/people/{case.person_id}/")
    notify(_auditors(), text, link="/audit/?action=break_glass")
