"""Places as a hierarchy: country → region → district → settlement, with camps, prisons, consulates and
facilities inside them. Places are reference data kept by system administrators; they hold no personal data.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from access import policy
from access.rules import Capability
from audit.models import AuditAction
from audit.services import audit_record
from core.errors import refuse
from people.models import Place, PlaceKind

K = PlaceKind
_INSIDE_ANY = (K.COUNTRY, K.REGION, K.DISTRICT, K.SETTLEMENT)
# The kinds each kind of place may sit in; None means at the top. A settlement sits in a district or, for a
# city of regional rank, directly in a region, never directly in a country.
PARENT_KINDS: dict[str, tuple[str | None, ...]] = {
    K.COUNTRY: (None,),
    K.REGION: (K.COUNTRY,),
    K.DISTRICT: (K.REGION,),
    K.SETTLEMENT: (K.REGION, K.DISTRICT),
    K.CAMP: _INSIDE_ANY,
    K.PRISON: _INSIDE_ANY,
    K.CONSULATE: (K.COUNTRY, K.SETTLEMENT),
    K.FACILITY: _INSIDE_ANY,
}
# The order of the levels, for showing the tree.
LEVELS = (K.COUNTRY, K.REGION, K.DISTRICT, K.SETTLEMENT)


def check_place_parent(kind: str, parent: Place | None) -> None:
    """Refuse a place in the wrong kind of parent (a settlement directly in a country, a country in anything)."""
    allowed = PARENT_KINDS[PlaceKind(kind)]
    if (parent.kind if parent else None) in allowed:
        return
    names = ", ".join(str(PlaceKind(k).label) for k in allowed if k is not None)
    if parent is None:
        message = _("A %(kind)s sits inside a %(kinds)s.") % {"kind": K(kind).label, "kinds": names}
        raise ValidationError({"parent": message})
    if None in allowed:
        raise ValidationError({"parent": _("A %(kind)s is not inside another place.") % {"kind": K(kind).label}})
    raise ValidationError(
        {
            "parent": _("A %(kind)s cannot sit directly in a %(parent)s; it sits in a %(kinds)s.")
            % {"kind": K(kind).label, "parent": K(parent.kind).label, "kinds": names}
        }
    )


@transaction.atomic
def place_add(
    *, actor: Any, kind: str, name: str, parent: Place | None, code: str = "", names: dict[str, str] | None = None
) -> Place:
    """Add a place to the tree. Its kind must fit its parent's, and its name is unique among its parent's places
    (whatever their kind, letter case ignored), so nobody records Aktau twice in Mangystau."""
    if not policy.has_capability(actor, Capability.MANAGE_USERS):
        raise refuse(_("Only a system administrator may change the places."))
    name = name.strip()
    if kind not in PlaceKind.values:
        raise ValidationError({"kind": _("Choose a kind of place.")})
    check_place_parent(kind, parent)
    if Place.objects.filter(parent=parent, name__iexact=name).exists():
        raise ValidationError({"name": _("There is a place with this name here already.")})
    place = Place(kind=kind, name=name, parent=parent, code=code.strip(), names=names or {})
    place.full_clean()
    place.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=place,
        changes={"kind": [None, kind], "name": [None, name], "parent": [None, parent.pk if parent else None]},
    )
    return place
