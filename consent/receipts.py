"""The printable receipt of a consent record (core.pdf), in the language the person was spoken to in.

The labels follow the record's language where the interface has a translation (else English); the statement is
printed as it was read. Names are printed in every script the user may see.
"""

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from access import policy
from access.models import Script
from access.rules import Action, DataClass
from audit.models import AuditAction
from audit.services import audit_record
from consent.models import ConsentRecord, Decision
from consent.services import Download
from core.pdf import Document
from people.models import BirthDatePrecision, Person, PersonName

TITLES = {
    Decision.CONSENT: lambda: _("Receipt of voluntary consent to return"),
    Decision.REFUSAL: lambda: _("Record of refusal to return"),
    Decision.WITHDRAWAL: lambda: _("Record of withdrawal of consent to return"),
}


def _language_name(code: str) -> str:
    try:
        return str(translation.get_language_info(code)["name_local"])
    except KeyError:
        return code


def _birth(person: Person) -> str:
    if not person.birth_date:
        return ""
    if person.birth_date_precision == BirthDatePrecision.YEAR:
        return f"{person.birth_date:%Y}"
    if person.birth_date_precision == BirthDatePrecision.MONTH:
        return f"{person.birth_date:%Y-%m}"
    return f"{person.birth_date:%Y-%m-%d}"


def _names(names: list[PersonName], person_id: int) -> list[str]:
    return [f"{n.full} ({Script(n.script).label})" for n in names if n.person_id == person_id]


def receipt_document(record: ConsentRecord, names: list[PersonName], *, show_panel: bool) -> Document:
    """The receipt as a Document, in the active language (the caller chooses it)."""
    person = record.person
    doc = Document(
        TITLES[Decision(record.decision)](),
        footer=_("Consent record № %(number)s · case %(case)s") % {"number": record.pk, "case": record.case.number},
    )
    doc.heading(_("Person"))
    for line in _names(names, person.pk) or [_("(no name recorded)")]:
        doc.field(_("Name"), line)
    doc.field(_("Date of birth"), _birth(person))
    doc.field(_("Case"), record.case.number)
    doc.heading(_("Answer"))
    doc.field(_("Decision"), record.get_decision_display())
    doc.field(_("Given by"), record.get_given_by_display())
    if record.representative_id:
        for line in _names(names, record.representative_id) or [_("(restricted)")]:
            doc.field(_("Mother or legal guardian"), line)
    if show_panel and record.best_interests_decision_id:
        panel = record.best_interests_decision
        assert panel is not None
        doc.field(_("Best-interests decision"), f"№ {panel.pk}, {panel.decided_on:%Y-%m-%d}")
    doc.field(_("Date"), f"{record.recorded_on:%Y-%m-%d}")
    doc.field(_("Place"), record.place.name_in(translation.get_language()))
    doc.field(_("Language"), _language_name(record.language))
    doc.field(_("Interpreter"), record.interpreter)
    doc.field(_("Witness"), record.witness)
    if record.reason:
        doc.field(_("Reason"), record.reason)
    statement = record.statement
    if statement is not None:
        doc.heading(_("What the person was told"))
        doc.field(_("Statement"), f"{statement.title} ({statement.language}, {statement.version})")
        doc.paragraph(statement.text)
        doc.paragraph(statement.responsibility_clause)
    doc.field(
        _("Told they may be held responsible under national law"),
        _("Yes") if record.told_may_be_held_responsible else _("No"),
    )
    labels = [_("Person or representative"), _("Witness")]
    if record.interpreter:
        labels.append(_("Interpreter"))
    labels.append(_("Official"))
    doc.signature_lines(labels)
    return doc


def consent_receipt(*, actor: Any, record: ConsentRecord) -> Download:
    """The receipt as a PDF attachment for a user who may see the person's identity data; the printing is audited.

    `record` comes from consent.selectors.record_for_user.
    """
    if not policy.can(actor, Action.VIEW, DataClass.IDENTITY, record.person):
        raise policy.NotVisible("No such record")
    ids = [record.person_id] + ([record.representative_id] if record.representative_id else [])
    classes = policy.classes_by_person(actor, ids)
    shown = [pid for pid in ids if DataClass.IDENTITY in classes[pid]]
    names = list(PersonName.objects.filter(person_id__in=shown).order_by("id"))
    show_panel = DataClass.CHILD_PROTECTION in classes[record.person_id]
    with translation.override(record.language):
        content = receipt_document(record, names, show_panel=show_panel).render()
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        obj=record,
        person_id=record.person_id,
        changes={"receipt": ["printed", "printed"]},
    )
    return Download(
        content=content, content_type="application/pdf", filename=f"person-{record.person_id}-consent-{record.pk}.pdf"
    )
