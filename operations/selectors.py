"""Every read of operations and waves. Given the user, returns only what they may see.

An operation is seen by the staff of its lead agency and of the agencies taking part, and by anyone who reaches
a person on one of its waves. On a wave, each user sees only the members they reach, and of those only the data
classes the policy gives them.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from access import policy
from access.rules import Capability, DataClass
from audit.models import AuditAction
from audit.services import audit_record
from casework.transitions import CaseState
from core.errors import MAX_ID
from operations import legal
from operations.models import Operation, Wave, WaveMember, WaveStatus
from operations.rules import family_links, sibling_links
from people.models import BirthDatePrecision, IdentityDocument, Person, PersonName
from people.selectors import person_search


def _row_id(value: Any) -> int:
    """An id from a URL or form, or NotVisible: junk and out-of-range numbers never reach the database."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise policy.NotVisible("No such record") from None
    if not 0 < number <= MAX_ID:
        raise policy.NotVisible("No such record")
    return number


# --- operations and waves -------------------------------------------------------------------------------------


def may_see_operations(user: Any) -> bool:
    return policy.reaches_cases(user) or policy.has_capability(user, Capability.MANAGE_OPERATIONS)


def operations_visible_to(user: Any) -> QuerySet[Operation]:
    if not may_see_operations(user):
        return Operation.objects.none()
    reached = WaveMember.objects.filter(case__in=policy.cases_visible_to(user)).values("wave__operation_id")
    q = Q(pk__in=reached)
    if user.agency_id:
        q |= Q(lead_agency_id=user.agency_id) | Q(partner_agencies__id=user.agency_id)
    ids = Operation.objects.filter(q).values("pk")
    return Operation.objects.filter(pk__in=ids)


def operation_list(user: Any) -> list[Operation]:
    """The operations this user sees, each with its number of waves and of persons (three queries)."""
    return list(
        operations_visible_to(user)
        .select_related("lead_agency")
        .annotate(
            wave_count=Count("waves", distinct=True),
            person_count=Count("waves__members", filter=Q(waves__members__active=True), distinct=True),
        )
        .order_by("-starts_on", "name")
    )


def operation_for_user(user: Any, operation_id: Any) -> Operation:
    try:
        return operations_visible_to(user).select_related("lead_agency").get(pk=_row_id(operation_id))
    except Operation.DoesNotExist:
        raise policy.NotVisible("No such operation") from None


def wave_for_user(user: Any, wave_id: Any) -> Wave:
    try:
        return (
            Wave.objects.filter(operation__in=operations_visible_to(user))
            .select_related("operation", "operation__lead_agency", "origin", "destination", "executed_by")
            .get(pk=_row_id(wave_id))
        )
    except Wave.DoesNotExist:
        raise policy.NotVisible("No such wave") from None


def operation_waves(operation: Operation) -> list[Wave]:
    """The waves with their size (persons planned or carried); counts only, no person (two queries)."""
    return list(
        operation.waves.select_related("origin", "destination")
        .annotate(size=Count("members", filter=Q(members__active=True)))
        .order_by("number")
    )


def wave_members_by_wave(operation_id: int | None) -> dict[Wave, list[int]]:
    """Executed waves (of one operation, or of all) and the ids of the persons each carried.

    No policy here: the caller (the programme summary) checks Capability.VIEW_STATISTICS and shows no person.
    """
    waves = (
        Wave.objects.filter(status=WaveStatus.EXECUTED)
        .select_related("operation")
        .order_by("operation__starts_on", "operation_id", "number")
    )
    if operation_id is not None:
        waves = waves.filter(operation_id=operation_id)
    result: dict[Wave, list[int]] = {wave: [] for wave in waves}
    by_id = {wave.pk: wave for wave in result}
    rows = WaveMember.objects.filter(wave_id__in=by_id, active=True).order_by("person_id")
    for wave_id, person_id in rows.values_list("wave_id", "person_id"):
        result[by_id[wave_id]].append(person_id)
    return result


# --- names ----------------------------------------------------------------------------------------------------


def _names_prefetch() -> Prefetch:
    return Prefetch("names", queryset=PersonName.objects.order_by("id"))


def person_labels(person_ids: Iterable[int], script: str) -> dict[int, str]:
    """Each person's name in the script wanted, with the case number, for messages (two queries)."""
    persons = Person.objects.filter(pk__in=set(person_ids)).select_related("case").prefetch_related(_names_prefetch())
    labels = {}
    for person in persons:
        number = getattr(getattr(person, "case", None), "number", "")
        labels[person.pk] = f"{person.display_name(script)} ({number})" if number else person.display_name(script)
    return labels


