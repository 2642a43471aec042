"""Showing a person's best name in the reader's script (names prefetched by the selectors)."""

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def person_name(person: Any, script: str) -> str:
    name = person.name_for(script) if person is not None else None
    return name.full if name else f"#{getattr(person, 'pk', '')}"


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key)
