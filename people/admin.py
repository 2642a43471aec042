from django.contrib import admin

from people.models import Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    """Places are reference data the administrators keep; they hold no personal data."""

    list_display = ("name", "kind", "parent", "code")
    list_filter = ("kind",)
    search_fields = ("name", "code")
