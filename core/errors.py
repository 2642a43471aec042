"""Turning a refused write into messages a person can act on."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


def messages_by_field(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for e in errors for m in e.messages] for field, errors in error.error_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


class Conflict(Exception):
    """Someone else changed the record since it was read: the edit is refused, nothing is lost."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message or _("Someone else changed this record after you opened it. Reload it and make your change again.")
        )


def refuse(message: str | None = None) -> PermissionDenied:
    return PermissionDenied(message or _("You are not allowed to do this."))


# The largest id a database row can have (64-bit). Larger numbers in input are refused, not sent to the database.
MAX_ID = 2**63 - 1
