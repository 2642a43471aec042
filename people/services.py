"""Every write to the person registry. Each function is atomic, asks the access policy and writes the audit log."""

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from access import policy
from access.rules import Action, Capability, DataClass
from access.services import notify
from audit.models import AuditAction
from audit.services import MASK, audit_record, diff, snapshot
from casework.timeline import timeline_note
from core.crypto import blind_index
from core.errors import MAX_ID, Conflict, refuse
from core.files import checked_scan, content_type_of
from people.family import best_birth_date, check_relationship
from people.models import (
    MAX_NAMES_PER_PERSON,
    BirthDatePrecision,
    CitizenshipEvidence,
    DocumentNumberOutcome,
    DocumentNumberReview,
    Household,
    HouseholdMember,
    IdentityDocument,
    NameToken,
    Person,
    PersonName,
    Place,
    Presence,
    Relationship,
    RelationshipKind,
    Sex,
)
from people.transliteration import fold_tokens

PERSON_FIELDS = tuple(Person.DATA_CLASSES.keys() - {"photo"})
NAME_FIELDS = ("script", "given", "family", "patronymic", "kind", "source")
DOCUMENT_FIELDS = ("doc_type", "number", "issuing_state", "issued_on", "expires_on", "status")
# No date the registry records is earlier: an earlier one is a typing mistake (and years before year 1 do not exist).
EARLIEST_DATE = date(1900, 1, 1)


# --- checks shared by the writes ---------------------------------------------------------------------------


def _validate_birth(person: Person) -> None:
    today = timezone.localdate()
    errors: dict[str, str] = {}
    precision = person.birth_date_precision
    if person.birth_date and person.birth_date > today:
        errors["birth_date"] = _("The date of birth cannot be in the future.")
    if (
        precision in (BirthDatePrecision.DAY, BirthDatePrecision.MONTH, BirthDatePrecision.YEAR)
        and not person.birth_date
    ):
        errors["birth_date"] = _("Give the date of birth, or choose 'estimated age range' or 'unknown'.")
    if precision == BirthDatePrecision.ESTIMATED:
        if person.estimated_age_min is None:
            errors["estimated_age_min"] = _("Give the estimated age.")
        if not person.age_estimated_on:
            errors["age_estimated_on"] = _("Give the date the age was estimated.")
        elif person.age_estimated_on > today:
            errors["age_estimated_on"] = _("The date of the estimate cannot be in the future.")
    if person.age_estimated_on and person.age_estimated_on < EARLIEST_DATE:
        errors["age_estimated_on"] = _("The date of the estimate cannot be before 1900.")
    for field in ("estimated_age_min", "estimated_age_max"):
        value = getattr(person, field)
        if value is not None and value > 120:
            errors[field] = _("An age above 120 is not possible.")
    if (
        person.estimated_age_min is not None
        and person.estimated_age_max is not None
        and person.estimated_age_min > person.estimated_age_max
    ):
        errors["estimated_age_max"] = _("The upper bound of the age range is below the lower bound.")
    if errors:
        raise ValidationError(errors)


def _index_name(name: PersonName) -> None:
    """Rebuild the folded search words of one name (see people.transliteration)."""
    NameToken.objects.filter(name=name).delete()
    words = {w for part in (name.given, name.family, name.patronymic) for w in fold_tokens(part)}
    NameToken.objects.bulk_create(NameToken(person_id=name.person_id, name=name, token=w[:100]) for w in words)


def _clean_name(name: PersonName) -> None:
    name.full_clean(exclude=["person"])
    if not any(fold_tokens(part) for part in (name.given, name.family, name.patronymic)):
        raise ValidationError({"given": _("A name needs at least one letter.")})


# --- persons ------------------------------------------------------------------------------------------------


@transaction.atomic
def person_register(*, actor: Any, names: list[dict[str, Any]], **fields: Any) -> Person:
    """Create a person with one to MAX_NAMES_PER_PERSON names. Used by case registration and by adding a relative.

    One audit entry carries the person and all their names, written last: the chain head is locked for one
    append, not for the whole registration (docs/decisions/0037).
    """
    if not policy.has_capability(actor, Capability.REGISTER_PERSON):
        raise refuse(_("You may not register persons."))
    if not names:
        raise ValidationError({"names": _("A person needs at least one name.")})
    _check_name_count(len(names))
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in unknown})
    person = Person(created_by=actor if actor.is_authenticated else None, **fields)
    _validate_birth(person)  # first: its messages name the field, the model's constraint does not
    person.full_clean()
    person.birth_date_best = best_birth_date(person)
    person.save()
    created = [_name_create(person, name_fields) for name_fields in names]
    changes: dict[str, Any] = diff({}, snapshot(person, PERSON_FIELDS), Person.DATA_CLASSES)
    changes["names"] = [_name_changes(name) for name in created]
    audit_record(actor=actor, action=AuditAction.CREATE, obj=person, person_id=person.pk, changes=changes)
    return person


