"""Checking the audit chain, and the anchors that catch a cut-off tail.

`chain_verify` walks the entries in `seq` order, recomputes each hash and stops at the first break, which
it names by what the evidence shows (docs/decisions/0011-tamper-evident-audit.md):

- deleted: a position is missing (a gap in `seq`), or the entry is chained to an entry no longer in the log;
- reordered: the entry is chained to an entry that now comes after it (positions were exchanged);
- inserted: a position taken twice, an entry the chain runs around (the next entry is chained to the one
  before it), or an entry beyond the chain head;
- altered: the entry sits in its place but its content no longer matches its hash;
- truncated: the tail is gone: the chain head or the last anchor names a position past the last entry, or
  the entry at the anchor's position does not carry the anchor's hash.

An anchor is the head (position and hash) written to a file outside the database by `manage.py audit_anchor`;
whoever cuts the tail and rewrites the head row cannot change the copy kept elsewhere.
"""

import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q
from django.utils import timezone

from audit.chain import CHAIN_FIELDS, GENESIS, audit_key, canonical
from audit.guard import guard_in_place
from audit.models import AuditEntry, ChainHead

ALTERED, DELETED, INSERTED, REORDERED, TRUNCATED = "altered", "deleted", "inserted", "reordered", "truncated"
COLUMNS = ("id", "prev_hash", "entry_hash", *CHAIN_FIELDS)
CHUNK = 5000


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str = ""


@dataclass(frozen=True)
class Break:
    kind: str
    seq: int
    detail: str

    def __str__(self) -> str:
        return f"{self.kind} at seq {self.seq}: {self.detail}"


@dataclass
class Verdict:
    entries: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    broken: Break | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.broken is None

    def __str__(self) -> str:
        if self.broken is not None:
            return f"BROKEN: {self.broken}"
        return f"intact: {self.entries} entries, head seq {self.head_seq} hash {self.head_hash}"


def chain_verify(*, anchor: Anchor | None = None, using: str = DEFAULT_DB_ALIAS) -> Verdict:
    """Walk the whole chain and report the first break, then compare the end with the head row and the anchor.

    Streams plain tuples in chunks (no model instances): 100,000 entries take a few seconds.
    """
    verdict = Verdict()
    if not guard_in_place(using):
        verdict.warnings.append("the append-only triggers on the audit table are missing or disabled")
    entries = AuditEntry.objects.using(using).order_by("seq", "id")
    rows = entries.values_list(*COLUMNS).iterator(chunk_size=CHUNK)
    verdict.broken = _walk(_as_dicts(rows), verdict, using)
    if verdict.broken is None:
        verdict.broken = _head_check(verdict, using)
    if verdict.broken is None and anchor is not None:
        verdict.broken = _anchor_check(anchor, verdict, using)
    return verdict


def _as_dicts(rows: Iterator[tuple[Any, ...]]) -> Iterator[dict[str, Any]]:
    for values in rows:
        yield dict(zip(COLUMNS, values, strict=True))


def _walk(rows: Iterator[dict[str, Any]], verdict: Verdict, using: str) -> Break | None:
    keyed: hmac.HMAC | None = None  # the key is read at the first entry: an empty log needs none
    previous: dict[str, Any] | None = None
    previous_hash = GENESIS
    for row in rows:
        if keyed is None:
            keyed = hmac.new(audit_key(), digestmod=hashlib.sha256)
        mac = keyed.copy()
        mac.update(canonical(row["prev_hash"], row))
        sound = mac.hexdigest() == row["entry_hash"]
        if row["seq"] != verdict.entries + 1 or row["prev_hash"] != previous_hash or not sound:
            return _classify(row, previous, previous_hash, sound=sound, using=using)
        previous, previous_hash = row, row["entry_hash"]
        verdict.entries, verdict.head_seq, verdict.head_hash = row["seq"], row["seq"], previous_hash
    return None


