"""The rehabilitation centre: buildings and rooms, stays, groups by social profile, the daily programme.

A centre, its buildings, rooms, groups and sessions hold no personal data. Stays, group membership and
attendance say where a person is and what they do there: the location class (access.rules.DataClass).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from access.models import Agency
from access.rules import DataClass
from casework.models import Case
from core.validators import refuse_hidden_characters
from people.models import Person, Place

DEFAULT_STAY_DAYS = 30  # "accommodated for one month": the first centre's rule, changeable per centre


class Centre(models.Model):
    """A rehabilitation and adaptation centre, run by one agency; staff of other agencies work there too."""

    name = models.CharField(_("name"), max_length=200, unique=True, validators=[refuse_hidden_characters])
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="centres", verbose_name=_("agency"))
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+", verbose_name=_("place"))
    default_stay_days = models.PositiveSmallIntegerField(_("planned length of stay (days)"), default=DEFAULT_STAY_DAYS)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="centres_worked_at",
        verbose_name=_("staff from other agencies"),
        help_text=_("Members of other agencies who work at the centre (social workers, doctors, lawyers)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("centre")
        verbose_name_plural = _("centres")
        constraints = [
            models.CheckConstraint(condition=Q(default_stay_days__gte=1), name="centre_stay_at_least_a_day"),
        ]

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="buildings")
    name = models.CharField(_("name"), max_length=100, validators=[refuse_hidden_characters])

    class Meta:
        ordering = ["centre", "name", "id"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="building_unique_name_in_centre")]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=100, validators=[refuse_hidden_characters])
    capacity = models.PositiveSmallIntegerField(_("beds"))

    class Meta:
        ordering = ["building", "name", "id"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["building", "name"], name="room_unique_name_in_building"),
            models.CheckConstraint(condition=Q(capacity__gte=0), name="room_capacity_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class StayKind(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    DAY = "day", _("Day programme")


class Stay(models.Model):
    """A person's time at a centre, from admission to discharge. A residential stay holds a bed in a room."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="centre_stays")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="centre_stays")
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="stays")
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="stays", verbose_name=_("room")
    )
    kind = models.CharField(_("kind of stay"), max_length=12, choices=StayKind.choices, default=StayKind.RESIDENTIAL)
    admitted_on = models.DateField(_("admitted on"))
    planned_until = models.DateField(_("planned until"))
    discharged_on = models.DateField(_("discharged on"), null=True, blank=True)
    discharge_reason = models.CharField(_("reason for discharge"), max_length=500, blank=True)
    admitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    DATA_CLASSES = {
        f: DataClass.LOCATION
        for f in (
            "centre",
            "room",
            "kind",
            "admitted_on",
            "planned_until",
            "discharged_on",
            "discharge_reason",
            "admitted_by",
            "discharged_by",
        )
    }

    class Meta:
        ordering = ["-admitted_on", "-id"]
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        indexes = [models.Index(fields=["centre", "admitted_on", "discharged_on"], name="stay_centre_dates")]
        constraints = [
            # One active stay per person: the database refuses a second open one even under concurrency.
            models.UniqueConstraint(
                fields=["person"], condition=Q(discharged_on__isnull=True), name="stay_one_open_per_person"
            ),
            models.CheckConstraint(
                condition=Q(kind=StayKind.RESIDENTIAL, room__isnull=False) | Q(kind=StayKind.DAY, room__isnull=True),
                name="stay_room_only_when_residential",
            ),
            models.CheckConstraint(
                condition=Q(discharged_on__isnull=True) | Q(discharged_on__gte=F("admitted_on")),
                name="stay_discharged_after_admission",
            ),
            models.CheckConstraint(
                condition=Q(planned_until__gte=F("admitted_on")), name="stay_planned_after_admission"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre} · {self.admitted_on:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.discharged_on is None


class GroupProfile(models.TextChoices):
    """The social profiles the programme's methodology works with (source document, 6.3)."""

    ORPHANS = "orphans", _("Orphans")
    CHILDREN_OF_SINGLE_PARENTS = "single_parent_children", _("Children of single parents")
    WOMEN_WITH_CHILDREN = "women_with_children", _("Women with children")
    WOMEN = "women", _("Women")
    MEN = "men", _("Men")


class Group(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=200, validators=[refuse_hidden_characters])
    profile = models.CharField(_("social profile"), max_length=24, choices=GroupProfile.choices)
    starts_on = models.DateField(_("starts on"))

    class Meta:
        ordering = ["centre", "-starts_on", "name", "id"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="group_unique_name_in_centre")]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="centre_groups")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    DATA_CLASSES = {"group": DataClass.LOCATION, "added_by": DataClass.LOCATION}

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["group", "person"], name="group_member_once")]


class SessionKind(models.TextChoices):
    # A context of their own: "Medical" alone is also the name of a data class, translated differently.
    PSYCHOLOGICAL = "psychological", pgettext_lazy("session kind", "Psychological support")
    MEDICAL = "medical", pgettext_lazy("session kind", "Medical care")
    LEGAL = "legal", pgettext_lazy("session kind", "Legal aid")
    SOCIAL = "social", pgettext_lazy("session kind", "Social work")
    THEOLOGICAL = "theological", pgettext_lazy("session kind", "Theological work")
    EDUCATION = "education", pgettext_lazy("session kind", "Education")


class Session(models.Model):
    """One session of the daily programme, held by a specialist for a group."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="sessions")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("group"))
    on = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    kind = models.CharField(_("kind"), max_length=16, choices=SessionKind.choices)
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("specialist")
    )
    topic = models.CharField(_("topic"), max_length=300)

    class Meta:
        ordering = ["on", "starts_at", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["centre", "on"], name="session_centre_day")]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.starts_at:%H:%M} {self.topic}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="centre_attendance")
    status = models.CharField(_("attendance"), max_length=8, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    DATA_CLASSES = {"status": DataClass.LOCATION, "recorded_by": DataClass.LOCATION}

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="attendance_once_per_session")]