def _check_name_count(count: int) -> None:
    if count > MAX_NAMES_PER_PERSON:
        raise ValidationError(
            {"names": _("A person can have at most %(limit)d names.") % {"limit": MAX_NAMES_PER_PERSON}}
        )


@transaction.atomic
def person_update(
    *, actor: Any, person: Person, reason: str = "", expected_version: int | None = None, **fields: Any
) -> Person:
    """Change a person's own fields; each field needs the right to change its data class.

    `expected_version` is the version the user read: if the record changed since, the edit is refused
    (Conflict) instead of silently overwriting the other change.
    """
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be changed here.") for f in unknown})
    for field in fields:
        policy.require_change(actor, person, Person.DATA_CLASSES[field])
    person = Person.objects.select_for_update().get(pk=person.pk)
    if expected_version is not None and person.version != expected_version:
        raise Conflict()
    before = snapshot(person, PERSON_FIELDS)
    for field, value in fields.items():
        setattr(person, field, value)
    _validate_birth(person)  # first: its messages name the field, the model's constraint does not
    person.full_clean()
    person.birth_date_best = best_birth_date(person)
    changes = diff(before, snapshot(person, PERSON_FIELDS), Person.DATA_CLASSES)
    if changes:
        person.version += 1
    person.save()
    if changes:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=person,
            person_id=person.pk,
            changes=changes,
            reason=reason,
        )
        # One line per class of the fields changed: a change of phone is contact, not for every viewer.
        by_class: dict[DataClass, list[str]] = {}
        for name in sorted(changes):
            by_class.setdefault(Person.DATA_CLASSES.get(name, DataClass.IDENTITY), []).append(name)
        for klass, names in by_class.items():
            timeline_note(
                person=person,
                actor=actor,
                summary=_("Personal details changed: %(fields)s") % {"fields": ", ".join(names)},
                data_class=klass,
            )
    return person


# --- names --------------------------------------------------------------------------------------------------


def _name_create(person: Person, fields: dict[str, Any]) -> PersonName:
    """Store one name and its search words. The caller writes the audit entry."""
    unknown = set(fields) - set(NAME_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in unknown})
    name = PersonName(person=person, **fields)
    _clean_name(name)
    name.save()
    _index_name(name)
    return name


def _name_changes(name: PersonName) -> dict[str, Any]:
    """A new name as an audit change record (masked like any other change, see audit.services.diff)."""
    return {"id": [None, name.pk], **diff({}, snapshot(name, NAME_FIELDS), PersonName.DATA_CLASSES)}


@transaction.atomic
def name_add(*, actor: Any, person: Person, **fields: Any) -> PersonName:
    policy.require_change(actor, person, DataClass.IDENTITY)
    Person.objects.select_for_update().filter(pk=person.pk).first()  # two additions cannot both pass the count
    _check_name_count(person.names.count() + 1)
    name = _name_create(person, fields)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=name,
        person_id=person.pk,
        changes=diff({}, snapshot(name, NAME_FIELDS), PersonName.DATA_CLASSES),
    )
    timeline_note(person=person, actor=actor, summary=_("Name added"), data_class=DataClass.IDENTITY)
    return name


@transaction.atomic
def name_remove(*, actor: Any, name: PersonName, reason: str = "") -> None:
    person = name.person
    policy.require_change(actor, person, DataClass.IDENTITY)
    if person.names.count() <= 1:
        raise ValidationError({"name": _("A person must keep at least one name.")})
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=name,
        person_id=person.pk,
        changes=diff(snapshot(name, NAME_FIELDS), {}, PersonName.DATA_CLASSES),
        reason=reason,
    )
    name.delete()
    timeline_note(person=person, actor=actor, summary=_("Name removed"), data_class=DataClass.IDENTITY)


# --- documents and citizenship ---------------------------------------------------------------------------------


