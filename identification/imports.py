"""Importing a list from a spreadsheet: upload, map the columns, check the rows, match them against the registry,
decide row by row, commit. Until the commit only the batch's own working rows are written; the commit is one
transaction that creates the new persons (with their cases) and the list entries, or nothing at all."""

import hashlib
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from access import policy
from audit.models import AuditAction
from audit.services import audit_batch, audit_record
from casework.services import returnee_register
from core.errors import refuse
from identification import matching, rows, spreadsheet
from identification.models import Decision, IdentificationList, ImportBatch, ImportRow, ImportStatus, ListEntry
from identification.services import entry_create, require_identification, require_list
from people import services as people_services
from people.models import NameKind, Person, Place, PlaceKind

MATCH_CHUNK = 50  # rows matched per poll: a poll answers well within a second on a large registry
OPEN = (ImportStatus.UPLOADED, ImportStatus.CHECKED, ImportStatus.MATCHING, ImportStatus.MATCHED)


def _require_batch(actor: Any, batch: ImportBatch, *states: str) -> ImportBatch:
    """The batch, locked, if the actor uploaded it and it is in one of `states`."""
    require_identification(actor)
    if batch.uploaded_by_id != actor.pk:
        raise refuse()
    locked = ImportBatch.objects.select_for_update().select_related("id_list").get(pk=batch.pk)
    if states and locked.status not in states:
        raise ValidationError(
            {
                "status": _("This import is %(status)s: that step is not possible now.")
                % {"status": locked.get_status_display()}
            }
        )
    return locked


def _already_imported(sha256: str, exclude: int | None = None) -> None:
    earlier = ImportBatch.objects.filter(sha256=sha256, status=ImportStatus.COMMITTED)
    if exclude is not None:
        earlier = earlier.exclude(pk=exclude)
    first = earlier.select_related("id_list").order_by("committed_at").first()
    if first is not None and first.committed_at:
        when = formats.date_format(timezone.localtime(first.committed_at), "DATETIME_FORMAT")
        raise ValidationError(
            {
                "file": _("This file was already imported on %(when)s into the list “%(list)s”: nothing to add.")
                % {"when": when, "list": first.id_list.name}
            }
        )


@transaction.atomic
def import_upload(*, actor: Any, id_list: IdentificationList, upload: Any, file_name: str = "") -> ImportBatch:
    """Read a CSV or XLSX file into a new batch of working rows, with the columns mapped by their headers."""
    require_list(actor, id_list)
    data, sheet = spreadsheet.read_upload(upload)
    sha256 = hashlib.sha256(data).hexdigest()
    _already_imported(sha256)
    batch = ImportBatch.objects.create(
        id_list=id_list,
        uploaded_by=actor,
        file_name=(file_name or getattr(upload, "name", "") or "")[:200],
        file_kind=sheet.kind,
        sha256=sha256,
        headers=sheet.headers,
        mapping=rows.guess_mapping(sheet.headers),
    )
    ImportRow.objects.bulk_create(ImportRow(batch=batch, number=n, cells=cells) for n, cells in sheet.rows)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=batch,
        changes={"list": [None, id_list.pk], "rows": [None, len(sheet.rows)], "sha256": [None, sha256]},
    )
    return batch


