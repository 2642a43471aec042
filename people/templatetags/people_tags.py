from typing import Any

from django import template
from django.utils.translation import gettext as _

from people.family_graph import BOX_HEIGHT, BOX_WIDTH, layout
from people.models import Person

register = template.Library()


@register.simple_tag
def display_name(person: Person, script: str) -> str:
    """The person's name in the user's preferred script where there is one (names must be prefetched)."""
    return person.display_name(script)


@register.inclusion_tag("people/_family_graph.html")
def family_graph(view: Any, script: str) -> dict[str, Any]:
    centre = view.person.name_for(script)
    drawing = layout(centre.full if centre else "", view.family or [], _("Restricted"))
    return {"drawing": drawing, "box_width": BOX_WIDTH, "box_height": BOX_HEIGHT}
