"""The audit log is a hash chain: any change, removal, reordering, insertion or cut-off tail is found and named."""

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import RequestFactory

from audit.chain import CHAIN_FIELDS, GENESIS, entry_digest
from audit.guard import guard_in_place, guard_lifted
from audit.models import AuditAction, AuditEntry, ChainHead
from audit.services import audit_record
from casework.models import Case

TABLE = AuditEntry._meta.db_table
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def chain_of(count: int) -> list[AuditEntry]:
    return [audit_record(actor=None, action=AuditAction.VIEW, reason=f"entry {n}") for n in range(1, count + 1)]


def verify(*args: str) -> tuple[int, str, str]:
    """Run audit_verify; return its exit code, standard output and error output."""
    out, err = StringIO(), StringIO()
    try:
        call_command("audit_verify", *args, stdout=out, stderr=err)
    except SystemExit as exit:
        return int(exit.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@contextmanager
def tampering() -> Iterator[Any]:
    """A cursor with the append-only triggers lifted, as someone with the table owner's rights could."""
    with guard_lifted(), connection.cursor() as cursor:
        yield cursor


def move(cursor: Any, seqs: dict[int, int]) -> None:
    """Give entries new positions; through negative numbers, as `seq` is unique at every statement."""
    for old, new in seqs.items():
        cursor.execute(f"UPDATE {TABLE} SET seq = %s WHERE seq = %s", [-new, old])  # noqa: S608 (test table name)
    cursor.execute(f"UPDATE {TABLE} SET seq = -seq WHERE seq < 0")  # noqa: S608


def head_reset(seq: int) -> None:
    """What a careful attacker does after cutting the tail: the head row points at the new last entry."""
    last = AuditEntry.objects.get(seq=seq)
    ChainHead.objects.filter(pk=1).update(seq=seq, hash=last.entry_hash)


def test_a_fresh_chain_verifies(register: Callable[..., Case]) -> None:
    register()
    chain_of(3)
    count = AuditEntry.objects.count()
    last = AuditEntry.objects.get(seq=count)
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, count + 1))
    code, out, err = verify()
    assert (code, err) == (0, "")
    assert out.strip() == f"intact: {count} entries, head seq {count} hash {last.entry_hash}"
    assert verify("--quiet") == (0, "", "")


def test_an_empty_log_verifies(db: None) -> None:
    code, out, _err = verify()
    assert code == 0
    assert out.strip() == f"intact: 0 entries, head seq 0 hash {GENESIS}"


def test_each_entry_is_chained_to_the_one_before(db: None) -> None:
    first, second = chain_of(2)
    assert (first.seq, first.prev_hash) == (1, GENESIS)
    assert (second.seq, second.prev_hash) == (2, first.entry_hash)
    assert ChainHead.objects.values_list("seq", "hash").get() == (2, second.entry_hash)


def test_the_hash_covers_exactly_the_values_the_database_gives_back(db: None) -> None:
    request = RequestFactory().get("/people/?q=Айгерим", REMOTE_ADDR="2001:DB8:0:0::1")
    changes: dict[Any, Any] = {"given": ("Айгерим", "Aigerim"), "weight": [61.0, 62.5], "big": 1e16, 3: None}
    written = audit_record(actor=None, action=AuditAction.SEARCH, changes=changes, reason="é\u200b", request=request)
    stored = AuditEntry.objects.get(pk=written.pk)
    assert stored.at == written.at
    assert stored.ip_address == "2001:db8::1"
    fields = {name: getattr(stored, name) for name in CHAIN_FIELDS}
    assert entry_digest(stored.prev_hash, fields) == stored.entry_hash == written.entry_hash
    assert verify()[0] == 0


def test_an_altered_entry_is_named(db: None) -> None:
    chain_of(8)
    with tampering() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET reason = 'nothing happened' WHERE seq = 4")  # noqa: S608
    code, _out, err = verify()
    assert code == 1
    assert err.strip() == "BROKEN: altered at seq 4: the entry's content does not match its hash"


def test_an_entry_whose_hash_was_recomputed_without_the_key_is_named_as_altered(db: None) -> None:
    chain_of(8)
    entry = AuditEntry.objects.get(seq=4)
    fields = {name: getattr(entry, name) for name in CHAIN_FIELDS} | {"reason": "nothing happened"}
    forged = entry_digest(entry.prev_hash, fields, key=b"a guessed key, not the real one!")
    with tampering() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET reason = %s, entry_hash = %s WHERE seq = 4",  # noqa: S608
            ["nothing happened", forged],
        )
    code, _out, err = verify()
    assert (code, err.split(":")[1].strip()) == (1, "altered at seq 4")


