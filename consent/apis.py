"""The consent API. Same policy, selectors and services as the pages; no filtering by hand here."""

from io import BytesIO
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from access import policy
from access.models import User
from access.rules import Action, Capability, DataClass
from consent import selectors, services
from consent.models import ConsentRecord
from consent.receipts import consent_receipt
from consent.serializers import (
    BestInterestsDecisionSerializer,
    BestInterestsInputSerializer,
    ConsentCaseStateSerializer,
    ConsentFamilyInputSerializer,
    ConsentInputSerializer,
    ConsentPersonParamSerializer,
    ConsentRecordSerializer,
    ConsentRevisitInputSerializer,
    ConsentScanInputSerializer,
    ConsentStatementSerializer,
    PanelChildParamSerializer,
    PanelWaitingChildSerializer,
)
from core.errors import refuse
from core.files import SCAN_TYPES
from people.models import Person

ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
ANSWER_FIELDS = (
    "statement",
    "told_may_be_held_responsible",
    "language",
    "interpreter",
    "witness",
    "recorded_on",
    "place",
    "reason",
)


def _person(user: Any, person_id: int, field: str) -> Person:
    try:
        return policy.person_for_user(user, person_id)
    except policy.NotVisible:
        raise ValidationError({field: _("No person with this number is within your reach.")}) from None


def _record_data(user: Any, record: ConsentRecord) -> dict[str, Any]:
    classes = {record.person_id: policy.visible_classes(user, record.person)}
    return dict(ConsentRecordSerializer(record, context={"classes": classes}).data)


