"""Forms of the operations pages. They parse input only; the rules are in operations.rules and services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from access.models import Agency, User
from operations.models import Operation, Wave
from people.forms import DATE_INPUT
from people.models import Place


class OperationForm(forms.ModelForm):
    class Meta:
        model = Operation
        fields = ["name", "code", "description", "starts_on", "ends_on", "partner_agencies"]
        widgets = {"starts_on": DATE_INPUT, "ends_on": DATE_INPUT, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner_agencies"].queryset = Agency.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["partner_agencies"].required = False

    def _post_clean(self) -> None:
        # The model is validated by the service (operations.services), whose messages name the field.
        pass


class WaveForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = Wave
        fields = [
            "number",
            "name",
            "departs_on",
            "arrives_on",
            "origin",
            "destination",
            "route",
            "transport",
            "capacity",
            "escort",
            "escort_team",
        ]
        widgets = {"departs_on": DATE_INPUT, "arrives_on": DATE_INPUT}

    def __init__(self, *args: Any, operation: Operation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].required = False
        self.fields["number"].help_text = _("Left empty: the next number")
        places = Place.objects.order_by("name")
        self.fields["origin"].queryset = places  # type: ignore[attr-defined]
        self.fields["destination"].queryset = places  # type: ignore[attr-defined]
        agencies = [operation.lead_agency_id, *operation.partner_agencies.values_list("pk", flat=True)]
        self.fields["escort"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            is_active=True, agency_id__in=agencies
        ).order_by("last_name", "username")
        self.fields["escort"].required = False

    def _post_clean(self) -> None:
        # The model is validated by the service, with the operation it belongs to.
        pass


class CandidateSearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=200)


class MemberAddForm(forms.Form):
    person = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    include_children = forms.BooleanField(label=_("With her consented children"), required=False)
    separation_reason = forms.CharField(
        label=_("Reason for travelling apart from the mother or guardian"), required=False, max_length=1000
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class MemberRemoveForm(forms.Form):
    include_children = forms.BooleanField(label=_("Remove her children on this wave too"), required=False)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ExecuteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is the wave cancelled?"), max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
