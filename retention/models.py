from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from access.rules import DataClass


class RetentionRule(models.Model):
    """How long data of one class is kept after its case is closed. The periods are the programme's (data)."""

    data_class = models.CharField(_("data class"), max_length=20, choices=DataClass.choices, unique=True)
    keep_years = models.PositiveSmallIntegerField(_("years kept after the case is closed"))
    basis = models.CharField(_("legal basis"), max_length=300, blank=True)

    class Meta:
        ordering = ["data_class"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self) -> str:
        return f"{self.get_data_class_display()}: {self.keep_years}"


class LegalHold(models.Model):
    """Keeps a case's data past its retention period (a court case, an investigation) until lifted."""

    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.CharField(_("reason"), max_length=500)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")

    def __str__(self) -> str:
        return f"{self.case} · {self.reason[:40]}"
