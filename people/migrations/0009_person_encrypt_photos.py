# Data, step 2 of 3: give each person a row_uid and seal every photo still stored in clear.
#
# Done here rather than by a separate command, so no deployment can run the new code against clear photos: the
# sealed copy is written under a new generated name, the row points to it, and the clear file is deleted only
# once the migration's transaction has committed (a failed migration leaves the old files and rows as they were).
# Files are read whole (photos are re-encoded JPEGs under 5 MB). Running it again changes nothing.

import uuid

from django.core.files.base import ContentFile
from django.db import migrations, transaction

from core.crypto import BYTES_PREFIX, binding, decrypt_bytes, encrypt_bytes


def give_row_uids(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    for pk in list(Person.objects.filter(row_uid__isnull=True).values_list("pk", flat=True)):
        Person.objects.filter(pk=pk).update(row_uid=uuid.uuid4())


def _rewrite(apps, seal):
    Person = apps.get_model("people", "Person")
    storage = Person._meta.get_field("photo").storage
    label = Person._meta.label_lower
    for pk, row_uid, name in list(Person.objects.exclude(photo="").values_list("pk", "row_uid", "photo")):
        if not name or not storage.exists(name):
            continue
        with storage.open(name, "rb") as handle:
            content = handle.read()
        if content.startswith(BYTES_PREFIX) == seal:
            continue  # already as wanted
        context = binding(label, row_uid, "photo")
        content = encrypt_bytes(content, context=context) if seal else decrypt_bytes(content, context=context)
        new_name = storage.save(f"photos/{uuid.uuid4().hex}.jpg", ContentFile(content))
        Person.objects.filter(pk=pk).update(photo=new_name)
        transaction.on_commit(lambda old=name: storage.delete(old))


def seal_photos(apps, schema_editor):
    _rewrite(apps, seal=True)


def open_photos(apps, schema_editor):
    _rewrite(apps, seal=False)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0008_person_photo_encryption_schema"),
    ]

    operations = [
        migrations.RunPython(give_row_uids, migrations.RunPython.noop),
        migrations.RunPython(seal_photos, open_photos),
    ]
