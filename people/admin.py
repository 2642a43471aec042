from typing import Any

from django.contrib import admin

from people.models import Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    """Places are reference data the administrators keep; they hold no personal data."""

    list_display = ("name", "kind", "parent", "code")
    list_filter = ("kind",)
    search_fields = ("name", "code")

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        # A quarantine names its place by an encrypted id the database cannot protect (reception.Quarantine):
        # a place once used is kept; rename it rather than delete it.
        return False
