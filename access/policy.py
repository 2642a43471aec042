"""The one place that decides who may see or change what. Everything reads `access.rules.RULES` through here.

Views, API endpoints, searches, exports and reports call these functions; none filters by hand.
A record the user may not reach is answered as missing (404), the same as one that does not exist.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import AgencyKind, BreakGlassGrant, NdaAcceptance, NdaVersion, User
from access.rules import RULES, Action, Capability, DataClass, RoleRule, Scope
from casework.models import Case, CaseAssignment
from casework.transitions import Transition
from core.errors import MAX_ID, refuse
from people.models import DocumentNumberReview, Person, Relationship

NO_CLASSES: frozenset[DataClass] = frozenset()


class NotVisible(Http404):
    """The record does not exist or the user may not reach it: the same answer for both, on purpose."""


# --- who the user is -----------------------------------------------------------------------------------------


def has_accepted_current_nda(user: Any) -> bool:
    """True when the user accepted the NDA in force. Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_zhusan_nda_ok", None)
    if cached is None:
        current = NdaVersion.current()
        cached = current is not None and NdaAcceptance.objects.filter(user=user, nda=current).exists()
        user._zhusan_nda_ok = cached
    return bool(cached)


def _active_rules(user: Any) -> list[RoleRule]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if not has_accepted_current_nda(user):
        return []
    return [RULES[role] for role in user.role_set]


def has_capability(user: Any, capability: Capability) -> bool:
    return any(capability in rule.capabilities for rule in _active_rules(user))


def may_export(user: Any) -> bool:
    """Whether any of the user's roles may export some class of data (the rows still go through the policy)."""
    return any(Action.EXPORT in actions for rule in _active_rules(user) for actions in rule.data.values())


def reaches_cases(user: Any) -> bool:
    """Whether the user works with individual cases at all (statisticians, auditors, administrators do not)."""
    return any(rule.scope != Scope.NONE for rule in _active_rules(user))


# --- who settles document numbers sent for review (decision 0038) ------------------------------------------


def _holds_by_role(user: Any, capability: Capability) -> bool:
    """Whether the user's roles grant the capability, NDA aside: who is told of a task, not who may act on it."""
    return any(capability in RULES[role].capabilities for role in user.role_set)


def document_number_reviewers() -> list[Any]:
    """The staff who settle document numbers sent for review, and who are told of a new one: the holders of
    REVIEW_DOCUMENT_NUMBERS in an agency of kind civil registry; every holder while the civil registry has none.
    Few accounts, whose roles are read in Python (a JSON list): one query."""
    holders = [
        u
        for u in User.objects.filter(is_active=True).select_related("agency")
        if _holds_by_role(u, Capability.REVIEW_DOCUMENT_NUMBERS)
    ]
    registry = [u for u in holders if u.agency is not None and u.agency.kind == AgencyKind.CIVIL_REGISTRY]
    return registry or holders


def may_review_document_numbers(user: Any) -> bool:
    """Whether the user sees and settles document number reviews: the same people `document_number_reviewers`
    names, with an accepted NDA. Free for everyone without the capability; one or two queries for its holders."""
    if not has_capability(user, Capability.REVIEW_DOCUMENT_NUMBERS):
        return False
    if user.agency is not None and user.agency.kind == AgencyKind.CIVIL_REGISTRY:
        return True
    registry_staff = User.objects.filter(is_active=True, agency__kind=AgencyKind.CIVIL_REGISTRY).only("roles")
    return not any(_holds_by_role(u, Capability.REVIEW_DOCUMENT_NUMBERS) for u in registry_staff)


# --- which cases and persons -------------------------------------------------------------------------------


def _extra_case_ids(user: Any) -> list[int]:
    """Cases the user holds an open specialist assignment or a running break-glass grant for (one query)."""
    assigned = CaseAssignment.objects.filter(user=user, ended_at__isnull=True).values_list("case_id", flat=True)
    emergency = BreakGlassGrant.objects.filter(user=user, expires_at__gt=timezone.now()).values_list(
        "case_id", flat=True
    )
    return sorted(set(assigned.union(emergency)))


def _reach_q(user: Any, scopes: set[Scope], extra_ids: list[int], prefix: str = "") -> Q:
    """The cases a user reaches, as column tests on a case reached through `prefix` (e.g. "case__").

    Assigned: caseworker, supervisor, team, an open specialist assignment or a running break-glass grant;
    agency scope adds every case the user's agency is responsible for. The few assignment and grant ids are
    read first (one small query) and inlined: plain column tests let the database check one case at a time
    cheaply, where correlated sub-queries made PostgreSQL evaluate them for every case in the registry.
    """
    q = Q(**{f"{prefix}caseworker": user}) | Q(**{f"{prefix}supervisor": user})
    if extra_ids:
        q |= Q(**{f"{prefix}id__in": extra_ids})
    if user.team_id:
        q |= Q(**{f"{prefix}team_id": user.team_id})
    if Scope.AGENCY in scopes and user.agency_id:
        q |= Q(**{f"{prefix}responsible_agency_id": user.agency_id})
    return q


