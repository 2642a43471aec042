"""The planning rules of a wave, as plain functions. `operations.services` calls them before any write.

- consent: only persons whose case is in state CONSENTED are planned or evacuated;
- capacity: a wave never carries more persons than its capacity;
- families together: a child never travels on another wave than the mother or legal guardian (a recorded
  mother/guardian link or the case's `parent_case`) unless a reason is recorded, and a mother is not taken
  off a wave while her children stay on it.

Each function raises a ValidationError whose message names the persons concerned.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from access import policy
from access.rules import Capability
from casework.models import Case
from casework.transitions import CaseState
from operations.models import Operation, Wave, WaveStatus
from people.models import Relationship, RelationshipKind, VitalStatus

GUARDIAN_KINDS = (RelationshipKind.MOTHER, RelationshipKind.LEGAL_GUARDIAN)
Label = Callable[[int], str]


# --- who may plan ---------------------------------------------------------------------------------------------


def may_manage(user: object, operation: Operation) -> bool:
    """Planning and executing: the operations capability, in the lead agency or an agency taking part."""
    if not policy.has_capability(user, Capability.MANAGE_OPERATIONS):
        return False
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None:
        return False
    if operation.lead_agency_id == agency_id:
        return True
    return operation.partner_agencies.filter(pk=agency_id).exists()


# --- families -------------------------------------------------------------------------------------------------


@dataclass
class FamilyLinks:
    """Guardian → children and child → guardians among persons who have a case (and so may travel)."""

    children: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    guardians: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))

    def add(self, guardian: int, child: int) -> None:
        self.children[guardian].add(child)
        self.guardians[child].add(guardian)


def family_links(person_ids: Iterable[int]) -> FamilyLinks:
    """The mother / legal guardian links touching these persons, both ways (two queries, whatever their number).

    Only guardians who have a case of their own and are not recorded dead count: a grandmother at home who is
    the legal guardian does not travel, a mother who died in the camp cannot.
    """
    ids = set(person_ids)
    links = FamilyLinks()
    if not ids:
        return links
    related = (
        Relationship.objects.filter(kind__in=GUARDIAN_KINDS)
        .filter(Q(subject_id__in=ids) | Q(object_id__in=ids))
        .filter(subject__case__isnull=False, object__case__isnull=False)
        .exclude(subject__vital_status=VitalStatus.DEAD)
        .values_list("subject_id", "object_id")
    )
    for guardian, child in related:
        links.add(guardian, child)
    by_case = (
        Case.objects.filter(parent_case__isnull=False)
        .filter(Q(person_id__in=ids) | Q(parent_case__person_id__in=ids))
        .exclude(parent_case__person__vital_status=VitalStatus.DEAD)
        .values_list("parent_case__person_id", "person_id")
    )
    for guardian, child in by_case:
        links.add(guardian, child)
    return links


def sibling_links(person_ids: Iterable[int]) -> dict[int, set[int]]:
    """The sibling links between these persons (both ends among them), both ways: one query whatever their number."""
    ids = set(person_ids)
    siblings: dict[int, set[int]] = defaultdict(set)
    if not ids:
        return siblings
    related = Relationship.objects.filter(
        kind=RelationshipKind.SIBLING, subject_id__in=ids, object_id__in=ids
    ).values_list("subject_id", "object_id")
    for one, other in related:
        siblings[one].add(other)
        siblings[other].add(one)
    return siblings


# --- the rules ------------------------------------------------------------------------------------------------


def require_consent(cases: Iterable[Case], label: Label) -> None:
    """Only a person whose case is CONSENTED may be planned: their consent is valid now."""
    missing = [c for c in cases if c.state != CaseState.CONSENTED]
    if missing:
        raise ValidationError(
            {
                "persons": _(
                    "No valid consent to return: %(persons)s. Only persons whose case is '%(state)s' can be planned."
                )
                % {
                    "persons": "; ".join(f"{label(c.person_id)} ({CaseState(c.state).label})" for c in missing),
                    "state": CaseState.CONSENTED.label,
                }
            }
        )


def require_capacity(wave: Wave, planned: int, asked: int) -> None:
    """A wave never carries more persons than its capacity."""
    if planned + asked > wave.capacity:
        raise ValidationError(
            {
                "persons": _(
                    "Over capacity: the wave takes %(capacity)s persons, %(planned)s are already planned and you "
                    "asked to add %(asked)s."
                )
                % {"capacity": wave.capacity, "planned": planned, "asked": asked}
            }
        )


def require_family_together(
    wave: Wave,
    adding: set[int],
    links: FamilyLinks,
    wave_of: dict[int, int],
    separation_reason: str,
    label: Label,
) -> None:
    """A child is on the same wave as each travelling mother or guardian, unless a reason is recorded.

    `wave_of` maps each person already planned (on any wave that is not cancelled) to that wave's id. A child
    added without their mother (she is on another wave or not planned) is refused, and so is a mother added to
    another wave than her planned children, unless `separation_reason` says why they travel apart.
    """
    if separation_reason.strip():
        return
    apart: list[str] = []
    for person in sorted(adding):
        for guardian in sorted(links.guardians.get(person, ())):
            if guardian not in adding and wave_of.get(guardian) != wave.pk:
                apart.append(
                    _("%(child)s without %(guardian)s") % {"child": label(person), "guardian": label(guardian)}
                )
        for child in sorted(links.children.get(person, ())):
            if child not in adding and child in wave_of and wave_of[child] != wave.pk:
                apart.append(
                    _("%(guardian)s apart from %(child)s, who is planned on another wave")
                    % {"child": label(child), "guardian": label(person)}
                )
    if apart:
        raise ValidationError(
            {
                "separation_reason": _(
                    "A child travels with the mother or guardian. Add them together, or record why they travel "
                    "apart: %(apart)s."
                )
                % {"apart": "; ".join(apart)}
            }
        )


def require_children_removed(removing: set[int], links: FamilyLinks, on_wave: set[int], label: Label) -> None:
    """A mother or guardian is not taken off a wave while her children stay on it."""
    left = [
        (guardian, child)
        for guardian in sorted(removing)
        for child in sorted(links.children.get(guardian, ()))
        if child in on_wave and child not in removing
    ]
    if left:
        raise ValidationError(
            {
                "persons": _(
                    "Remove the children too, or they would travel without their mother or guardian: %(pairs)s."
                )
                % {"pairs": "; ".join(f"{label(g)} → {label(c)}" for g, c in left)}
            }
        )


def require_planned(wave: Wave) -> None:
    """An executed or cancelled wave is never changed again."""
    if wave.status != WaveStatus.PLANNED:
        raise ValidationError(
            {"wave": _("This wave is %(status)s: it can no longer be changed.") % {"status": wave.get_status_display()}}
        )
