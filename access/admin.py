"""The admin site is for system administrators: users, agencies, teams, places, NDA versions. Never cases."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from access import policy
from access.models import Agency, ApiToken, NdaVersion, Team, User
from access.rules import Capability, Role
from access.tokens import api_token_revoke


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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators list and revoke tokens; they never make one and never see a key.

    A token is made by its owner on their own API tokens page, after a fresh second factor (access.tokens).
    """

    list_display = ("user", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("revoked_at",)
    fields = ("user", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = fields
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        for token in queryset:
            api_token_revoke(actor=request.user, token=token)
        messages.success(request, _("The selected tokens are revoked."))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False
