"""The operations API. Same selectors, rules and services as the pages; no filtering by hand here.

Authentication and permission come from the project defaults (personal tokens or the session, and
`access.api.HasAcceptedNda`), as for the registry's viewsets.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from access import policy
from access.models import Agency, User
from access.rules import Capability
from core.api import BoundedListField
from core.errors import MAX_ID, refuse
from core.http import preferred_script
from operations import rules, selectors, services
from operations.manifest import manifest_pdf
from operations.models import Operation, Wave
from operations.services import MAX_ESCORT, MAX_PARTNER_AGENCIES, MAX_PERSONS_AT_ONCE
from people.models import Place

ID = OpenApiParameter("id", int, OpenApiParameter.PATH)


class OperationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Operation
        fields = ["id", "name", "code", "description", "lead_agency", "partner_agencies", "starts_on", "ends_on"]


class OperationCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    code = serializers.CharField(max_length=40)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    partner_agencies = BoundedListField(
        child=serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all()),
        required=False,
        default=list,
        max_length=MAX_PARTNER_AGENCIES,
    )


class WaveSerializer(serializers.ModelSerializer):
    size = serializers.SerializerMethodField()

    class Meta:
        model = Wave
        fields = [
            "id",
            "operation",
            "number",
            "name",
            "departs_on",
            "arrives_on",
            "origin",
            "destination",
            "route",
            "transport",
            "escort",
            "escort_team",
            "capacity",
            "size",
            "status",
            "executed_at",
            "version",
        ]

    def get_size(self, wave: Wave) -> int:
        annotated = getattr(wave, "size", None)  # operation_waves counts in the query
        return int(annotated) if annotated is not None else wave.members.filter(active=True).count()


class WaveCreateSerializer(serializers.Serializer):
    operation = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    number = serializers.IntegerField(min_value=1, max_value=32767, required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=100)
    departs_on = serializers.DateField()
    arrives_on = serializers.DateField()
    origin = serializers.PrimaryKeyRelatedField(queryset=Place.objects.all())
    destination = serializers.PrimaryKeyRelatedField(queryset=Place.objects.all())
    route = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    transport = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    escort = BoundedListField(
        child=serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True)),
        required=False,
        default=list,
        max_length=MAX_ESCORT,
    )
    escort_team = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    capacity = serializers.IntegerField(min_value=1, max_value=100_000)


class WaveMemberSerializer(serializers.Serializer):
    """One row of the manifest. `family_role`, `separation_reason` and `legal_status` are absent when the
    user may not see their data class."""

    id = serializers.IntegerField()
    person = serializers.IntegerField()
    case = serializers.IntegerField()
    case_number = serializers.CharField()
    case_state = serializers.CharField()
    family_group = serializers.IntegerField()
    name = serializers.CharField()
    other_names = serializers.ListField(child=serializers.CharField())
    sex = serializers.CharField()
    born = serializers.CharField()
    documents = serializers.CharField()
    family_role = serializers.CharField(required=False)
    separation_reason = serializers.CharField(required=False)
    legal_status = serializers.CharField(required=False)


class WaveMembersSerializer(serializers.Serializer):
    wave = serializers.IntegerField()
    version = serializers.IntegerField()
    total = serializers.IntegerField(help_text="Persons on the wave, including those outside your reach.")
    hidden = serializers.IntegerField(help_text="Persons on the wave outside your reach (not listed).")
    members = WaveMemberSerializer(many=True)


class WaveMemberAddSerializer(serializers.Serializer):
    persons = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=MAX_PERSONS_AT_ONCE
    )
    include_children = serializers.BooleanField(default=False)
    separation_reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class WaveMemberRemoveParams(serializers.Serializer):
    person = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=MAX_PERSONS_AT_ONCE
    )
    include_children = serializers.BooleanField(default=False)
    version = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class WaveExecuteSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The wave's version you read: a changed wave is refused.")


def _members_data(request: Request, wave: Wave) -> dict[str, Any]:
    manifest = selectors.wave_manifest(request.user, wave, preferred_script(request))
    selectors.manifest_viewed(request.user, manifest)
    rows = []
    for number, group in enumerate(manifest.groups, start=1):
        for row in group:
            data: dict[str, Any] = {
                "id": row.member.pk,
                "person": row.person.pk,
                "case": row.member.case_id,
                "case_number": row.case_number,
                "case_state": row.case_state,
                "family_group": number,
                "name": row.name,
                "other_names": row.other_names,
                "sex": row.person.sex,
                "born": row.born,
                "documents": row.documents,
            }
            if row.role is not None:
                data["family_role"] = row.role
            if row.separation_reason is not None:
                data["separation_reason"] = row.separation_reason
            if row.legal is not None:
                data["legal_status"] = row.legal
            rows.append(data)
    return {
        "wave": wave.pk,
        "version": wave.version,
        "total": manifest.total,
        "hidden": manifest.hidden,
        "members": rows,
    }


class OperationViewSet(viewsets.ViewSet):
    """Operations the user sees: those of their agency (lead or taking part) and those carrying persons they reach."""

    lookup_value_regex = r"[0-9]{1,19}"  # ids only: anything else is a 404 before any view code runs

    @extend_schema(responses=OperationSerializer(many=True))
    def list(self, request: Request) -> Response:
        if not selectors.may_see_operations(request.user):
            raise refuse(_("Your role does not work with operations."))
        return Response(OperationSerializer(selectors.operation_list(request.user), many=True).data)

    @extend_schema(request=OperationCreateSerializer, responses={201: OperationSerializer})
    def create(self, request: Request) -> Response:
        """Start an operation led by your agency (needs the operations capability)."""
        if not policy.has_capability(request.user, Capability.MANAGE_OPERATIONS):
            raise refuse()
        payload = OperationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        operation = services.operation_create(actor=request.user, partner_agencies=data.pop("partner_agencies"), **data)
        return Response(OperationSerializer(operation).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID], responses=OperationSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        operation = selectors.operation_for_user(request.user, pk)
        return Response(OperationSerializer(operation).data)

    @extend_schema(parameters=[ID], responses=WaveSerializer(many=True))
    @action(detail=True, methods=["get"])
    def waves(self, request: Request, pk: str) -> Response:
        """The operation's waves with their size, status and dates."""
        operation = selectors.operation_for_user(request.user, pk)
        return Response(WaveSerializer(selectors.operation_waves(operation), many=True).data)


