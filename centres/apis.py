"""The centre's API. Same policy, selectors and services as the pages; no filtering by hand here."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from access import policy
from access.models import User
from access.rules import DataClass
from centres import reach, selectors, services
from centres.models import Building, Group, Room, Session, Stay
from centres.serializers import (
    CentreAttendanceInputSerializer,
    CentreBoardSerializer,
    CentreBuildingInputSerializer,
    CentreBuildingSerializer,
    CentreDayQuerySerializer,
    CentreDischargeSerializer,
    CentreFilterSerializer,
    CentreGroupAdmitSerializer,
    CentreGroupInputSerializer,
    CentreGroupSerializer,
    CentreInputSerializer,
    CentreMemberInputSerializer,
    CentrePlanSerializer,
    CentreRoomInputSerializer,
    CentreRoomSerializer,
    CentreSerializer,
    CentreSessionInputSerializer,
    CentreSessionSerializer,
    CentreSheetSerializer,
    CentreStayFilterSerializer,
    CentreStayInputSerializer,
    CentreStaySerializer,
)
from core.api import one_page
from core.errors import refuse
from core.http import preferred_script
from people.models import Person, Place

ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
IDS = r"[0-9]{1,18}"  # ids only: anything else is a 404 before any view code runs
PAGE_SIZE = 50


def _person(user: Any, person_id: int, field: str = "person") -> Person:
    try:
        return policy.person_for_user(user, person_id)
    except Http404:
        raise ValidationError({field: _("No person with this number is within your reach.")}) from None


def _stay_data(user: Any, stays: list[Stay]) -> Any:
    context = {"classes": policy.classes_by_person(user, {s.person_id for s in stays})}
    return CentreStaySerializer(stays, many=True, context=context).data


class CentreViewSet(viewsets.ViewSet):
    """Centres the caller works at (its agency, or listed on its staff), with beds and occupancy."""

    lookup_value_regex = IDS

    @extend_schema(parameters=[CentreDayQuerySerializer], responses=CentreSerializer(many=True))
    def list(self, request: Request) -> Response:
        if not reach.works_at_centres(request.user):
            raise refuse(_("Your role does not work at centres."))
        params = CentreDayQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        on = params.validated_data["on"] or timezone.localdate()
        return Response(CentreSerializer(selectors.centre_list(request.user, on), many=True).data)

    @extend_schema(parameters=[ID], responses=CentreSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        centre = reach.centre_for_user(request.user, pk)
        rows = selectors.centre_list(request.user, timezone.localdate())
        return Response(CentreSerializer(next(r for r in rows if r.centre.pk == centre.pk)).data)

    @extend_schema(request=CentreInputSerializer, responses={201: CentreSerializer})
    def create(self, request: Request) -> Response:
        """Open a centre run by the caller's agency (Capability.MANAGE_CENTRE)."""
        payload = CentreInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        place = Place.objects.filter(pk=data.pop("place")).first()
        if place is None:
            raise ValidationError({"place": _("No place with this number.")})
        centre = services.centre_create(actor=request.user, place=place, **data)
        row = selectors.CentreRow(centre, buildings=0, beds=0, occupied=0)
        return Response(CentreSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID, CentreDayQuerySerializer], responses=CentreBoardSerializer)
    @action(detail=True, methods=["get"])
    def board(self, request: Request, pk: str) -> Response:
        """The occupancy board: per building and room, beds, occupied and free on the date; persons the caller
        may not see are counted, not named."""
        centre = reach.centre_for_user(request.user, pk)
        params = CentreDayQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        on = params.validated_data["on"] or timezone.localdate()
        board = selectors.occupancy_board(request.user, centre, on, preferred_script(request))
        return Response(CentreBoardSerializer(board).data)

    @extend_schema(parameters=[ID], request=CentreBuildingInputSerializer, responses={201: CentreBuildingSerializer})
    @action(detail=True, methods=["post"])
    def buildings(self, request: Request, pk: str) -> Response:
        centre = reach.centre_for_user(request.user, pk)
        payload = CentreBuildingInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        building = services.building_add(actor=request.user, centre=centre, **payload.validated_data)
        return Response(CentreBuildingSerializer(building).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID], request=CentreRoomInputSerializer, responses={201: CentreRoomSerializer})
    @action(detail=True, methods=["post"])
    def rooms(self, request: Request, pk: str) -> Response:
        centre = reach.centre_for_user(request.user, pk)
        payload = CentreRoomInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        building = Building.objects.filter(centre=centre, pk=data["building"]).first()
        if building is None:
            raise ValidationError({"building": _("This building is not in this centre.")})
        room = services.room_add(actor=request.user, building=building, name=data["name"], capacity=data["capacity"])
        return Response(CentreRoomSerializer(room).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ID], request=CentreGroupAdmitSerializer, responses={201: CentreStaySerializer(many=True)}
    )
    @action(detail=True, methods=["post"], url_path="admit-group")
    def admit_group(self, request: Request, pk: str) -> Response:
        """Admit a whole arrival into one building (default: the first free one), families kept in one room where
        the beds allow. All or nothing: with too few beds the answer says how many are missing."""
        centre = reach.centre_for_user(request.user, pk)
        payload = CentreGroupAdmitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        building = None
        if data["building"] is not None:
            building = Building.objects.filter(centre=centre, pk=data["building"]).first()
            if building is None:
                raise ValidationError({"building": _("This building is not in this centre.")})
        persons = [_person(request.user, pid, "persons") for pid in dict.fromkeys(data["persons"])]
        stays = services.group_admit(
            actor=request.user, centre=centre, persons=persons, admitted_on=data["admitted_on"], building=building
        )
        return Response(_stay_data(request.user, stays), status=status.HTTP_201_CREATED)