def document_add(*, actor: Any, person: Person, **fields: Any) -> IdentityDocument:
    """Record an identity document. One number per type and issuing state, compared without case, spaces or
    dashes through the blind index (the number itself is encrypted and cannot be queried); the audit log
    records that a number was given, never the number.

    A number already held by a person the actor can see is refused naming that person. One held by a person
    out of the actor's reach is refused with a message that says nothing of the holder, and a review task goes
    to the civil registry officers: the task is committed on its own, so it outlives the refusal (0038)."""
    document = _document_checked(actor, person, fields)
    _refuse_number_held(actor, document)
    return _document_save(actor, person, document)


def document_number_check(
    *, actor: Any, person: Person, doc_type: str, issuing_state: Place | None, number: str
) -> None:
    """Refuse a number already held, as document_add does, before a caller opens its own transaction.

    A service that records a document inside its transaction (consular.services.restoration_issue) calls this
    first: a review task opened inside that transaction would be rolled back with the refused write."""
    policy.require_change(actor, person, DataClass.IDENTITY)
    document = IdentityDocument(person=person, doc_type=doc_type, issuing_state=issuing_state, number=number)
    _refuse_number_held(actor, document)


def _refuse_number_held(actor: Any, document: IdentityDocument) -> None:
    holder = _number_holder(document)
    if holder is None:
        return
    if policy.can(actor, Action.VIEW, DataClass.IDENTITY, holder):
        raise ValidationError({"number": _number_held_message(actor, holder)})
    document_number_review_open(actor=actor, document=document, held_by=holder)
    raise ValidationError(
        {"number": _("This number cannot be recorded here — it was sent to the civil registry officer for review.")}
    )


def _document_checked(actor: Any, person: Person, fields: dict[str, Any]) -> IdentityDocument:
    """The document as given, checked but not saved."""
    policy.require_change(actor, person, DataClass.IDENTITY)
    unknown = set(fields) - set(DOCUMENT_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in unknown})
    document = IdentityDocument(person=person, **fields)
    document.full_clean(exclude=["person"], validate_constraints=False)
    today = timezone.localdate()
    if document.issued_on and document.issued_on > today:
        raise ValidationError({"issued_on": _("The date of issue cannot be in the future.")})
    if document.issued_on and document.expires_on and document.expires_on < document.issued_on:
        raise ValidationError({"expires_on": _("A document cannot expire before it was issued.")})
    return document


def _number_holder(document: IdentityDocument) -> Person | None:
    """The person already holding this type, state and number (through the blind index), if any."""
    number_index = blind_index(document.number)
    if not number_index:
        return None
    held = (
        IdentityDocument.objects.filter(
            doc_type=document.doc_type, issuing_state=document.issuing_state, number_index=number_index
        )
        .select_related("person")
        .first()
    )
    return held.person if held is not None else None


def _number_held_message(actor: Any, holder: Person) -> str:
    return _("A document of this type and number from this state is already recorded for %(person)s.") % {
        "person": holder.display_name(actor.preferred_script),
    }


@transaction.atomic
def _document_save(actor: Any, person: Person, document: IdentityDocument) -> IdentityDocument:
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:  # a concurrent insert of the same number: the next try meets it in _number_holder
        raise ValidationError(
            {"number": _("A document of this type and number from this state is already recorded.")}
        ) from None
    changes = diff({}, snapshot(document, DOCUMENT_FIELDS), IdentityDocument.DATA_CLASSES)
    if "number" in changes:  # encrypted at rest: a copy in clear in the audit log would defeat that
        changes["number"] = [None, MASK]
    audit_record(actor=actor, action=AuditAction.CREATE, obj=document, person_id=person.pk, changes=changes)
    timeline_note(person=person, actor=actor, summary=_("Identity document added"), data_class=DataClass.IDENTITY)
    return document


@transaction.atomic
def document_number_review_open(*, actor: Any, document: IdentityDocument, held_by: Person) -> DocumentNumberReview:
    """Put a number held by someone out of the actor's reach before the civil registry officers.

    Called outside the refused write's transaction, so the task is committed although the document is not.
    The officers of the civil registry are told (`policy.document_number_reviewers`: every registry officer
    while the civil registry has none);
    the notification and the audit row name neither the number nor the persons. Asking again for the same
    person while the review is open adds an audit row to that review, not a second task."""
    waiting = DocumentNumberReview.objects.filter(
        doc_type=document.doc_type,
        issuing_state=document.issuing_state,
        number_index=blind_index(document.number),
        requested_for=document.person,
        resolved_at__isnull=True,
    ).first()
    if waiting is not None:
        audit_record(
            actor=actor, action=AuditAction.UPDATE, obj=waiting, person_id=document.person.pk, reason="asked again"
        )
        return waiting
    review = DocumentNumberReview.objects.create(
        doc_type=document.doc_type,
        issuing_state=document.issuing_state,
        number=document.number,
        held_by=held_by,
        requested_for=document.person,
        requested_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=review,
        person_id=document.person.pk,
        changes={"number": [None, MASK], "held_by": [None, held_by.pk]},
    )
    notify(
        policy.document_number_reviewers(),
        _("A document number was given for a second person and waits for your review (review %(id)s).")
        % {"id": review.pk},
        link=reverse("document-number-reviews"),
    )
    return review


