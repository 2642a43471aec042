"""Forms parse and label input; the rules live in people.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from access.models import Script
from core.errors import MAX_ID
from core.validators import refuse_hidden_characters
from people.models import (
    BirthDatePrecision,
    CitizenshipStatus,
    DocumentNumberOutcome,
    DocumentStatus,
    DocumentType,
    EvidenceKind,
    NameKind,
    Person,
    Place,
    PlaceKind,
    RelationshipBasis,
    RelationshipKind,
    Sex,
    VitalStatus,
)
from people.selectors import ReviewState

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NameForm(forms.Form):
    script = forms.ChoiceField(label=_("Script"), choices=Script.choices)
    given = forms.CharField(
        label=_("Given name"), max_length=100, required=False, validators=[refuse_hidden_characters]
    )
    family = forms.CharField(
        label=_("Family name"), max_length=100, required=False, validators=[refuse_hidden_characters]
    )
    patronymic = forms.CharField(
        label=_("Patronymic"), max_length=100, required=False, validators=[refuse_hidden_characters]
    )
    kind = forms.ChoiceField(label=_("Kind of name"), choices=NameKind.choices, initial=NameKind.DECLARED)
    source = forms.CharField(label=_("Source"), max_length=200, required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        if not (data.get("given") or data.get("family")):
            raise forms.ValidationError(_("Give at least a given name or a family name."))
        return data


class PersonFieldsForm(forms.Form):
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_date_precision = forms.ChoiceField(
        label=_("How precise is the date of birth?"), choices=BirthDatePrecision.choices
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("For month or year precision, any day in that month or year."),
    )
    estimated_age_min = forms.IntegerField(label=_("Estimated age, from"), required=False, min_value=0, max_value=120)
    estimated_age_max = forms.IntegerField(label=_("Estimated age, to"), required=False, min_value=0, max_value=120)
    age_estimated_on = forms.DateField(label=_("Age estimated on"), required=False, widget=DATE_INPUT)
    birth_place_actual = forms.ModelChoiceField(
        label=_("Place of birth (actual)"), queryset=Place.objects.all(), required=False
    )
    birth_place_registered = forms.ModelChoiceField(
        label=_("Place of birth (as registered)"),
        queryset=Place.objects.all(),
        required=False,
        help_text=_("May differ from the actual place: the mother may choose what is registered."),
    )
    citizenship_status = forms.ChoiceField(label=_("Citizenship"), choices=CitizenshipStatus.choices)
    vital_status = forms.ChoiceField(label=_("Alive, dead or missing"), choices=VitalStatus.choices)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)

    def __init__(self, *args: object, allowed_fields: set[str] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if allowed_fields is not None:
            for name in list(self.fields):
                if name not in allowed_fields:
                    del self.fields[name]

    @staticmethod
    def initial_for(person: Person) -> dict:
        return {name: getattr(person, name) for name in PersonFieldsForm.base_fields}


class PersonEditForm(PersonFieldsForm):
    # The version the user opened: a save on an older version is refused, not silently overwritten.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Type"), choices=DocumentType.choices)
    number = forms.CharField(label=_("Number"), max_length=50, required=False, validators=[refuse_hidden_characters])
    issuing_state = forms.ModelChoiceField(
        label=_("Issuing state"), queryset=Place.objects.filter(kind=PlaceKind.COUNTRY), required=False
    )
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=DATE_INPUT)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DATE_INPUT)
    status = forms.ChoiceField(label=_("Status"), choices=DocumentStatus.choices)


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of evidence"), choices=EvidenceKind.choices)
    description = forms.CharField(label=_("Description"), max_length=500)


RELATION_CHOICES = [("child", _("Child")), *list(RelationshipKind.choices)]


class RelationshipForm(forms.Form):
    kind = forms.ChoiceField(label=_("This person is the … of the other"), choices=RELATION_CHOICES)
    other = forms.IntegerField(label=_("Other person's registry number"), min_value=1, max_value=MAX_ID)
    basis = forms.ChoiceField(label=_("Basis"), choices=RelationshipBasis.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class RelativeForm(forms.Form):
    kind = forms.ChoiceField(label=_("The new person is the … of this person"), choices=RELATION_CHOICES)
    basis = forms.ChoiceField(label=_("Basis"), choices=RelationshipBasis.choices)


class PresenceForm(forms.Form):
    place = forms.ModelChoiceField(label=_("Place"), queryset=Place.objects.all())
    since = forms.DateField(label=_("Since"), widget=DATE_INPUT)
    source = forms.CharField(label=_("Source"), max_length=200)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=200)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[
            ("", _("Any")),
            ("man", _("Men")),
            ("woman", _("Women")),
            ("child", _("Children")),
            ("orphan", _("Orphans")),
        ],
    )
    state = forms.ChoiceField(label=_("Case state"), required=False)
    place = forms.ModelChoiceField(label=_("Now at"), queryset=Place.objects.all(), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        from casework.transitions import CaseState

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["state"].choices = [("", _("Any")), *CaseState.choices]  # type: ignore[attr-defined]


class HouseholdForm(forms.Form):
    name = forms.CharField(label=_("Start a new household named"), max_length=200, required=False)
    household = forms.IntegerField(label=_("or join household number"), min_value=1, max_value=MAX_ID, required=False)

    def clean(self) -> dict:
        data = super().clean() or {}
        if bool(data.get("name")) == bool(data.get("household")):
            raise forms.ValidationError(_("Give either a new household's name or an existing household's number."))
        return data


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo (JPEG, PNG or WebP, up to 5 MB)"))


REVIEW_STATES = [("", _("All, open first")), (ReviewState.OPEN, _("Open")), (ReviewState.SETTLED, _("Settled"))]


class ReviewFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Reviews"), required=False, choices=REVIEW_STATES)


class ReviewOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Finding"), choices=DocumentNumberOutcome.choices)
