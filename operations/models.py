"""Operations (e.g. "Zhusan 2019") and their waves, and who travels on each wave.

The rules about who may be planned on a wave (consent, capacity, families together) are in
`operations.rules`; every write goes through `operations.services`. See docs/decisions/0022-operations-and-waves.md.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from access.models import Agency
from access.rules import DataClass
from casework.models import Case
from core.validators import refuse_hidden_characters
from people.models import Person, Place


class Operation(models.Model):
    """A return operation decided by the state, carried out in waves. Holds no personal data."""

    name = models.CharField(_("name"), max_length=200, validators=[refuse_hidden_characters])
    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("A short code, e.g. ZHUSAN-2019"),
        validators=[refuse_hidden_characters],
    )
    description = models.TextField(_("description"), blank=True, max_length=5000)
    lead_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="operations_led", verbose_name=_("lead agency")
    )
    # Their staff holding the operations capability plan waves too; their caseworkers see the operation.
    partner_agencies = models.ManyToManyField(
        Agency, blank=True, related_name="operations_joined", verbose_name=_("agencies taking part")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("operation")
        verbose_name_plural = _("operations")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="operation_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WaveStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    EXECUTED = "executed", _("Executed")
    CANCELLED = "cancelled", _("Cancelled")


class Wave(models.Model):
    """One stage of an operation: a flight or convoy on given dates, with its route, escort and capacity."""

    operation = models.ForeignKey(
        Operation, on_delete=models.PROTECT, related_name="waves", verbose_name=_("operation")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100, validators=[refuse_hidden_characters])
    departs_on = models.DateField(_("departs on"))
    arrives_on = models.DateField(_("arrives on"))
    origin = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"))
    destination = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    route = models.CharField(_("route"), max_length=500, blank=True, help_text=_("Stops, border crossings"))
    transport = models.CharField(_("transport"), max_length=200, blank=True)
    escort = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("escort"))
    escort_team = models.CharField(
        _("escort team"), max_length=500, blank=True, help_text=_("Escort members without an account")
    )
    capacity = models.PositiveIntegerField(_("capacity"))
    status = models.CharField(_("status"), max_length=10, choices=WaveStatus.choices, default=WaveStatus.PLANNED)
    executed_at = models.DateTimeField(_("executed at"), null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Raised by every change of the wave or of its members: executing or editing an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["operation", "number"]
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        constraints = [
            models.UniqueConstraint(fields=["operation", "number"], name="wave_number_unique_in_operation"),
            models.CheckConstraint(condition=Q(arrives_on__gte=models.F("departs_on")), name="wave_dates_ordered"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="wave_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_planned(self) -> bool:
        return self.status == WaveStatus.PLANNED


class WaveMember(models.Model):
    """A person planned on (or carried by) a wave. `active` is False once the wave is cancelled."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="members", verbose_name=_("wave"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="wave_memberships")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="wave_memberships")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    # Why a child travels on another wave than the mother or guardian (or without them).
    separation_reason = models.CharField(_("reason for travelling apart"), max_length=1000, blank=True)
    active = models.BooleanField(default=True, editable=False)

    DATA_CLASSES = {
        "person": DataClass.IDENTITY,
        "case": DataClass.IDENTITY,
        "separation_reason": DataClass.FAMILY,
    }

    class Meta:
        ordering = ["id"]
        verbose_name = _("wave member")
        verbose_name_plural = _("wave members")
        constraints = [
            # A person travels on one wave: at most one membership that is not on a cancelled wave.
            models.UniqueConstraint(fields=["person"], condition=Q(active=True), name="wave_member_one_active_wave"),
            models.UniqueConstraint(fields=["wave", "person"], name="wave_member_once_per_wave"),
        ]