@transaction.atomic
def citizenship_evidence_add(*, actor: Any, person: Person, kind: str, description: str) -> CitizenshipEvidence:
    policy.require_change(actor, person, DataClass.IDENTITY)
    evidence = CitizenshipEvidence(person=person, kind=kind, description=description, recorded_by=actor)
    evidence.full_clean(exclude=["person", "recorded_by"])
    evidence.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=evidence,
        person_id=person.pk,
        changes={"kind": [None, kind], "description": [None, description]},
    )
    return evidence


# --- family ---------------------------------------------------------------------------------------------------


def normalise_relationship(subject: Person, obj: Person, kind: str) -> tuple[Person, Person, str]:
    """Accept "X is the child of Y" and store it as "Y is the mother/father of X"."""
    if kind != "child":
        return subject, obj, kind
    if obj.sex == Sex.FEMALE:
        return obj, subject, RelationshipKind.MOTHER
    if obj.sex == Sex.MALE:
        return obj, subject, RelationshipKind.FATHER
    raise ValidationError({"kind": _("Record the parent's sex first, or choose mother or father.")})


@transaction.atomic
def relationship_add(
    *, actor: Any, subject: Person, obj: Person, kind: str, basis: str = "declared", note: str = ""
) -> Relationship:
    """Record that `subject` is the `kind` of `obj`, refusing graphs that cannot be true."""
    subject, obj, kind = normalise_relationship(subject, obj, kind)
    policy.require_change(actor, subject, DataClass.FAMILY)
    policy.require_change(actor, obj, DataClass.FAMILY)
    return _relationship_create(actor, subject, obj, kind, basis, note)


def _relationship_create(actor: Any, subject: Person, obj: Person, kind: str, basis: str, note: str) -> Relationship:
    relationship = Relationship(subject=subject, object=obj, kind=kind, basis=basis, note=note)
    relationship.full_clean(exclude=["subject", "object"], validate_constraints=False)
    check_relationship(subject, obj, kind)
    relationship.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=relationship,
        person_id=obj.pk,
        changes={
            "subject": [None, subject.pk],
            "object": [None, obj.pk],
            "kind": [None, kind],
            "basis": [None, basis],
        },
    )
    for person in (subject, obj):
        timeline_note(person=person, actor=actor, summary=_("Family link recorded"), data_class=DataClass.FAMILY)
    return relationship


@transaction.atomic
def relationship_remove(*, actor: Any, relationship: Relationship, reason: str) -> None:
    policy.require_change(actor, relationship.subject, DataClass.FAMILY)
    policy.require_change(actor, relationship.object, DataClass.FAMILY)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this family link is removed.")})
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=relationship,
        person_id=relationship.object_id,
        changes={"subject": [relationship.subject_id, None], "kind": [relationship.kind, None]},
        reason=reason,
    )
    relationship.delete()


@transaction.atomic
def relative_register(
    *,
    actor: Any,
    of_person: Person,
    kind: str,
    names: list[dict[str, Any]],
    basis: str = "declared",
    **fields: Any,
) -> Person:
    """Register a relative (a grandmother at home, a child born abroad) already linked to a person.

    The new person has no case: they are reached through `of_person`, so the link is made in the same step.
    """
    policy.require_change(actor, of_person, DataClass.FAMILY)
    relative = person_register(actor=actor, names=names, **fields)
    if kind == "child":
        subject, obj, kind = of_person, relative, _parent_kind(of_person)
    else:
        subject, obj = relative, of_person
    _relationship_create(actor, subject, obj, kind, basis, "")
    return relative


def _parent_kind(parent: Person) -> str:
    if parent.sex == Sex.FEMALE:
        return RelationshipKind.MOTHER
    if parent.sex == Sex.MALE:
        return RelationshipKind.FATHER
    raise ValidationError({"kind": _("Record the parent's sex first, or choose mother or father.")})


