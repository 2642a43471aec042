"""The admin site is for system administrators: users, agencies, teams, places, NDA versions. Never cases."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
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


class UserForm(UserChangeForm):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta(UserChangeForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = (
            "username",
            "password",
            "first_name",
            "last_name",
            "email",
            "is_active",
            "is_staff",
            "agency",
            "team",
            "roles",
            "preferred_script",
        )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserForm
    list_display = ("username", "first_name", "last_name", "agency", "team", "is_active")
    list_filter = ("agency", "is_active")
    # Access comes from agency, team and roles (access.rules), not Django's groups and permissions.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email")}),
        (_("Programme"), {"fields": ("agency", "team", "roles", "preferred_script")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "agency")


@admin.register(NdaVersion)
class NdaVersionAdmin(admin.ModelAdmin):
    list_display = ("version", "title", "effective_from")