class WaveViewSet(viewsets.ViewSet):
    """Waves: plan (create, add and remove persons), print the manifest, execute."""

    lookup_value_regex = r"[0-9]{1,19}"

    @extend_schema(request=WaveCreateSerializer, responses={201: WaveSerializer})
    def create(self, request: Request) -> Response:
        payload = WaveCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        try:
            operation = selectors.operation_for_user(request.user, data.pop("operation"))
        except Http404:
            raise ValidationError({"operation": _("No operation with this number is within your reach.")}) from None
        wave = services.wave_create(actor=request.user, operation=operation, **data)
        return Response(WaveSerializer(wave).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID], responses=WaveSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(WaveSerializer(selectors.wave_for_user(request.user, pk)).data)

    @extend_schema(methods=["GET"], parameters=[ID], responses=WaveMembersSerializer)
    @extend_schema(
        methods=["POST"], parameters=[ID], request=WaveMemberAddSerializer, responses={201: WaveMembersSerializer}
    )
    @extend_schema(
        methods=["DELETE"],
        parameters=[
            ID,
            OpenApiParameter("person", int, many=True, required=True, description="Person ids to take off the wave"),
            OpenApiParameter("include_children", bool, description="Take their children on the wave off too"),
            OpenApiParameter("version", int, description="The wave's version you read"),
        ],
        request=None,
        responses={200: WaveMembersSerializer},
    )
    @action(detail=True, methods=["get", "post", "delete"])
    def members(self, request: Request, pk: str) -> Response:
        """GET: the manifest (members you reach, by family). POST: add persons (`include_children` adds a
        mother's consented children; `separation_reason` lets a child travel apart). DELETE: take persons off."""
        wave = selectors.wave_for_user(request.user, pk)
        if request.method == "GET":
            return Response(_members_data(request, wave))
        if not rules.may_manage(request.user, wave.operation):
            raise refuse(_("You may not plan waves of this operation."))
        if request.method == "POST":
            payload = WaveMemberAddSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
            services.wave_members_add(
                actor=request.user,
                wave=wave,
                person_ids=data["persons"],
                include_children=data["include_children"],
                separation_reason=data["separation_reason"],
                expected_version=data["version"],
            )
            wave.refresh_from_db()
            return Response(_members_data(request, wave), status=status.HTTP_201_CREATED)
        params = WaveMemberRemoveParams(
            data={
                "person": request.query_params.getlist("person"),
                "include_children": request.query_params.get("include_children", "false"),
                "version": request.query_params.get("version"),
            }
        )
        params.is_valid(raise_exception=True)
        services.wave_members_remove(
            actor=request.user,
            wave=wave,
            person_ids=params.validated_data["person"],
            include_children=params.validated_data["include_children"],
            expected_version=params.validated_data["version"],
        )
        wave.refresh_from_db()
        return Response(_members_data(request, wave))

    @extend_schema(parameters=[ID], responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def manifest(self, request: Request, pk: str) -> HttpResponse:
        """The manifest as PDF: the persons you reach, the columns you may see. Printing is audited."""
        wave = selectors.wave_for_user(request.user, pk)
        response = HttpResponse(
            manifest_pdf(request.user, wave, preferred_script(request)), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="manifest-wave-{wave.pk}.pdf"'
        return response

    @extend_schema(parameters=[ID], request=WaveExecuteSerializer, responses=WaveSerializer)
    @action(detail=True, methods=["post"])
    def execute(self, request: Request, pk: str) -> Response:
        """Mark every person of the wave evacuated on its arrival date, all or nothing."""
        wave = selectors.wave_for_user(request.user, pk)
        if not rules.may_manage(request.user, wave.operation):
            raise refuse(_("You may not plan waves of this operation."))
        payload = WaveExecuteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        wave = services.wave_execute(actor=request.user, wave=wave, version=payload.validated_data["version"])
        return Response(WaveSerializer(wave).data)
