from typing import Any

from django.contrib import admin

from reception.models import TestKind, Vaccine, VaccineDose


@admin.register(TestKind)
class TestKindAdmin(admin.ModelAdmin):
    """Kinds of screening test are reference data the programme keeps; they hold no personal data."""

    list_display = ["name", "code", "active"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        # Tests refer to their kind by an encrypted id the database cannot protect: retire a kind ("in use"
        # off), never delete it.
        return False


class VaccineDoseInline(admin.TabularInline):
    model = VaccineDose
    extra = 0


@admin.register(Vaccine)
class VaccineAdmin(admin.ModelAdmin):
    """The vaccination schedule (vaccines and their doses) is data: another programme enters its own."""

    list_display = ["name", "code", "maximum_age_months", "active"]
    search_fields = ["name", "code"]
    inlines = [VaccineDoseInline]
