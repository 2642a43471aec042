"""Forms parse and label input; the rules live in consent.rules and consent.services."""

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.models import User
from access.rules import RULES, Capability
from consent.models import ConsentStatement, Decision, GivenBy, PanelDecision
from people.models import Place

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LANGUAGE_CODE = RegexValidator(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$", _("Give a language code such as en, ru or kk."))


def _set_choices(field: forms.Field, choices: list[Any]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class StatementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.language}, {obj.version})"


class AnswerFields(forms.Form):
    """What every answer records: the statement read, the language, interpreter and witness, date and place."""

    statement = StatementChoiceField(
        label=_("Statement read to the person"),
        queryset=ConsentStatement.objects.filter(active=True).order_by("language", "-version"),
        required=False,
    )
    told_may_be_held_responsible = forms.BooleanField(
        label=_("The person was told they may be held responsible under national law for acts in the conflict zone"),
        required=False,
    )
    language = forms.CharField(
        label=_("Language the person was spoken to in"), max_length=12, validators=[LANGUAGE_CODE]
    )
    interpreter = forms.CharField(label=_("Interpreter"), max_length=200, required=False)
    witness = forms.CharField(label=_("Witness"), max_length=200, required=False)
    recorded_on = forms.DateField(label=_("Date"), widget=DATE_INPUT, initial=timezone.localdate)
    place = forms.ModelChoiceField(label=_("Place"), queryset=Place.objects.order_by("kind", "name"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a refusal or a withdrawal."),
    )


class ConsentRecordForm(AnswerFields):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)
    given_by = forms.ChoiceField(label=_("Given by"), choices=GivenBy.choices)
    representative = forms.TypedChoiceField(
        label=_("Mother or legal guardian"), coerce=int, required=False, empty_value=None
    )
    best_interests_decision = forms.TypedChoiceField(
        label=_("Best-interests decision of the panel"), coerce=int, required=False, empty_value=None
    )
    field_order = ["decision", "given_by", "representative", "best_interests_decision"]

    def __init__(
        self,
        *args: Any,
        given_by: list[str],
        representatives: list[tuple[int, str]],
        panel_decisions: list[tuple[int, str]] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["given_by"], [(g, GivenBy(g).label) for g in given_by] or GivenBy.choices)
        if representatives:
            _set_choices(self.fields["representative"], [("", "—"), *representatives])
        else:
            del self.fields["representative"]
        if panel_decisions is not None and GivenBy.BEST_INTERESTS_PANEL in given_by:
            _set_choices(self.fields["best_interests_decision"], [("", "—"), *panel_decisions])
        else:
            del self.fields["best_interests_decision"]


class FamilyForm(AnswerFields):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(Decision.CONSENT, Decision.CONSENT.label), (Decision.REFUSAL, Decision.REFUSAL.label)],
    )
    children = forms.TypedMultipleChoiceField(label=_("Her children"), coerce=int, widget=forms.CheckboxSelectMultiple)
    field_order = ["decision", "children"]

    def __init__(self, *args: Any, children: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["children"], children)
        self.fields["children"].initial = [pk for pk, _label in children]


class RevisitForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the refusal is revisited"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PanelMemberField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.username
        return f"{name} · {obj.agency}" if obj.agency_id else name


def panel_candidates() -> list[int]:
    """Active users whose roles carry the panel capability (the service checks each one again)."""
    users = User.objects.filter(is_active=True).only("id", "roles")
    return [u.pk for u in users if any(Capability.DECIDE_BEST_INTERESTS in RULES[r].capabilities for r in u.role_set)]


class PanelDecisionForm(forms.Form):
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE_INPUT, initial=timezone.localdate)
    members = PanelMemberField(
        label=_("Panel members"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least two members holding the panel's mandate."),
    )
    external_members = forms.CharField(
        label=_("External members"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision = forms.ChoiceField(label=_("Decision"), choices=PanelDecision.choices)
    reasons = forms.CharField(label=_("Reasons"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = self.fields["members"]
        assert isinstance(members, PanelMemberField)
        members.queryset = (
            User.objects.filter(pk__in=panel_candidates()).select_related("agency").order_by("last_name", "username")
        )


class ScanForm(forms.Form):
    scan = forms.FileField(label=_("Signed receipt (PDF, JPEG or PNG, up to 10 MB)"))
