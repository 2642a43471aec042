"""The admin site is for system administrators: users, agencies, teams, places, NDA versions. Never cases."""

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access import policy
from access.models import Agency, ApiToken, NdaVersion, Team, User
from access.rules import Capability, Role
from access.tokens import api_token_create, api_token_revoke


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
    """Administrators issue personal tokens; the key is shown once in a message and never stored."""

    list_display = ("user", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("revoked_at",)
    fields = ("user", "name", "expires_at")
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> tuple[str, ...]:
        return ("user", "name", "expires_at") if obj else ()

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        return {"expires_at": timezone.now() + timedelta(days=settings.ZHUSAN_API_TOKEN_DAYS)}

    def save_model(self, request: HttpRequest, obj: ApiToken, form: forms.ModelForm, change: bool) -> None:
        if change:
            return  # tokens are never edited, only revoked
        token, key = api_token_create(actor=request.user, user=obj.user, name=obj.name)
        token.expires_at = obj.expires_at
        token.save(update_fields=["expires_at"])
        obj.pk = token.pk
        messages.warning(request, _("Copy the key now, it will not be shown again: %(key)s") % {"key": key})

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        for token in queryset:
            api_token_revoke(actor=request.user, token=token)

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False
