"""The admin site is for system administrators: users, agencies, teams, places, NDA versions. Never cases."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from access import policy
from access.models import Agency, NdaVersion, Team, User
from access.rules import Capability, Role


def _is_user_manager(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and policy.has_capability(user, Capability.MANAGE_USERS))


admin.site.has_permission = _is_user_manager  # type: ignore[method-assign]
admin.site.site_header = _("Zhusan administration")


class UserForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserForm
    list_display = ("username", "first_name", "last_name", "agency", "team", "is_active")
    list_filter = ("agency", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Programme"), {"fields": ("agency", "team", "roles", "preferred_script")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("is_superuser", "user_permissions", "groups", "last_login", "date_joined")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "agency")


@admin.register(NdaVersion)
class NdaVersionAdmin(admin.ModelAdmin):
    list_display = ("version", "title", "effective_from")
