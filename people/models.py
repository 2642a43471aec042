import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from access.models import Script
from access.rules import DataClass
from core.crypto import BlindIndexField, EncryptedFileField, EncryptedTextField
from core.files import generated_name
from core.validators import refuse_bad_names_by_language, refuse_hidden_characters


class PlaceKind(models.TextChoices):
    COUNTRY = "country", _("Country")
    REGION = "region", _("Region")
    DISTRICT = "district", _("District")
    SETTLEMENT = "settlement", _("City or village")
    CAMP = "camp", _("Camp")
    PRISON = "prison", _("Prison")
    CONSULATE = "consulate", _("Consulate or embassy")
    FACILITY = "facility", _("Facility")


class Place(models.Model):
    """A country, camp, prison, region, district or facility. Places are data, set per programme."""

    kind = models.CharField(_("kind"), max_length=16, choices=PlaceKind.choices)
    name = models.CharField(_("name"), max_length=200, validators=[refuse_hidden_characters])
    # Names in other languages, keyed by language code: {"ru": "Аль-Холь", "ar": "الهول"}.
    names = models.JSONField(
        _("names in other languages"), default=dict, blank=True, validators=[refuse_bad_names_by_language]
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("within"),
    )
    code = models.CharField(
        _("code"),
        max_length=20,
        blank=True,
        help_text=_("ISO country code or local code"),
        validators=[refuse_hidden_characters],
    )

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name", "parent"], name="place_unique_name_in_parent"),
            # The constraint above lets top-level places repeat (NULL parents are distinct): the database keeps
            # countries unique too, whatever the letter case, as people.places checks before writing.
            models.UniqueConstraint(
                Lower("name"), "kind", condition=Q(parent__isnull=True), name="place_unique_top_level_name"
            ),
        ]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str) -> str:
        return self.names.get(language) or self.name


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    UNKNOWN = "U", _("Unknown")


class BirthDatePrecision(models.TextChoices):
    DAY = "day", _("Exact day")
    MONTH = "month", _("Month and year")
    YEAR = "year", _("Year only")
    ESTIMATED = "estimated", _("Estimated age range")
    UNKNOWN = "unknown", _("Unknown")