def test_a_deleted_entry_is_named(db: None) -> None:
    chain_of(8)
    with tampering() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq = 4")  # noqa: S608
    code, _out, err = verify()
    assert code == 1
    assert err.strip() == "BROKEN: deleted at seq 4: seq 4 missing from the chain"


def test_a_deleted_entry_is_named_even_when_the_later_ones_were_renumbered(db: None) -> None:
    chain_of(8)
    with tampering() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq = 4")  # noqa: S608
        move(cursor, {n: n - 1 for n in range(5, 9)})
    head_reset(7)
    code, _out, err = verify()
    assert code == 1
    assert "deleted at seq 4: this entry is chained to an entry that is no longer in the log" in err


@pytest.mark.parametrize("forged_hash", ["wrong key", "copied"])
def test_a_forged_entry_slipped_in_is_named(db: None, forged_hash: str) -> None:
    chain_of(8)
    before, taken = AuditEntry.objects.get(seq=3), AuditEntry.objects.get(seq=4)
    with tampering() as cursor:
        move(cursor, {n: n + 1 for n in range(4, 9)})
    fields = {name: getattr(taken, name) for name in CHAIN_FIELDS} | {"reason": "a visit that never happened"}
    fields |= {"actor_username": "someone_else", "seq": 4}
    if forged_hash == "copied":
        entry_hash = taken.entry_hash
    else:
        entry_hash = entry_digest(before.entry_hash, fields, key=b"a guessed key, not the real one!")
    AuditEntry.objects.create(**fields, prev_hash=before.entry_hash, entry_hash=entry_hash)
    head_reset(9)
    code, _out, err = verify()
    assert code == 1
    assert err.strip() == "BROKEN: inserted at seq 4: seq 5 is chained to seq 3: this entry is not in the chain"


def test_a_forged_entry_appended_at_the_end_is_named(db: None) -> None:
    last = chain_of(4)[-1]
    AuditEntry.objects.create(
        seq=5, action=AuditAction.LOGIN, actor_username="ghost", prev_hash=last.entry_hash, entry_hash="f" * 64
    )
    code, _out, err = verify()
    assert (code, err.strip()) == (1, "BROKEN: inserted at seq 5: beyond the chain head (seq 4)")


@pytest.mark.parametrize(("first", "second"), [(3, 4), (3, 6)])
def test_swapped_entries_are_named_as_reordered(db: None, first: int, second: int) -> None:
    chain_of(8)
    with tampering() as cursor:
        move(cursor, {first: second, second: first})
    # The entry now at `first` came from `second`; its predecessor is now at `second - 1`, or at `second`
    # itself when the two were neighbours.
    predecessor = second if second - 1 == first else second - 1
    code, _out, err = verify()
    assert code == 1
    assert err.strip() == (
        f"BROKEN: reordered at seq {first}: this entry is chained to seq {predecessor}, which now comes after it"
    )


def test_a_cut_tail_shows_against_the_chain_head(db: None) -> None:
    chain_of(8)
    with tampering() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq > 6")  # noqa: S608
    code, _out, err = verify()
    assert (code, err.strip()) == (1, "BROKEN: truncated at seq 7: the chain head says seq 8, the last entry is seq 6")


def test_a_cut_tail_with_a_rewritten_head_is_caught_by_the_anchor(db: None, tmp_path: Path) -> None:
    chain_of(8)
    anchor = tmp_path / "anchor.json"
    call_command("audit_anchor", out=anchor, stdout=StringIO())
    assert json.loads(anchor.read_text())["seq"] == 8
    with tampering() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq > 6")  # noqa: S608
    head_reset(6)
    assert verify()[0] == 0  # the database alone no longer shows it: that is what the anchor is for
    code, _out, err = verify("--anchor", str(anchor))
    assert code == 1
    assert err.strip().startswith("BROKEN: truncated at seq 7: the anchor (anchored ")
    assert err.strip().endswith(") says seq 8, the log ends at seq 6")


