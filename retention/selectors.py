"""What is past its retention period, and everything held about one person (for a lawful request)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.apps import apps as django_apps
from django.db import models
from django.db.models import Q
from django.utils import timezone

from access import policy
from access.rules import Capability, DataClass
from audit.models import AuditAction, AuditEntry
from audit.services import audit_record
from casework.models import Case
from casework.transitions import CaseState
from core.errors import refuse
from people.dates import years_before
from people.models import Person, Relationship
from retention.models import RetentionRule


@dataclass
class RetentionDue:
    case: Case
    closed_on: date
    classes: list[DataClass]


def retention_due(today: date | None = None) -> list[RetentionDue]:
    """Closed cases, not on legal hold, with data classes kept longer than their rule allows."""
    today = today or timezone.localdate()
    rules = {DataClass(r.data_class): r.keep_years for r in RetentionRule.objects.all()}
    if not rules:
        return []
    oldest_allowed = {klass: years_before(today, years) for klass, years in rules.items()}
    earliest = max(oldest_allowed.values())
    cases = (
        Case.objects.filter(state=CaseState.CLOSED, state_changed_at__date__lte=earliest)
        .exclude(legal_holds__lifted_at__isnull=True, legal_holds__isnull=False)
        .select_related("person")
        .order_by("state_changed_at")
    )
    due = []
    for case in cases:
        closed_on = timezone.localtime(case.state_changed_at).date()
        classes = sorted((k for k, limit in oldest_allowed.items() if closed_on <= limit), key=str)
        if classes:
            due.append(RetentionDue(case=case, closed_on=closed_on, classes=classes))
    return due


def subject_export(actor: Any, person_id: Any) -> dict[str, Any]:
    """Everything held about one person, for a lawful request (subject access). Audited as an export.

    Taken by a role with the export-subject-data capability (the data protection officer), within its reach;
    all classes are included, because the request is for everything held, but never a genetic result a second
    analyst has not released: until then it is not a result (docs/decisions/0034).
    """
    if not policy.has_capability(actor, Capability.EXPORT_SUBJECT_DATA):
        raise refuse()
    person = policy.person_for_user(actor, person_id)
    person = Person.objects.prefetch_related("names", "documents", "citizenship_evidence", "presences__place").get(
        pk=person.pk
    )
    case = Case.objects.filter(person=person).first()
    links = Relationship.objects.filter(subject=person) | Relationship.objects.filter(object=person)
    held: dict[str, Any] = {
        "person": {
            f: _plain(getattr(person, f + "_id" if f.startswith("birth_place") else f))
            for f in Person.DATA_CLASSES
            if f != "photo"
        },
        "photo_held": bool(person.photo),
        "names": [
            {
                "script": n.script,
                "given": n.given,
                "family": n.family,
                "patronymic": n.patronymic,
                "kind": n.kind,
                "source": n.source,
            }
            for n in person.names.all()
        ],
        "documents": [
            {
                "type": d.doc_type,
                "number": d.number,
                "issuing_state": d.issuing_state_id,
                "status": d.status,
                "issued_on": _plain(d.issued_on),
                "expires_on": _plain(d.expires_on),
            }
            for d in person.documents.all()
        ],
        "citizenship_evidence": [
            {"kind": e.kind, "description": e.description} for e in person.citizenship_evidence.all()
        ],
        "whereabouts": [
            {"place": p.place.name, "since": _plain(p.since), "until": _plain(p.until), "source": p.source}
            for p in person.presences.all()
        ],
        "family": [
            {"subject": r.subject_id, "kind": r.kind, "object": r.object_id, "basis": r.basis}
            for r in links.order_by("id")
        ],
        "households": list(person.households.values("id", "name")),
        "case": None,
        "processing": list(
            AuditEntry.objects.filter(person_id=person.pk).order_by("id").values("at", "agency_name", "action")
        ),
    }
    if case is not None:
        held["case"] = {
            "number": case.number,
            "state": case.state,
            "responsible_agency": str(case.responsible_agency),
            "opened_at": _plain(case.opened_at),
            "evacuated_on": _plain(case.evacuated_on),
            "timeline": [
                {"at": _plain(e.at), "class": e.data_class, "summary": e.summary, "reason": e.reason}
                for e in case.events.all()
            ],
            "notes": [
                {"kind": n.data_class, "at": _plain(n.created_at), "text": n.text}
                for n in case.notes.exclude(data_class=DataClass.GENETIC, released_at__isnull=True)
            ],
        }
    for row in held["processing"]:
        row["at"] = _plain(row["at"])
    held["programme"] = _programme_records(person)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=person,
        person_id=person.pk,
        changes={"subject_export": ["all classes", "all classes"]},
        reason="Lawful request",
    )
    return held


# Apps whose records about a person belong in the subject export, each model read in one query.
PROGRAMME_APPS = ("identification", "consent", "consular", "operations", "reception", "centres")


def _programme_records(person: Person) -> dict[str, list[dict[str, Any]]]:
    """Every row of the programme apps that points at the person, by model: plain fields (encrypted ones
    decrypted), ids of other records, and for a file only that one is held."""
    held: dict[str, list[dict[str, Any]]] = {}
    for model in django_apps.get_models():
        if model._meta.app_label not in PROGRAMME_APPS:
            continue
        links = [
            f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey) and f.related_model is Person
        ]
        if not links:
            continue
        about = Q()
        for link in links:
            about |= Q(**{link.name: person})
        rows = []
        for obj in model._default_manager.filter(about).order_by("pk"):
            row: dict[str, Any] = {}
            for f in model._meta.concrete_fields:
                if f.name == "row_uid":
                    continue
                if isinstance(f, models.FileField):
                    row[f"{f.name}_held"] = bool(getattr(obj, f.name))
                else:
                    row[f.name] = _plain(getattr(obj, f.attname))
            rows.append(row)
        if rows:
            held[model._meta.label_lower] = rows
    return held


def _plain(value: Any) -> Any:
    """A value JSON can hold as is: dates as ISO text, decimals (growth measurements) as exact text."""
    if isinstance(value, Decimal):
        return str(value)
    return value.isoformat() if hasattr(value, "isoformat") else value
