"""Self-returns: a national who reaches a consulate abroad on their own, with the family travelling with them.

A request follows the family from the consulate to arrival at home: documents restored for each traveller,
travel arranged once every one of them holds a travel document, arrival recorded for all at once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from access.rules import DataClass
from casework.models import Case
from people.models import DocumentType, IdentityDocument, Person, Place, PlaceKind

# Documents a person can cross a border with. A birth certificate is restored too, but does not let anyone travel.
TRAVEL_DOCUMENT_TYPES = (DocumentType.RETURN_CERTIFICATE, DocumentType.PASSPORT)


class SelfReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    DOCUMENTS_IN_PROGRESS = "documents", _("Documents in progress")
    TRAVEL_ARRANGED = "travel", _("Travel arranged")
    ARRIVED = "arrived", _("Arrived")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (
    SelfReturnStatus.REQUESTED,
    SelfReturnStatus.DOCUMENTS_IN_PROGRESS,
    SelfReturnStatus.TRAVEL_ARRANGED,
)


class SelfReturnRequest(models.Model):
    """A request for help to return, made at a consulate by the applicant (the adult who came there)."""

    applicant = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="self_return_requests", verbose_name=_("applicant")
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="self_return_requests", verbose_name=_("case")
    )
    consulate = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": PlaceKind.CONSULATE},
        verbose_name=_("consulate"),
    )
    requested_on = models.DateField(_("requested on"))
    situation = models.TextField(_("situation"), max_length=4000, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=SelfReturnStatus.choices, default=SelfReturnStatus.REQUESTED
    )
    travel_on = models.DateField(_("travel date"), null=True, blank=True)
    travel_details = models.CharField(_("route and transport"), max_length=300, blank=True)
    arrived_on = models.DateField(_("arrived on"), null=True, blank=True)
    arrival_place = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("place of arrival")
    )
    withdrawn_reason = models.CharField(_("reason for withdrawal"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Raised by every change: a step taken on an older version of the request is refused (core.errors.Conflict).
    version = models.PositiveIntegerField(default=1, editable=False)

    DATA_CLASSES = {
        "applicant": DataClass.IDENTITY,
        "case": DataClass.IDENTITY,
        "consulate": DataClass.IDENTITY,
        "requested_on": DataClass.IDENTITY,
        "situation": DataClass.IDENTITY,
        "status": DataClass.IDENTITY,
        "withdrawn_reason": DataClass.IDENTITY,
        "travel_on": DataClass.LOCATION,
        "travel_details": DataClass.LOCATION,
        "arrived_on": DataClass.LOCATION,
        "arrival_place": DataClass.LOCATION,
    }

    class Meta:
        ordering = ["-requested_on", "-id"]
        verbose_name = _("self-return request")
        verbose_name_plural = _("self-return requests")
        constraints = [
            models.UniqueConstraint(
                fields=["applicant"],
                condition=Q(status__in=["requested", "documents", "travel"]),
                name="consular_one_open_request_per_applicant",
            ),
            models.CheckConstraint(
                condition=~Q(status="arrived") | Q(arrived_on__isnull=False),
                name="consular_arrival_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consulate} · {self.requested_on}"


class MemberRelation(models.TextChoices):
    CHILD = "child", _("Child")
    SPOUSE = "spouse", _("Spouse")
    OTHER = "other", _("Other family member")


class SelfReturnMember(models.Model):
    """A child or other family member travelling with the applicant, with their own case."""

    request = models.ForeignKey(SelfReturnRequest, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="self_return_memberships", verbose_name=_("case")
    )
    relation = models.CharField(_("relation to the applicant"), max_length=10, choices=MemberRelation.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    DATA_CLASSES = {"person": DataClass.IDENTITY, "case": DataClass.IDENTITY, "relation": DataClass.FAMILY}

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["request", "person"], name="consular_member_once")]


class DocumentRestoration(models.Model):
    """A document to restore for one traveller; issued when the consulate hands it over (an IdentityDocument)."""

    request = models.ForeignKey(SelfReturnRequest, on_delete=models.CASCADE, related_name="restorations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    doc_type = models.CharField(_("document"), max_length=20, choices=DocumentType.choices)
    requested_on = models.DateField(_("requested on"))
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    document = models.ForeignKey(
        IdentityDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("document")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    DATA_CLASSES = {
        f: DataClass.IDENTITY for f in ("person", "doc_type", "requested_on", "issued_on", "document", "note")
    }

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "person", "doc_type"], name="consular_restoration_once"),
            models.CheckConstraint(
                condition=Q(document__isnull=True) | Q(issued_on__isnull=False),
                name="consular_issued_document_has_a_date",
            ),
        ]

    @property
    def is_issued(self) -> bool:
        return self.document_id is not None

    @property
    def is_travel_document(self) -> bool:
        return self.doc_type in TRAVEL_DOCUMENT_TYPES
