"""The registry API. Same policy, selectors and services as the pages; no filtering by hand here."""

from io import BytesIO
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from access import policy
from access.api import SecondFactorSerializer, require_fresh_code
from access.rules import Capability, DataClass
from audit.models import AuditAction
from audit.services import audit_record
from casework.services import returnee_register
from core.api import numbered_page, one_page
from core.errors import MAX_ID, refuse
from core.files import SCAN_TYPES
from people import selectors, services
from people.models import Household, HouseholdMember, Person, PersonName, Place, Relationship
from people.serializers import (
    DocumentInputSerializer,
    DocumentNumberReviewSerializer,
    DocumentSerializer,
    ExportRequestSerializer,
    HouseholdInputSerializer,
    HouseholdSerializer,
    NameInputSerializer,
    NameSerializer,
    PersonCreateSerializer,
    PersonSerializer,
    PersonUpdateSerializer,
    PhotoInputSerializer,
    PlaceSerializer,
    PresenceInputSerializer,
    PresenceSerializer,
    RelationshipInputSerializer,
    RelationshipSerializer,
    RemovalSerializer,
    ReviewListParamsSerializer,
    ReviewOutcomeInputSerializer,
    ScanInputSerializer,
    SearchParamsSerializer,
)
from retention.selectors import subject_export as everything_held

SCAN_PARAMETERS = [
    OpenApiParameter("id", int, OpenApiParameter.PATH),
    OpenApiParameter("document_id", int, OpenApiParameter.PATH),
]

PAGE_RESPONSE = one_page(
    inline_serializer(
        "PersonPage",
        {
            "count": serializers.IntegerField(help_text="Exact up to 1,000; 1,001 means more (see count_capped)."),
            "count_capped": serializers.BooleanField(),
            "page": serializers.IntegerField(),
            "pages": serializers.IntegerField(),
            "results": PersonSerializer(many=True),
        },
    )
)


def _classes_context(user: Any, persons: list[Person]) -> dict[str, Any]:
    return {"classes": policy.classes_by_person(user, [p.pk for p in persons])}


def _require(person_classes: frozenset[DataClass], data_class: DataClass) -> None:
    if data_class not in person_classes:
        raise refuse()