def birth_text(person: Person) -> str:
    if person.birth_date and person.birth_date_precision == BirthDatePrecision.DAY:
        return person.birth_date.isoformat()
    if person.birth_date and person.birth_date_precision == BirthDatePrecision.MONTH:
        return person.birth_date.strftime("%Y-%m")
    if person.birth_date:
        return str(person.birth_date.year)
    if person.estimated_age_min is not None:
        high = person.estimated_age_max if person.estimated_age_max is not None else person.estimated_age_min
        return _("about %(low)s–%(high)s years") % {"low": person.estimated_age_min, "high": high}
    return "—"


# --- the manifest ---------------------------------------------------------------------------------------------


@dataclass
class ManifestRow:
    member: WaveMember
    person: Person
    case_number: str
    case_state: str
    case_state_label: str
    name: str
    other_names: list[str]
    sex: str
    born: str
    documents: str
    role: str | None  # None: the family class is hidden from this user
    separation_reason: str | None
    legal: str | None  # None: not shown (no legal record, or the user may not see the legal class)
    is_head: bool = False


@dataclass
class Manifest:
    wave: Wave
    groups: list[list[ManifestRow]] = field(default_factory=list)
    hidden: int = 0  # members on the wave the user does not reach (counted, never shown)
    show_family: bool = False
    show_legal: bool = False

    @property
    def shown(self) -> int:
        return sum(len(g) for g in self.groups)

    @property
    def total(self) -> int:
        return self.shown + self.hidden

    @property
    def rows(self) -> list[ManifestRow]:
        return [row for group in self.groups for row in group]

    def audit_persons(self) -> dict[str, list[int]]:
        """Who was listed, and whose legal status appeared, for the one audit entry of a view or a print."""
        listed = sorted(row.person.pk for row in self.rows)
        legal = sorted(row.person.pk for row in self.rows if row.legal is not None) if self.show_legal else []
        return {"persons": listed, "legal_status_of": legal}


def _documents_text(person: Person) -> str:
    documents: list[IdentityDocument] = list(person.documents.all())
    if not documents:
        return _("no document")
    return "; ".join(f"{d.get_doc_type_display()}: {d.get_status_display()}" for d in documents)


def wave_manifest(user: Any, wave: Wave, script: str) -> Manifest:
    """The wave's members the user reaches, grouped by family (mother or guardian first, then her children).

    A fixed number of queries whatever the size of the wave. Fields of a class the user may not see are None.
    """
    manifest = Manifest(wave=wave)
    members = list(
        wave.members.filter(active=True)
        .select_related("case", "person")
        .prefetch_related(
            Prefetch("person__names", queryset=PersonName.objects.order_by("id")),
            Prefetch("person__documents", queryset=IdentityDocument.objects.order_by("id")),
        )
        .order_by("case__number")
    )
    reachable = set(
        policy.cases_visible_to(user).filter(pk__in=[m.case_id for m in members]).values_list("pk", flat=True)
    )
    manifest.hidden = sum(1 for m in members if m.case_id not in reachable)
    members = [m for m in members if m.case_id in reachable]
    ids = [m.person_id for m in members]
    classes = policy.classes_by_person(user, ids)
    on_wave = set(ids)
    links = family_links(ids)
    sees_family = {pid for pid in ids if DataClass.FAMILY in classes[pid]}
    guardian_of: dict[int, int] = {}
    for child in ids:
        guardians = sorted(g for g in links.guardians.get(child, ()) if g in on_wave and g in sees_family)
        if guardians and child in sees_family:
            guardian_of[child] = guardians[0]
    legal_labels = legal.legal_statuses(user, ids, classes)
    manifest.show_family = bool(sees_family)
    manifest.show_legal = legal_labels is not None
    rows: dict[int, ManifestRow] = {}
    for member in members:
        person = member.person
        names = [n.full for n in person.names.all()]
        shown_name = person.display_name(script)
        family_visible = member.person_id in sees_family
        rows[member.person_id] = ManifestRow(
            member=member,
            person=person,
            case_number=member.case.number,
            case_state=member.case.state,
            case_state_label=str(CaseState(member.case.state).label),
            name=shown_name,
            other_names=[n for n in names if n != shown_name],
            sex=person.get_sex_display(),
            born=birth_text(person),
            documents=_documents_text(person),
            role=_role(member.person_id, links, guardian_of, on_wave) if family_visible else None,
            separation_reason=member.separation_reason if family_visible else None,
            legal=(legal_labels or {}).get(member.person_id) if manifest.show_legal else None,
        )
    heads = [m.person_id for m in members if m.person_id not in guardian_of]
    sibling_group = _sibling_groups(heads, guardian_of, sees_family, rows)
    grouped: set[int] = set()
    for head in heads:
        if head in grouped:
            continue
        if head in sibling_group:
            group = [rows[pid] for pid in sibling_group[head]]
            for row in group:
                row.role = _("sibling, travelling apart") if links.guardians.get(row.person.pk) else _("sibling")
            grouped.update(sibling_group[head])
            manifest.groups.append(group)
            continue
        group = [rows[head]]
        group += [rows[c] for c in _descendants(head, guardian_of, [m.person_id for m in members])]
        group[0].is_head = len(group) > 1
        manifest.groups.append(group)
    return manifest


