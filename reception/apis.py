"""The reception API. Same policy, selectors and services as the pages; no filtering by hand here.

Lists hold only records whose person the user reaches and whose data class they may see; `?person=<id>` narrows
to one person (404 when that person is out of reach). Records are appended, never edited: a later record
supersedes an earlier one.
"""

from collections.abc import Callable
from typing import Any, ClassVar

from django.utils.text import capfirst
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from access import policy
from access.rules import DataClass
from core.errors import MAX_ID
from people.models import Place
from people.serializers import ClassifiedSerializer
from reception import selectors, services
from reception.models import (
    Arrival,
    GrowthMeasurement,
    LegalAssessment,
    LegalStatus,
    MedicalTest,
    Position,
    Quarantine,
    TestKind,
    Treatment,
    TreatmentKind,
    Vaccination,
    Vaccine,
)

PERSON_FILTER = OpenApiParameter("person", int, OpenApiParameter.QUERY, required=False, description="One person's id")
ID = OpenApiParameter("id", int, OpenApiParameter.PATH)


# --- output shapes (fields of a class the user may not see are left out) ---------------------------------------


class ArrivalSerializer(ClassifiedSerializer):
    class Meta:
        model = Arrival
        fields = ["id", "person", "case", "arrived_on", "place", "note", "checked_in_by"]


class LegalAssessmentSerializer(ClassifiedSerializer):
    class Meta:
        model = LegalAssessment
        fields = ["id", "person", "case", *LegalAssessment.FIELDS, "recorded_by", "recorded_at"]


class QuarantineSerializer(ClassifiedSerializer):
    place = serializers.IntegerField(
        source="place_ref", label=capfirst(Quarantine._meta.get_field("place_ref").verbose_name)
    )

    class Meta:
        model = Quarantine
        fields = ["id", "person", *Quarantine.FIELDS, "recorded_by", "recorded_at"]


class MedicalTestSerializer(ClassifiedSerializer):
    kind = serializers.IntegerField(
        source="kind_ref", label=capfirst(MedicalTest._meta.get_field("kind_ref").verbose_name)
    )

    class Meta:
        model = MedicalTest
        fields = ["id", "person", *MedicalTest.FIELDS, "recorded_by", "recorded_at"]


class VaccinationSerializer(ClassifiedSerializer):
    class Meta:
        model = Vaccination
        fields = ["id", "person", *Vaccination.FIELDS, "recorded_by", "recorded_at"]


class TreatmentSerializer(ClassifiedSerializer):
    class Meta:
        model = Treatment
        fields = ["id", "person", *Treatment.FIELDS, "recorded_by", "recorded_at"]


class GrowthMeasurementSerializer(ClassifiedSerializer):
    class Meta:
        model = GrowthMeasurement
        fields = ["id", "person", *GrowthMeasurement.FIELDS, *GrowthMeasurement.DERIVED, "recorded_by", "recorded_at"]


# --- input shapes --------------------------------------------------------------------------------------------


class PersonInput(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class CheckInInputSerializer(serializers.Serializer):
    cases = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=500
    )
    arrived_on = serializers.DateField()
    place = serializers.PrimaryKeyRelatedField(queryset=Place.objects.all())
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class LegalAssessmentInputSerializer(PersonInput):
    status = serializers.ChoiceField(choices=LegalStatus.choices)
    decided_on = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    authority = serializers.CharField(max_length=200)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class QuarantineInputSerializer(PersonInput):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    place = serializers.PrimaryKeyRelatedField(queryset=Place.objects.all())
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class MedicalTestInputSerializer(PersonInput):
    kind = serializers.PrimaryKeyRelatedField(queryset=TestKind.objects.all())
    taken_on = serializers.DateField()
    result = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    result_on = serializers.DateField(required=False, allow_null=True, default=None)


class VaccinationInputSerializer(PersonInput):
    vaccine = serializers.PrimaryKeyRelatedField(queryset=Vaccine.objects.all())
    dose_number = serializers.IntegerField(min_value=1, max_value=20)
    given_on = serializers.DateField()
    batch = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class TreatmentInputSerializer(PersonInput):
    kind = serializers.ChoiceField(choices=TreatmentKind.choices)
    description = serializers.CharField(max_length=4000)
    referred_to = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    on = serializers.DateField()


class GrowthMeasurementInputSerializer(PersonInput):
    measured_on = serializers.DateField()
    weight_kg = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True, default=None)
    height_cm = serializers.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True, default=None)
    position = serializers.ChoiceField(choices=["", *Position.values], required=False, default="")
    muac_cm = serializers.DecimalField(max_digits=4, decimal_places=1, required=False, allow_null=True, default=None)
    oedema = serializers.BooleanField(required=False, default=False)


class PersonFilterSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, default=None)


# --- viewsets ------------------------------------------------------------------------------------------------