class PersonViewSet(viewsets.ViewSet):
    """Persons the user may see. Search with `q` (any script or spelling), filter by category, state, place."""

    lookup_value_regex = r"[0-9]{1,19}"  # ids only: anything else is a 404 before any view code runs

    @extend_schema(parameters=[SearchParamsSerializer], responses=PAGE_RESPONSE)
    def list(self, request: Request) -> Response:
        params = SearchParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        p = params.validated_data
        page = selectors.person_search(
            request.user,
            query=p["q"],
            category=p["category"],
            state=p["state"],
            place_id=p["place"],
            page_number=p["page"],
        )
        persons = list(page.object_list)
        data = PersonSerializer(persons, many=True, context=_classes_context(request.user, persons)).data
        return Response(
            {
                "count": page.paginator.count,
                "count_capped": getattr(page.paginator, "capped", False),
                "page": page.number,
                "pages": page.paginator.num_pages,
                "results": data,
            }
        )

    @extend_schema(request=ExportRequestSerializer, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="export")
    def export(self, request: Request) -> Response:
        """The search as rows, for roles with export rights. Needs a fresh second-factor code; audited."""
        if not policy.may_export(request.user):
            raise refuse(_("Your role may not export."))
        require_fresh_code(request)
        params = ExportRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        p = params.validated_data
        rows = selectors.person_export(
            request.user, query=p["q"], category=p["category"], state=p["state"], place_id=p["place"]
        )
        return Response({"count": len(rows), "rows": rows})

    @extend_schema(request=PersonCreateSerializer, responses={201: PersonSerializer})
    def create(self, request: Request) -> Response:
        """Register a returnee: the person, their names and a new case, in one step."""
        payload = PersonCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        names = [dict(n) for n in fields.pop("names")]
        parent_case = None
        if fields.get("parent_case"):
            try:
                parent_case = policy.case_for_user(request.user, fields["parent_case"])
            except Http404:
                raise ValidationError({"parent_case": _("No case with this number is within your reach.")}) from None
        fields.pop("parent_case", None)
        case = returnee_register(actor=request.user, names=names, parent_case=parent_case, **fields)
        person = Person.objects.prefetch_related("names").select_related("case").get(pk=case.person_id)
        return Response(
            PersonSerializer(person, context=_classes_context(request.user, [person])).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)], responses=PersonSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        person = policy.person_for_user(request.user, pk)
        person = Person.objects.prefetch_related("names").select_related("case").get(pk=person.pk)
        context = _classes_context(request.user, [person])
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            obj=person,
            person_id=person.pk,
            changes={"classes": sorted(context["classes"][person.pk])},
        )
        return Response(PersonSerializer(person, context=context).data)

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        request=PersonUpdateSerializer,
        responses=PersonSerializer,
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        person = policy.person_for_user(request.user, pk)
        payload = PersonUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        if "version" not in fields:
            raise ValidationError({"version": _("Give the version you read, so another person's change is not lost.")})
        services.person_update(
            actor=request.user,
            person=person,
            expected_version=fields.pop("version"),
            reason=fields.pop("reason", ""),
            **fields,
        )
        person = Person.objects.prefetch_related("names").select_related("case").get(pk=person.pk)
        return Response(PersonSerializer(person, context=_classes_context(request.user, [person])).data)

    def _person_and_classes(self, request: Request, pk: str) -> tuple[Person, frozenset[DataClass]]:
        person = policy.person_for_user(request.user, pk)
        return person, policy.visible_classes(request.user, person)

    @extend_schema(methods=["GET"], responses=NameSerializer(many=True))
    @extend_schema(methods=["POST"], request=NameInputSerializer, responses={201: NameSerializer})
    @action(detail=True, methods=["get", "post"])
    def names(self, request: Request, pk: str) -> Response:
        person, classes = self._person_and_classes(request, pk)
        _require(classes, DataClass.IDENTITY)
        context = {"classes": {person.pk: classes}}
        if request.method == "POST":
            payload = NameInputSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            name = services.name_add(actor=request.user, person=person, **payload.validated_data)
            return Response(NameSerializer(name, context=context).data, status=status.HTTP_201_CREATED)
        return Response(NameSerializer(person.names.all(), many=True, context=context).data)

    @extend_schema(methods=["GET"], responses=DocumentSerializer(many=True))
    @extend_schema(methods=["POST"], request=DocumentInputSerializer, responses={201: DocumentSerializer})
    @action(detail=True, methods=["get", "post"])
    def documents(self, request: Request, pk: str) -> Response:
        person, classes = self._person_and_classes(request, pk)
        _require(classes, DataClass.IDENTITY)
        context = {"classes": {person.pk: classes}}
        if request.method == "POST":
            payload = DocumentInputSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            document = services.document_add(actor=request.user, person=person, **payload.validated_data)
            return Response(DocumentSerializer(document, context=context).data, status=status.HTTP_201_CREATED)
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            obj=person,
            person_id=person.pk,
            changes={"documents": ["viewed", "viewed"]},
        )
        return Response(DocumentSerializer(person.documents.all(), many=True, context=context).data)

    @extend_schema(methods=["GET"], responses=RelationshipSerializer(many=True))
    @extend_schema(methods=["POST"], request=RelationshipInputSerializer, responses={201: RelationshipSerializer})
    @action(detail=True, methods=["get", "post"])
    def relationships(self, request: Request, pk: str) -> Response:
        person, classes = self._person_and_classes(request, pk)
        _require(classes, DataClass.FAMILY)
        if request.method == "POST":
            payload = RelationshipInputSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
            try:
                other = policy.person_for_user(request.user, data["other"])
            except Http404:
                raise ValidationError({"other": _("No person with this number is within your reach.")}) from None
            relationship = services.relationship_add(
                actor=request.user,
                subject=person,
                obj=other,
                kind=data["kind"],
                basis=data["basis"],
                note=data["note"],
            )
            return Response(RelationshipSerializer(relationship).data, status=status.HTTP_201_CREATED)
        rows = Relationship.objects.filter(subject=person) | Relationship.objects.filter(object=person)
        return Response(RelationshipSerializer(rows.order_by("id"), many=True).data)

    @extend_schema(methods=["GET"], responses=PresenceSerializer(many=True))
    @extend_schema(methods=["POST"], request=PresenceInputSerializer, responses={201: PresenceSerializer})
    @action(detail=True, methods=["get", "post"])
    def presences(self, request: Request, pk: str) -> Response:
        person, classes = self._person_and_classes(request, pk)
        _require(classes, DataClass.LOCATION)
        if request.method == "POST":
            payload = PresenceInputSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            presence = services.presence_record(actor=request.user, person=person, **payload.validated_data)
            return Response(PresenceSerializer(presence).data, status=status.HTTP_201_CREATED)
        return Response(PresenceSerializer(person.presences.all(), many=True).data)

    @extend_schema(methods=["GET"], responses=HouseholdSerializer(many=True))
    @extend_schema(methods=["POST"], request=HouseholdInputSerializer, responses={201: HouseholdSerializer})
    @action(detail=True, methods=["get", "post"])
    def households(self, request: Request, pk: str) -> Response:
        """GET: the person's households. POST: start one (`name`) or join one (`household`)."""
        person, classes = self._person_and_classes(request, pk)
        _require(classes, DataClass.FAMILY)
        if request.method == "POST":
            payload = HouseholdInputSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
            if bool(data["name"]) == bool(data["household"]):
                raise ValidationError(
                    {"name": _("Give either a new household's name or an existing household's number.")}
                )
            if data["name"]:
                household = services.household_create(actor=request.user, name=data["name"], head=person)
            else:
                reachable = HouseholdMember.objects.filter(person__in=policy.persons_visible_to(request.user))
                found = Household.objects.filter(pk=data["household"], householdmember__in=reachable).first()
                if found is None:
                    raise ValidationError({"household": _("No household with this number is within your reach.")})
                services.household_member_add(actor=request.user, household=found, person=person)
                household = found
            return Response(_household_data(request.user, household), status=status.HTTP_201_CREATED)
        return Response([_household_data(request.user, h) for h in Household.objects.filter(members=person)])

    @extend_schema(methods=["GET"], responses={(200, "image/jpeg"): bytes})  # photos are stored as JPEG
    @extend_schema(methods=["POST"], request={"multipart/form-data": PhotoInputSerializer}, responses={204: None})
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser])
    def photo(self, request: Request, pk: str) -> Response | FileResponse:
        """GET: download the photo (never a public URL). POST: upload one; it is re-encoded without metadata."""
        person, classes = self._person_and_classes(request, pk)
        _require(classes, DataClass.IDENTITY)
        if request.method == "POST":
            payload = PhotoInputSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            services.photo_set(actor=request.user, person=person, upload=payload.validated_data["photo"])
            return Response(status=status.HTTP_204_NO_CONTENT)
        content = services.photo_read(actor=request.user, person=person)
        return FileResponse(
            BytesIO(content), as_attachment=True, filename=f"person-{person.pk}-photo.jpg", content_type="image/jpeg"
        )

    @extend_schema(
        methods=["GET"],
        parameters=SCAN_PARAMETERS,
        responses={(200, content_type): OpenApiTypes.BINARY for content_type in SCAN_TYPES.values()},
    )
    @extend_schema(
        methods=["POST"],
        parameters=SCAN_PARAMETERS,
        request={"multipart/form-data": ScanInputSerializer},
        responses={200: DocumentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path=r"documents/(?P<document_id>[0-9]{1,18})/scan",
        parser_classes=[MultiPartParser],
    )
    def document_scan(self, request: Request, pk: str, document_id: str) -> Response | FileResponse:
        """GET: download the scan of an identity document (an attachment, audited). POST: attach one, replacing
        any earlier scan: a PDF, JPEG or PNG recognised by its contents; images are re-encoded without metadata."""
        document = services.document_for_user(request.user, pk, document_id)
        if request.method == "POST":
            payload = ScanInputSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            document = services.document_scan_attach(
                actor=request.user, document=document, upload=payload.validated_data["scan"]
            )
            context = {"classes": {document.person_id: policy.visible_classes(request.user, document.person)}}
            return Response(DocumentSerializer(document, context=context).data)
        scan = services.document_scan_read(actor=request.user, document=document)
        return FileResponse(
            BytesIO(scan.content), as_attachment=True, filename=scan.filename, content_type=scan.content_type
        )

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        request=SecondFactorSerializer,
        responses={200: dict},
    )
    @action(detail=True, methods=["post"], url_path="subject-export")
    def subject_export(self, request: Request, pk: str) -> Response:
        """Everything held about the person, for a lawful request (data protection officers). Needs a fresh code."""
        # Authorise before reading the body: an outsider learns nothing, not even that a code is wanted.
        if not policy.has_capability(request.user, Capability.EXPORT_SUBJECT_DATA):
            raise refuse()
        policy.person_for_user(request.user, pk)
        require_fresh_code(request)
        return Response(everything_held(request.user, pk))