# --- where a person is -----------------------------------------------------------------------------------------


@transaction.atomic
def presence_record(*, actor: Any, person: Person, place: Place, since: date, source: str) -> Presence:
    """Record where a person is from `since`; the previous open stay ends that day."""
    policy.require_change(actor, person, DataClass.LOCATION)
    if since > timezone.localdate():
        raise ValidationError({"since": _("A stay cannot start in the future.")})
    current = person.presences.filter(until__isnull=True).order_by("-since").first()
    if current and current.since > since:
        raise ValidationError({"since": _("The person's current stay started later than this date.")})
    if current:
        current.until = since
        current.save(update_fields=["until"])
    presence = Presence(person=person, place=place, since=since, source=source, recorded_by=actor)
    presence.full_clean(exclude=["person", "recorded_by"])
    presence.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=presence,
        person_id=person.pk,
        changes={"place": [None, place.pk], "since": [None, since.isoformat()], "source": [None, source]},
    )
    timeline_note(
        person=person,
        actor=actor,
        summary=_("Whereabouts recorded: %(place)s") % {"place": place.name},
        data_class=DataClass.LOCATION,
    )
    return presence


# --- households -------------------------------------------------------------------------------------------------


@transaction.atomic
def household_create(*, actor: Any, name: str, head: Person) -> Household:
    """Start a household (people living together as one family unit) with `head` as its first member."""
    policy.require_change(actor, head, DataClass.FAMILY)
    household = Household(name=name.strip())
    household.full_clean()
    household.save()
    HouseholdMember.objects.create(household=household, person=head, is_head=True)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=household,
        person_id=head.pk,
        changes={"name": [None, household.name], "head": [None, head.pk]},
    )
    timeline_note(
        person=head,
        actor=actor,
        summary=_("Household started: %(name)s") % {"name": household.name},
        data_class=DataClass.FAMILY,
    )
    return household


@transaction.atomic
def household_member_add(*, actor: Any, household: Household, person: Person) -> HouseholdMember:
    """Add a person to a household; the actor must be allowed to change the family data of everyone in it."""
    policy.require_change(actor, person, DataClass.FAMILY)
    for member in household.members.all():
        policy.require_change(actor, member, DataClass.FAMILY)
    if HouseholdMember.objects.filter(household=household, person=person).exists():
        raise ValidationError({"household": _("This person is already in the household.")})
    membership = HouseholdMember.objects.create(household=household, person=person)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=membership,
        person_id=person.pk,
        changes={"household": [None, household.pk]},
    )
    timeline_note(
        person=person,
        actor=actor,
        summary=_("Joined household: %(name)s") % {"name": household.name},
        data_class=DataClass.FAMILY,
    )
    return membership


# --- photo ----------------------------------------------------------------------------------------------------------

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 4000 * 4000


@transaction.atomic
def photo_set(*, actor: Any, person: Person, upload: Any) -> Person:
    """Store a photo: checked by content (not by name), re-encoded as JPEG so no metadata (EXIF, GPS) survives."""
    policy.require_change(actor, person, DataClass.IDENTITY)
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": _("The photo is larger than 5 MB.")})
    try:
        with Image.open(upload) as image:
            if image.format not in ("JPEG", "PNG", "WEBP") or image.width * image.height > PHOTO_MAX_PIXELS:
                raise ValidationError({"photo": _("Upload a JPEG, PNG or WebP photo of at most 16 megapixels.")})
            image.load()
            clean = image.convert("RGB")
    except (OSError, Image.DecompressionBombError, SyntaxError):
        raise ValidationError({"photo": _("This file is not a readable image.")}) from None
    buffer = BytesIO()
    clean.save(buffer, format="JPEG", quality=88)
    old = person.photo.name if person.photo else ""
    person.photo.save("photo.jpg", ContentFile(buffer.getvalue()), save=True)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=person,
        person_id=person.pk,
        changes={"photo": ["replaced" if old else None, "stored"]},
    )
    if old:
        transaction.on_commit(lambda: person.photo.storage.delete(old))
    timeline_note(person=person, actor=actor, summary=_("Photo added"), data_class=DataClass.IDENTITY)
    return person


