from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    TRANSITION = "transition", _("Transition")
    VIEW = "view", _("View")
    SEARCH = "search", _("Search")
    EXPORT = "export", _("Export")
    LOGIN = "login", _("Log in")
    LOGOUT = "logout", _("Log out")
    LOGIN_FAILED = "login_failed", _("Failed log-in")
    DENIED = "denied", _("Refused")
    NDA_ACCEPTED = "nda_accepted", _("Accepted the non-disclosure agreement")


class AppendOnlyError(Exception):
    """Raised when anything tries to change or remove an audit entry."""


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    """Who did what to which record, when, and why. Append-only: the application never changes a row."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # Copied, so the entry still says who it was if the user or agency is later renamed.
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    agency_name = models.CharField(_("agency"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    # The person the entry concerns, kept as a plain number so the entry outlives the person's record.
    person_id = models.BigIntegerField(_("person"), null=True, blank=True, db_index=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    path = models.CharField(_("request path"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["actor", "at"], name="audit_actor_time")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")
