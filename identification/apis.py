"""The identification API. Same selectors and services as the pages; no filtering by hand here."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from access import policy
from access.models import Team, User
from access.rules import Action, DataClass
from core.errors import refuse
from core.parsers import BoundedJSONParser
from identification import imports, selectors, services
from identification.models import ImportBatch, ImportRow
from identification.serializers import (
    CitizenshipVerificationInputSerializer,
    CitizenshipVerificationSerializer,
    IdentificationListDetailSerializer,
    IdentificationListInputSerializer,
    IdentificationListSerializer,
    IdentificationMissionDetailSerializer,
    IdentificationMissionInputSerializer,
    IdentificationMissionSerializer,
    IdentificationPersonParamSerializer,
    IdentificationReturnRequestInputSerializer,
    IdentificationReturnRequestSerializer,
    ImportBatchDetailSerializer,
    ImportBatchSerializer,
    ImportDecisionsInputSerializer,
    ImportMappingInputSerializer,
    ImportUploadInputSerializer,
    MissionContactInputSerializer,
    MissionContactSerializer,
)
from people.models import Person, Place

ID_PATTERN = r"[0-9]{1,19}"  # ids only: anything else is a 404 before any view code runs


def _person(user: Any, person_id: Any, field: str) -> Person:
    try:
        return policy.person_for_user(user, person_id)
    except Http404:
        raise ValidationError({field: _("No person with this number is within your reach.")}) from None


def _name(person: Person, script: str) -> str:
    name = person.name_for(script)
    return name.full if name else f"#{person.pk}"


def _require_identification(user: Any) -> None:
    if not selectors.may_identify(user):
        raise refuse(_("Your role does not work on identification."))


class IdentificationListViewSet(viewsets.ViewSet):
    """Lists of persons believed to be nationals, held by the user's agency. Entries: only persons you may see."""

    lookup_value_regex = ID_PATTERN

    @extend_schema(responses=IdentificationListSerializer(many=True))
    def list(self, request: Request) -> Response:
        _require_identification(request.user)
        home = selectors.identification_home(request.user)
        return Response(IdentificationListSerializer(home.lists, many=True).data)

    @extend_schema(request=IdentificationListInputSerializer, responses={201: IdentificationListSerializer})
    def create(self, request: Request) -> Response:
        payload = IdentificationListInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        created = services.list_create(actor=request.user, **payload.validated_data)
        created.visible_entries = 0  # type: ignore[attr-defined]  # a new list has no entries
        return Response(IdentificationListSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=IdentificationListDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        id_list = selectors.list_for_user(request.user, pk)
        entries = selectors.list_entries(request.user, id_list)
        id_list.visible_entries = len(entries)  # type: ignore[attr-defined]
        classes = policy.classes_by_person(request.user, {e.person_id for e in entries})
        script = getattr(request.user, "preferred_script", "latn")
        rows = []
        for entry in entries:
            row: dict[str, Any] = {"person_id": entry.person_id, "added_at": entry.added_at}
            if DataClass.IDENTITY in classes[entry.person_id]:
                row |= {
                    "name": _name(entry.person, script),
                    "confidence": entry.confidence,
                    "note": entry.note,
                    "document_number": entry.document_number,
                }
            rows.append(row)
        data = IdentificationListSerializer(id_list).data | {"entries": rows}
        return Response(IdentificationListDetailSerializer(data).data)


class MissionViewSet(viewsets.ViewSet):
    """Missions to camps and prisons of the user's agency (or that the user went on), and the persons they met."""

    lookup_value_regex = ID_PATTERN

    @extend_schema(responses=IdentificationMissionSerializer(many=True))
    def list(self, request: Request) -> Response:
        _require_identification(request.user)
        missions = selectors.missions_visible_to(request.user).prefetch_related("members", "places")
        return Response(IdentificationMissionSerializer(missions, many=True).data)

    @extend_schema(request=IdentificationMissionInputSerializer, responses={201: IdentificationMissionSerializer})
    def create(self, request: Request) -> Response:
        _require_identification(request.user)
        payload = IdentificationMissionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        team_id = data.pop("team", None)
        team = Team.objects.filter(pk=team_id).first() if team_id else None
        if team_id and team is None:
            raise ValidationError({"team": _("No such team.")})
        members = list(User.objects.filter(pk__in=data.pop("members"), is_active=True))
        place_ids = data.pop("places")
        places = list(Place.objects.filter(pk__in=place_ids))
        if len(places) != len(set(place_ids)):
            raise ValidationError({"places": _("No such place.")})
        mission = services.mission_create(actor=request.user, team=team, members=members, places=places, **data)
        return Response(IdentificationMissionSerializer(mission).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=IdentificationMissionDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        mission = selectors.mission_for_user(request.user, pk)
        contacts = selectors.mission_contacts(request.user, mission)
        data = IdentificationMissionSerializer(mission).data | {
            "contacts": MissionContactSerializer(contacts, many=True).data
        }
        return Response(data)

    @extend_schema(request=MissionContactInputSerializer, responses={201: MissionContactSerializer})
    @action(detail=True, methods=["post"])
    def contacts(self, request: Request, pk: str) -> Response:
        """Record a person the mission met, at one of its places, during the mission."""
        mission = selectors.mission_for_user(request.user, pk)
        payload = MissionContactInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        place = mission.places.filter(pk=data["place"]).first()
        if place is None:
            raise ValidationError({"place": _("Choose one of the places the mission visited.")})
        contact = services.mission_contact_add(
            actor=request.user,
            mission=mission,
            person=_person(request.user, data["person"], "person"),
            met_on=data["met_on"],
            place=place,
            notes=data["notes"],
        )
        return Response(MissionContactSerializer(contact).data, status=status.HTTP_201_CREATED)


class ReturnRequestViewSet(viewsets.ViewSet):
    """Relatives' requests for the return of a family member (family data of persons you may see)."""

    lookup_value_regex = ID_PATTERN

    @extend_schema(
        parameters=[IdentificationPersonParamSerializer], responses=IdentificationReturnRequestSerializer(many=True)
    )
    def list(self, request: Request) -> Response:
        params = IdentificationPersonParamSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        person = policy.person_for_user(request.user, params.validated_data["person"])
        if not policy.can(request.user, Action.VIEW, DataClass.FAMILY, person):
            raise refuse()
        found = selectors.return_requests_visible_to(request.user).filter(person=person).select_related("relationship")
        return Response(IdentificationReturnRequestSerializer(found, many=True).data)

    @extend_schema(
        request=IdentificationReturnRequestInputSerializer, responses={201: IdentificationReturnRequestSerializer}
    )
    def create(self, request: Request) -> Response:
        payload = IdentificationReturnRequestInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        created = services.return_request_record(
            actor=request.user,
            requested_by=_person(request.user, data.pop("requested_by"), "requested_by"),
            person=_person(request.user, data.pop("person"), "person"),
            **data,
        )
        return Response(IdentificationReturnRequestSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=IdentificationReturnRequestSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(IdentificationReturnRequestSerializer(selectors.return_request_for_user(request.user, pk)).data)


class VerificationViewSet(viewsets.ViewSet):
    """Citizenship verification steps of one person (identity data)."""

    @extend_schema(
        parameters=[IdentificationPersonParamSerializer], responses=CitizenshipVerificationSerializer(many=True)
    )
    def list(self, request: Request) -> Response:
        params = IdentificationPersonParamSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        view = selectors.person_identification(request.user, params.validated_data["person"])
        if view.verifications is None:
            raise refuse()
        return Response(CitizenshipVerificationSerializer(view.verifications, many=True).data)

    @extend_schema(request=CitizenshipVerificationInputSerializer, responses={201: CitizenshipVerificationSerializer})
    def create(self, request: Request) -> Response:
        payload = CitizenshipVerificationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        person = _person(request.user, data.pop("person"), "person")
        step = services.verification_record(actor=request.user, person=person, **data)
        return Response(CitizenshipVerificationSerializer(step).data, status=status.HTTP_201_CREATED)


def _row(row: ImportRow, names: dict[int, str]) -> dict[str, Any]:
    return {
        "row": row.number,
        "values": row.data,
        "reasons": row.errors,
        "candidates": [
            {"person": pid, "score": score, "name": names[pid]} for pid, score in row.candidates if pid in names
        ],
        "decision": row.decision,
        "same_as": row.same_as_id,
        "result": row.result,
    }


def _batch_detail(user: Any, batch: ImportBatch) -> dict[str, Any]:
    script = getattr(user, "preferred_script", "latn")
    bad = selectors.batch_rows(user, batch, bad=True)
    good = selectors.batch_rows(user, batch)
    names = {c.person.pk: _name(c.person, script) for view in good for c in view.candidates}
    data: dict[str, Any] = dict(ImportBatchSerializer(batch).data)
    data["bad_rows"] = [_row(v.row, names) for v in bad]
    data["rows"] = [_row(v.row, names) for v in good]
    return data


class ImportViewSet(viewsets.ViewSet):
    """Spreadsheet imports into a list: upload, `mapping`, `match` (call until status is `matched`),
    `decisions`, `commit` (one transaction) or `discard`. Nothing outside the batch is written before commit."""

    lookup_value_regex = ID_PATTERN
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=ImportBatchSerializer(many=True))
    def list(self, request: Request) -> Response:
        _require_identification(request.user)
        return Response(ImportBatchSerializer(selectors.batches_visible_to(request.user)[:100], many=True).data)

    @extend_schema(request={"multipart/form-data": ImportUploadInputSerializer}, responses={201: ImportBatchSerializer})
    def create(self, request: Request) -> Response:
        _require_identification(request.user)
        payload = ImportUploadInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            id_list = selectors.list_for_user(request.user, payload.validated_data["id_list"])
        except Http404:
            raise ValidationError({"id_list": _("No such list.")}) from None
        batch = imports.import_upload(actor=request.user, id_list=id_list, upload=payload.validated_data["file"])
        return Response(ImportBatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ImportBatchDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        batch = selectors.batch_for_user(request.user, pk)
        return Response(_batch_detail(request.user, batch))

    @extend_schema(request=ImportMappingInputSerializer, responses=ImportBatchDetailSerializer)
    @action(detail=True, methods=["post"])
    def mapping(self, request: Request, pk: str) -> Response:
        """Map target fields to column numbers (from 0); every row is checked and the bad ones listed."""
        batch = selectors.batch_for_user(request.user, pk)
        payload = ImportMappingInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        batch = imports.import_map(actor=request.user, batch=batch, mapping=dict(payload.validated_data))
        return Response(_batch_detail(request.user, batch))

    @extend_schema(request=None, responses=ImportBatchSerializer)
    @action(detail=True, methods=["post"])
    def match(self, request: Request, pk: str) -> Response:
        """Match the next rows against the registry; returns the progress (`rows_done` of `rows_total`)."""
        batch = selectors.batch_for_user(request.user, pk)
        batch = imports.import_match_next(actor=request.user, batch=batch, chunk=imports.MATCH_CHUNK)
        return Response(ImportBatchSerializer(batch).data)

    @extend_schema(request=ImportDecisionsInputSerializer, responses=ImportBatchDetailSerializer)
    @action(detail=True, methods=["post"])
    def decisions(self, request: Request, pk: str) -> Response:
        batch = selectors.batch_for_user(request.user, pk)
        payload = ImportDecisionsInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        items = [dict(item) for item in payload.validated_data["decisions"]]
        batch = imports.import_decide(actor=request.user, batch=batch, decisions=items)
        return Response(_batch_detail(request.user, batch))

    @extend_schema(request=None, responses=ImportBatchSerializer)
    @action(detail=True, methods=["post"])
    def commit(self, request: Request, pk: str) -> Response:
        batch = selectors.batch_for_user(request.user, pk)
        return Response(ImportBatchSerializer(imports.import_commit(actor=request.user, batch=batch)).data)

    @extend_schema(request=None, responses=ImportBatchSerializer)
    @action(detail=True, methods=["post"])
    def discard(self, request: Request, pk: str) -> Response:
        batch = selectors.batch_for_user(request.user, pk)
        return Response(ImportBatchSerializer(imports.import_discard(actor=request.user, batch=batch)).data)