@transaction.atomic
def import_map(*, actor: Any, batch: ImportBatch, mapping: dict[str, Any]) -> ImportBatch:
    """Set which column feeds which field, then check every row: the bad ones are listed with their reasons."""
    batch = _require_batch(actor, batch, ImportStatus.UPLOADED, ImportStatus.CHECKED, ImportStatus.MATCHED)
    clean: dict[str, int] = {}
    for target, column in mapping.items():
        if target not in rows.TARGETS:
            raise ValidationError({target: _("Unknown field.")})
        if column in (None, ""):
            continue
        try:
            index = int(column)
        except (TypeError, ValueError):
            raise ValidationError({target: _("Choose one of the file's columns.")}) from None
        if not 0 <= index < len(batch.headers):
            raise ValidationError({target: _("Choose one of the file's columns.")})
        clean[target] = index
    if "given" not in clean and "family" not in clean:
        raise ValidationError({"family": _("Choose the column of the family name or of the given name.")})
    seen: dict[tuple[str, str], int] = {}
    good = 0
    all_rows = list(batch.rows.order_by("number"))
    for row in all_rows:
        row.data, row.errors = rows.parse_row(row.cells, clean)
        if not row.errors:
            key = rows.duplicate_key(row.data)
            if key in seen:
                row.errors = [_("Duplicate of row %(row)d in this file.") % {"row": seen[key]}]
            else:
                seen[key] = row.number
        good += not row.errors
        row.matched, row.candidates, row.decision, row.same_as = False, [], "", None
    ImportRow.objects.bulk_update(all_rows, ["data", "errors", "matched", "candidates", "decision", "same_as"])
    batch.mapping, batch.status, batch.rows_total, batch.rows_done = clean, ImportStatus.CHECKED, good, 0
    batch.save(update_fields=["mapping", "status", "rows_total", "rows_done"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=batch,
        changes={"mapping": [None, clean], "good_rows": [None, good], "bad_rows": [None, len(all_rows) - good]},
    )
    return batch


@transaction.atomic
def import_match_next(*, actor: Any, batch: ImportBatch, chunk: int = MATCH_CHUNK) -> ImportBatch:
    """Look for existing persons for the next `chunk` good rows; each poll of the progress bar calls this once.

    Only persons the actor may see are candidates. A row without candidates is proposed as a new person.
    """
    batch = _require_batch(actor, batch, ImportStatus.CHECKED, ImportStatus.MATCHING, ImportStatus.MATCHED)
    if batch.status == ImportStatus.MATCHED:
        return batch
    todo = [r for r in batch.rows.filter(matched=False).order_by("number") if not r.errors][:chunk]
    found = matching.find_candidates(actor, [r.data for r in todo])
    for row, candidates in zip(todo, found, strict=True):
        row.matched, row.candidates = True, candidates
        row.decision = "" if candidates else Decision.NEW
    ImportRow.objects.bulk_update(todo, ["matched", "candidates", "decision"])
    before = batch.rows_done
    batch.rows_done = min(batch.rows_total, before + len(todo))
    done = len(todo) < chunk or batch.rows_done >= batch.rows_total
    batch.status = ImportStatus.MATCHED if done else ImportStatus.MATCHING
    batch.save(update_fields=["rows_done", "status"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=batch, changes={"rows_done": [before, batch.rows_done]})
    return batch


@transaction.atomic
def import_decide(*, actor: Any, batch: ImportBatch, decisions: list[dict[str, Any]]) -> ImportBatch:
    """Record the actor's choice per row: the same person as one of its candidates, a new person, or skip."""
    if len(decisions) > spreadsheet.MAX_ROWS:
        raise ValidationError(
            {"decisions": _("At most %(limit)d decisions at once.") % {"limit": spreadsheet.MAX_ROWS}}
        )
    batch = _require_batch(actor, batch, ImportStatus.MATCHED)
    by_number = {r.number: r for r in batch.rows.filter(matched=True)}
    changed = []
    for item in decisions:
        row = by_number.get(item.get("row"))  # type: ignore[arg-type]
        choice = item.get("decision")
        if row is None or row.errors:
            raise ValidationError({"row": _("Row %(row)s cannot be decided.") % {"row": item.get("row")}})
        if choice == Decision.SAME:
            person_id = item.get("person")
            if person_id not in [pid for pid, _score in row.candidates]:
                raise ValidationError(
                    {"person": _("Row %(row)d: choose one of the persons proposed.") % {"row": row.number}}
                )
            row.same_as_id = person_id
        elif choice in (Decision.NEW, Decision.SKIP):
            row.same_as_id = None
        else:
            raise ValidationError({"decision": _("Row %(row)d: choose same, new or skip.") % {"row": row.number}})
        row.decision = choice
        changed.append(row)
    ImportRow.objects.bulk_update(changed, ["decision", "same_as"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=batch, changes={"decisions": [None, len(changed)]})
    return batch


def _places_by_name(names: set[str]) -> dict[str, Place]:
    """Camps, prisons and towns named in the file, by their name in any language (one query)."""
    wanted = {n.casefold() for n in names if n}
    if not wanted:
        return {}
    kinds = (PlaceKind.CAMP, PlaceKind.PRISON, PlaceKind.SETTLEMENT)
    found: dict[str, Place] = {}
    for place in Place.objects.filter(kind__in=kinds).order_by("id"):
        for label in [place.name, *place.names.values()]:
            if str(label).casefold() in wanted:
                found.setdefault(str(label).casefold(), place)
    return found


def _register_new(actor: Any, id_list: IdentificationList, data: dict[str, Any]) -> Person:
    names = {
        "script": rows.script_of(f"{data['given']}{data['family']}{data['patronymic']}"),
        "given": data["given"][:100],
        "family": data["family"][:100],
        "patronymic": data["patronymic"][:100],
        "kind": NameKind.DECLARED,
        "source": id_list.name[:200],
    }
    born = date.fromisoformat(data["birth_date"]) if data["birth_date"] else None
    case = returnee_register(
        actor=actor,
        names=[names],
        sex=data["sex"],
        birth_date=born,
        birth_date_precision=data["birth_date_precision"],
    )
    return case.person


@transaction.atomic
def import_commit(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    """Write the batch into its list in one transaction: new persons with their cases, and the entries.

    Refused when a row is undecided, when the same file was already imported, or when a chosen person is no
    longer within the actor's reach. A person already on the list is not added again.
    """
    batch = _require_batch(actor, batch, ImportStatus.MATCHED)
    _already_imported(batch.sha256, exclude=batch.pk)
    good = [r for r in batch.rows.order_by("number") if not r.errors]
    undecided = [r.number for r in good if not r.decision]
    if undecided:
        listed = ", ".join(str(n) for n in undecided[:20])
        raise ValidationError(
            {"decisions": _("Decide for every row first. Rows without a decision: %(rows)s.") % {"rows": listed}}
        )
    chosen = {r.same_as_id for r in good if r.decision == Decision.SAME}
    reachable = {p.pk: p for p in policy.persons_visible_to(actor).filter(pk__in=chosen)}
    if chosen - reachable.keys():
        raise ValidationError({"decisions": _("A person you chose is no longer within your reach.")})
    id_list = batch.id_list
    on_list = set(
        ListEntry.objects.filter(Q(id_list=id_list) & Q(person_id__in=chosen)).values_list("person_id", flat=True)
    )
    places = _places_by_name({r.data.get("place", "") for r in good if r.decision == Decision.NEW})
    since = min(id_list.received_on, timezone.localdate())
    counts = {"created": 0, "added": 0, "on_list": 0, "skipped": 0}
    with audit_batch():  # one append of the chain for the whole change set (docs/decisions/0037)
        for row in good:
            try:
                row.result = _commit_row(actor, id_list, row, reachable, on_list, places, since)
            except ValidationError as error:
                raise ValidationError(
                    {"rows": _("Row %(row)d: %(reason)s") % {"row": row.number, "reason": "; ".join(error.messages)}}
                ) from None
            counts[row.result] += 1
        ImportRow.objects.bulk_update(good, ["result"])
        batch.status, batch.committed_at, batch.summary = ImportStatus.COMMITTED, timezone.now(), counts
        batch.save(update_fields=["status", "committed_at", "summary"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=batch,
            changes={
                "status": [ImportStatus.MATCHED, ImportStatus.COMMITTED],
                **{k: [None, v] for k, v in counts.items()},
            },
        )
        return batch


def _commit_row(
    actor: Any,
    id_list: IdentificationList,
    row: ImportRow,
    reachable: dict[int, Person],
    on_list: set[int],
    places: dict[str, Place],
    since: date,
) -> str:
    data = row.data
    if row.decision == Decision.SKIP:
        return "skipped"
    if row.decision == Decision.SAME:
        assert row.same_as_id is not None
        if row.same_as_id in on_list:
            return "on_list"
        person = reachable[row.same_as_id]
        result = "added"
    else:
        person = _register_new(actor, id_list, data)
        place = places.get(data.get("place", "").casefold())
        if place is not None:
            people_services.presence_record(actor=actor, person=person, place=place, since=since, source=id_list.name)
        result = "created"
    note = data.get("note", "")
    if data.get("place") and (row.decision == Decision.SAME or data["place"].casefold() not in places):
        note = f"{note} ({data['place']})".strip()
    entry_create(actor, id_list, person, note=note, document=data.get("document", ""))
    on_list.add(person.pk)
    return result


@transaction.atomic
def import_discard(*, actor: Any, batch: ImportBatch) -> ImportBatch:
    """Abandon an import that was not committed: its working rows are deleted."""
    batch = _require_batch(actor, batch, *OPEN)
    deleted, _counts = batch.rows.all().delete()
    batch.status, batch.discarded_at = ImportStatus.DISCARDED, timezone.now()
    batch.save(update_fields=["status", "discarded_at"])
    audit_record(actor=actor, action=AuditAction.DELETE, obj=batch, changes={"rows": [deleted, 0]})
    return batch


def keep_days() -> int:
    """How many days the working rows of a finished (or abandoned) batch are kept: ZHUSAN_IMPORT_ROWS_KEEP_DAYS."""
    return max(0, int(getattr(settings, "ZHUSAN_IMPORT_ROWS_KEEP_DAYS", 30)))


@transaction.atomic
def import_rows_purge(*, today: date | None = None) -> int:
    """Delete the working rows (cells, parsed values, candidates) of batches finished more than `keep_days()` ago.

    Concerns batches committed or discarded before the cut-off day, and batches still unfinished that were uploaded
    before it (those are discarded: without rows they could not go on). The headers are cleared too; the batch's
    summary stays (file hash, counts, uploader, dates, status), so a committed file is still refused a second time.
    Run daily by `manage.py import_purge`; one audit entry per run, with counts only. Returns the batches purged.
    """
    days = keep_days()
    day = (today or timezone.localdate()) - timedelta(days=days)
    cutoff = timezone.make_aware(datetime.combine(day, time.min))
    due = (
        Q(status=ImportStatus.COMMITTED, committed_at__lt=cutoff)
        | Q(status=ImportStatus.DISCARDED, discarded_at__lt=cutoff)
        | Q(status=ImportStatus.DISCARDED, discarded_at__isnull=True, uploaded_at__lt=cutoff)
        | Q(status__in=OPEN, uploaded_at__lt=cutoff)
    )
    batches = list(ImportBatch.objects.select_for_update().filter(due, purged_at__isnull=True).order_by("pk"))
    ids = [b.pk for b in batches]
    rows_deleted, _counts = ImportRow.objects.filter(batch_id__in=ids).delete() if ids else (0, {})
    now = timezone.now()
    abandoned = 0
    for batch in batches:
        if batch.status in OPEN:
            batch.status, batch.discarded_at = ImportStatus.DISCARDED, now
            abandoned += 1
        batch.headers, batch.purged_at = [], now
    ImportBatch.objects.bulk_update(batches, ["status", "discarded_at", "headers", "purged_at"])
    audit_record(
        actor=None,
        action=AuditAction.DELETE,
        changes={
            "import_batches": [None, len(batches)],
            "import_rows": [rows_deleted, 0],
            "abandoned": [None, abandoned],
            "keep_days": [None, days],
        },
        reason="import_purge: working rows of finished imports",
    )
    return len(batches)