class StayViewSet(viewsets.ViewSet):
    """Stays at centres of the persons the caller reaches and whose whereabouts they may see."""

    lookup_value_regex = IDS

    @extend_schema(
        parameters=[CentreStayFilterSerializer],
        responses=one_page(
            inline_serializer(
                "CentreStayPage",
                {
                    "count": serializers.IntegerField(),
                    "page": serializers.IntegerField(),
                    "results": CentreStaySerializer(many=True),
                },
            )
        ),
    )
    def list(self, request: Request) -> Response:
        params = CentreStayFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        p = params.validated_data
        stays = selectors.stays_visible_to(request.user).order_by("-admitted_on", "-id")
        if p["centre"] is not None:
            stays = stays.filter(centre_id=p["centre"])
        if p["open"] is not None:
            stays = stays.filter(discharged_on__isnull=p["open"])
        page = Paginator(stays, PAGE_SIZE).get_page(p["page"])
        rows = list(page.object_list)
        classes = policy.classes_by_person(request.user, {s.person_id for s in rows})
        rows = [s for s in rows if DataClass.LOCATION in classes[s.person_id]]
        data = CentreStaySerializer(rows, many=True, context={"classes": classes}).data
        return Response({"count": page.paginator.count, "page": page.number, "results": data})

    @extend_schema(parameters=[ID], responses=CentreStaySerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        stay = selectors.stay_for_user(request.user, pk)
        return Response(_stay_data(request.user, [stay])[0])

    @extend_schema(request=CentreStayInputSerializer, responses={201: CentreStaySerializer})
    def create(self, request: Request) -> Response:
        """Admit one person: refused beyond the room's beds, for a second stay under way, or before arrival."""
        payload = CentreStayInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        centre = reach.centre_for_user(request.user, data["centre"])
        room = None
        if data["room"] is not None:
            room = Room.objects.filter(building__centre=centre, pk=data["room"]).first()
            if room is None:
                raise ValidationError({"room": _("This room is not in this centre.")})
        stay = services.stay_admit(
            actor=request.user,
            centre=centre,
            person=_person(request.user, data["person"]),
            kind=data["kind"],
            room=room,
            admitted_on=data["admitted_on"],
            planned_until=data["planned_until"],
        )
        return Response(_stay_data(request.user, [stay])[0], status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID], request=CentreDischargeSerializer, responses=CentreStaySerializer)
    @action(detail=True, methods=["post"])
    def discharge(self, request: Request, pk: str) -> Response:
        """End the stay and free the bed; the case stays where it is (relocation is a case transition)."""
        stay = selectors.stay_for_user(request.user, pk)
        payload = CentreDischargeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        stay = services.stay_discharge(actor=request.user, stay=stay, **payload.validated_data)
        return Response(_stay_data(request.user, [stay])[0])

    @extend_schema(parameters=[ID], request=CentrePlanSerializer, responses=CentreStaySerializer)
    @action(detail=True, methods=["post"])
    def plan(self, request: Request, pk: str) -> Response:
        """Change the planned end of a stay under way."""
        stay = selectors.stay_for_user(request.user, pk)
        payload = CentrePlanSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        stay = services.stay_plan(actor=request.user, stay=stay, **payload.validated_data)
        return Response(_stay_data(request.user, [stay])[0])


