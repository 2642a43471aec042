"""Forms parse and label input; the rules live in reception.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from people.models import Place, PlaceKind
from reception.models import LegalStatus, Position, TestKind, TreatmentKind, Vaccine

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RECEPTION_PLACE_KINDS = (PlaceKind.SETTLEMENT, PlaceKind.FACILITY)


def _places() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Place"), queryset=Place.objects.filter(kind__in=RECEPTION_PLACE_KINDS).order_by("name")
    )


class CheckInForm(forms.Form):
    arrived_on = forms.DateField(label=_("Arrived on"), widget=DATE_INPUT)
    place = _places()
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class LegalAssessmentForm(forms.Form):
    status = forms.ChoiceField(label=_("Legal status"), choices=LegalStatus.choices)
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE_INPUT)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE_INPUT, required=False)
    authority = forms.CharField(label=_("Authority"), max_length=200)
    reference = forms.CharField(label=_("Reference number"), max_length=100, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class QuarantineForm(forms.Form):
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE_INPUT)
    place = _places()
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)


class MedicalTestForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("Test"), queryset=TestKind.objects.filter(active=True))
    taken_on = forms.DateField(label=_("Taken on"), widget=DATE_INPUT)
    result = forms.CharField(label=_("Result"), max_length=2000, required=False)
    result_on = forms.DateField(label=_("Result on"), widget=DATE_INPUT, required=False)


class VaccinationForm(forms.Form):
    vaccine = forms.ModelChoiceField(label=_("Vaccine"), queryset=Vaccine.objects.filter(active=True))
    dose_number = forms.IntegerField(label=_("Dose number"), min_value=1, max_value=20)
    given_on = forms.DateField(label=_("Given on"), widget=DATE_INPUT)
    batch = forms.CharField(label=_("Batch"), max_length=60, required=False)


class TreatmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=TreatmentKind.choices)
    description = forms.CharField(label=_("Description"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    referred_to = forms.CharField(label=_("Referred to"), max_length=200, required=False)
    on = forms.DateField(label=_("Date"), widget=DATE_INPUT)


class GrowthMeasurementForm(forms.Form):
    measured_on = forms.DateField(label=_("Measured on"), widget=DATE_INPUT)
    weight_kg = forms.DecimalField(label=_("Weight (kg)"), max_digits=5, decimal_places=2, required=False)
    height_cm = forms.DecimalField(label=_("Length or height (cm)"), max_digits=5, decimal_places=1, required=False)
    position = forms.ChoiceField(label=_("Measured"), choices=[("", "—"), *Position.choices], required=False)
    muac_cm = forms.DecimalField(label=_("MUAC (cm)"), max_digits=4, decimal_places=1, required=False)
    oedema = forms.BooleanField(label=_("Bilateral pitting oedema"), required=False)