def test_a_cut_and_regrown_tail_is_caught_by_the_anchor(db: None, tmp_path: Path) -> None:
    chain_of(8)
    anchor = tmp_path / "anchor.json"
    call_command("audit_anchor", out=anchor, stdout=StringIO())
    with tampering() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq > 6")  # noqa: S608
    head_reset(6)
    chain_of(3)  # new, validly chained entries take positions 7 to 9
    assert verify()[0] == 0
    code, _out, err = verify("--anchor", str(anchor))
    assert code == 1
    assert "truncated at seq 8: this entry does not carry the anchor's hash" in err


def test_the_daily_anchor_refuses_a_chain_cut_since_the_last_anchor(db: None, tmp_path: Path) -> None:
    chain_of(8)
    anchor = tmp_path / "anchor.json"
    call_command("audit_anchor", out=anchor, stdout=StringIO())
    written = anchor.read_text()
    with tampering() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq > 6")  # noqa: S608
    head_reset(6)
    err = StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("audit_anchor", out=anchor, stdout=StringIO(), stderr=err)
    assert exit.value.code == 1
    assert "truncated at seq 7" in err.getvalue() and "anchor not written" in err.getvalue()
    assert anchor.read_text() == written


def test_an_intact_anchor_verifies(db: None, tmp_path: Path) -> None:
    chain_of(3)
    anchor = tmp_path / "anchor.json"
    call_command("audit_anchor", out=anchor, stdout=StringIO())
    chain_of(2)
    code, out, _err = verify("--anchor", str(anchor))
    assert (code, out.split(",")[0]) == (0, "intact: 5 entries")


def test_an_unreadable_anchor_is_an_error_not_a_verdict(db: None, tmp_path: Path) -> None:
    anchor = tmp_path / "anchor.json"
    anchor.write_text("{not json")
    with pytest.raises(CommandError, match="not a readable audit anchor") as error:
        call_command("audit_verify", anchor=anchor, stdout=StringIO(), stderr=StringIO())
    assert error.value.returncode == 2


def test_the_database_refuses_to_change_or_delete_audit_rows(db: None) -> None:
    entry = chain_of(2)[0]
    statements = [f"UPDATE {TABLE} SET reason = 'x'", f"DELETE FROM {TABLE}"]  # noqa: S608
    if connection.vendor == "postgresql":
        # Without the queued foreign-key checks of this test's transaction, TRUNCATE would refuse for that reason.
        statements.append(f"SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE {TABLE}")
    for statement in statements:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEntry.objects.get(pk=entry.pk).reason == entry.reason
    assert AuditEntry.objects.count() == 2
    assert guard_in_place()


def test_verification_warns_when_the_triggers_are_gone(db: None) -> None:
    chain_of(1)
    with guard_lifted():
        code, _out, err = verify()
    assert code == 0
    assert "warning: the append-only triggers on the audit table are missing or disabled" in err


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_log_and_puts_the_triggers_back() -> None:
    chain_of(3)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
    assert guard_in_place()
    assert chain_of(1)[0].seq == 1  # the head row is made again from the (empty) log


@pytest.mark.skipif(not ON_POSTGRESQL, reason="row locks exist only on PostgreSQL; SQLite serialises writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_take_consecutive_positions() -> None:
    start, failures = threading.Barrier(2), []

    def write(name: str) -> None:
        try:
            start.wait(timeout=10)
            for n in range(50):
                audit_record(actor=None, action=AuditAction.VIEW, reason=f"{name} {n}")
        except Exception as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    writers = [threading.Thread(target=write, args=(name,)) for name in ("first", "second")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=60)
    assert failures == []
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 101))
    assert verify()[:2] == (0, f"intact: 100 entries, head seq 100 hash {AuditEntry.objects.get(seq=100).entry_hash}\n")


@pytest.mark.django_db(transaction=True)
def test_entries_written_before_the_chain_are_chained_by_the_migration() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("audit", "0001_initial")])
    old = executor.loader.project_state([("audit", "0001_initial")]).apps.get_model("audit", "AuditEntry")
    for n in range(3):
        old.objects.create(action="view", reason=f"before the chain {n}", changes={"n": [None, n]})
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("audit"))
    assert list(AuditEntry.objects.order_by("id").values_list("seq", flat=True)) == [1, 2, 3]
    assert audit_record(actor=None, action=AuditAction.VIEW).seq == 4
    assert verify()[0] == 0
    assert guard_in_place()
