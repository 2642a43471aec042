"""API shapes of the centre. Stays go through ClassifiedSerializer: fields of a hidden class are absent."""

from rest_framework import serializers

from centres.models import (
    AttendanceStatus,
    Building,
    Group,
    GroupProfile,
    Room,
    Session,
    SessionKind,
    Stay,
    StayKind,
)
from core.api import LocalTimeField
from core.errors import MAX_ID
from people.serializers import ClassifiedSerializer


class CentreDayQuerySerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Default: today.")


class CentreSerializer(serializers.Serializer):
    """A centre with its beds and occupancy on a date (a selectors.CentreRow)."""

    id = serializers.IntegerField(source="centre.pk")
    name = serializers.CharField(source="centre.name")
    agency = serializers.IntegerField(source="centre.agency_id")
    place = serializers.IntegerField(source="centre.place_id")
    default_stay_days = serializers.IntegerField(source="centre.default_stay_days")
    buildings = serializers.IntegerField(help_text="Number of buildings.")
    beds = serializers.IntegerField()
    occupied = serializers.IntegerField(help_text="Residential stays on the date.")
    free = serializers.IntegerField()


class CentreInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    place = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Id of the place (a facility).")
    default_stay_days = serializers.IntegerField(min_value=1, max_value=3650, default=30)


class CentreBuildingInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)


class CentreBuildingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Building
        fields = ["id", "centre", "name"]


class CentreRoomInputSerializer(serializers.Serializer):
    building = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    name = serializers.CharField(max_length=100)
    capacity = serializers.IntegerField(min_value=0, max_value=1000)


class CentreRoomSerializer(serializers.ModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "building", "name", "capacity"]


class CentreOccupantSerializer(serializers.Serializer):
    stay = serializers.IntegerField(source="stay_id")
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField()
    planned_until = serializers.DateField()


class CentreRoomRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="room.pk")
    name = serializers.CharField(source="room.name")
    capacity = serializers.IntegerField(source="room.capacity")
    occupied = serializers.IntegerField()
    free = serializers.IntegerField()
    occupants = CentreOccupantSerializer(many=True, help_text="Only the persons the caller may see.")
    others = serializers.IntegerField(source="hidden", help_text="Persons here the caller may not see: counted.")


class CentreBuildingRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="building.pk")
    name = serializers.CharField(source="building.name")
    capacity = serializers.IntegerField()
    occupied = serializers.IntegerField()
    free = serializers.IntegerField()
    rooms = CentreRoomRowSerializer(many=True)


class CentreBoardSerializer(serializers.Serializer):
    centre = serializers.IntegerField(source="centre.pk")
    on = serializers.DateField()
    capacity = serializers.IntegerField()
    occupied = serializers.IntegerField()
    free = serializers.IntegerField()
    buildings = CentreBuildingRowSerializer(many=True)
    day_programme = CentreOccupantSerializer(many=True)
    day_programme_others = serializers.IntegerField(source="day_hidden")
    free_building = serializers.IntegerField(
        source="free_building.pk", allow_null=True, default=None, help_text="The first building nobody stays in."
    )


class CentreStaySerializer(ClassifiedSerializer):
    class Meta:
        model = Stay
        fields = [
            "id",
            "person",
            "case",
            "centre",
            "room",
            "kind",
            "admitted_on",
            "planned_until",
            "discharged_on",
            "discharge_reason",
            "admitted_by",
            "discharged_by",
        ]


class CentreStayInputSerializer(serializers.Serializer):
    centre = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    kind = serializers.ChoiceField(choices=StayKind.choices, default=StayKind.RESIDENTIAL)
    room = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None)
    admitted_on = serializers.DateField(required=False, allow_null=True, default=None)
    planned_until = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Default: admission + the centre's length of stay."
    )


class CentreStayFilterSerializer(serializers.Serializer):
    centre = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None)
    open = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="Only stays under way.")
    page = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, default=1)


class CentreGroupAdmitSerializer(serializers.Serializer):
    persons = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), allow_empty=False, max_length=2000
    )
    admitted_on = serializers.DateField(required=False, allow_null=True, default=None)
    building = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None, help_text="Default: a free one."
    )


class CentreDischargeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    discharged_on = serializers.DateField(required=False, allow_null=True, default=None)


class CentrePlanSerializer(serializers.Serializer):
    planned_until = serializers.DateField()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CentreGroupSerializer(serializers.ModelSerializer):
    members = serializers.ListField(
        child=serializers.IntegerField(), source="visible_members", read_only=True, help_text="Visible members."
    )
    others = serializers.IntegerField(
        source="hidden_members", read_only=True, help_text="Members the caller may not see: counted."
    )

    class Meta:
        model = Group
        fields = ["id", "centre", "name", "profile", "starts_on", "members", "others"]


class CentreGroupInputSerializer(serializers.Serializer):
    centre = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    name = serializers.CharField(max_length=200)
    profile = serializers.ChoiceField(choices=GroupProfile.choices)
    starts_on = serializers.DateField()


class CentreFilterSerializer(serializers.Serializer):
    centre = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    on = serializers.DateField(required=False, allow_null=True, default=None)


class CentreMemberInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class CentreSessionSerializer(serializers.ModelSerializer):
    starts_at = LocalTimeField()
    ends_at = LocalTimeField()

    class Meta:
        model = Session
        fields = ["id", "centre", "group", "on", "starts_at", "ends_at", "kind", "specialist", "topic"]


class CentreSessionInputSerializer(serializers.Serializer):
    centre = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    group = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    on = serializers.DateField()
    starts_at = LocalTimeField()
    ends_at = LocalTimeField()
    kind = serializers.ChoiceField(choices=SessionKind.choices)
    specialist = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    topic = serializers.CharField(max_length=300)


class CentreMarkSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)


class CentreAttendanceInputSerializer(serializers.Serializer):
    marks = serializers.ListField(child=CentreMarkSerializer(), allow_empty=False, max_length=2000)


class CentreSheetLineSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField()
    status = serializers.CharField(help_text="present, absent, excused, or empty when not marked.")


class CentreSheetSerializer(serializers.Serializer):
    session = serializers.IntegerField(source="session.pk")
    lines = CentreSheetLineSerializer(many=True)
    others = serializers.IntegerField(source="hidden", help_text="Members the caller may not see: counted.")
