"""Reference lists kept by system administrators: data the programme sets, holding no personal data.

One table says which models are reference lists and which of their fields an administrator fills in; one
service adds an entry (asks the policy, validates, writes the audit chain). Entries already used are never
edited here: a new version is added and the old one retired (see docs/decisions/0032).
"""

from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access import policy
from access.rules import Capability
from audit.models import AuditAction
from audit.services import audit_record
from consent.models import ConsentStatement
from core.errors import refuse
from reception.models import TestKind, Vaccine, VaccineDose
from retention.models import RetentionRule


@dataclass(frozen=True)
class ReferenceList:
    slug: str
    title: str | Promise
    model: type[models.Model]
    fields: tuple[str, ...]


REFERENCE_LISTS: dict[str, ReferenceList] = {
    r.slug: r
    for r in (
        ReferenceList(
            "consent-statements",
            gettext_lazy("Consent statements"),
            ConsentStatement,
            ("language", "version", "title", "text", "responsibility_clause", "active"),
        ),
        ReferenceList("test-kinds", gettext_lazy("Kinds of screening test"), TestKind, ("code", "name", "active")),
        ReferenceList("vaccines", gettext_lazy("Vaccines"), Vaccine, ("code", "name", "maximum_age_months", "active")),
        ReferenceList(
            "vaccine-doses",
            gettext_lazy("Vaccine doses"),
            VaccineDose,
            ("vaccine", "number", "recommended_age_months", "minimum_age_days", "minimum_interval_days"),
        ),
        ReferenceList(
            "retention-rules", gettext_lazy("Retention periods"), RetentionRule, ("data_class", "keep_years", "basis")
        ),
    )
}


def _short(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, str) and len(value) > 200:
        return value[:200] + "…"
    return value


@transaction.atomic
def reference_entry_add(*, actor: Any, reference: ReferenceList, values: dict[str, Any]) -> models.Model:
    """Add one entry to a reference list: administrators only, validated by the model, audited."""
    if not policy.has_capability(actor, Capability.MANAGE_USERS):
        raise refuse(_("Only a system administrator may change the reference lists."))
    entry = reference.model(**{f: values[f] for f in reference.fields if f in values})
    entry.full_clean()
    entry.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=entry,
        changes={f: [None, _short(getattr(entry, f))] for f in reference.fields},
    )
    return entry
