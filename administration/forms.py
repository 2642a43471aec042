from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from access.models import Agency, AgencyKind, NdaVersion, Team
from access.rules import Role
from access.staff import role_needs_second_administrator
from people.models import PlaceKind


def _role_choices() -> list[tuple[str, Any]]:
    return [
        (value, f"{label} ({_('needs a second administrator')})" if role_needs_second_administrator(value) else label)
        for value, label in Role.choices
    ]


class AgencyFilterForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.all(), required=False)


class StaffCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.all())
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.select_related("agency"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=_role_choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=_role_choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class AgencyTeamForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.all())
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.select_related("agency"), required=False)


class ResetForm(forms.Form):
    reason = forms.CharField(label=_("Why (how did the person ask?)"), max_length=500)


class AgencyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=AgencyKind.choices)


class TeamForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.all())
    name = forms.CharField(label=_("Name"), max_length=200)


class PlaceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PlaceKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(label=_("Code"), max_length=20, required=False)


class NdaForm(forms.ModelForm):
    class Meta:
        model = NdaVersion
        fields = ("version", "title", "text")

    def validate_unique(self) -> None:
        """The service says when the version exists."""


class EnrolmentForm(SetPasswordForm):
    """Choose a password (Django's validators apply); the authenticator is enrolled on the next page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.help_text = ""


def reference_form(model: type, fields: tuple[str, ...]) -> type[forms.ModelForm]:
    return forms.modelform_factory(model, fields=fields)