@transaction.atomic
def document_number_review_resolve(*, actor: Any, review: DocumentNumberReview, outcome: str) -> DocumentNumberReview:
    """Settle a review: only one of the officers told of it (`policy.may_review_document_numbers`), only once.
    What follows (merging two records, correcting a number) is done through the ordinary services by whoever
    may; the review records the finding."""
    if not policy.may_review_document_numbers(actor):
        raise refuse(_("Only a civil registry officer settles a document number review."))
    review = DocumentNumberReview.objects.select_for_update().get(pk=review.pk)
    if review.resolved_at is not None:
        raise ValidationError({"outcome": _("This review has already been settled.")})
    if outcome not in DocumentNumberOutcome.values:
        raise ValidationError({"outcome": _("Choose one of the outcomes.")})
    review.outcome, review.resolved_at = outcome, timezone.now()
    review.save(update_fields=["outcome", "resolved_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=review,
        person_id=review.requested_for_id,
        changes={"outcome": [None, outcome]},
    )
    return review


def photo_read(*, actor: Any, person: Person) -> bytes:
    """The decrypted photo (a JPEG), for a user who may see the person's identity data; the reading is audited.

    `person` comes from `policy.person_for_user`. No photo, or no right to see it, is a 404 like one out of reach.
    """
    if not policy.can(actor, Action.VIEW, DataClass.IDENTITY, person) or not person.photo:
        raise Http404("No photo")
    content = person.photo.read_plain()
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        obj=person,
        person_id=person.pk,
        changes={"photo": ["viewed", "viewed"]},
    )
    return content


# --- scans of identity documents -----------------------------------------------------------------------------


def document_for_user(user: Any, person_id: Any, document_id: Any) -> IdentityDocument:
    """Fetch and authorise one identity document of one person: the same 404 (NotVisible) when the person is out
    of reach, when the user may not see identity data, and when the document is missing or someone else's."""
    person = policy.person_for_user(user, person_id)
    if not policy.can(user, Action.VIEW, DataClass.IDENTITY, person):
        raise policy.NotVisible("No such document")
    number = int(document_id) if str(document_id).isdigit() else 0
    try:
        if not 0 < number <= MAX_ID:
            raise IdentityDocument.DoesNotExist
        document = person.documents.get(pk=number)
    except IdentityDocument.DoesNotExist:
        raise policy.NotVisible("No such document") from None
    document.person = person  # already fetched: no second query
    return document


@transaction.atomic
def document_scan_attach(*, actor: Any, document: IdentityDocument, upload: Any) -> IdentityDocument:
    """Attach the scan of a document, replacing any earlier one. Needs the right to change identity data.

    The file is checked by its contents (core.files.checked_scan: PDF, JPEG or PNG; images re-encoded without
    metadata), stored under a generated name and encrypted at rest. The audit log says that a scan was stored,
    never what it shows; the replaced file is deleted once the change is committed.
    """
    person = document.person
    policy.require_change(actor, person, DataClass.IDENTITY)
    scan = checked_scan(upload, field="scan")  # before any write: a refused file leaves nothing behind
    # The row locked and its current scan read under the lock: of two uploads one wins, and no file is left behind.
    old = IdentityDocument.objects.select_for_update().values_list("scan", flat=True).get(pk=document.pk)
    document.scan.save(f"scan.{scan.extension}", ContentFile(scan.content), save=False)
    document.save(update_fields=["scan"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=document,
        person_id=person.pk,
        changes={"scan": ["replaced" if old else None, "stored"]},
    )
    if old:
        storage = document.scan.storage
        transaction.on_commit(lambda: storage.delete(old))
    timeline_note(
        person=person, actor=actor, summary=_("Scan of an identity document attached"), data_class=DataClass.IDENTITY
    )
    return document


@dataclass(frozen=True)
class ScanDownload:
    content: bytes
    content_type: str
    filename: str  # generated from the ids, never the uploaded name


def document_scan_read(*, actor: Any, document: IdentityDocument) -> ScanDownload:
    """The decrypted scan, for a user who may see the person's identity data; the reading is audited.

    `document` comes from `document_for_user`. A document without a scan is a 404, like one out of reach.
    """
    person = document.person
    if not policy.can(actor, Action.VIEW, DataClass.IDENTITY, person):
        raise policy.NotVisible("No such document")
    if not document.scan:
        raise Http404("No scan")
    content = document.scan.read_plain()
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        obj=document,
        person_id=person.pk,
        changes={"scan": ["viewed", "viewed"]},
    )
    extension = PurePosixPath(document.scan.name).suffix.lower()
    return ScanDownload(
        content=content,
        content_type=content_type_of(document.scan.name),
        filename=f"person-{person.pk}-document-{document.pk}{extension}",
    )
