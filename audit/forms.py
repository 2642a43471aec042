from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import AuditAction
from core.errors import MAX_ID


class AuditFilterForm(forms.Form):
    username = forms.CharField(label=_("User"), required=False, max_length=150)
    person_id = forms.IntegerField(label=_("Person number"), required=False, min_value=1, max_value=MAX_ID)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("Any")), *AuditAction.choices])
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
