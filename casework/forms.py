from django import forms
from django.utils.translation import gettext_lazy as _

from access.models import Team, User
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
    reason = forms.CharField(
        label=_("Why you need this case now"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
