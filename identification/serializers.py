"""Input and output shapes of the identification API. No rules here: services and selectors decide."""

from typing import Any

from rest_framework import serializers

from core.errors import MAX_ID
from identification.models import (
    CitizenshipVerification,
    Confidence,
    Decision,
    IdentificationList,
    ImportBatch,
    Mission,
    MissionContact,
    RequestChannel,
    ReturnRequest,
    SourceKind,
    VerificationKind,
    VerificationOutcome,
)
from identification.rows import TARGETS
from identification.services import MAX_MISSION_CHOICES
from identification.spreadsheet import MAX_ROWS
from people.models import RelationshipKind


def _id(**options: Any) -> serializers.IntegerField:
    """A row id: positive and within 64 bits, so junk never reaches the database."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **options)


class IdentificationListSerializer(serializers.ModelSerializer):
    # Always answered: the entries of persons the caller may see (0 for a list just created).
    visible_entries = serializers.IntegerField(read_only=True)

    class Meta:
        model = IdentificationList
        fields = [
            "id",
            "name",
            "source_kind",
            "source_description",
            "received_on",
            "default_confidence",
            "visible_entries",
        ]


class IdentificationListInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    source_kind = serializers.ChoiceField(choices=SourceKind.choices)
    source_description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    received_on = serializers.DateField()
    default_confidence = serializers.ChoiceField(choices=Confidence.choices, default=Confidence.POSSIBLE)


class ListEntrySerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField(required=False)
    confidence = serializers.CharField(required=False)
    note = serializers.CharField(required=False)
    document_number = serializers.CharField(required=False)
    added_at = serializers.DateTimeField()


class IdentificationListDetailSerializer(IdentificationListSerializer):
    entries = ListEntrySerializer(many=True, read_only=True)

    class Meta(IdentificationListSerializer.Meta):
        fields = [*IdentificationListSerializer.Meta.fields, "entries"]


class IdentificationMissionInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    team = _id(required=False, allow_null=True)
    members = serializers.ListField(child=_id(), required=False, default=list, max_length=MAX_MISSION_CHOICES)
    places = serializers.ListField(child=_id(), required=False, default=list, max_length=MAX_MISSION_CHOICES)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class MissionContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = MissionContact
        fields = ["id", "person", "met_on", "place", "notes"]


class MissionContactInputSerializer(serializers.Serializer):
    person = _id()
    met_on = serializers.DateField()
    place = _id()
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class IdentificationMissionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Mission
        fields = ["id", "name", "starts_on", "ends_on", "team", "members", "places", "notes"]


class IdentificationMissionDetailSerializer(IdentificationMissionSerializer):
    contacts = MissionContactSerializer(many=True, read_only=True)

    class Meta(IdentificationMissionSerializer.Meta):
        fields = [*IdentificationMissionSerializer.Meta.fields, "contacts"]


class IdentificationReturnRequestSerializer(serializers.ModelSerializer):
    relationship_kind = serializers.CharField(source="relationship.kind", read_only=True)

    class Meta:
        model = ReturnRequest
        fields = ["id", "requested_by", "person", "relationship", "relationship_kind", "received_on", "channel", "note"]


class IdentificationReturnRequestInputSerializer(serializers.Serializer):
    requested_by = _id()
    person = _id()
    received_on = serializers.DateField()
    channel = serializers.ChoiceField(choices=RequestChannel.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    relationship_kind = serializers.ChoiceField(
        choices=[("", "—"), *RelationshipKind.choices], required=False, allow_blank=True, default=""
    )


class IdentificationPersonParamSerializer(serializers.Serializer):
    person = _id()


class CitizenshipVerificationSerializer(serializers.ModelSerializer):
    evidence = serializers.CharField(source="evidence.description", read_only=True)

    class Meta:
        model = CitizenshipVerification
        fields = ["id", "person", "kind", "evidence", "outcome", "checked_on", "checked_by"]


class CitizenshipVerificationInputSerializer(serializers.Serializer):
    person = _id()
    kind = serializers.ChoiceField(choices=VerificationKind.choices)
    evidence = serializers.CharField(max_length=500)
    outcome = serializers.ChoiceField(choices=VerificationOutcome.choices)
    checked_on = serializers.DateField()


# --- imports ------------------------------------------------------------------------------------------------------


class ImportUploadInputSerializer(serializers.Serializer):
    id_list = _id()
    file = serializers.FileField()


class ImportBatchSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "id_list",
            "file_name",
            "file_kind",
            "sha256",
            "headers",
            "mapping",
            "status",
            "rows_total",
            "rows_done",
            "percent",
            "uploaded_at",
            "committed_at",
            "discarded_at",
            "purged_at",
            "summary",
        ]


class ImportCandidateSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    score = serializers.IntegerField()
    name = serializers.CharField()


class ImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    values = serializers.DictField(help_text="The row's values by field, once its columns are mapped.")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why the row cannot be imported.")
    candidates = ImportCandidateSerializer(many=True)
    decision = serializers.CharField()
    same_as = serializers.IntegerField(allow_null=True)
    result = serializers.CharField()


class ImportBatchDetailSerializer(ImportBatchSerializer):
    bad_rows = ImportRowSerializer(many=True, read_only=True)
    rows = ImportRowSerializer(many=True, read_only=True)

    class Meta(ImportBatchSerializer.Meta):
        fields = [*ImportBatchSerializer.Meta.fields, "bad_rows", "rows"]


class ImportMappingInputSerializer(serializers.Serializer):
    def get_fields(self) -> dict[str, Any]:
        return {
            target: serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1000)
            for target in TARGETS
        }


class ImportDecisionItemSerializer(serializers.Serializer):
    row = serializers.IntegerField(min_value=1, max_value=1_000_000)
    decision = serializers.ChoiceField(choices=[c for c in Decision.values if c])
    person = _id(required=False, allow_null=True)


class ImportDecisionsInputSerializer(serializers.Serializer):
    decisions: serializers.ListSerializer = serializers.ListSerializer(
        child=ImportDecisionItemSerializer(), max_length=MAX_ROWS
    )