def _classify(
    row: dict[str, Any], previous: dict[str, Any] | None, previous_hash: str, *, sound: bool, using: str
) -> Break:
    """Name the first break. Runs once, so it may ask the database a few more questions."""
    seq, expected = row["seq"], (previous["seq"] + 1 if previous else 1)
    entries = AuditEntry.objects.using(using)
    if previous is not None and seq <= previous["seq"]:
        return Break(INSERTED, seq, f"a second entry at this position (id {row['id']})")
    if seq > expected:
        missing = f"seq {expected}" if seq == expected + 1 else f"seq {expected} to {seq - 1}"
        return Break(DELETED, expected, f"{missing} missing from the chain")
    linked = row["prev_hash"] == previous_hash
    if not linked:
        later = entries.filter(entry_hash=row["prev_hash"], seq__gt=seq).values_list("seq", flat=True).first()
        if later is not None:
            return Break(REORDERED, seq, f"this entry is chained to seq {later}, which now comes after it")
    following = (
        entries.filter(Q(seq__gt=seq) | Q(seq=seq, id__gt=row["id"]))
        .order_by("seq", "id")
        .values_list("seq", "prev_hash")
        .first()
    )
    if following is not None and following[1] == previous_hash:
        return Break(INSERTED, seq, f"seq {following[0]} is chained to seq {seq - 1}: this entry is not in the chain")
    head = ChainHead.objects.using(using).filter(pk=1).values_list("seq", flat=True).first()
    if head is not None and seq > head:
        return Break(INSERTED, seq, f"beyond the chain head (seq {head})")
    if not linked and not entries.filter(entry_hash=row["prev_hash"]).exists():
        return Break(DELETED, seq, "this entry is chained to an entry that is no longer in the log")
    if not sound:
        return Break(ALTERED, seq, "the entry's content does not match its hash")
    return Break(INSERTED, seq, f"this entry is not chained to seq {seq - 1}")


def _head_check(verdict: Verdict, using: str) -> Break | None:
    head = ChainHead.objects.using(using).filter(pk=1).values_list("seq", "hash").first()
    if head is None:
        if verdict.entries:
            verdict.warnings.append("the chain head row is missing; the next entry will make it again")
        return None
    seq, head_hash = head
    if seq > verdict.head_seq:
        if AuditEntry.objects.using(using).filter(seq__gt=verdict.head_seq).exists():
            return None  # written while the walk ran: the head moved on, nothing was cut
        detail = f"the chain head says seq {seq}, the last entry is seq {verdict.head_seq}"
        return Break(TRUNCATED, verdict.head_seq + 1, detail)
    if seq < verdict.head_seq:
        return Break(INSERTED, seq + 1, f"entries beyond the chain head (seq {seq})")
    if head_hash != verdict.head_hash:
        return Break(ALTERED, seq, "the chain head's hash differs from the last entry's")
    return None


def _anchor_check(anchor: Anchor, verdict: Verdict, using: str) -> Break | None:
    when = f" (anchored {anchor.at})" if anchor.at else ""
    if anchor.seq > verdict.head_seq:
        return Break(
            TRUNCATED,
            verdict.head_seq + 1,
            f"the anchor{when} says seq {anchor.seq}, the log ends at seq {verdict.head_seq}",
        )
    if anchor.seq == 0:
        return None
    held = AuditEntry.objects.using(using).filter(seq=anchor.seq).values_list("entry_hash", flat=True).first()
    if held != anchor.hash:
        return Break(
            TRUNCATED, anchor.seq, f"this entry does not carry the anchor's hash{when}: the tail was cut and rewritten"
        )
    return None


def chain_anchor(*, using: str = DEFAULT_DB_ALIAS) -> Anchor:
    """The current end of the chain: last position and hash (genesis for an empty log)."""
    last = AuditEntry.objects.using(using).order_by("-seq").values_list("seq", "entry_hash").first()
    seq, head_hash = last if last is not None else (0, GENESIS)
    return Anchor(seq=seq, hash=head_hash, at=timezone.now().isoformat(timespec="seconds"))


def anchor_write(anchor: Anchor, path: Path) -> None:
    """Write the anchor as JSON, replacing the file in one step (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    draft.write_text(json.dumps({"seq": anchor.seq, "hash": anchor.hash, "at": anchor.at}) + "\n")
    os.replace(draft, path)


def anchor_read(path: Path) -> Anchor:
    """Read an anchor file; ValueError when it is not one."""
    try:
        data = json.loads(path.read_text())
        anchor = Anchor(seq=int(data["seq"]), hash=str(data["hash"]), at=str(data.get("at", "")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} is not a readable audit anchor: {exc}") from exc
    if anchor.seq < 0 or len(anchor.hash) != 64:
        raise ValueError(f"{path} is not a readable audit anchor: bad seq or hash")
    return anchor
