"""API shapes of consent. Output fields of a class the user may not see are left out entirely."""

from typing import Any

from rest_framework import serializers

from access.rules import DataClass
from consent.models import (
    BestInterestsDecision,
    ConsentRecord,
    ConsentStatement,
    Decision,
    GivenBy,
    PanelDecision,
)
from consent.rules import MAX_PANEL_MEMBERS
from core.errors import MAX_ID
from people.models import Place
from people.serializers import ClassifiedSerializer


class ConsentStatementSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsentStatement
        fields = ["id", "language", "version", "title", "text", "responsibility_clause", "active"]


class ConsentRecordSerializer(ClassifiedSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    has_scan = serializers.SerializerMethodField()
    FIELD_CLASSES = {"has_scan": DataClass.IDENTITY}

    class Meta:
        model = ConsentRecord
        fields = [
            "id",
            "person",
            "case",
            "decision",
            "given_by",
            "representative",
            "best_interests_decision",
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
            "has_scan",
        ]

    def get_has_scan(self, record: ConsentRecord) -> bool:
        return bool(record.scan)


class ConsentAnswerInputSerializer(serializers.Serializer):
    statement = serializers.PrimaryKeyRelatedField(
        queryset=ConsentStatement.objects.filter(active=True), required=False, allow_null=True, default=None
    )
    told_may_be_held_responsible = serializers.BooleanField(default=False)
    language = serializers.RegexField(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$", max_length=12)
    interpreter = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    witness = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    recorded_on = serializers.DateField()
    place = serializers.PrimaryKeyRelatedField(queryset=Place.objects.all())
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ConsentInputSerializer(ConsentAnswerInputSerializer):
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    decision = serializers.ChoiceField(choices=Decision.choices)
    given_by = serializers.ChoiceField(choices=GivenBy.choices)
    representative = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID
    )
    best_interests_decision = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID
    )


class ConsentFamilyInputSerializer(ConsentAnswerInputSerializer):
    mother = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    children = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=30
    )
    decision = serializers.ChoiceField(
        choices=[(Decision.CONSENT, Decision.CONSENT.label), (Decision.REFUSAL, Decision.REFUSAL.label)],
        default=Decision.CONSENT,
    )


class ConsentRevisitInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    reason = serializers.CharField(max_length=2000)


class ConsentPersonParamSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class PanelChildParamSerializer(serializers.Serializer):
    child = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class ConsentCaseStateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    state = serializers.CharField()


class BestInterestsDecisionSerializer(ClassifiedSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = BestInterestsDecision
        fields = [
            "id",
            "child",
            "case",
            "decided_on",
            "members",
            "external_members",
            "decision",
            "reasons",
            "recorded_by",
            "created_at",
        ]

    def person_id_of(self, instance: Any) -> int:
        return int(instance.child_id)


class BestInterestsInputSerializer(serializers.Serializer):
    child = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    decided_on = serializers.DateField()
    members = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=MAX_PANEL_MEMBERS
    )
    external_members = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    decision = serializers.ChoiceField(choices=PanelDecision.choices)
    reasons = serializers.CharField(max_length=5000)


class PanelWaitingChildSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    case = serializers.IntegerField()
    case_number = serializers.CharField()
    orphan = serializers.BooleanField()
    unaccompanied = serializers.BooleanField()
    latest_decision = serializers.CharField(allow_null=True)
    latest_decision_id = serializers.IntegerField(allow_null=True)


class ConsentScanInputSerializer(serializers.Serializer):
    scan = serializers.FileField(help_text="PDF, JPEG or PNG, up to 10 MB, recognised by its contents.")
