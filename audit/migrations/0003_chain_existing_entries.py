# Data: chain the entries written before the chain existed, in id order (the order they were written),
# and record the head. Hashes are made from the values as read back from the database, as verification does.

from django.db import migrations

from audit.chain import CHAIN_FIELDS, GENESIS, entry_digest

BATCH = 2000


def chain_existing_entries(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    ChainHead = apps.get_model("audit", "ChainHead")
    db = schema_editor.connection.alias
    seq, prev_hash, last_id = 0, GENESIS, 0
    while True:
        # Pages by id rather than one open cursor: the rows read are updated in the same loop.
        page = list(AuditEntry.objects.using(db).filter(id__gt=last_id).order_by("id")[:BATCH])
        if not page:
            break
        for entry in page:
            seq += 1
            entry.seq, entry.prev_hash = seq, prev_hash
            entry.entry_hash = prev_hash = entry_digest(prev_hash, {name: getattr(entry, name) for name in CHAIN_FIELDS})
        AuditEntry.objects.using(db).bulk_update(page, ["seq", "prev_hash", "entry_hash"])
        last_id = page[-1].id
    ChainHead.objects.using(db).update_or_create(pk=1, defaults={"seq": seq, "hash": prev_hash})


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_chain_fields"),
    ]

    operations = [
        migrations.RunPython(chain_existing_entries, migrations.RunPython.noop, elidable=False),
    ]
