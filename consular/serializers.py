"""API shapes of self-returns. Output fields of a class the user may not see are left out entirely."""

from typing import Any

from rest_framework import serializers

from access.rules import DataClass
from consular.models import DocumentRestoration, MemberRelation, SelfReturnMember, SelfReturnRequest
from core.errors import MAX_ID
from people.models import MAX_NAMES_PER_PERSON, DocumentType, Place, PlaceKind
from people.serializers import ClassifiedSerializer, NameInputSerializer, PersonInputSerializer


class RestorationSerializer(ClassifiedSerializer):
    class Meta:
        model = DocumentRestoration
        fields = ["id", "person", "doc_type", "requested_on", "issued_on", "document", "note"]


class MemberSerializer(ClassifiedSerializer):
    case_state = serializers.CharField(source="case.state", read_only=True)

    FIELD_CLASSES = {"case_state": DataClass.IDENTITY}

    class Meta:
        model = SelfReturnMember
        fields = ["id", "person", "case", "case_state", "relation"]


class SelfReturnSerializer(ClassifiedSerializer):
    class Meta:
        model = SelfReturnRequest
        fields = [
            "id",
            "version",
            "applicant",
            "case",
            "consulate",
            "requested_on",
            "situation",
            "status",
            "withdrawn_reason",
            "travel_on",
            "travel_details",
            "arrived_on",
            "arrival_place",
        ]

    def person_id_of(self, instance: Any) -> int:
        return int(instance.applicant_id)


class SelfReturnCreateSerializer(PersonInputSerializer):
    """A request for a registered person (`applicant`) or a new one (`names` and personal details)."""

    consulate = serializers.PrimaryKeyRelatedField(queryset=Place.objects.filter(kind=PlaceKind.CONSULATE))
    requested_on = serializers.DateField()
    situation = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    applicant = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    names: serializers.ListSerializer = serializers.ListSerializer(
        child=NameInputSerializer(), required=False, max_length=MAX_NAMES_PER_PERSON
    )


class MemberInputSerializer(PersonInputSerializer):
    """A registered person (`person`) or a new child (`names`, personal details, `born_in` country)."""

    relation = serializers.ChoiceField(choices=MemberRelation.choices)
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    born_in = serializers.PrimaryKeyRelatedField(
        queryset=Place.objects.filter(kind=PlaceKind.COUNTRY), required=False, allow_null=True, default=None
    )
    names: serializers.ListSerializer = serializers.ListSerializer(
        child=NameInputSerializer(), required=False, max_length=MAX_NAMES_PER_PERSON
    )
    version = serializers.IntegerField(min_value=1, required=False)


class RestorationInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    doc_type = serializers.ChoiceField(choices=DocumentType.choices)
    requested_on = serializers.DateField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1, required=False)


class IssueInputSerializer(serializers.Serializer):
    restoration = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    issued_on = serializers.DateField()
    number = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    issuing_state = serializers.PrimaryKeyRelatedField(
        queryset=Place.objects.filter(kind=PlaceKind.COUNTRY), required=False, allow_null=True, default=None
    )
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)
    version = serializers.IntegerField(min_value=1, required=False)


class TravelInputSerializer(serializers.Serializer):
    travel_on = serializers.DateField()
    travel_details = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1, required=False)


class ArrivalInputSerializer(serializers.Serializer):
    arrived_on = serializers.DateField()
    arrival_place = serializers.PrimaryKeyRelatedField(queryset=Place.objects.all())
    version = serializers.IntegerField(min_value=1, required=False)


class WithdrawInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    version = serializers.IntegerField(min_value=1, required=False)