class ConsentRecordViewSet(viewsets.ViewSet):
    """Consents, refusals and withdrawals of return: one record per answer, never edited."""

    lookup_value_regex = r"[0-9]{1,19}"  # ids only: anything else is a 404 before any view code runs

    @extend_schema(parameters=[ConsentPersonParamSerializer], responses=ConsentRecordSerializer(many=True))
    def list(self, request: Request) -> Response:
        """The answers recorded for one person (`?person=<id>`), newest first."""
        params = ConsentPersonParamSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        person, records, classes = selectors.person_records(request.user, params.validated_data["person"])
        return Response(ConsentRecordSerializer(records, many=True, context={"classes": {person.pk: classes}}).data)

    @extend_schema(parameters=[ID], responses=ConsentRecordSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        record = selectors.record_for_user(request.user, pk)
        return Response(_record_data(request.user, record))

    @extend_schema(request=ConsentInputSerializer, responses={201: ConsentRecordSerializer})
    def create(self, request: Request) -> Response:
        """Record a consent, refusal or withdrawal; the case moves with it (consented, refused, back to pending)."""
        payload = ConsentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        person = policy.person_for_user(request.user, data["person"])
        representative = (
            _person(request.user, data["representative"], "representative") if data["representative"] else None
        )
        panel = None
        if data["best_interests_decision"]:
            try:
                panel = selectors.decision_for_user(request.user, data["best_interests_decision"], audit=False)
            except policy.NotVisible:
                raise ValidationError({"best_interests_decision": _("No such decision within your reach.")}) from None
        record = services.consent_record(
            actor=request.user,
            person=person,
            decision=data["decision"],
            given_by=data["given_by"],
            representative=representative,
            best_interests_decision=panel,
            **{k: data[k] for k in ANSWER_FIELDS},
        )
        return Response(_record_data(request.user, record), status=status.HTTP_201_CREATED)

    @extend_schema(request=ConsentFamilyInputSerializer, responses={201: ConsentRecordSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def family(self, request: Request) -> Response:
        """The mother answers for herself and her children in one act: all records or none."""
        payload = ConsentFamilyInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        mother = policy.person_for_user(request.user, data["mother"])
        children = [_person(request.user, pk, "children") for pk in data["children"]]
        records = services.consent_record_family(
            actor=request.user,
            mother=mother,
            children=children,
            decision=data["decision"],
            **{k: data[k] for k in ANSWER_FIELDS},
        )
        return Response([_record_data(request.user, r) for r in records], status=status.HTTP_201_CREATED)

    @extend_schema(request=ConsentRevisitInputSerializer, responses=ConsentCaseStateSerializer)
    @action(detail=False, methods=["post"])
    def revisit(self, request: Request) -> Response:
        """Reopen the question after a refusal (reason required): the case goes back to consent pending."""
        payload = ConsentRevisitInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        person = policy.person_for_user(request.user, payload.validated_data["person"])
        case = services.consent_revisit(actor=request.user, person=person, reason=payload.validated_data["reason"])
        return Response({"id": case.pk, "number": case.number, "state": case.state})

    @extend_schema(responses=ConsentStatementSerializer(many=True))
    @action(detail=False, methods=["get"])
    def statements(self, request: Request) -> Response:
        """The statements in use, in every language: what is read to a person before they answer."""
        if not policy.reaches_cases(request.user):
            raise refuse()
        return Response(ConsentStatementSerializer(selectors.active_statements(), many=True).data)

    @extend_schema(parameters=[ID], responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def receipt(self, request: Request, pk: str) -> FileResponse:
        """The printable receipt in the person's language (PDF attachment, audited)."""
        record = selectors.record_for_user(request.user, pk)
        pdf = consent_receipt(actor=request.user, record=record)
        return FileResponse(
            BytesIO(pdf.content), as_attachment=True, filename=pdf.filename, content_type=pdf.content_type
        )

    @extend_schema(
        methods=["GET"],
        parameters=[ID],
        responses={(200, content_type): OpenApiTypes.BINARY for content_type in SCAN_TYPES.values()},
    )
    @extend_schema(
        methods=["POST"],
        parameters=[ID],
        request={"multipart/form-data": ConsentScanInputSerializer},
        responses={200: ConsentRecordSerializer},
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser])
    def scan(self, request: Request, pk: str) -> Response | FileResponse:
        """GET: the signed receipt's scan (attachment, audited). POST: attach one (PDF, JPEG or PNG by contents)."""
        record = selectors.record_for_user(request.user, pk)
        if request.method == "POST":
            if not policy.can(request.user, Action.CHANGE, DataClass.IDENTITY, record.person):
                raise refuse()
            payload = ConsentScanInputSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            record = services.consent_scan_attach(
                actor=request.user, record=record, upload=payload.validated_data["scan"]
            )
            return Response(_record_data(request.user, record))
        download = services.consent_scan_read(actor=request.user, record=record)
        return FileResponse(
            BytesIO(download.content),
            as_attachment=True,
            filename=download.filename,
            content_type=download.content_type,
        )


class BestInterestsDecisionViewSet(viewsets.ViewSet):
    """Decisions of the best-interests panel for orphans and unaccompanied children (child-protection data)."""

    lookup_value_regex = r"[0-9]{1,19}"

    @extend_schema(parameters=[PanelChildParamSerializer], responses=BestInterestsDecisionSerializer(many=True))
    def list(self, request: Request) -> Response:
        """The panel's decisions for one child (`?child=<id>`), newest first. Audited."""
        params = PanelChildParamSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        child, decisions, classes = selectors.person_decisions(request.user, params.validated_data["child"])
        return Response(
            BestInterestsDecisionSerializer(decisions, many=True, context={"classes": {child.pk: classes}}).data
        )

    @extend_schema(parameters=[ID], responses=BestInterestsDecisionSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        decision = selectors.decision_for_user(request.user, pk)
        classes = {decision.child_id: policy.visible_classes(request.user, decision.child)}
        return Response(BestInterestsDecisionSerializer(decision, context={"classes": classes}).data)

    @extend_schema(request=BestInterestsInputSerializer, responses={201: BestInterestsDecisionSerializer})
    def create(self, request: Request) -> Response:
        """Record the panel's decision: at least two members holding the panel's mandate."""
        payload = BestInterestsInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        child = policy.person_for_user(request.user, data.pop("child"))
        member_ids = set(data.pop("members"))
        members = list(User.objects.filter(pk__in=member_ids))
        if len(members) != len(member_ids):
            raise ValidationError({"members": _("One of the panel members does not exist.")})
        decision = services.best_interests_decide(actor=request.user, child=child, members=members, **data)
        classes = {child.pk: policy.visible_classes(request.user, child)}
        return Response(
            BestInterestsDecisionSerializer(decision, context={"classes": classes}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses=PanelWaitingChildSerializer(many=True))
    @action(detail=False, methods=["get"])
    def waiting(self, request: Request) -> Response:
        """Children within reach whom only the panel may decide for, still waiting for an answer."""
        if not policy.has_capability(request.user, Capability.DECIDE_BEST_INTERESTS):
            raise refuse()
        rows = selectors.children_needing_panel(request.user)
        return Response(
            [
                {
                    "child": row.child.pk,
                    "case": row.case.pk,
                    "case_number": row.case.number,
                    "orphan": row.deciders.orphan,
                    "unaccompanied": row.deciders.unaccompanied,
                    "latest_decision": row.latest.decision if row.latest else None,
                    "latest_decision_id": row.latest.pk if row.latest else None,
                }
                for row in rows
            ]
        )
