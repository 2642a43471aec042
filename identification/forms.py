"""Forms of the identification pages: they parse input; the rules are in services and imports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from access.models import Team, User
from identification.models import (
    Confidence,
    IdentificationList,
    RequestChannel,
    SourceKind,
    VerificationKind,
    VerificationOutcome,
)
from identification.rows import TARGETS
from people.models import Place, PlaceKind, RelationshipKind

DATE = forms.DateInput(attrs={"type": "date"})


class PickedPerson(forms.Widget):
    """A person chosen among search results (radio buttons of the same name, see _picker_field.html).

    Counted as hidden so that _form_fields.html leaves it to the picker, and rendered as nothing."""

    input_type = "hidden"

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        return SafeString("")


class ListForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    source_kind = forms.ChoiceField(label=_("Source"), choices=SourceKind.choices)
    source_description = forms.CharField(label=_("Source in detail"), max_length=500, required=False)
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    default_confidence = forms.ChoiceField(
        label=_("Default confidence"), choices=Confidence.choices, initial=Confidence.POSSIBLE
    )


class MissionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    members = forms.ModelMultipleChoiceField(label=_("Members"), queryset=User.objects.none(), required=False)
    places = forms.ModelMultipleChoiceField(
        label=_("Places visited"),
        queryset=Place.objects.filter(kind__in=[PlaceKind.CAMP, PlaceKind.PRISON]).order_by("name"),
        required=False,
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, agency_id: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(agency_id=agency_id)  # type: ignore[attr-defined]
        self.fields["members"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            agency_id=agency_id, is_active=True
        ).order_by("username")


class ContactForm(forms.Form):
    person = forms.IntegerField(label=_("Person"), min_value=1, widget=PickedPerson)
    met_on = forms.DateField(label=_("Met on"), widget=DATE)
    place = forms.ModelChoiceField(label=_("Place"), queryset=Place.objects.none())
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False)

    def __init__(self, *args: Any, places: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places if places is not None else Place.objects.none()  # type: ignore[attr-defined]


class ReturnRequestForm(forms.Form):
    requested_by = forms.IntegerField(label=_("Relative making the request"), min_value=1, widget=PickedPerson)
    person = forms.IntegerField(label=_("Person whose return is requested"), min_value=1, widget=PickedPerson)
    relationship_kind = forms.ChoiceField(
        label=_("The relative is the … of the person (if not linked yet)"),
        choices=[("", "—"), *RelationshipKind.choices],
        required=False,
    )
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    channel = forms.ChoiceField(label=_("Channel"), choices=RequestChannel.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class VerificationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of check"), choices=VerificationKind.choices)
    evidence = forms.CharField(label=_("Evidence"), max_length=500, widget=forms.Textarea)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=VerificationOutcome.choices)
    checked_on = forms.DateField(label=_("Checked on"), widget=DATE)


class UploadForm(forms.Form):
    id_list: forms.ModelChoiceField[IdentificationList] = forms.ModelChoiceField(
        label=_("Into the list"), queryset=IdentificationList.objects.none()
    )
    file = forms.FileField(label=_("Spreadsheet (CSV or XLSX, up to 5 MB and 5,000 rows)"))

    def __init__(self, *args: Any, lists: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["id_list"].queryset = lists  # type: ignore[attr-defined]


class MappingForm(forms.Form):
    """One choice of column per target field; the choices are the file's headers."""

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in the file —")), *[(str(i), h or f"#{i + 1}") for i, h in enumerate(headers)]]
        for target, label in TARGETS.items():
            self.fields[target] = forms.ChoiceField(label=label, choices=choices, required=False)
