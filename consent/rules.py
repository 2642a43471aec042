"""Who may answer the question of return for whom, and what a valid answer holds. Plain functions, no writes.

- An adult answers only for themselves.
- A child answers through their mother or legal guardian (a living person recorded as such).
- An orphan or unaccompanied child, or a child with no living mother or guardian recorded, only through a
  best-interests decision of the panel: at least two distinct members holding the capability, never the recorder alone.
- A consent holds that the person was told they may be held responsible under national law, and a witness;
  a refusal or withdrawal holds its reason.
- Consent and refusal come before departure; a withdrawal only while the case is consented (not once evacuated).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from access.rules import Capability
from casework.transitions import CaseState
from consent.models import BestInterestsDecision, ConsentStatement, Decision, GivenBy, PanelDecision
from people.categories import categories_for
from people.models import Person, Relationship, RelationshipKind, VitalStatus

EARLIEST_DATE = date(1900, 1, 1)
# States from which the person has left (or the case ended): too late for consent, refusal or withdrawal.
DEPARTED = frozenset(
    {
        CaseState.EVACUATED,
        CaseState.RECEIVED,
        CaseState.IN_CENTRE,
        CaseState.RELOCATED,
        CaseState.IN_LOCAL_PROGRAMME,
        CaseState.FOLLOW_UP,
        CaseState.CLOSED,
    }
)
BEFORE_DEPARTURE = frozenset({CaseState.IDENTIFIED, CaseState.CONSENT_PENDING, CaseState.CONSENTED, CaseState.REFUSED})
# Which panel decisions a record through the panel may rest on.
PANEL_DECISIONS_FOR = {
    Decision.CONSENT: {PanelDecision.RETURN},
    Decision.REFUSAL: {PanelDecision.DO_NOT_RETURN},
    Decision.WITHDRAWAL: {PanelDecision.DO_NOT_RETURN, PanelDecision.DEFER},
}


@dataclass
class Deciders:
    """Who may answer for one person on one date."""

    is_child: bool
    needs_panel: bool = False  # orphan, unaccompanied, or no living mother or guardian recorded
    orphan: bool = False
    unaccompanied: bool = False
    mother_ids: set[int] = field(default_factory=set)
    guardian_ids: set[int] = field(default_factory=set)

    @property
    def allowed_given_by(self) -> list[str]:
        if not self.is_child:
            return [GivenBy.SELF.value]
        if self.needs_panel:
            return [GivenBy.BEST_INTERESTS_PANEL.value]
        allowed: list[str] = []
        if self.mother_ids:
            allowed.append(GivenBy.MOTHER.value)
        if self.guardian_ids:
            allowed.append(GivenBy.LEGAL_GUARDIAN.value)
        return allowed


def deciders_for_many(persons: Iterable[Person], on: date) -> dict[int, Deciders | None]:
    """For each person, who may decide on `on`; None where the age is unknown (it cannot be decided).

    Three queries whatever the number of persons (categories: two; mothers and guardians: one).
    """
    persons = list(persons)
    categories = categories_for(persons, on=on)
    carers: dict[int, dict[str, set[int]]] = defaultdict(lambda: {"mother": set(), "guardian": set()})
    links = Relationship.objects.filter(
        object_id__in=[p.pk for p in persons],
        kind__in=[RelationshipKind.MOTHER, RelationshipKind.LEGAL_GUARDIAN],
    ).exclude(subject__vital_status__in=[VitalStatus.DEAD, VitalStatus.MISSING])
    for child_id, carer_id, kind in links.values_list("object_id", "subject_id", "kind"):
        carers[child_id]["mother" if kind == RelationshipKind.MOTHER else "guardian"].add(carer_id)
    result: dict[int, Deciders | None] = {}
    for person in persons:
        found = categories[person.pk]
        if found.age is None:
            result[person.pk] = None
            continue
        if not found.is_child:
            result[person.pk] = Deciders(is_child=False)
            continue
        mothers, guardians = carers[person.pk]["mother"], carers[person.pk]["guardian"]
        result[person.pk] = Deciders(
            is_child=True,
            needs_panel=found.orphan or found.unaccompanied or not (mothers or guardians),
            orphan=found.orphan,
            unaccompanied=found.unaccompanied,
            mother_ids=set(mothers),
            guardian_ids=set(guardians),
        )
    return result


def deciders_for(person: Person, on: date) -> Deciders:
    """Who may decide for this person on `on`, or ValidationError when their age is unknown."""
    deciders = deciders_for_many([person], on)[person.pk]
    if deciders is None:
        raise ValidationError(
            {
                "person": _(
                    "The person's age is unknown, so it cannot be said who decides for them: record a date of "
                    "birth or an estimated age first."
                )
            }
        )
    return deciders


def check_given_by(
    deciders: Deciders,
    given_by: str,
    representative: Person | None,
    panel_decision: BestInterestsDecision | None,
) -> None:
    """Refuse an answer given by someone who may not give it for this person."""
    if not deciders.is_child:
        if given_by != GivenBy.SELF or representative is not None or panel_decision is not None:
            raise ValidationError({"given_by": _("An adult decides only for themselves.")})
        return
    if deciders.needs_panel:
        if given_by != GivenBy.BEST_INTERESTS_PANEL or panel_decision is None:
            raise ValidationError(
                {
                    "given_by": _(
                        "This child is an orphan or unaccompanied, or has no living mother or legal guardian "
                        "recorded: only a best-interests decision of the panel can decide."
                    )
                }
            )
        if representative is not None:
            raise ValidationError({"representative": _("A decision of the panel has no representative.")})
        return
    if given_by == GivenBy.MOTHER:
        allowed, message = deciders.mother_ids, _("Choose the child's recorded mother.")
    elif given_by == GivenBy.LEGAL_GUARDIAN:
        allowed, message = deciders.guardian_ids, _("Choose the child's recorded legal guardian.")
    else:
        raise ValidationError({"given_by": _("A child decides through their mother or legal guardian.")})
    if representative is None or representative.pk not in allowed:
        raise ValidationError({"representative": message})
    if panel_decision is not None:
        raise ValidationError({"best_interests_decision": _("This child's mother or guardian decides, not the panel.")})


def check_panel_basis(panel_decision: BestInterestsDecision, child: Person, decision: str, on: date) -> None:
    """A record through the panel rests on a decision for this child, taken by then, that says the same."""
    if panel_decision.child_id != child.pk:
        raise ValidationError({"best_interests_decision": _("This decision of the panel is about another child.")})
    if panel_decision.decided_on > on:
        raise ValidationError({"best_interests_decision": _("The panel decided after this date.")})
    if panel_decision.decision not in PANEL_DECISIONS_FOR[Decision(decision)]:
        raise ValidationError(
            {
                "best_interests_decision": _("The panel decided '%(panel)s': it cannot ground '%(decision)s'.")
                % {
                    "panel": PanelDecision(panel_decision.decision).label,
                    "decision": Decision(decision).label,
                }
            }
        )


def check_what_was_told(
    *,
    decision: str,
    statement: ConsentStatement | None,
    told: bool,
    witness: str,
    language: str,
    interpreter: str,
) -> None:
    """A consent needs the responsibility clause told and a witness; consent and refusal name the statement read.

    The answer's language may differ from the statement's only through an interpreter.
    """
    errors: dict[str, str] = {}
    if decision in (Decision.CONSENT, Decision.REFUSAL):
        if statement is None:
            errors["statement"] = _("Choose the statement that was read to the person.")
        elif not statement.active:
            errors["statement"] = _("This statement is no longer in use: choose the current one.")
    if decision == Decision.CONSENT:
        if not told:
            errors["told_may_be_held_responsible"] = _(
                "Consent is valid only once the person was told they may be held responsible under national law "
                "for acts in the conflict zone."
            )
        if not witness.strip():
            errors["witness"] = _("Name the witness of the consent.")
    if not language:
        errors["language"] = _("Give the language the person was spoken to in.")
    elif statement is not None and statement.language != language and not interpreter.strip():
        errors["interpreter"] = _(
            "The statement is in another language than the person's: name the interpreter who translated it."
        )
    if errors:
        raise ValidationError(errors)


def check_reason(decision: str, reason: str) -> None:
    if decision in (Decision.REFUSAL, Decision.WITHDRAWAL) and not reason.strip():
        message = (
            _("Give the reason for the refusal.")
            if decision == Decision.REFUSAL
            else _("Give the reason for the withdrawal.")
        )
        raise ValidationError({"reason": message})


def check_date(on: date, field_name: str = "recorded_on") -> None:
    if on > timezone.localdate():
        raise ValidationError({field_name: _("The date cannot be in the future.")})
    if on < EARLIEST_DATE:
        raise ValidationError({field_name: _("The date cannot be before 1900.")})


def case_steps(decision: str, state: str) -> list[str]:
    """The lifecycle transitions that record `decision` on a case in `state`, or ValidationError saying why not."""
    if decision == Decision.WITHDRAWAL:
        if state == CaseState.CONSENTED:
            return ["withdraw"]
        if state in DEPARTED:
            raise ValidationError({"decision": _("Consent can no longer be withdrawn: the person has already left.")})
        raise ValidationError({"decision": _("There is no consent to withdraw.")})
    if state in DEPARTED:
        raise ValidationError({"decision": _("The person has already left: the question of return is settled.")})
    if state == CaseState.REFUSED:
        raise ValidationError(
            {"decision": _("The person refused: revisit the refusal (with a reason) before recording a new answer.")}
        )
    if state == CaseState.CONSENTED:
        message = (
            _("The person has already consented.")
            if decision == Decision.CONSENT
            else _("The person has consented: record a withdrawal instead.")
        )
        raise ValidationError({"decision": message})
    target = "consent" if decision == Decision.CONSENT else "refuse"
    return ["ask_consent", target] if state == CaseState.IDENTIFIED else [target]


MAX_PANEL_MEMBERS = 20


def check_panel(members: Iterable[Any], recorder: Any) -> None:
    """At least two distinct members, each holding the capability; the recorder is never the only one."""
    distinct = {m.pk: m for m in members}
    if len(distinct) > MAX_PANEL_MEMBERS:
        raise ValidationError(
            {"members": _("A best-interests panel has at most %(limit)d members.") % {"limit": MAX_PANEL_MEMBERS}}
        )
    if len(distinct) < 2:
        raise ValidationError({"members": _("A best-interests decision needs at least two panel members.")})
    if not set(distinct) - {recorder.pk}:
        raise ValidationError({"members": _("The person recording the decision cannot be its only member.")})
    outsiders = [
        m
        for m in distinct.values()
        if not m.is_active or not policy.has_capability(m, Capability.DECIDE_BEST_INTERESTS)
    ]
    if outsiders:
        raise ValidationError(
            {
                "members": _("%(names)s may not sit on the best-interests panel.")
                % {"names": ", ".join(sorted(m.get_full_name() or m.username for m in outsiders))}
            }
        )
