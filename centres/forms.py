"""Forms parse and label input; the rules live in centres.services."""

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.models import User
from centres.models import Building, Centre, Group, GroupProfile, Room, SessionKind, StayKind
from core.errors import MAX_ID
from people.models import Place

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class DayForm(forms.Form):
    on = forms.DateField(label=_("Date"), required=False, widget=DATE_INPUT)

    def day(self) -> Any:
        if self.is_valid() and self.cleaned_data.get("on"):
            return self.cleaned_data["on"]
        return timezone.localdate()


class CentreForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    place = forms.ModelChoiceField(label=_("Place"), queryset=Place.objects.order_by("kind", "name"))
    default_stay_days = forms.IntegerField(
        label=_("Planned length of stay (days)"), min_value=1, max_value=3650, initial=30
    )


class BuildingForm(forms.Form):
    name = forms.CharField(label=_("Building"), max_length=100)


class RoomForm(forms.Form):
    building = forms.ModelChoiceField(label=_("Building"), queryset=Building.objects.none())
    name = forms.CharField(label=_("Room"), max_length=100)
    capacity = forms.IntegerField(label=_("Beds"), min_value=0, max_value=1000)

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = Building.objects.filter(centre=centre)  # type: ignore[attr-defined]


class PersonNumberField(forms.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class AdmitForm(forms.Form):
    person = PersonNumberField(label=_("Person number"))
    kind = forms.ChoiceField(label=_("Kind of stay"), choices=StayKind.choices, initial=StayKind.RESIDENTIAL)
    room = forms.ModelChoiceField(
        label=_("Room"), queryset=Room.objects.none(), required=False, help_text=_("Not for the day programme.")
    )
    admitted_on = forms.DateField(label=_("Admitted on"), required=False, widget=DATE_INPUT)
    planned_until = forms.DateField(
        label=_("Planned until"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Leave empty for the centre's planned length of stay."),
    )

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rooms = (
            Room.objects.filter(building__centre=centre).select_related("building").order_by("building__name", "name")
        )
        field = self.fields["room"]
        field.queryset = rooms  # type: ignore[attr-defined]
        field.label_from_instance = lambda room: f"{room.building.name} · {room.name} ({room.capacity})"  # type: ignore[attr-defined]


class GroupAdmitForm(forms.Form):
    arrived_on = forms.DateField(
        label=_("Arrival (evacuation) date"),
        widget=DATE_INPUT,
        help_text=_("Everyone of this arrival within your reach whose case is received and who stays nowhere yet."),
    )
    women_and_children = forms.BooleanField(label=_("Women and children only"), required=False, initial=True)
    building = forms.ModelChoiceField(
        label=_("Building"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=_("The first free building"),
    )
    admitted_on = forms.DateField(
        label=_("Admitted on"), required=False, widget=DATE_INPUT, help_text=_("Leave empty for today.")
    )

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = Building.objects.filter(centre=centre)  # type: ignore[attr-defined]


class DischargeForm(forms.Form):
    discharged_on = forms.DateField(label=_("Discharged on"), required=False, widget=DATE_INPUT)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class PlanForm(forms.Form):
    planned_until = forms.DateField(label=_("Planned until"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    profile = forms.ChoiceField(label=_("Social profile"), choices=GroupProfile.choices)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE_INPUT)


class MemberForm(forms.Form):
    person = PersonNumberField(label=_("Person number"))


class SessionForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Group"), queryset=Group.objects.none())
    on = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    starts_at = forms.TimeField(label=_("Starts at"), widget=TIME_INPUT)
    ends_at = forms.TimeField(label=_("Ends at"), widget=TIME_INPUT)
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices)
    specialist = forms.ModelChoiceField(label=_("Specialist"), queryset=User.objects.none())
    topic = forms.CharField(label=_("Topic"), max_length=300)

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = centre.groups.all()  # type: ignore[attr-defined]
        # Who works at the centre: its agency's members and the staff of other agencies listed on it.
        at_centre = User.objects.filter(Q(agency=centre.agency) | Q(centres_worked_at=centre)).values("pk")
        specialists = User.objects.filter(is_active=True, pk__in=at_centre)
        field = self.fields["specialist"]
        field.queryset = specialists.order_by("last_name", "username")  # type: ignore[attr-defined]
        field.label_from_instance = lambda user: user.get_full_name() or user.username  # type: ignore[attr-defined]
