from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from access.models import BreakGlassReason, Team, User
from access.rules import DataClass
from casework.transitions import TRANSITIONS


class TransitionForm(forms.Form):
    transition = forms.ChoiceField(choices=[(t.name, t.label) for t in TRANSITIONS])
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(forms.Form):
    data_class = forms.ChoiceField(label=_("Kind of note"), choices=DataClass.choices)
    text = forms.CharField(label=_("Note"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))


class ReassignForm(forms.Form):
    caseworker = forms.ModelChoiceField(
        label=_("Caseworker"), queryset=User.objects.filter(is_active=True), required=False
    )
    supervisor = forms.ModelChoiceField(
        label=_("Supervisor"), queryset=User.objects.filter(is_active=True), required=False
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class AssignForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Specialist"), queryset=User.objects.filter(is_active=True))
    purpose = forms.CharField(label=_("Purpose"), max_length=200)


class EndAssignmentForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"), choices=[("yes", _("Approve")), ("no", _("Reject"))], coerce=lambda value: value == "yes"
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class BreakGlassForm(forms.Form):
    case_number = forms.CharField(label=_("Case number"), max_length=30)
    category = forms.ChoiceField(label=_("Kind of emergency"), choices=BreakGlassReason.choices)
    reason = forms.CharField(
        label=_("What is happening, and why it cannot wait for the people working on the case"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    code = forms.CharField(
        label=_("Code from your authenticator"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, needs_code: bool, **kwargs: Any) -> None:
        """The code is asked unless the user gave their second factor in the last few minutes."""
        super().__init__(*args, **kwargs)
        if not needs_code:
            del self.fields["code"]
