"""Consent to return: what each person was told, what they (or those who may decide for them) answered, and the
best-interests decisions of the panel for children nobody else may decide for.

The wording read to people is data (`ConsentStatement`), set per programme and language: the country's name and
law appear only there, never in code.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from access.rules import DataClass
from casework.models import Case
from core.crypto import EncryptedFileField, EncryptedTextField
from core.files import generated_name
from people.models import Person, Place


class ConsentStatement(models.Model):
    """The text read to a person before they answer, in one language and version. Reference data, no personal data."""

    language = models.CharField(_("language"), max_length=12, help_text=_("Language code, e.g. en, ru, kk."))
    version = models.CharField(_("version"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text read to the person"), max_length=20000)
    responsibility_clause = models.TextField(
        _("clause on responsibility under national law"),
        max_length=4000,
        help_text=_("That the person may be held responsible under national law for acts in the conflict zone."),
    )
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["language", "-version"]
        verbose_name = _("consent statement")
        verbose_name_plural = _("consent statements")
        constraints = [
            models.UniqueConstraint(fields=["language", "version"], name="consent_statement_language_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language}, {self.version})"


class Decision(models.TextChoices):
    CONSENT = "consent", _("Consent to return")
    REFUSAL = "refusal", _("Refusal to return")
    WITHDRAWAL = "withdrawal", _("Withdrawal of consent")


class GivenBy(models.TextChoices):
    SELF = "self", _("The person themselves")
    MOTHER = "mother", _("The mother")
    LEGAL_GUARDIAN = "guardian", _("The legal guardian")
    BEST_INTERESTS_PANEL = "panel", _("Best-interests panel")


class PanelDecision(models.TextChoices):
    RETURN = "return", _("Return")
    DO_NOT_RETURN = "do_not_return", _("Do not return")
    DEFER = "defer", _("Defer the decision")


class BestInterestsDecision(models.Model):
    """The panel's decision for an orphan or unaccompanied child: at least two members holding the capability.

    Child-protection data: hidden from roles without that class; the decision, reasons and external members are
    encrypted at rest (the date, panel and recorder stay in clear: CLEAR_FIELDS).
    """

    child = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="best_interests_decisions", verbose_name=_("child")
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="best_interests_decisions")
    row_uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    decided_on = models.DateField(_("decided on"))
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="best_interests_panels", verbose_name=_("panel members")
    )
    external_members = EncryptedTextField(
        _("external members"),
        max_length=1000,
        blank=True,
        help_text=_("Names and roles of members without an account."),
    )
    decision = EncryptedTextField(_("decision"), max_length=16, choices=PanelDecision.choices)
    reasons = EncryptedTextField(_("reasons"), max_length=5000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    DATA_CLASSES = {
        f: DataClass.CHILD_PROTECTION
        for f in ("decided_on", "members", "external_members", "decision", "reasons", "recorded_by")
    }
    CLEAR_FIELDS = {
        "decided_on": "orders a child's decisions so one query finds the latest (the panel list, consent rules); "
        "alone it says only that a panel met",
        "members": "the user accounts on the panel: the database counts those holding the capability, "
        "as four eyes need",
        "recorded_by": "who recorded it: a user account, the same fact the audit log holds in clear",
        "created_at": "when it was recorded: set by the database, the same fact the audit log holds in clear",
    }

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("best-interests decision")
        verbose_name_plural = _("best-interests decisions")

    def __str__(self) -> str:
        return f"{self.get_decision_display()} · {self.decided_on:%Y-%m-%d}"


def consent_scan_path(instance: "ConsentRecord", filename: str) -> str:
    # A generated name: the uploaded name never reaches the disk (consent.services names the file "scan.<ext>").
    return generated_name("consent-scans", filename)


class ConsentRecord(models.Model):
    """One answer to the question of return: consent, refusal or withdrawal, with who gave it and what they were
    told. Never edited: a changed mind is a new record (a withdrawal, or a new consent after a revisited refusal)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consent_records")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="consent_records")
    row_uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices)
    given_by = models.CharField(_("given by"), max_length=12, choices=GivenBy.choices)
    representative = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents_given_for_others",
        verbose_name=_("mother or legal guardian"),
    )
    best_interests_decision = models.ForeignKey(
        BestInterestsDecision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consent_records",
        verbose_name=_("best-interests decision"),
    )
    statement = models.ForeignKey(
        ConsentStatement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("statement read"),
    )
    told_may_be_held_responsible = models.BooleanField(
        _("told they may be held responsible under national law"), default=False
    )
    language = models.CharField(_("language"), max_length=12)
    interpreter = models.CharField(_("interpreter"), max_length=200, blank=True)
    witness = models.CharField(_("witness"), max_length=200, blank=True)
    recorded_on = models.DateField(_("date"))
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    scan = EncryptedFileField(_("signed scan"), upload_to=consent_scan_path, blank=True, editable=False)

    DATA_CLASSES = {
        **{
            f: DataClass.IDENTITY
            for f in (
                "decision",
                "given_by",
                "representative",
                "statement",
                "told_may_be_held_responsible",
                "language",
                "interpreter",
                "witness",
                "recorded_on",
                "place",
                "reason",
                "recorded_by",
                "created_at",
                "scan",
            )
        },
        # Which panel decided for the child is child-protection data, like the decision itself.
        "best_interests_decision": DataClass.CHILD_PROTECTION,
    }
    CLEAR_FIELDS = {
        "best_interests_decision": "a foreign key: the database's check that a panel's consent rests on a "
        "decision (consent_given_by_matches_representative); the decision itself is encrypted",
    }

    class Meta:
        ordering = ["-recorded_on", "-id"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="consent") | (Q(told_may_be_held_responsible=True) & ~Q(witness="")),
                name="consent_told_and_witnessed",
            ),
            models.CheckConstraint(
                condition=Q(decision="consent") | ~Q(reason=""),
                name="consent_refusal_withdrawal_reasoned",
            ),
            models.CheckConstraint(
                condition=Q(given_by="self", representative__isnull=True)
                | Q(given_by__in=["mother", "guardian"], representative__isnull=False)
                | Q(given_by="panel", best_interests_decision__isnull=False),
                name="consent_given_by_matches_representative",
            ),
        ]
        indexes = [models.Index(fields=["person", "recorded_on"], name="consent_person_date")]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} · {self.recorded_on:%Y-%m-%d}"
