from django import forms
from django.utils.translation import gettext_lazy as _

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
