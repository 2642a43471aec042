"""Identification: lists of persons believed to be nationals, missions to camps and prisons, relatives' requests for
a return, citizenship verification steps, and the working rows of a spreadsheet import (ImportBatch, ImportRow)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from access.models import Agency, Team
from access.rules import DataClass
from core.crypto import EncryptedTextField
from core.validators import refuse_hidden_characters
from people.models import CitizenshipEvidence, Person, Place, Relationship


class SourceKind(models.TextChoices):
    PARTNER_AUTHORITY = "partner_authority", _("Partner authority")
    RELATIVES_REQUESTS = "relatives_requests", _("Relatives' requests")
    CONSULAR_WORK = "consular_work", _("Consular work")
    MISSION = "mission", _("Mission to camps or prisons")
    OTHER = "other", _("Other")


class Confidence(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    PROBABLE = "probable", _("Probable")
    POSSIBLE = "possible", _("Possible")


class IdentificationList(models.Model):
    """A list of persons believed to be nationals, as received from one source. Held by one agency."""

    name = models.CharField(_("name"), max_length=200, validators=[refuse_hidden_characters])
    source_kind = models.CharField(_("source"), max_length=20, choices=SourceKind.choices)
    source_description = models.CharField(_("source in detail"), max_length=500, blank=True)
    received_on = models.DateField(_("received on"))
    default_confidence = models.CharField(
        _("default confidence"), max_length=10, choices=Confidence.choices, default=Confidence.POSSIBLE
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("held by"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("identification list")
        verbose_name_plural = _("identification lists")

    def __str__(self) -> str:
        return self.name


class ListEntry(models.Model):
    """One person on a list. The document number as the list gave it is encrypted at rest."""

    id_list = models.ForeignKey(IdentificationList, on_delete=models.CASCADE, related_name="entries")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="list_entries")
    row_uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    confidence = models.CharField(_("confidence"), max_length=10, choices=Confidence.choices)
    document_number = EncryptedTextField(
        _("document number on the list"), max_length=50, blank=True, validators=[refuse_hidden_characters]
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    DATA_CLASSES = {
        "person": DataClass.IDENTITY,
        "confidence": DataClass.IDENTITY,
        "document_number": DataClass.IDENTITY,
        "note": DataClass.IDENTITY,
    }

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["id_list", "person"], name="listentry_once_per_list")]


class Mission(models.Model):
    """A mission to camps and prisons abroad: its dates, team, members and the places it visited."""

    name = models.CharField(_("name"), max_length=200, validators=[refuse_hidden_characters])
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="identification_missions", verbose_name=_("members")
    )
    places = models.ManyToManyField(Place, blank=True, related_name="+", verbose_name=_("places visited"))
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="mission_ordered_dates")
        ]

    def __str__(self) -> str:
        return self.name


class MissionContact(models.Model):
    """A person a mission met, where and when."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="contacts")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="mission_contacts")
    met_on = models.DateField(_("met on"))
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    DATA_CLASSES = {"met_on": DataClass.LOCATION, "place": DataClass.LOCATION, "notes": DataClass.LOCATION}

    class Meta:
        ordering = ["met_on", "id"]


class RequestChannel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Telephone")
    LOCAL_AUTHORITY = "local_authority", _("Through the local authority")
    NGO = "ngo", _("Through a non-governmental organisation")
    OTHER = "other", _("Other")


class ReturnRequest(models.Model):
    """A relative at home asks for the return of a family member; the family link is recorded in people."""

    requested_by = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="return_requests_made")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="return_requests")
    relationship = models.ForeignKey(Relationship, on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("channel"), max_length=16, choices=RequestChannel.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    DATA_CLASSES = {f: DataClass.FAMILY for f in ("requested_by", "relationship", "received_on", "channel", "note")}

    class Meta:
        ordering = ["-received_on", "-id"]


class VerificationKind(models.TextChoices):
    DOCUMENTS = "documents", _("Documents")
    RELATIVES_STATEMENTS = "relatives_statements", _("Relatives' statements")
    REGISTRY_CHECK = "registry_check", _("Civil registry check")
    INTERVIEW = "interview", _("Interview")


class VerificationOutcome(models.TextChoices):
    SUPPORTS = "supports", _("Supports citizenship")
    CONTRADICTS = "contradicts", _("Contradicts citizenship")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")


class CitizenshipVerification(models.Model):
    """One step of verifying a person's citizenship. The evidence itself is a people.CitizenshipEvidence row."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="citizenship_verifications")
    kind = models.CharField(_("kind of check"), max_length=20, choices=VerificationKind.choices)
    evidence = models.OneToOneField(CitizenshipEvidence, on_delete=models.PROTECT, related_name="verification")
    outcome = models.CharField(_("outcome"), max_length=12, choices=VerificationOutcome.choices)
    checked_on = models.DateField(_("checked on"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    DATA_CLASSES = {f: DataClass.IDENTITY for f in ("kind", "evidence", "outcome", "checked_on", "checked_by")}

    class Meta:
        ordering = ["checked_on", "id"]


# --- spreadsheet import -------------------------------------------------------------------------------------------


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded: map the columns")
    CHECKED = "checked", _("Checked: review the rows")
    MATCHING = "matching", _("Looking for existing persons")
    MATCHED = "matched", _("Ready for your decisions")
    COMMITTED = "committed", _("Imported")
    DISCARDED = "discarded", _("Discarded")


class ImportBatch(models.Model):
    """One uploaded spreadsheet on its way into a list. Nothing outside the batch is written before commit."""

    id_list = models.ForeignKey(IdentificationList, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_kind = models.CharField(max_length=4)  # csv or xlsx, decided from the contents
    sha256 = models.CharField(max_length=64, db_index=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)  # target field -> column index
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    rows_total = models.PositiveIntegerField(default=0)  # rows to match (the good ones)
    rows_done = models.PositiveIntegerField(default=0)
    committed_at = models.DateTimeField(null=True, blank=True)
    discarded_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    # When `import_rows_purge` deleted the working rows and the headers; the summary above stays.
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    @property
    def percent(self) -> int:
        return 100 if not self.rows_total else int(100 * self.rows_done / self.rows_total)


class Decision(models.TextChoices):
    UNDECIDED = "", _("Not decided")
    SAME = "same", _("Same person")
    NEW = "new", _("New person")
    SKIP = "skip", _("Skip")


class ImportRow(models.Model):
    """One data row of the spreadsheet: the cells, what they say once mapped, their faults, the candidates."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()  # line in the file, header being 1
    cells = models.JSONField(default=list)
    data = models.JSONField(default=dict)
    errors = models.JSONField(default=list)
    matched = models.BooleanField(default=False)
    candidates = models.JSONField(default=list)  # [[person_id, score], ...] best first
    decision = models.CharField(max_length=4, choices=Decision.choices, blank=True, default="")
    same_as = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    result = models.CharField(max_length=12, blank=True)  # after commit: added, created, on_list, skipped

    DATA_CLASSES = {"cells": DataClass.IDENTITY, "data": DataClass.IDENTITY, "candidates": DataClass.IDENTITY}

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["batch", "number"], name="importrow_number_once")]