def _household_data(user: Any, household: Household) -> dict[str, Any]:
    visible = policy.persons_visible_to(user)
    members = list(household.householdmember_set.filter(person__in=visible).values_list("person_id", flat=True))
    return {"id": household.pk, "name": household.name, "members": members}


class NameViewSet(viewsets.ViewSet):
    lookup_value_regex = r"[0-9]{1,19}"  # ids only: anything else is a 404 before any view code runs

    @extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)], request=None, responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        name = get_object_or_404(
            PersonName.objects.filter(person__in=policy.persons_visible_to(request.user)), pk=_int(pk)
        )
        services.name_remove(actor=request.user, name=name)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RelationshipViewSet(viewsets.ViewSet):
    lookup_value_regex = r"[0-9]{1,19}"  # ids only: anything else is a 404 before any view code runs

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        request=RemovalSerializer,
        responses={204: None},
    )
    def destroy(self, request: Request, pk: str) -> Response:
        visible = policy.persons_visible_to(request.user)
        relationship = get_object_or_404(
            Relationship.objects.filter(subject__in=visible, object__in=visible).select_related("subject", "object"),
            pk=_int(pk),
        )
        payload = RemovalSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.relationship_remove(
            actor=request.user, relationship=relationship, reason=payload.validated_data["reason"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlaceViewSet(viewsets.ReadOnlyModelViewSet):
    """Reference list of places (countries, camps, prisons, regions, facilities). Holds no personal data."""

    serializer_class = PlaceSerializer
    queryset = Place.objects.order_by("kind", "name")


class DocumentNumberReviewViewSet(viewsets.ViewSet):
    """Document numbers sent to the civil registry officers for review (decision 0038): their worklist, open
    reviews first, oldest first, and settling one. Every other caller is refused; an id is answered 404 alike
    whether it is missing or the caller settles no reviews. Reading the numbers is audited."""

    lookup_value_regex = r"[0-9]{1,19}"  # ids only: anything else is a 404 before any view code runs

    @extend_schema(
        parameters=[ReviewListParamsSerializer],
        responses=numbered_page("PaginatedDocumentNumberReviewList", DocumentNumberReviewSerializer),
    )
    def list(self, request: Request) -> Response:
        if not policy.may_review_document_numbers(request.user):
            raise refuse(_("Only a civil registry officer reviews document numbers."))
        params = ReviewListParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        reviews = selectors.document_number_reviews_for(request.user, state=params.validated_data["state"])
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(reviews, request) or []
        rows = selectors.document_number_review_rows(request.user, page)
        return paginator.get_paginated_response(DocumentNumberReviewSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        request=ReviewOutcomeInputSerializer,
        responses=DocumentNumberReviewSerializer,
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        """Settle an open review with the finding; a review is settled once."""
        review = policy.document_number_review_for_user(request.user, pk)
        payload = ReviewOutcomeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        review = services.document_number_review_resolve(
            actor=request.user, review=review, outcome=payload.validated_data["outcome"]
        )
        (row,) = selectors.document_number_review_rows(request.user, [review])
        return Response(DocumentNumberReviewSerializer(row).data)


def _int(value: str) -> int:
    number = int(value) if value.isdigit() else 0
    if not 0 < number <= MAX_ID:
        raise Http404
    return number
