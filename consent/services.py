"""Every write of consent: answers, family answers, revisiting a refusal, panel decisions, signed scans.

Each function is atomic, asks the access policy, moves the case only through casework.services.case_transition
and writes the audit log in the same transaction. The rules themselves are in consent.rules.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from access import policy
from access.rules import Action, Capability, DataClass
from audit.models import AuditAction
from audit.services import MASK, audit_batch, audit_record, diff, snapshot
from casework.models import Case
from casework.services import case_transition
from casework.timeline import timeline_note
from casework.transitions import CaseState
from consent import rules
from consent.models import BestInterestsDecision, ConsentRecord, ConsentStatement, Decision, GivenBy
from core.errors import refuse
from core.files import checked_scan, content_type_of
from people.models import Person, Place

RECORD_FIELDS = (
    "decision",
    "given_by",
    "representative",
    "best_interests_decision",
    "statement",
    "told_may_be_held_responsible",
    "language",
    "interpreter",
    "witness",
    "recorded_on",
    "place",
    "reason",
)
DECISION_FIELDS = ("decided_on", "external_members", "decision", "reasons")


def _case_of(person: Person) -> Case:
    case = Case.objects.filter(person=person).first()
    if case is None:
        raise ValidationError({"person": _("This person has no case: consent is asked of returnees only.")})
    return case


@transaction.atomic
def consent_record(
    *,
    actor: Any,
    person: Person,
    decision: str,
    given_by: str,
    place: Place,
    recorded_on: date,
    representative: Person | None = None,
    best_interests_decision: BestInterestsDecision | None = None,
    statement: ConsentStatement | None = None,
    told_may_be_held_responsible: bool = False,
    language: str = "",
    interpreter: str = "",
    witness: str = "",
    reason: str = "",
) -> ConsentRecord:
    """Record a consent, refusal or withdrawal and move the case accordingly, all or nothing.

    Enforces consent.rules: who may answer for whom (adult for themselves, child through the mother or guardian,
    orphans and unaccompanied children through the panel), what a consent holds (told of responsibility under
    national law, witnessed), reasons for refusals and withdrawals, and when each answer is possible.
    A consent moves the case to CONSENTED (asking consent first if it was only identified), a refusal to
    REFUSED, a withdrawal back to CONSENT_PENDING.
    """
    policy.require(actor, Action.CHANGE, DataClass.IDENTITY, person)
    try:
        decision = Decision(decision)
    except ValueError:
        raise ValidationError({"decision": _("Choose consent, refusal or withdrawal.")}) from None
    interpreter, witness, reason = interpreter.strip(), witness.strip(), reason.strip()
    case = _case_of(person)
    rules.check_date(recorded_on)
    steps = rules.case_steps(decision, case.state)
    deciders = rules.deciders_for(person, recorded_on)
    rules.check_given_by(deciders, given_by, representative, best_interests_decision)
    if best_interests_decision is not None:
        policy.require(actor, Action.VIEW, DataClass.CHILD_PROTECTION, person)
        rules.check_panel_basis(best_interests_decision, person, decision, recorded_on)
    rules.check_what_was_told(
        decision=decision,
        statement=statement,
        told=told_may_be_held_responsible,
        witness=witness,
        language=language,
        interpreter=interpreter,
    )
    rules.check_reason(decision, reason)
    record = ConsentRecord(
        person=person,
        case=case,
        decision=decision,
        given_by=given_by,
        representative=representative,
        best_interests_decision=best_interests_decision,
        statement=statement,
        told_may_be_held_responsible=told_may_be_held_responsible,
        language=language,
        interpreter=interpreter,
        witness=witness,
        recorded_on=recorded_on,
        place=place,
        reason=reason,
        recorded_by=actor,
    )
    record.full_clean(
        exclude=["person", "case", "representative", "best_interests_decision", "statement", "place", "recorded_by"],
        validate_constraints=False,
    )
    for step in steps:
        case = case_transition(actor=actor, case=case, transition=step, reason=reason)
    record.case = case
    record.save()
    changes = diff({}, snapshot(record, RECORD_FIELDS), ConsentRecord.DATA_CLASSES)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=record, person_id=person.pk, changes=changes)
    return record


@transaction.atomic
def consent_record_family(
    *,
    actor: Any,
    mother: Person,
    children: list[Person],
    decision: str = Decision.CONSENT,
    **common: Any,
) -> list[ConsentRecord]:
    """The mother answers for herself and her children in one act: one record for her (given by herself) and one
    per child (given by her as their mother). All or nothing: if any record is refused, none is written."""
    if decision not in (Decision.CONSENT, Decision.REFUSAL):
        raise ValidationError({"decision": _("A family answers with a consent or a refusal.")})
    if not children:
        raise ValidationError({"children": _("Choose at least one child.")})
    if len({c.pk for c in children}) != len(children) or mother.pk in {c.pk for c in children}:
        raise ValidationError({"children": _("Each child may be chosen once.")})
    with audit_batch():  # one append of the chain for the whole change set (docs/decisions/0037)
        records = [consent_record(actor=actor, person=mother, decision=decision, given_by=GivenBy.SELF, **common)]
        for child in children:
            try:
                records.append(
                    consent_record(
                        actor=actor,
                        person=child,
                        decision=decision,
                        given_by=GivenBy.MOTHER,
                        representative=mother,
                        **common,
                    )
                )
            except ValidationError as error:
                # Say which child the refusal is about: the whole act is undone by the transaction.
                messages = [str(m) for m in error.messages]
                raise ValidationError(
                    {
                        "children": _("Child № %(number)s: %(problem)s")
                        % {"number": child.pk, "problem": " ".join(messages)}
                    }
                ) from None
        return records


@transaction.atomic
def consent_revisit(*, actor: Any, person: Person, reason: str) -> Case:
    """Reopen the question after a refusal: the case goes back to CONSENT_PENDING (reason required).

    The refusal stays on record; the next answer is a new record.
    """
    policy.require(actor, Action.CHANGE, DataClass.IDENTITY, person)
    case = _case_of(person)
    if case.state != CaseState.REFUSED:
        raise ValidationError({"reason": _("Only a refusal can be revisited.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the refusal is revisited.")})
    return case_transition(actor=actor, case=case, transition="revisit", reason=reason.strip())


# --- the best-interests panel -------------------------------------------------------------------------------


@transaction.atomic
def best_interests_decide(
    *,
    actor: Any,
    child: Person,
    decided_on: date,
    members: list[Any],
    decision: str,
    reasons: str,
    external_members: str = "",
) -> BestInterestsDecision:
    """Record the panel's decision for an orphan or unaccompanied child (or one with no living mother or guardian).

    The recorder holds the panel capability and may change the child's child-protection data; at least two
    distinct members holding the capability sat on it. The audit log records that it was decided, never what.
    """
    if not policy.has_capability(actor, Capability.DECIDE_BEST_INTERESTS):
        raise refuse(_("You may not record decisions of the best-interests panel."))
    policy.require(actor, Action.CHANGE, DataClass.CHILD_PROTECTION, child)
    case = _case_of(child)
    if case.state not in rules.BEFORE_DEPARTURE:
        raise ValidationError({"decision": _("The child has already left: the question of return is settled.")})
    rules.check_date(decided_on, "decided_on")
    deciders = rules.deciders_for(child, decided_on)
    if not deciders.is_child:
        raise ValidationError({"child": _("The panel decides for children only.")})
    if not deciders.needs_panel:
        raise ValidationError(
            {"child": _("This child's mother or legal guardian decides: the panel decides only for children without.")}
        )
    rules.check_panel(members, actor)
    if not reasons.strip():
        raise ValidationError({"reasons": _("Give the panel's reasons.")})
    panel = BestInterestsDecision(
        child=child,
        case=case,
        decided_on=decided_on,
        external_members=external_members.strip(),
        decision=decision,
        reasons=reasons.strip(),
        recorded_by=actor,
    )
    panel.full_clean(exclude=["child", "case", "recorded_by"])
    panel.save()
    panel.members.set({m.pk for m in members})
    changes = diff({}, snapshot(panel, DECISION_FIELDS), BestInterestsDecision.DATA_CLASSES)
    changes["members"] = [MASK, MASK]
    audit_record(actor=actor, action=AuditAction.CREATE, obj=panel, person_id=child.pk, changes=changes)
    timeline_note(
        person=child, actor=actor, summary=_("Best-interests decision recorded"), data_class=DataClass.CHILD_PROTECTION
    )
    return panel


# --- signed scans of receipts --------------------------------------------------------------------------------


@transaction.atomic
def consent_scan_attach(*, actor: Any, record: ConsentRecord, upload: Any) -> ConsentRecord:
    """Attach the signed receipt's scan, replacing any earlier one. Needs the right to change identity data.

    Checked by its contents (core.files.checked_scan), stored under a generated name, encrypted at rest; the audit
    log says a scan was stored, never what it shows. The replaced file is deleted once the change is committed.
    """
    policy.require(actor, Action.CHANGE, DataClass.IDENTITY, record.person)
    scan = checked_scan(upload, field="scan")  # before any write: a refused file leaves nothing behind
    record = ConsentRecord.objects.select_for_update().get(pk=record.pk)
    old = record.scan.name
    record.scan.save(f"scan.{scan.extension}", ContentFile(scan.content), save=False)
    record.save(update_fields=["scan"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=record,
        person_id=record.person_id,
        changes={"scan": ["replaced" if old else None, "stored"]},
    )
    if old:
        storage = record.scan.storage
        transaction.on_commit(lambda: storage.delete(old))
    timeline_note(
        person=record.person, actor=actor, summary=_("Signed consent receipt attached"), data_class=DataClass.IDENTITY
    )
    return record


@dataclass(frozen=True)
class Download:
    content: bytes
    content_type: str
    filename: str  # generated from the ids, never an uploaded name


def consent_scan_read(*, actor: Any, record: ConsentRecord) -> Download:
    """The decrypted scan for a user who may see the person's identity data; the reading is audited."""
    if not policy.can(actor, Action.VIEW, DataClass.IDENTITY, record.person):
        raise policy.NotVisible("No such record")
    if not record.scan:
        raise Http404("No scan")
    content = record.scan.read_plain()
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        obj=record,
        person_id=record.person_id,
        changes={"scan": ["viewed", "viewed"]},
    )
    extension = PurePosixPath(record.scan.name).suffix.lower()
    return Download(
        content=content,
        content_type=content_type_of(record.scan.name),
        filename=f"person-{record.person_id}-consent-{record.pk}-signed{extension}",
    )
