"""Forms parse and label input; the rules live in consular.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from consular.models import MemberRelation
from core.errors import MAX_ID
from people.forms import DATE_INPUT
from people.models import CitizenshipStatus, DocumentType, Place, PlaceKind

# A new child registered at the consulate: the actual place of birth comes from `born_in`.
CHILD_FIELDS = {
    "sex",
    "birth_date_precision",
    "birth_date",
    "estimated_age_min",
    "estimated_age_max",
    "age_estimated_on",
    "birth_place_registered",
    "citizenship_status",
}


class VersionForm(forms.Form):
    # The version of the request the user opened: a step taken on an older version is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RequestForm(forms.Form):
    consulate = forms.ModelChoiceField(
        label=_("Consulate or embassy"), queryset=Place.objects.filter(kind=PlaceKind.CONSULATE).order_by("name")
    )
    requested_on = forms.DateField(label=_("Date of the request"), widget=DATE_INPUT)
    situation = forms.CharField(
        label=_("Situation"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How the person reached the consulate, what documents they have, who travels with them."),
    )
    applicant = forms.IntegerField(
        label=_("Registry number of the applicant, if already registered"),
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("Leave empty to register a new person below."),
    )


class MemberForm(forms.Form):
    relation = forms.ChoiceField(
        label=_("Relation to the applicant"), choices=MemberRelation.choices, initial=MemberRelation.CHILD
    )
    person = forms.IntegerField(
        label=_("Registry number, if already registered"),
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("Leave empty to register a new child below."),
    )
    born_in = forms.ModelChoiceField(
        label=_("Country of birth"),
        queryset=Place.objects.filter(kind=PlaceKind.COUNTRY).order_by("name"),
        required=False,
        help_text=_("For a new child: the country where the child was actually born."),
    )


class RestorationForm(VersionForm):
    person = forms.TypedChoiceField(label=_("For"), coerce=int)
    doc_type = forms.ChoiceField(
        label=_("Document"), choices=DocumentType.choices, initial=DocumentType.RETURN_CERTIFICATE
    )
    requested_on = forms.DateField(label=_("Asked for on"), widget=DATE_INPUT)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: object, travellers: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["person"].choices = travellers  # type: ignore[attr-defined]


class IssueForm(VersionForm):
    restoration = forms.TypedChoiceField(label=_("Document"), coerce=int)
    number = forms.CharField(label=_("Number"), max_length=50, required=False)
    issuing_state = forms.ModelChoiceField(
        label=_("Issuing state"), queryset=Place.objects.filter(kind=PlaceKind.COUNTRY), required=False
    )
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE_INPUT)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: object, pending: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["restoration"].choices = pending  # type: ignore[attr-defined]


class TravelForm(VersionForm):
    travel_on = forms.DateField(label=_("Travel date"), widget=DATE_INPUT)
    travel_details = forms.CharField(label=_("Route and transport"), max_length=300, required=False)


class ArrivalForm(VersionForm):
    arrived_on = forms.DateField(label=_("Arrived on"), widget=DATE_INPUT)
    arrival_place = forms.ModelChoiceField(
        label=_("Place of arrival"),
        queryset=Place.objects.exclude(kind__in=[PlaceKind.CAMP, PlaceKind.PRISON, PlaceKind.CONSULATE]),
    )


class WithdrawForm(VersionForm):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


NEW_PERSON_INITIAL = {"citizenship_status": CitizenshipStatus.CLAIMED}
