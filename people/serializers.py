"""API shapes of the registry. Output fields of a class the user may not see are left out entirely."""

from typing import Any

from django.utils.text import capfirst
from rest_framework import serializers
from rest_framework.utils.field_mapping import needs_label

from access.models import Script
from access.rules import DataClass
from core.crypto import (
    EncryptedBooleanField,
    EncryptedDateField,
    EncryptedDecimalField,
    EncryptedFloatField,
    EncryptedIntegerField,
    EncryptedJSONField,
    TypedEncryptedField,
)
from core.errors import MAX_ID
from core.validators import refuse_hidden_characters
from people.forms import RELATION_CHOICES
from people.models import (
    MAX_NAMES_PER_PERSON,
    BirthDatePrecision,
    CitizenshipStatus,
    DocumentNumberOutcome,
    DocumentStatus,
    DocumentType,
    IdentityDocument,
    NameKind,
    Person,
    PersonName,
    Place,
    Presence,
    Relationship,
    RelationshipBasis,
    Sex,
    VitalStatus,
)
from people.selectors import ReviewState

# An encrypted date or number reads as the date or number it holds: clients see the same types as before.
TYPED_ENCRYPTED_FIELDS: dict[type[TypedEncryptedField], type[serializers.Field]] = {
    EncryptedDateField: serializers.DateField,
    EncryptedDecimalField: serializers.DecimalField,
    EncryptedFloatField: serializers.FloatField,
    EncryptedIntegerField: serializers.IntegerField,
    EncryptedBooleanField: serializers.BooleanField,
    EncryptedJSONField: serializers.JSONField,
}


class ClassifiedSerializer(serializers.ModelSerializer):
    """Drops every field whose data class is not in `context["classes"][person_id]`: the model's DATA_CLASSES,
    and FIELD_CLASSES for fields the serializer computes."""

    FIELD_CLASSES: dict[str, DataClass] = {}

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[type[serializers.Field], dict[str, Any]]:
        field_class = TYPED_ENCRYPTED_FIELDS.get(type(model_field))
        if field_class is None:
            return super().build_standard_field(field_name, model_field)
        kwargs: dict[str, Any] = {}
        if model_field.verbose_name and needs_label(model_field, field_name):
            kwargs["label"] = capfirst(model_field.verbose_name)
        if not model_field.editable:
            kwargs["read_only"] = True
        elif model_field.blank or model_field.null or model_field.has_default():
            kwargs["required"] = False
        if model_field.null:
            kwargs["allow_null"] = True
        if isinstance(model_field, EncryptedDecimalField):
            kwargs.update(max_digits=model_field.max_digits, decimal_places=model_field.decimal_places)
        return field_class, kwargs

    def person_id_of(self, instance: Any) -> int:
        return int(instance.person_id)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        allowed = self.context["classes"].get(self.person_id_of(instance), frozenset())
        classes: dict[str, Any] = {**getattr(self.Meta.model, "DATA_CLASSES", {}), **self.FIELD_CLASSES}
        return {k: v for k, v in data.items() if k not in classes or classes[k] in allowed}


class NameSerializer(ClassifiedSerializer):
    class Meta:
        model = PersonName
        fields = ["id", "script", "given", "family", "patronymic", "kind", "source"]


class NameInputSerializer(serializers.Serializer):
    script = serializers.ChoiceField(choices=Script.choices)
    given = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", validators=[refuse_hidden_characters]
    )
    family = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", validators=[refuse_hidden_characters]
    )
    patronymic = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", validators=[refuse_hidden_characters]
    )
    kind = serializers.ChoiceField(choices=NameKind.choices, default=NameKind.DECLARED)
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")  # type: ignore[assignment]


class PersonSerializer(ClassifiedSerializer):
    names = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "version",
            "names",
            "case",
            "sex",
            "birth_date",
            "birth_date_precision",
            "estimated_age_min",
            "estimated_age_max",
            "age_estimated_on",
            "birth_place_actual",
            "birth_place_registered",
            "citizenship_status",
            "vital_status",
            "phone",
            "address",
        ]

    def person_id_of(self, instance: Any) -> int:
        return int(instance.pk)

    def get_names(self, person: Person) -> list[dict[str, Any]]:
        from access.rules import DataClass

        if DataClass.IDENTITY not in self.context["classes"].get(person.pk, frozenset()):
            return []
        return [NameSerializer(n, context=self.context).data for n in person.names.all()]

    def get_case(self, person: Person) -> dict[str, Any] | None:
        from access.rules import DataClass

        case = getattr(person, "case", None)
        if case is None or DataClass.IDENTITY not in self.context["classes"].get(person.pk, frozenset()):
            return None
        return {"id": case.pk, "number": case.number, "state": case.state}


