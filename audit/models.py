from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
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
    BREAK_GLASS = "break_glass", _("Emergency access")


class AppendOnlyError(Exception):
    """Raised when anything tries to change or remove an audit entry."""


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    """Who did what to which record, when, and why. Append-only: the application never changes a row.

    Each entry is a link of a hash chain (see `audit.chain`): `entry_hash` is a keyed hash over the entry's
    content, its `seq` and the previous entry's hash, so a changed, removed or slipped-in row shows.
    """

    # Set by `audit_record` before hashing (not auto_now_add, which would overwrite the hashed value on save).
    at = models.DateTimeField(_("time"), default=timezone.now, editable=False, db_index=True)
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
    # The chain: position 1, 2, 3... without gaps, the previous entry's hash, and this entry's hash (hex).
    seq = models.BigIntegerField(_("chain position"), unique=True, editable=False)
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    entry_hash = models.CharField(_("hash"), max_length=64, editable=False)

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


class ChainHead(models.Model):
    """The last link of the audit chain, in one row (id 1).

    Every writer locks this row (`select_for_update`) before taking the next `seq`, so two concurrent
    transactions cannot both append at the same position. It is not an audit entry and stays updatable.
    """

    seq = models.BigIntegerField(_("last chain position"), default=0)
    hash = models.CharField(_("last hash"), max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_one_row")]
