from django import forms
from django.core.exceptions import ValidationError

from core.errors import messages_by_field


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's refusal on the form, next to the field it concerns (or at the top)."""
    for field, messages in messages_by_field(error).items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
