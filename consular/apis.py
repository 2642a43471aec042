"""The self-return API. Same policy, selectors and services as the pages; no filtering by hand here."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from access import policy
from audit.models import AuditAction
from audit.services import audit_record
from consular import selectors, services
from consular.models import SelfReturnRequest, SelfReturnStatus
from consular.serializers import (
    ArrivalInputSerializer,
    IssueInputSerializer,
    MemberInputSerializer,
    MemberSerializer,
    RestorationInputSerializer,
    RestorationSerializer,
    SelfReturnCreateSerializer,
    SelfReturnSerializer,
    TravelInputSerializer,
    WithdrawInputSerializer,
)
from core.api import numbered_page
from people.models import Person

ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
DETAIL_RESPONSE = inline_serializer(
    "SelfReturnDetail",
    {
        "request": SelfReturnSerializer(),
        "members": MemberSerializer(many=True),
        "documents": RestorationSerializer(many=True),
        "missing_travel_documents": serializers.ListField(
            child=serializers.IntegerField(), help_text="Ids of travellers without an issued travel document."
        ),
    },
)


def _person(user: Any, number: int, field: str) -> Person:
    try:
        return policy.person_for_user(user, number)
    except Http404:
        raise ValidationError({field: _("No person with this number is within your reach.")}) from None


def _detail(user: Any, found: SelfReturnRequest) -> dict[str, Any]:
    """The request, its members and documents: fields of classes the user may not see are left out."""
    members = list(found.members.select_related("case").order_by("id"))
    restorations = list(found.restorations.order_by("id"))
    ids = {found.applicant_id, *(m.person_id for m in members)}
    context = {"classes": policy.classes_by_person(user, ids)}
    visible = {pid for pid, classes in context["classes"].items() if classes}
    return {
        "request": SelfReturnSerializer(found, context=context).data,
        "members": MemberSerializer([m for m in members if m.person_id in visible], many=True, context=context).data,
        "documents": RestorationSerializer(
            [r for r in restorations if r.person_id in visible], many=True, context=context
        ).data,
        "missing_travel_documents": [p.pk for p in services.missing_travel_documents(found) if p.pk in visible],
    }


class SelfReturnViewSet(viewsets.ViewSet):
    """Requests for help to return made at a consulate, with the family travelling with the applicant."""

    lookup_value_regex = r"[0-9]{1,19}"  # ids only: anything else is a 404 before any view code runs

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=SelfReturnStatus.values), OpenApiParameter("page", int)],
        responses=numbered_page("PaginatedSelfReturnList", SelfReturnSerializer),
    )
    def list(self, request: Request) -> Response:
        selectors.require_consular_work(request.user)
        rows = selectors.requests_visible_to(request.user).order_by("-requested_on", "-id")
        wanted = request.query_params.get("status", "")
        if wanted:
            if wanted not in SelfReturnStatus.values:
                raise ValidationError({"status": _("Unknown status.")})
            rows = rows.filter(status=wanted)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(rows, request) or []
        context = {"classes": policy.classes_by_person(request.user, [r.applicant_id for r in page])}
        return paginator.get_paginated_response(SelfReturnSerializer(page, many=True, context=context).data)

    @extend_schema(request=SelfReturnCreateSerializer, responses={201: DETAIL_RESPONSE})
    def create(self, request: Request) -> Response:
        """Register a request for a registered person (`applicant`) or a new one (`names` and details)."""
        selectors.require_consular_work(request.user)
        payload = SelfReturnCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        applicant_id = fields.pop("applicant", None)
        names = [dict(n) for n in fields.pop("names", [])]
        if applicant_id is not None:
            fields["applicant"] = _person(request.user, applicant_id, "applicant")
        else:
            fields["names"] = names
        created = services.self_return_register(actor=request.user, **fields)
        return Response(_detail(request.user, created), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID], responses=DETAIL_RESPONSE)
    def retrieve(self, request: Request, pk: str) -> Response:
        found = selectors.request_for_user(request.user, pk)
        audit_record(actor=request.user, action=AuditAction.VIEW, obj=found, person_id=found.applicant_id)
        return Response(_detail(request.user, found))

    def _for_step(self, request: Request, pk: str) -> SelfReturnRequest:
        found = selectors.request_for_user(request.user, pk)
        selectors.require_consular_work(request.user)
        return found

    @extend_schema(methods=["GET"], parameters=[ID], responses=MemberSerializer(many=True))
    @extend_schema(methods=["POST"], parameters=[ID], request=MemberInputSerializer, responses={201: DETAIL_RESPONSE})
    @action(detail=True, methods=["get", "post"])
    def members(self, request: Request, pk: str) -> Response:
        """GET: the family members on the request. POST: add a registered person or register a new child."""
        if request.method == "GET":
            found = selectors.request_for_user(request.user, pk)
            return Response(_detail(request.user, found)["members"])
        found = self._for_step(request, pk)
        payload = MemberInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        person_id = fields.pop("person", None)
        names = [dict(n) for n in fields.pop("names", [])]
        if person_id is not None:
            fields["person"] = _person(request.user, person_id, "person")
        else:
            fields["names"] = names
        services.self_return_member_add(
            actor=request.user, request=found, expected_version=fields.pop("version", None), **fields
        )
        found.refresh_from_db()
        return Response(_detail(request.user, found), status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], parameters=[ID], responses=RestorationSerializer(many=True))
    @extend_schema(
        methods=["POST"], parameters=[ID], request=RestorationInputSerializer, responses={201: DETAIL_RESPONSE}
    )
    @action(detail=True, methods=["get", "post"])
    def documents(self, request: Request, pk: str) -> Response:
        """GET: the documents being restored. POST: ask for one to be restored for a traveller."""
        if request.method == "GET":
            found = selectors.request_for_user(request.user, pk)
            return Response(_detail(request.user, found)["documents"])
        found = self._for_step(request, pk)
        payload = RestorationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        person = _person(request.user, data.pop("person"), "person")
        services.restoration_request(
            actor=request.user, request=found, person=person, expected_version=data.pop("version", None), **data
        )
        found.refresh_from_db()
        return Response(_detail(request.user, found), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID], request=IssueInputSerializer, responses=DETAIL_RESPONSE)
    @action(detail=True, methods=["post"], url_path="documents/issue")
    def issue(self, request: Request, pk: str) -> Response:
        """Record that a restored document was issued; it is added to the person's identity documents."""
        found = self._for_step(request, pk)
        payload = IssueInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        restoration = found.restorations.filter(pk=data.pop("restoration")).first()
        if restoration is None:
            raise ValidationError({"restoration": _("No such document on this request.")})
        services.restoration_issue(
            actor=request.user, restoration=restoration, expected_version=data.pop("version", None), **data
        )
        found.refresh_from_db()
        return Response(_detail(request.user, found))

    @extend_schema(parameters=[ID], request=TravelInputSerializer, responses=DETAIL_RESPONSE)
    @action(detail=True, methods=["post"])
    def travel(self, request: Request, pk: str) -> Response:
        """Arrange the journey: refused while any traveller lacks a restored travel document."""
        found = self._for_step(request, pk)
        payload = TravelInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        found = services.travel_arrange(
            actor=request.user, request=found, expected_version=data.pop("version", None), **data
        )
        return Response(_detail(request.user, found))

    @extend_schema(parameters=[ID], request=ArrivalInputSerializer, responses=DETAIL_RESPONSE)
    @action(detail=True, methods=["post"])
    def arrival(self, request: Request, pk: str) -> Response:
        """Record the family's arrival, all or nothing: every case is marked evacuated (arrival date) and received."""
        found = self._for_step(request, pk)
        payload = ArrivalInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        found = services.arrival_record(
            actor=request.user, request=found, expected_version=data.pop("version", None), **data
        )
        return Response(_detail(request.user, found))

    @extend_schema(parameters=[ID], request=WithdrawInputSerializer, responses=DETAIL_RESPONSE)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """Withdraw the request before arrival; consented cases go back to 'consent pending'."""
        found = self._for_step(request, pk)
        payload = WithdrawInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        found = services.self_return_withdraw(
            actor=request.user, request=found, reason=data["reason"], expected_version=data.get("version")
        )
        return Response(_detail(request.user, found))