class CitizenshipStatus(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    CLAIMED = "claimed", _("Claimed, not verified")
    OTHER_NATIONALITY = "other", _("Other nationality")
    STATELESS = "stateless", _("Stateless")
    UNKNOWN = "unknown", _("Unknown")


class VitalStatus(models.TextChoices):
    ALIVE = "alive", _("Alive")
    DEAD = "dead", _("Dead")
    MISSING = "missing", _("Missing")
    UNKNOWN = "unknown", _("Unknown")


def photo_path(instance: "Person", filename: str) -> str:
    # A generated name: the uploaded name never reaches the disk.
    suffix = PurePosixPath(filename).suffix.lower()[:5] if filename else ""
    return f"photos/{uuid.uuid4().hex}{suffix}"


class Person(models.Model):
    """Everyone the programme records: returnees, children born abroad, relatives at home, guardians.

    Categories such as child or orphan are never stored: `people.categories` derives them. The photo (a child's
    face) is a private file encrypted at rest, bound to the person's row_uid, like the scans of documents.
    """

    row_uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("precision of the date of birth"),
        max_length=10,
        choices=BirthDatePrecision.choices,
        default=BirthDatePrecision.UNKNOWN,
    )
    estimated_age_min = models.PositiveSmallIntegerField(_("estimated age, from"), null=True, blank=True)
    estimated_age_max = models.PositiveSmallIntegerField(_("estimated age, to"), null=True, blank=True)
    age_estimated_on = models.DateField(_("age estimated on"), null=True, blank=True)
    # Middle of the possible birth interval, kept by people.services from the fields above so that
    # age filters can run in the database. Never set by hand.
    birth_date_best = models.DateField(null=True, blank=True, editable=False, db_index=True)
    birth_place_actual = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("place of birth (actual)"),
    )
    birth_place_registered = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("place of birth (as registered)"),
    )
    citizenship_status = models.CharField(
        _("citizenship"), max_length=10, choices=CitizenshipStatus.choices, default=CitizenshipStatus.UNKNOWN
    )
    vital_status = models.CharField(
        _("alive, dead or missing"), max_length=8, choices=VitalStatus.choices, default=VitalStatus.ALIVE
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    photo = EncryptedFileField(_("photo"), upload_to=photo_path, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by every change of the person's own fields: an edit made on an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Which data class each field belongs to; the policy hides a field whose class the user may not see.
    DATA_CLASSES = {
        "sex": DataClass.IDENTITY,
        "birth_date": DataClass.IDENTITY,
        "birth_date_precision": DataClass.IDENTITY,
        "estimated_age_min": DataClass.IDENTITY,
        "estimated_age_max": DataClass.IDENTITY,
        "age_estimated_on": DataClass.IDENTITY,
        "birth_place_actual": DataClass.IDENTITY,
        "birth_place_registered": DataClass.IDENTITY,
        "citizenship_status": DataClass.IDENTITY,
        "vital_status": DataClass.IDENTITY,
        "photo": DataClass.IDENTITY,
        "phone": DataClass.CONTACT,
        "address": DataClass.CONTACT,
    }

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_age_min__isnull=True)
                | Q(estimated_age_max__isnull=True)
                | Q(estimated_age_min__lte=models.F("estimated_age_max")),
                name="person_age_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    def name_for(self, script: str) -> "PersonName | None":
        """The best name to show in the given script, else the best in any script (uses prefetched names)."""
        names = sorted(self.names.all(), key=lambda n: NAME_KIND_RANK.get(NameKind(n.kind), 9))
        for name in names:
            if name.script == script:
                return name
        return names[0] if names else None

    def display_name(self, script: str) -> str:
        """The name to show a user who prefers `script` (uses prefetched names)."""
        name = self.name_for(script)
        return name.full if name else str(_("(no name recorded)"))


class NameKind(models.TextChoices):
    REGISTERED = "registered", _("As registered")
    DECLARED = "declared", _("As declared")
    CHOSEN_BY_MOTHER = "chosen", _("Chosen for the child by the mother")
    ALIAS = "alias", _("Alias, kunya or nom de guerre")


NAME_KIND_RANK = {
    NameKind.REGISTERED: 0,
    NameKind.CHOSEN_BY_MOTHER: 1,
    NameKind.DECLARED: 2,
    NameKind.ALIAS: 3,
}


# A person's names: the declared one, transliterations, aliases. More is an input error (or an attack: each name
# is validated, indexed and audited), so every way in refuses it.
MAX_NAMES_PER_PERSON = 20


class PersonName(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    script = models.CharField(_("script"), max_length=4, choices=Script.choices)
    given = models.CharField(_("given name"), max_length=100, blank=True, validators=[refuse_hidden_characters])
    family = models.CharField(_("family name"), max_length=100, blank=True, validators=[refuse_hidden_characters])
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True, validators=[refuse_hidden_characters])
    kind = models.CharField(_("kind"), max_length=12, choices=NameKind.choices, default=NameKind.DECLARED)
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    DATA_CLASSES = {f: DataClass.IDENTITY for f in ("script", "given", "family", "patronymic", "kind", "source")}

    class Meta:
        ordering = ["id"]
        verbose_name = _("name")
        verbose_name_plural = _("names")
        constraints = [
            models.CheckConstraint(condition=~Q(given="") | ~Q(family=""), name="name_has_given_or_family"),
        ]

    def __str__(self) -> str:
        return self.full

    @property
    def full(self) -> str:
        if self.script == Script.CYRILLIC:
            parts = [self.family, self.given, self.patronymic]
        else:
            parts = [self.given, self.patronymic, self.family]
        return " ".join(p for p in parts if p)


class NameToken(models.Model):
    """One folded word of a name, for search across scripts and spellings (see people.transliteration)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    name = models.ForeignKey(PersonName, on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["token", "person"], name="nametoken_token_person")]


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    ID_CARD = "id_card", _("Identity card")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    RETURN_CERTIFICATE = "return_certificate", _("Certificate of return")
    OTHER = "other", _("Other")


class DocumentStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    LOST = "lost", _("Lost")
    CONFISCATED = "confiscated", _("Confiscated")
    TO_BE_RESTORED = "to_restore", _("To be restored")


def scan_path(instance: "IdentityDocument", filename: str) -> str:
    # A generated name: the uploaded name never reaches the disk (people.services names the file "scan.<ext>").
    return generated_name("scans", filename)


class IdentityDocument(models.Model):
    """A passport, identity card or certificate. The number is encrypted at rest (core.crypto); duplicates are
    found through `number_index`, a keyed hash of the normalised number. The scan, a PDF, JPEG or PNG checked by
    core.files, is a private file encrypted at rest; it is served only by the permission-checked download."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    row_uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    doc_type = models.CharField(_("type"), max_length=20, choices=DocumentType.choices)
    number = EncryptedTextField(_("number"), max_length=50, blank=True, validators=[refuse_hidden_characters])
    number_index = BlindIndexField(source="number", db_index=True)
    issuing_state = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": PlaceKind.COUNTRY},
        verbose_name=_("issuing state"),
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=DocumentStatus.choices)
    scan = EncryptedFileField(_("scan"), upload_to=scan_path, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    DATA_CLASSES = {
        f: DataClass.IDENTITY
        for f in ("doc_type", "number", "issuing_state", "issued_on", "expires_on", "status", "scan")
    }

    class Meta:
        ordering = ["id"]
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        constraints = [
            models.UniqueConstraint(
                fields=["doc_type", "issuing_state", "number_index"],
                condition=~Q(number_index=""),
                name="document_number_index_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.number}".strip()


class EvidenceKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    RELATIVE_STATEMENT = "relative_statement", _("Statement of a relative")
    REGISTRY_RECORD = "registry_record", _("Civil registry record")
    CONSULAR_INTERVIEW = "consular_interview", _("Consular interview")
    OTHER = "other", _("Other")


class CitizenshipEvidence(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="citizenship_evidence")
    kind = models.CharField(_("kind of evidence"), max_length=20, choices=EvidenceKind.choices)
    description = models.CharField(_("description"), max_length=500)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    DATA_CLASSES = {"kind": DataClass.IDENTITY, "description": DataClass.IDENTITY}

    class Meta:
        ordering = ["id"]


class RelationshipKind(models.TextChoices):
    # Read as "subject is the <kind> of object".
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    SPOUSE = "spouse", _("Spouse")
    SIBLING = "sibling", _("Sibling")
    GRANDPARENT = "grandparent", _("Grandparent")
    LEGAL_GUARDIAN = "guardian", _("Legal guardian")
    OTHER = "other", _("Other relative")


PARENT_KINDS = (RelationshipKind.MOTHER, RelationshipKind.FATHER)
ANCESTOR_KINDS = (RelationshipKind.MOTHER, RelationshipKind.FATHER, RelationshipKind.GRANDPARENT)
SYMMETRIC_KINDS = (RelationshipKind.SPOUSE, RelationshipKind.SIBLING, RelationshipKind.OTHER)


class RelationshipBasis(models.TextChoices):
    DECLARED = "declared", _("Declared")
    DOCUMENTED = "documented", _("Documented")
    DNA_CONFIRMED = "dna", _("Confirmed by DNA")
    COURT_ESTABLISHED = "court", _("Established by a court")


class Relationship(models.Model):
    """`subject` is the `kind` of `object`: (Aigerim, mother, Amina) reads "Aigerim is the mother of Amina"."""

    subject = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_as_subject")
    object = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_as_object")
    kind = models.CharField(_("relationship"), max_length=12, choices=RelationshipKind.choices)
    basis = models.CharField(
        _("basis"), max_length=10, choices=RelationshipBasis.choices, default=RelationshipBasis.DECLARED
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    DATA_CLASSES = {f: DataClass.FAMILY for f in ("subject", "object", "kind", "basis", "note")}

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "object", "kind"], name="relationship_unique"),
            models.CheckConstraint(condition=~Q(subject=models.F("object")), name="relationship_not_self"),
        ]


class Household(models.Model):
    name = models.CharField(_("name"), max_length=200, validators=[refuse_hidden_characters])
    members: "models.ManyToManyField[Person, HouseholdMember]" = models.ManyToManyField(
        Person, through="HouseholdMember", related_name="households"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    DATA_CLASSES = {"name": DataClass.FAMILY}

    def __str__(self) -> str:
        return self.name


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="household_memberships")
    is_head = models.BooleanField(_("head of household"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["household", "person"], name="household_member_once")]


class Presence(models.Model):
    """Where a person is, since when, according to whom. The open row (no `until`) is where they are now."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="presences")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="presences", verbose_name=_("place"))
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    DATA_CLASSES = {f: DataClass.LOCATION for f in ("place", "since", "until", "source")}

    class Meta:
        ordering = ["-since", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="presence_ordered_dates",
            ),
        ]


class DocumentNumberOutcome(models.TextChoices):
    SAME_PERSON = "same_person", _("The two records are one person")
    WRONG_NUMBER = "wrong_number", _("The number given was wrong")
    WRONG_HOLDER = "wrong_holder", _("The number was recorded for the wrong person")


class DocumentNumberReview(models.Model):
    """A document number refused because the registry holds it for a person the one recording it cannot see.

    The refusal says the same whatever the holder (decision 0038); this task puts the conflict before the civil
    registry officers, who settle it. The number is kept encrypted, with its blind index, as on the document."""

    row_uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    doc_type = models.CharField(_("type"), max_length=20, choices=DocumentType.choices)
    issuing_state = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("issuing state")
    )
    number = EncryptedTextField(_("number"), max_length=50)
    number_index = BlindIndexField(source="number", db_index=True)
    held_by = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("person holding the number")
    )
    requested_for = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("person the number was given for")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=DocumentNumberOutcome.choices, blank=True)

    DATA_CLASSES = {f: DataClass.IDENTITY for f in ("doc_type", "issuing_state", "number")}

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("document number review")
        verbose_name_plural = _("document number reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True, outcome="") | Q(resolved_at__isnull=False) & ~Q(outcome=""),
                name="document_number_review_outcome_when_resolved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} review {self.pk}"