def _case_scopes(user: Any) -> set[Scope]:
    return {rule.scope for rule in _active_rules(user)} - {Scope.NONE}


def cases_visible_to(user: Any) -> QuerySet[Case]:
    scopes = _case_scopes(user)
    if not scopes:
        return Case.objects.none()
    return Case.objects.filter(_reach_q(user, scopes, _extra_case_ids(user)))


def persons_visible_to(user: Any) -> QuerySet[Person]:
    """Persons with a visible case, and relatives without a case of their own who are linked to one.

    The person's own case is tested through the one-to-one join with plain column tests (no sub-query per
    case), so the cost follows the name matches rather than the size of the registry.
    """
    scopes = _case_scopes(user)
    if not scopes:
        return Person.objects.none()
    return Person.objects.filter(_persons_reached_q(user, scopes, _extra_case_ids(user)))


def _persons_reached_q(user: Any, scopes: set[Scope], extra_ids: list[int]) -> Q:
    own_case = _reach_q(user, scopes, extra_ids, "case__")
    relative_of_subject = Relationship.objects.filter(object=OuterRef("pk")).filter(
        _reach_q(user, scopes, extra_ids, "subject__case__")
    )
    relative_of_object = Relationship.objects.filter(subject=OuterRef("pk")).filter(
        _reach_q(user, scopes, extra_ids, "object__case__")
    )
    return own_case | (Q(case__isnull=True) & (Q(Exists(relative_of_subject)) | Q(Exists(relative_of_object))))


def _scopes_granting(user: Any, data_class: DataClass, action: Action) -> set[Scope]:
    rules = _active_rules(user)
    return {rule.scope for rule in rules if action in rule.data.get(data_class, frozenset())} - {Scope.NONE}


def holds_class(user: Any, data_class: DataClass, action: Action = Action.VIEW) -> bool:
    """Whether any of the user's roles may `action` this class on some person (filters on a class ask this)."""
    return bool(_scopes_granting(user, data_class, action))


def persons_holding_class_q(user: Any, data_class: DataClass, action: Action = Action.VIEW) -> Q:
    """The persons on whom the user may `action` this class, as a condition for the one set-based search query.

    The same answer as `classes_by_person`, for the whole registry at once: only the roles granting the class
    count, each through its own scope. A filter on a class (whereabouts) is combined with it, so it narrows only
    among persons whose class the user may see and cannot be used to learn another person's value.
    """
    scopes = _scopes_granting(user, data_class, action)
    if not scopes:
        return Q(pk__in=[])
    return _persons_reached_q(user, scopes, _extra_case_ids(user))


def _relation_to_case(user: Any, case: Case, assigned_case_ids: set[int]) -> set[Scope]:
    """How the user reaches this case: as assigned, through their agency, both or not at all."""
    reached: set[Scope] = set()
    if (
        case.caseworker_id == user.id
        or case.supervisor_id == user.id
        or (user.team_id and case.team_id == user.team_id)
        or case.pk in assigned_case_ids
    ):
        reached |= {Scope.ASSIGNED, Scope.AGENCY}
    if user.agency_id and case.responsible_agency_id == user.agency_id:
        reached.add(Scope.AGENCY)
    return reached


def reaches_without_emergency(user: Any, case: Case) -> bool:
    """Whether the user reaches the case by their own standing (role, team, agency, an assignment), leaving
    running break-glass grants aside: emergency reach lets one look, never hand the case on (ADR 0028)."""
    scopes = _case_scopes(user)
    if not scopes:
        return False
    if user.pk in (case.caseworker_id, case.supervisor_id) or (user.team_id and case.team_id == user.team_id):
        return True
    if Scope.AGENCY in scopes and user.agency_id and case.responsible_agency_id == user.agency_id:
        return True
    return CaseAssignment.objects.filter(case=case, user=user, ended_at__isnull=True).exists()


def may_assign(user: Any, case: Case) -> bool:
    """Who works on a case is decided inside the responsible agency, by someone who reaches the case without
    break-glass and holds the right to assign."""
    return (
        has_capability(user, Capability.ASSIGN_CASE)
        and bool(user.agency_id)
        and user.agency_id == case.responsible_agency_id
        and reaches_without_emergency(user, case)
    )


def _classes_from(rules: list[RoleRule], reached: set[Scope], action: Action) -> frozenset[DataClass]:
    classes: set[DataClass] = set()
    for rule in rules:
        if rule.scope in reached:
            classes |= {dc for dc, actions in rule.data.items() if action in actions}
    return frozenset(classes)