class _RecordViewSet(viewsets.GenericViewSet):
    """List, read and add one kind of record; which records and fields is the policy's answer."""

    lookup_value_regex = r"[0-9]{1,19}"
    model: ClassVar[Any]  # one of the record models of reception.selectors.M
    data_class: ClassVar[DataClass]
    output: ClassVar[type[ClassifiedSerializer]]
    input: ClassVar[type[serializers.Serializer]]
    service: ClassVar[Callable[..., Any]]

    def get_queryset(self) -> Any:  # for the schema only: lists go through reception.selectors
        return self.model._default_manager.none()

    def get_serializer_class(self) -> type[serializers.Serializer]:
        # What OPTIONS describes (the fields of a POST); every operation names its own serializer.
        return self.input

    def list(self, request: Request) -> Response:
        params = PersonFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        records, classes = selectors.records_visible(
            request.user, self.model, self.data_class, params.validated_data["person"]
        )
        page = self.paginate_queryset(records.order_by("-id"))
        rows = list(page if page is not None else records)
        selectors.audit_list_read(request.user, self.model, [r.person_id for r in rows])
        data = self.output(rows, many=True, context={"classes": classes}).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        record = selectors.record_for_user(request.user, self.model, self.data_class, pk)
        classes = policy.classes_by_person(request.user, [record.person_id])
        return Response(self.output(record, context={"classes": classes}).data)

    def create(self, request: Request) -> Response:
        payload = self.input(data=request.data)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        person = policy.person_for_user(request.user, fields.pop("person"))
        record = type(self).service(actor=request.user, person=person, **fields)
        classes = policy.classes_by_person(request.user, [person.pk])
        return Response(self.output(record, context={"classes": classes}).data, status=status.HTTP_201_CREATED)


def _documented(output: type[ClassifiedSerializer], input_: type[serializers.Serializer]) -> Any:
    """The OpenAPI description of a record viewset's three operations."""
    return extend_schema_view(
        list=extend_schema(parameters=[PERSON_FILTER], responses=output(many=True)),
        retrieve=extend_schema(parameters=[ID], responses=output),
        create=extend_schema(request=input_, responses={201: output}),
    )


@extend_schema(tags=["reception"])
@_documented(LegalAssessmentSerializer, LegalAssessmentInputSerializer)
class LegalAssessmentViewSet(_RecordViewSet):
    """Legal assessments (legal class: only the assigned legal officer sees or records them)."""

    model = LegalAssessment
    data_class = DataClass.LEGAL
    output = LegalAssessmentSerializer
    input = LegalAssessmentInputSerializer
    service = staticmethod(services.legal_assessment_record)


@extend_schema(tags=["reception"])
@_documented(QuarantineSerializer, QuarantineInputSerializer)
class QuarantineViewSet(_RecordViewSet):
    """Quarantine periods (medical class)."""

    model = Quarantine
    data_class = DataClass.MEDICAL
    output = QuarantineSerializer
    input = QuarantineInputSerializer
    service = staticmethod(services.quarantine_record)


@extend_schema(tags=["reception"])
@_documented(MedicalTestSerializer, MedicalTestInputSerializer)
class MedicalTestViewSet(_RecordViewSet):
    """Screening tests and results (medical class; results encrypted at rest)."""

    model = MedicalTest
    data_class = DataClass.MEDICAL
    output = MedicalTestSerializer
    input = MedicalTestInputSerializer
    service = staticmethod(services.medical_test_record)


@extend_schema(tags=["reception"])
@_documented(VaccinationSerializer, VaccinationInputSerializer)
class VaccinationViewSet(_RecordViewSet):
    """Vaccine doses given (medical class)."""

    model = Vaccination
    data_class = DataClass.MEDICAL
    output = VaccinationSerializer
    input = VaccinationInputSerializer
    service = staticmethod(services.vaccination_record)


@extend_schema(tags=["reception"])
@_documented(TreatmentSerializer, TreatmentInputSerializer)
class TreatmentViewSet(_RecordViewSet):
    """Treatments and referrals (medical class; descriptions encrypted at rest)."""

    model = Treatment
    data_class = DataClass.MEDICAL
    output = TreatmentSerializer
    input = TreatmentInputSerializer
    service = staticmethod(services.treatment_record)


@extend_schema(tags=["reception"])
@_documented(GrowthMeasurementSerializer, GrowthMeasurementInputSerializer)
class GrowthMeasurementViewSet(_RecordViewSet):
    """Children's growth measurements with WHO 2006 z-scores and malnutrition classes (medical class)."""

    model = GrowthMeasurement
    data_class = DataClass.MEDICAL
    output = GrowthMeasurementSerializer
    input = GrowthMeasurementInputSerializer
    service = staticmethod(services.growth_measurement_record)


@extend_schema(tags=["reception"])
class ArrivalViewSet(viewsets.GenericViewSet):
    """Check-ins on arrival. Checking in moves each case from evacuated to received: all of them, or none."""

    lookup_value_regex = r"[0-9]{1,19}"
    serializer_class = CheckInInputSerializer  # what OPTIONS describes: the fields of a check-in

    def get_queryset(self) -> Any:  # for the schema only
        return Arrival.objects.none()

    @extend_schema(parameters=[PERSON_FILTER], responses=ArrivalSerializer(many=True))
    def list(self, request: Request) -> Response:
        params = PersonFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        records, classes = selectors.records_visible(
            request.user, Arrival, DataClass.LOCATION, params.validated_data["person"]
        )
        page = self.paginate_queryset(records.order_by("-id"))
        rows = list(page if page is not None else records)
        data = ArrivalSerializer(rows, many=True, context={"classes": classes}).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(parameters=[ID], responses=ArrivalSerializer)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        record = selectors.record_for_user(request.user, Arrival, DataClass.LOCATION, pk)
        classes = policy.classes_by_person(request.user, [record.person_id])
        return Response(ArrivalSerializer(record, context={"classes": classes}).data)

    @extend_schema(request=CheckInInputSerializer, responses={201: ArrivalSerializer(many=True)})
    def create(self, request: Request) -> Response:
        payload = CheckInInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        arrivals = services.arrivals_check_in(actor=request.user, case_ids=fields.pop("cases"), **fields)
        classes = policy.classes_by_person(request.user, [a.person_id for a in arrivals])
        data = ArrivalSerializer(arrivals, many=True, context={"classes": classes}).data
        return Response(data, status=status.HTTP_201_CREATED)
