from django import forms
from django.utils.translation import gettext_lazy as _

from operations.models import Operation


class SummaryFilterForm(forms.Form):
    operation = forms.TypedChoiceField(label=_("Operation"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: object, operations: list[Operation], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["operation"].choices = [("", _("Whole programme"))] + [(o.pk, o.name) for o in operations]  # type: ignore[attr-defined]
