from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.rules import Role
from core.validators import refuse_hidden_characters


class AgencyKind(models.TextChoices):
    FOREIGN_MINISTRY = "foreign_ministry", _("Foreign ministry")
    SECURITY_SERVICE = "security_service", _("Security service")
    HEALTH = "health", _("Health")
    SOCIAL_PROTECTION = "social_protection", _("Social protection")
    REHABILITATION_CENTRE = "rehabilitation_centre", _("Rehabilitation centre")
    NGO = "ngo", _("Non-governmental organisation")
    COURT = "court", _("Court")
    FORENSIC_LABORATORY = "forensic_laboratory", _("Forensic laboratory")
    CIVIL_REGISTRY = "civil_registry", _("Civil registry")
    STATISTICS_OFFICE = "statistics_office", _("Statistics office")
    AUDIT = "audit", _("Audit")


class Agency(models.Model):
    """An organisation taking part in the programme. Which agencies exist is data, set per state."""

    name = models.CharField(_("name"), max_length=200, unique=True, validators=[refuse_hidden_characters])
    short_name = models.CharField(_("short name"), max_length=40, blank=True, validators=[refuse_hidden_characters])
    kind = models.CharField(_("kind"), max_length=32, choices=AgencyKind.choices)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.short_name or self.name


class Team(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams", verbose_name=_("agency"))
    name = models.CharField(_("name"), max_length=200, validators=[refuse_hidden_characters])

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="team_unique_name_per_agency")]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return f"{self.agency} / {self.name}"


class Script(models.TextChoices):
    CYRILLIC = "cyrl", _("Cyrillic")
    LATIN = "latn", _("Latin")
    ARABIC = "arab", _("Arabic")


class User(AbstractUser):
    """A member of staff. What they may see follows from their agency, team and roles (see access.rules)."""

    # As AbstractUser's, refusing hidden characters (a username refuses them already: letters, digits, @.+-_).
    first_name = models.CharField(_("first name"), max_length=150, blank=True, validators=[refuse_hidden_characters])
    last_name = models.CharField(_("last name"), max_length=150, blank=True, validators=[refuse_hidden_characters])

    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("agency"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members", verbose_name=_("team")
    )
    roles = models.JSONField(_("roles"), default=list, blank=True)
    preferred_script = models.CharField(
        _("preferred script for names"), max_length=4, choices=Script.choices, default=Script.LATIN
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        unknown = [r for r in self.roles if r not in Role.values]
        if unknown:
            raise ValidationError({"roles": _("Unknown roles: %(roles)s") % {"roles": ", ".join(unknown)}})
        if self.team is not None and self.agency_id and self.team.agency_id != self.agency_id:
            raise ValidationError({"team": _("The team must belong to the user's agency.")})

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(r) for r in self.roles if r in Role.values)

    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in self.roles if r in Role.values]


class NdaVersion(models.Model):
    """A version of the non-disclosure agreement staff must accept before they see personal data."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    effective_from = models.DateTimeField(_("effective from"), default=timezone.now)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("non-disclosure agreement")
        verbose_name_plural = _("non-disclosure agreements")

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    @classmethod
    def current(cls) -> "NdaVersion | None":
        return cls.objects.filter(effective_from__lte=timezone.now()).order_by("-effective_from").first()


class NdaAcceptance(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="nda_acceptances")
    nda = models.ForeignKey(NdaVersion, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "nda"], name="nda_accepted_once")]


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the key is shown once, when it is made.

    Tokens expire, can be revoked, and stop working at once when the user is disabled.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100, default="API")
    prefix = models.CharField(_("prefix"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.prefix}…"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now() and self.user.is_active


class BreakGlassReason(models.TextChoices):
    """Why emergency access is asked: the situations the programme accepts as emergencies (ADR 0028)."""

    MEDICAL_EMERGENCY = "medical_emergency", _("Medical emergency")
    CHILD_AT_RISK = "child_at_risk", _("Child at risk")
    IMMINENT_DANGER = "imminent_danger", _("Imminent danger to a person")
    LEGAL_DEADLINE = "legal_deadline", _("Urgent legal deadline")
    WORKER_UNREACHABLE = "worker_unreachable", _("Assigned worker unreachable")


class BreakGlassGrant(models.Model):
    """Emergency access to a case the user is not assigned to (ADR 0028).

    Each request is a row, counted against the user's daily limit: granted at once within the user's own agency,
    at a second person's approval across agencies (`granted_at` and `expires_at` stay empty until then). A request
    naming no existing case is kept as well, with no case, so that it counts and answers like one out of reach.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="break_glass_grants")
    case = models.ForeignKey(
        "casework.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="break_glass_grants"
    )
    case_number = models.CharField(_("case number asked"), max_length=30, blank=True)
    category = models.CharField(_("kind of emergency"), max_length=30, choices=BreakGlassReason.choices, blank=True)
    reason = models.TextField(_("reason"))
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    granted_at = models.DateTimeField(_("granted"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "expires_at"], name="breakglass_user_expiry"),
            models.Index(fields=["user", "requested_at"], name="breakglass_user_requested"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(granted_at__isnull=True, expires_at__isnull=True)
                | Q(granted_at__isnull=False, expires_at__isnull=False, case__isnull=False),
                name="breakglass_granted_with_an_end_on_a_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.case or self.case_number}"


class Notification(models.Model):
    """A message in a user's list in the application (break-glass access, approvals waiting...)."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(max_length=500)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text


class EnrolmentLink(models.Model):
    """A one-time link a new (or reset) member of staff uses to set a password and enrol their authenticator.

    Only the SHA-256 of the key is stored; the key is shown once to the administrator who hands it over.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_links")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment link")
        verbose_name_plural = _("enrolment links")

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d}"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now() and self.user.is_active


class StaffChangeKind(models.TextChoices):
    GRANT_ROLES = "grant_roles", _("Grant roles")
    SECOND_FACTOR_RESET = "second_factor_reset", _("Reset the second factor")


class StaffChangeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a second administrator")
    APPROVED = "approved", _("Approved and applied")
    REJECTED = "rejected", _("Rejected")


class StaffChangeRequest(models.Model):
    """A change to a staff account that takes effect only when a second administrator approves it (four eyes).

    Granting a role that reaches personal data, or the right to manage users or read the audit log, and
    resetting a second factor are made this way (access.staff). The database refuses a request decided by
    the administrator who made it, or made about oneself.
    """

    kind = models.CharField(_("change"), max_length=24, choices=StaffChangeKind.choices)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="change_requests", verbose_name=_("staff"))
    roles = models.JSONField(_("roles to grant"), default=list, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=StaffChangeStatus.choices, default=StaffChangeStatus.PENDING
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("staff change request")
        verbose_name_plural = _("staff change requests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True) | ~models.Q(decided_by=models.F("requested_by")),
                name="staff_change_four_eyes",
            ),
            models.CheckConstraint(
                condition=~models.Q(requested_by=models.F("user")),
                name="staff_change_not_about_oneself",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True) | ~models.Q(decided_by=models.F("user")),
                name="staff_change_not_decided_by_its_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_by__isnull=True)
                | (~models.Q(status="pending") & models.Q(decided_by__isnull=False)),
                name="staff_change_decided_when_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.user}"