class PersonInputSerializer(serializers.Serializer):
    """Fields a person is created or changed with. Anything else in the request is refused, not ignored."""

    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    birth_date = serializers.DateField(required=False, allow_null=True)
    birth_date_precision = serializers.ChoiceField(choices=BirthDatePrecision.choices, required=False)
    estimated_age_min = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)
    estimated_age_max = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)
    age_estimated_on = serializers.DateField(required=False, allow_null=True)
    birth_place_actual = serializers.PrimaryKeyRelatedField(
        queryset=Place.objects.all(), required=False, allow_null=True
    )
    birth_place_registered = serializers.PrimaryKeyRelatedField(
        queryset=Place.objects.all(), required=False, allow_null=True
    )
    citizenship_status = serializers.ChoiceField(choices=CitizenshipStatus.choices, required=False)
    vital_status = serializers.ChoiceField(choices=VitalStatus.choices, required=False)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "keys"):
            unknown = set(data.keys()) - set(self.fields) - {"reason"}
            if unknown:
                raise serializers.ValidationError({f: ["This field cannot be set."] for f in sorted(unknown)})
        return super().to_internal_value(data)


class PersonUpdateSerializer(PersonInputSerializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The version you read: a change made on an older version is refused with 409."
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class PersonCreateSerializer(PersonInputSerializer):
    names: serializers.ListSerializer = serializers.ListSerializer(
        child=NameInputSerializer(), allow_empty=False, max_length=MAX_NAMES_PER_PERSON
    )
    parent_case = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        default=None,
        help_text="For a child: the id of the mother's or guardian's case, to link the new case to.",
    )


class DocumentSerializer(ClassifiedSerializer):
    FIELD_CLASSES = {"has_scan": DataClass.IDENTITY}  # says as much as the scan itself: whether one exists
    has_scan = serializers.SerializerMethodField(help_text="A scan is attached: GET …/documents/{document_id}/scan/")

    class Meta:
        model = IdentityDocument
        fields = ["id", "doc_type", "number", "issuing_state", "issued_on", "expires_on", "status", "has_scan"]

    def get_has_scan(self, document: IdentityDocument) -> bool:
        return bool(document.scan)


class DocumentInputSerializer(serializers.Serializer):
    doc_type = serializers.ChoiceField(choices=DocumentType.choices)
    number = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default="", validators=[refuse_hidden_characters]
    )
    issuing_state = serializers.PrimaryKeyRelatedField(
        queryset=Place.objects.filter(kind="country"), required=False, allow_null=True, default=None
    )
    issued_on = serializers.DateField(required=False, allow_null=True, default=None)
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(choices=DocumentStatus.choices)


class RelationshipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Relationship
        fields = ["id", "subject", "object", "kind", "basis", "note"]


class RelationshipInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RELATION_CHOICES, help_text="This person is the <kind> of `other`.")
    other = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    basis = serializers.ChoiceField(choices=RelationshipBasis.choices, default=RelationshipBasis.DECLARED)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RemovalSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class PresenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Presence
        fields = ["id", "place", "since", "until", "source"]


class PresenceInputSerializer(serializers.Serializer):
    place = serializers.PrimaryKeyRelatedField(queryset=Place.objects.all())
    since = serializers.DateField()
    source = serializers.CharField(max_length=200)  # type: ignore[assignment]


class HouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    members = serializers.ListField(child=serializers.IntegerField(), help_text="Ids of members the user may see.")


class HouseholdInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    household = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None)


class PhotoInputSerializer(serializers.Serializer):
    photo = serializers.FileField()


class ScanInputSerializer(serializers.Serializer):
    scan = serializers.FileField(help_text="PDF, JPEG or PNG, up to 10 MB, recognised by its contents.")


class PlaceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Place
        fields = ["id", "kind", "name", "names", "parent", "code"]


class SearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    category = serializers.ChoiceField(choices=["", "man", "woman", "child", "orphan"], required=False, default="")
    state = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")
    place = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, allow_null=True, default=None)
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, default=1)


class ExportRequestSerializer(SearchParamsSerializer):
    code = serializers.CharField(max_length=32, help_text="A current code from the caller's authenticator.")


# --- document numbers sent for review (decision 0038) -----------------------------------------------------------


class ReviewedPersonSerializer(serializers.Serializer):
    """One of the two persons of a review (a `people.selectors.ReviewedPerson`): out of the caller's reach,
    neither id nor name."""

    id = serializers.IntegerField(source="person_id", allow_null=True)
    name = serializers.CharField(allow_null=True, source="name_or_none")
    within_reach = serializers.BooleanField()


class DocumentNumberReviewSerializer(serializers.Serializer):
    """One row of the worklist (a `people.selectors.ReviewRow`)."""

    id = serializers.IntegerField(source="review.pk")
    doc_type = serializers.ChoiceField(source="review.doc_type", choices=DocumentType.choices)
    issuing_state = serializers.IntegerField(source="review.issuing_state_id", allow_null=True)
    issuing_state_name = serializers.CharField(source="review.issuing_state.name", allow_null=True, default=None)
    number = serializers.CharField(source="review.number")
    held_by = ReviewedPersonSerializer()
    requested_for = ReviewedPersonSerializer()
    requested_by = serializers.CharField(source="review.requested_by.username")
    requested_at = serializers.DateTimeField(source="review.created_at")
    resolved_at = serializers.DateTimeField(source="review.resolved_at", allow_null=True)
    outcome = serializers.ChoiceField(
        source="review.outcome", choices=DocumentNumberOutcome.choices, allow_blank=True, help_text="Blank while open."
    )


class ReviewListParamsSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=["", ReviewState.OPEN, ReviewState.SETTLED],
        required=False,
        default="",
        help_text="Blank: all, open first.",
    )
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, default=1)


class ReviewOutcomeInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=DocumentNumberOutcome.choices)
