import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.models import Agency, Team
from access.rules import DataClass
from casework.transitions import CaseState
from core.crypto import EncryptedTextField
from core.validators import refuse_hidden_characters
from people.models import Person


class Case(models.Model):
    """One person's way through the programme. A child has their own case, linked to the mother's or guardian's."""

    number = models.CharField(_("case number"), max_length=30, unique=True, validators=[refuse_hidden_characters])
    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="case", verbose_name=_("person"))
    parent_case = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="child_cases",
        verbose_name=_("mother's or guardian's case"),
    )
    state = models.CharField(_("state"), max_length=20, choices=CaseState.choices, default=CaseState.IDENTIFIED)
    responsible_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="cases", verbose_name=_("responsible agency")
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases", verbose_name=_("team")
    )
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_as_caseworker",
        verbose_name=_("caseworker"),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_as_supervisor",
        verbose_name=_("supervisor"),
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)
    # Date of evacuation (or arrival for self-returns): the reference date for "child" in the programme's counts.
    evacuated_on = models.DateField(_("evacuated on"), null=True, blank=True)

    DATA_CLASSES = {
        f: DataClass.IDENTITY
        for f in (
            "number",
            "state",
            "responsible_agency",
            "team",
            "caseworker",
            "supervisor",
            "parent_case",
            "opened_at",
            "state_changed_at",
            "evacuated_on",
        )
    }

    class Meta:
        ordering = ["number"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["state"], name="case_state")]

    def __str__(self) -> str:
        return self.number


class CaseAssignment(models.Model):
    """A specialist (medical officer, psychologist, lawyer, lab analyst...) given access to one case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_assignments")
    purpose = models.CharField(_("purpose"), max_length=200)
    assigned_at = models.DateTimeField(auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"],
                condition=Q(ended_at__isnull=True),
                name="one_open_assignment_per_user",
            ),
        ]


class CaseEventKind(models.TextChoices):
    OPENED = "opened", _("Case opened")
    TRANSITION = "transition", _("State changed")
    ASSIGNED = "assigned", _("Assignment changed")
    RECORD_CHANGED = "record_changed", _("Record changed")
    NOTE = "note", _("Note added")


class CaseEvent(models.Model):
    """One line of a case's timeline. Written by services only, never edited.

    A line carries the data class of what it tells ("Whereabouts recorded: Kentau" is location), and each
    viewer is shown only the lines of classes they may see (casework.selectors.case_timeline). The default,
    identity, is the class of the case itself: opening, state changes, assignments. Summary and reason are
    encrypted at rest (core.crypto), like the notes: they can carry anything the staff typed.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    row_uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    kind = models.CharField(max_length=16, choices=CaseEventKind.choices)
    data_class = models.CharField(_("data class"), max_length=20, choices=DataClass.choices, default=DataClass.IDENTITY)
    from_state = models.CharField(max_length=20, choices=CaseState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=CaseState.choices, blank=True)
    summary = EncryptedTextField(max_length=300, blank=True)
    reason = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]


class CaseNote(models.Model):
    """A note on a case, filed under the data class it belongs to (medical notes only for medical staff...).

    The text is encrypted at rest (core.crypto), whatever the class: most notes hold special categories.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    row_uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    data_class = models.CharField(_("kind of note"), max_length=20, choices=DataClass.choices)
    text = EncryptedTextField(_("note"), max_length=10000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Genetic results are seen beyond their author only once a second analyst released them (four eyes).
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class ApprovalKind(models.TextChoices):
    CLOSE_CASE = "close_case", _("Close a case")
    RELEASE_GENETIC_RESULT = "release_genetic", _("Release a genetic result")
    BREAK_GLASS = "break_glass", _("Emergency access from another agency")


class ApprovalRequest(models.Model):
    """Four eyes: an act asked by one person and carried out only when a second, different person approves."""

    kind = models.CharField(_("what is asked"), max_length=20, choices=ApprovalKind.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="approval_requests")
    transition = models.CharField(max_length=40, blank=True)  # for closing: which closing transition
    note = models.ForeignKey(CaseNote, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # for emergency access across agencies: the grant that starts when this is approved
    grant = models.ForeignKey(
        "access.BreakGlassGrant", on_delete=models.CASCADE, null=True, blank=True, related_name="approvals"
    )
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    approved = models.BooleanField(null=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(decided_at__isnull=True, kind="close_case"),
                name="one_pending_closing_per_case",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                name="nobody_approves_their_own_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.case}"