def _group_out(row: selectors.GroupRow) -> dict[str, Any]:
    """A group with the ids of the members the caller may see, and a count of the others."""
    row.group.visible_members = [pid for pid, _ in row.members]  # type: ignore[attr-defined]
    row.group.hidden_members = row.hidden  # type: ignore[attr-defined]
    return dict(CentreGroupSerializer(row.group).data)


def _group_data(user: Any, group: Group) -> dict[str, Any]:
    return _group_out(next(r for r in selectors.groups_of(user, group.centre) if r.group.pk == group.pk))


class GroupViewSet(viewsets.ViewSet):
    """Groups of a centre by social profile, with the members the caller may see."""

    lookup_value_regex = IDS

    @extend_schema(parameters=[CentreFilterSerializer], responses=CentreGroupSerializer(many=True))
    def list(self, request: Request) -> Response:
        params = CentreFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        centre = reach.centre_for_user(request.user, params.validated_data["centre"])
        rows = selectors.groups_of(request.user, centre)
        return Response([_group_out(r) for r in rows])

    @extend_schema(parameters=[ID], responses=CentreGroupSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        group = selectors.group_for_user(request.user, pk)
        return Response(_group_data(request.user, group))

    @extend_schema(request=CentreGroupInputSerializer, responses={201: CentreGroupSerializer})
    def create(self, request: Request) -> Response:
        payload = CentreGroupInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        centre = reach.centre_for_user(request.user, data.pop("centre"))
        group = services.group_create(actor=request.user, centre=centre, **data)
        return Response(_group_data(request.user, group), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID], request=CentreMemberInputSerializer, responses={201: CentreGroupSerializer})
    @action(detail=True, methods=["post"])
    def members(self, request: Request, pk: str) -> Response:
        """Add a person staying at the centre to the group."""
        group = selectors.group_for_user(request.user, pk)
        payload = CentreMemberInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        person = _person(request.user, payload.validated_data["person"])
        services.group_member_add(actor=request.user, group=group, person=person)
        return Response(_group_data(request.user, group), status=status.HTTP_201_CREATED)


class SessionViewSet(viewsets.ViewSet):
    """The daily programme: sessions of specialists with groups, and attendance."""

    lookup_value_regex = IDS

    @extend_schema(parameters=[CentreFilterSerializer], responses=CentreSessionSerializer(many=True))
    def list(self, request: Request) -> Response:
        params = CentreFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        centre = reach.centre_for_user(request.user, params.validated_data["centre"])
        on = params.validated_data["on"] or timezone.localdate()
        return Response(CentreSessionSerializer(selectors.programme_day(centre, on), many=True).data)

    @extend_schema(parameters=[ID], responses=CentreSessionSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(CentreSessionSerializer(selectors.session_for_user(request.user, pk)).data)

    @extend_schema(request=CentreSessionInputSerializer, responses={201: CentreSessionSerializer})
    def create(self, request: Request) -> Response:
        payload = CentreSessionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        centre = reach.centre_for_user(request.user, data.pop("centre"))
        group = Group.objects.filter(centre=centre, pk=data.pop("group")).first()
        if group is None:
            raise ValidationError({"group": _("This group is not in this centre.")})
        specialist = User.objects.filter(pk=data.pop("specialist"), is_active=True).first()
        if specialist is None:
            raise ValidationError({"specialist": _("No active user with this number.")})
        session = services.session_plan(actor=request.user, centre=centre, group=group, specialist=specialist, **data)
        return Response(CentreSessionSerializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], parameters=[ID], responses=CentreSheetSerializer)
    @extend_schema(
        methods=["POST"], parameters=[ID], request=CentreAttendanceInputSerializer, responses=CentreSheetSerializer
    )
    @action(detail=True, methods=["get", "post"])
    def attendance(self, request: Request, pk: str) -> Response:
        """GET: the attendance sheet (members the caller may see). POST: mark members present, absent or excused;
        all marks or none."""
        session: Session = selectors.session_for_user(request.user, pk)
        if request.method == "POST":
            payload = CentreAttendanceInputSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            marks = {m["person"]: m["status"] for m in payload.validated_data["marks"]}
            services.attendance_record(actor=request.user, session=session, marks=marks)
        return Response(CentreSheetSerializer(selectors.attendance_sheet(request.user, session)).data)