def _sibling_groups(
    heads: list[int], guardian_of: dict[int, int], sees_family: set[int], rows: dict[int, "ManifestRow"]
) -> dict[int, list[int]]:
    """Orphan siblings on the wave (no mother or guardian with them, no child of their own with them), linked by a
    recorded sibling relationship the user may see: each one's whole group of siblings, oldest first (one query).
    """
    guardians = set(guardian_of.values())
    orphans = {pid for pid in heads if pid in sees_family and pid not in guardians}
    links = sibling_links(orphans)
    groups: dict[int, list[int]] = {}
    for start in sorted(links):
        if start in groups:
            continue
        found, frontier = {start}, [start]
        while frontier:
            frontier = [other for pid in frontier for other in links[pid] if other not in found]
            found.update(frontier)
        ordered = sorted(found, key=lambda pid: _age_key(rows[pid]))
        for pid in ordered:
            groups[pid] = ordered
    return groups


def _age_key(row: "ManifestRow") -> tuple[bool, Any, str]:
    """Oldest first: by birth date, persons without one last, then by case number."""
    born = row.person.birth_date
    return (born is None, born or "", row.case_number)


def _descendants(head: int, guardian_of: dict[int, int], order: list[int]) -> list[int]:
    found: list[int] = []
    frontier = [head]
    while frontier:
        nxt = [pid for pid in order if guardian_of.get(pid) in frontier and pid not in found]
        found += nxt
        frontier = nxt
    return found


def _role(pid: int, links: Any, guardian_of: dict[int, int], on_wave: set[int]) -> str:
    if any(guardian_of.get(c) == pid for c in links.children.get(pid, ())):
        return _("mother or guardian")
    if pid in guardian_of:
        return _("child")
    if links.guardians.get(pid):
        return _("child, travelling apart")
    return _("travels alone")


def manifest_viewed(user: Any, manifest: Manifest) -> None:
    """A wave's manifest was shown: one audit entry (legal statuses are a sensitive class)."""
    listed = manifest.audit_persons()
    changes: dict[str, Any] = {"members_shown": [None, manifest.shown], "persons_shown": [None, listed["persons"]]}
    if manifest.show_legal:
        changes["legal"] = ["viewed", "viewed"]
        changes["legal_status_shown_for"] = [None, listed["legal_status_of"]]
    audit_record(actor=user, action=AuditAction.VIEW, obj=manifest.wave, changes=changes)


# --- planning: who may be added -------------------------------------------------------------------------------


@dataclass
class Candidate:
    person: Person
    name: str
    born: str
    planned_wave: Wave | None
    children: list[tuple[Person, str, str, Wave | None]]  # person, name, case state label, planned wave


def wave_candidates(user: Any, query: str, script: str, page_number: Any = 1) -> tuple[Page, list[Candidate]]:
    """Consented persons the user reaches matching the query, each with her children (offered together).

    Mothers and guardians come first. A child shown in the row of a mother who is not yet planned is not listed
    again on its own; a child whose mother is not listed (or already planned) keeps its own row, to be added alone
    with a reason for travelling apart.
    """
    page = person_search(user, query=query, state=CaseState.CONSENTED, page_number=page_number)
    persons: list[Person] = list(page.object_list)
    ids = [p.pk for p in persons]
    links = family_links(ids)
    child_ids = {c for pid in ids for c in links.children.get(pid, ())}
    visible_children = {
        p.pk: p
        for p in policy.persons_visible_to(user)
        .filter(pk__in=child_ids)
        .select_related("case")
        .prefetch_related(_names_prefetch())
    }
    planned = {
        m.person_id: m.wave
        for m in WaveMember.objects.filter(active=True, person_id__in=set(ids) | child_ids).select_related("wave")
    }
    shown_under_mother = {
        cid
        for person in persons
        if person.pk not in planned
        for cid in links.children.get(person.pk, ())
        if cid in visible_children and not links.children.get(cid)  # a young mother keeps her own row
    }
    candidates = []
    for person in persons:
        if person.pk in shown_under_mother:
            continue  # offered in her mother's row, with her
        children = [
            (child, child.display_name(script), str(CaseState(child.case.state).label), planned.get(child.pk))
            for cid in sorted(links.children.get(person.pk, ()))
            if (child := visible_children.get(cid)) is not None
        ]
        candidates.append(
            Candidate(
                person=person,
                name=person.display_name(script),
                born=birth_text(person),
                planned_wave=planned.get(person.pk),
                children=children,
            )
        )
    candidates.sort(key=lambda c: not c.children)  # mothers and guardians with their children first
    return page, candidates
