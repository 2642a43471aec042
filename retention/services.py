"""Legal holds and anonymisation of closed cases past their retention period. Atomic, audited."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from access.rules import Capability, DataClass
from audit.models import AuditAction
from audit.services import audit_record
from casework.models import Case, CaseEvent, CaseEventKind
from core.errors import refuse
from people.models import CitizenshipEvidence, IdentityDocument, NameToken, PersonName, Presence
from retention.models import LegalHold
from retention.selectors import retention_due

ANONYMISED = "—"


def _require(actor: Any, case: Case) -> None:
    if not policy.has_capability(actor, Capability.MANAGE_RETENTION) or not policy.can_see_case(actor, case):
        raise refuse(_("You may not manage the retention of this case."))


@transaction.atomic
def legal_hold_place(*, actor: Any, case: Case, reason: str) -> LegalHold:
    _require(actor, case)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the data must be kept.")})
    hold = LegalHold.objects.create(case=case, reason=reason.strip()[:500], placed_by=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=hold, person_id=case.person_id, reason=reason)
    return hold


@transaction.atomic
def legal_hold_lift(*, actor: Any, hold: LegalHold, reason: str) -> LegalHold:
    _require(actor, hold.case)
    if hold.lifted_at is not None:
        raise ValidationError({"hold": _("This hold was already lifted.")})
    hold.lifted_at, hold.lifted_by = timezone.now(), actor
    hold.save(update_fields=["lifted_at", "lifted_by"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=hold, person_id=hold.case.person_id, reason=reason)
    return hold


@transaction.atomic
def case_anonymise(*, actor: Any, case: Case) -> list[DataClass]:
    """Erase the data classes of a closed case that are past their retention period, as the policy says.

    Refused for a case on legal hold or with nothing due. Returns the classes erased.
    """
    _require(actor, case)
    due = next((d for d in retention_due() if d.case.pk == case.pk), None)
    if due is None:
        raise ValidationError({"case": _("Nothing of this case is past its retention period, or it is on hold.")})
    person = case.person
    for klass in due.classes:
        _ERASERS.get(klass, lambda *_: None)(case)
    CaseEvent.objects.create(
        case=case, actor=actor, kind=CaseEventKind.RECORD_CHANGED, summary=_("Anonymised under the retention policy")
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        person_id=person.pk,
        changes={"anonymised": [None, [str(k) for k in due.classes]]},
        reason="Retention policy",
    )
    return due.classes


def _delete_files(file_field: Any, names: list[str]) -> None:
    for name in names:
        file_field.storage.delete(name)


def _erase_identity(case: Case) -> None:
    person = case.person
    NameToken.objects.filter(person=person).delete()
    PersonName.objects.filter(person=person).update(given=ANONYMISED, family="", patronymic="", source="")
    documents = IdentityDocument.objects.filter(person=person)
    scans = list(documents.exclude(scan="").values_list("scan", flat=True))
    documents.delete()
    if scans:  # the files go once the rows are gone for good, not before a rollback could need them
        transaction.on_commit(lambda: _delete_files(IdentityDocument._meta.get_field("scan"), scans))
    CitizenshipEvidence.objects.filter(person=person).delete()
    if person.birth_date:
        person.birth_date = person.birth_date.replace(month=1, day=1)
        person.birth_date_precision = "year"
    if person.photo:
        person.photo.delete(save=False)
    person.save()


def _erase_contact(case: Case) -> None:
    person = case.person
    person.phone, person.address = "", ""
    person.save(update_fields=["phone", "address"])


def _erase_location(case: Case) -> None:
    Presence.objects.filter(person=case.person).delete()


def _erase_notes_of(klass: DataClass) -> Any:
    def erase(case: Case) -> None:
        case.notes.filter(data_class=klass).delete()

    return erase


_ERASERS = {
    DataClass.IDENTITY: _erase_identity,
    DataClass.CONTACT: _erase_contact,
    DataClass.LOCATION: _erase_location,
    DataClass.LEGAL: _erase_notes_of(DataClass.LEGAL),
    DataClass.MEDICAL: _erase_notes_of(DataClass.MEDICAL),
    DataClass.PSYCHOLOGICAL: _erase_notes_of(DataClass.PSYCHOLOGICAL),
    DataClass.GENETIC: _erase_notes_of(DataClass.GENETIC),
    DataClass.CHILD_PROTECTION: _erase_notes_of(DataClass.CHILD_PROTECTION),
}