def classes_by_person(
    user: Any, person_ids: Iterable[int], action: Action = Action.VIEW
) -> dict[int, frozenset[DataClass]]:
    """For many persons at once (a fixed number of queries, whatever their number): what the user may `action`.

    A person with a case is reached through it; a relative without a case through the cases of the
    persons they are linked to.
    """
    ids = set(person_ids)
    rules = _active_rules(user)
    if not rules or not ids:
        return dict.fromkeys(ids, NO_CLASSES)
    cases = {c.person_id: c for c in Case.objects.filter(person_id__in=ids)}
    caseless = ids - cases.keys()
    links: dict[int, set[int]] = {pid: set() for pid in caseless}
    if caseless:
        for subject_id, object_id in Relationship.objects.filter(
            Q(subject_id__in=caseless) | Q(object_id__in=caseless)
        ).values_list("subject_id", "object_id"):
            if subject_id in links:
                links[subject_id].add(object_id)
            if object_id in links:
                links[object_id].add(subject_id)
        linked_ids = set().union(*links.values()) if links else set()
        linked_cases = {c.person_id: c for c in Case.objects.filter(person_id__in=linked_ids)}
    else:
        linked_cases = {}
    all_case_ids = {c.pk for c in cases.values()} | {c.pk for c in linked_cases.values()}
    assigned = set(
        CaseAssignment.objects.filter(case_id__in=all_case_ids, user=user, ended_at__isnull=True).values_list(
            "case_id", flat=True
        )
    ) | set(
        BreakGlassGrant.objects.filter(case_id__in=all_case_ids, user=user, expires_at__gt=timezone.now()).values_list(
            "case_id", flat=True
        )
    )
    result: dict[int, frozenset[DataClass]] = {}
    for pid in ids:
        reached: set[Scope] = set()
        if pid in cases:
            reached = _relation_to_case(user, cases[pid], assigned)
        else:
            for other in links.get(pid, ()):
                if other in linked_cases:
                    reached |= _relation_to_case(user, linked_cases[other], assigned)
        result[pid] = _classes_from(rules, reached, action)
    return result


def classes_for(user: Any, obj: Case | Person, action: Action = Action.VIEW) -> frozenset[DataClass]:
    """The data classes of this case or person on which the user may take `action`."""
    person_id = obj.person_id if isinstance(obj, Case) else obj.pk
    return classes_by_person(user, [person_id], action)[person_id]


def visible_classes(user: Any, obj: Case | Person) -> frozenset[DataClass]:
    return classes_for(user, obj, Action.VIEW)


def can(user: Any, action: Action, data_class: DataClass, obj: Case | Person) -> bool:
    return data_class in classes_for(user, obj, action)


def require(user: Any, action: Action, data_class: DataClass, obj: Case | Person) -> None:
    """Refuse (403) unless the user may take the action on that class of the record; services call this."""
    if not can(user, action, data_class, obj):
        raise refuse(_("You may not change %(what)s of this person.") % {"what": data_class.label})


def require_change(user: Any, obj: Case | Person, data_class: DataClass) -> None:
    require(user, Action.CHANGE, data_class, obj)


def can_see_case(user: Any, case: Case) -> bool:
    return DataClass.IDENTITY in classes_for(user, case, Action.VIEW)


def can_transition(user: Any, case: Case, transition: Transition) -> bool:
    return has_capability(user, transition.capability) and can(user, Action.CHANGE, DataClass.IDENTITY, case)


# --- fetch and authorise together --------------------------------------------------------------------------


def _row_id(value: Any) -> int:
    """An id from a URL or form, or NotVisible: junk and out-of-range numbers never reach the database."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotVisible("No such record") from None
    if not 0 < number <= MAX_ID:
        raise NotVisible("No such record")
    return number


def case_for_user(user: Any, case_id: Any) -> Case:
    try:
        return cases_visible_to(user).select_related("person").get(pk=_row_id(case_id))
    except Case.DoesNotExist:
        raise NotVisible("No such case") from None


def person_for_user(user: Any, person_id: Any) -> Person:
    try:
        return persons_visible_to(user).get(pk=_row_id(person_id))
    except Person.DoesNotExist:
        raise NotVisible("No such person") from None


def document_number_review_for_user(user: Any, review_id: Any) -> DocumentNumberReview:
    """One review, for a user who settles reviews; the same 404 for everybody else and for a missing id."""
    if not may_review_document_numbers(user):
        raise NotVisible("No such review")
    try:
        return DocumentNumberReview.objects.get(pk=_row_id(review_id))
    except DocumentNumberReview.DoesNotExist:
        raise NotVisible("No such review") from None


def filter_fields(
    values: dict[str, Any], data_classes: dict[str, DataClass], allowed: frozenset[DataClass]
) -> dict[str, Any]:
    """Drop every field whose class is not allowed: a hidden field is absent, not blank."""
    return {k: v for k, v in values.items() if k not in data_classes or data_classes[k] in allowed}
