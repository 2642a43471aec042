"""The wave manifest as a printable PDF (core.pdf, landscape). Printing is audited.

Only what `selectors.wave_manifest` gave the user is printed: members they reach, and columns of data classes
they may see (the family role and reason for travelling apart need the family class, the legal status the
legal class).
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import audit_record
from core.pdf import Document
from operations.models import Wave
from operations.selectors import Manifest, wave_manifest


def manifest_table(manifest: Manifest) -> tuple[list[str], list[list[str]]]:
    """The headings and rows printed: one row per member, numbered by family group."""
    headings = [_("Family"), _("Case"), _("Names"), _("Sex"), _("Born")]
    if manifest.show_family:
        headings.append(_("Role in the family"))
    headings.append(_("Documents"))
    if manifest.show_legal:
        headings.append(_("Legal status"))
    if manifest.show_family:
        headings.append(_("Reason for travelling apart"))
    rows: list[list[str]] = []
    for number, group in enumerate(manifest.groups, start=1):
        for row in group:
            names = "\n".join([row.name, *row.other_names])
            cells = [str(number), row.case_number, names, row.sex, row.born]
            if manifest.show_family:
                cells.append(row.role or "")
            cells.append(row.documents)
            if manifest.show_legal:
                cells.append(row.legal or "")
            if manifest.show_family:
                cells.append(row.separation_reason or "")
            rows.append(cells)
    return headings, rows


def _widths(headings: list[str], manifest: Manifest) -> list[int]:
    widths = [12, 28, 60, 16, 22]
    if manifest.show_family:
        widths.append(28)
    widths.append(45)
    if manifest.show_legal:
        widths.append(30)
    if manifest.show_family:
        widths.append(40)
    return widths


@transaction.atomic
def manifest_pdf(user: Any, wave: Wave, script: str) -> bytes:
    """The manifest of the wave as the user may see it, as PDF bytes; one audit entry records the printing."""
    manifest = wave_manifest(user, wave, script)
    headings, rows = manifest_table(manifest)
    document = Document(
        _("Manifest: %(wave)s") % {"wave": wave.name},
        footer=_("Zhusan · %(operation)s · confidential") % {"operation": wave.operation.name},
        landscape=True,
    )
    document.field(_("Operation"), wave.operation.name)
    document.field(_("Dates"), f"{wave.departs_on.isoformat()} → {wave.arrives_on.isoformat()}")
    document.field(_("Route"), " → ".join(filter(None, [wave.origin.name, wave.route, wave.destination.name])))
    document.field(_("Transport"), wave.transport)
    document.field(_("Escort"), wave.escort_team)
    document.field(_("Status"), wave.get_status_display())
    document.field(
        _("Persons"),
        _("%(shown)s listed; capacity %(capacity)s") % {"shown": manifest.shown, "capacity": wave.capacity},
    )
    if manifest.hidden:
        document.paragraph(
            _("%(count)s further persons on this wave are outside your reach and not listed.")
            % {"count": manifest.hidden}
        )
    document.heading(_("Persons by family"))
    document.table(headings, rows, _widths(headings, manifest))
    document.signature_lines([_("Head of the escort team"), _("Checked by")])
    # One entry names every person printed and those whose legal status was on the paper: a printed manifest
    # leaves the system, so the log must say whose data it carried, not only how many rows.
    listed = manifest.audit_persons()
    legal = {"legal": ["printed", "printed"], "legal_status_printed_for": [None, listed["legal_status_of"]]}
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=wave,
        changes={
            "manifest": [None, "pdf"],
            "members_printed": [None, manifest.shown],
            "persons_printed": [None, listed["persons"]],
            **(legal if manifest.show_legal else {}),
        },
    )
    return document.render()
