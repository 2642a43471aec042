"""`manage.py rotate_keys`: re-encrypt every encrypted value and file under the primary key."""

from functools import partial
from pathlib import PurePosixPath
from typing import Any

from django.apps import apps
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from core.crypto import (
    BYTES_PREFIX,
    Ciphertext,
    DecryptionError,
    EncryptedFileField,
    binding,
    decrypt,
    decrypt_bytes,
    encrypt,
    encrypt_bytes,
    encrypted_fields,
    encrypted_file_fields,
    is_encrypted,
    key_id_of,
    key_id_of_bytes,
    keyring,
    reset_keyring,
    stored_values,
)

BATCH = 500
FILE_BATCH = 50  # files are read whole into memory: fewer per transaction


class Command(BaseCommand):
    help = (
        "Re-encrypt under the primary key every value encrypted under another key. Values stay readable "
        "throughout, and running it again changes nothing.\n"
        'Rotation: (1) make a key: python -c "import base64, os; '
        'print(base64.urlsafe_b64encode(os.urandom(32)).decode())"; (2) put it FIRST in the keyring, as '
        "primary, keeping the old keys (ZHUSAN_ENCRYPTION_KEYS=new:...,old:... or 'primary' and 'keys' in the "
        "key file); (3) restart the application, so that every process writes under the new key; "
        "(4) run rotate_keys, then once more: it must report 0 values and 0 files re-encrypted; (5) remove the "
        "old key. Encrypted files (scans) are written anew under a new name and the old file is deleted once the "
        "row points at the new one. The index key (blind indexes) is not rotated by this command."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        reset_keyring()  # read the keyring as it is now, not as this process first saw it
        primary = keyring().primary_id
        total = files = failed = 0
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if fields:
                done, errors = self._rotate(model, [f.attname for f in fields], primary)
                total += done
                failed += len(errors)
                self.stdout.write(f"{model._meta.label_lower}: {done} values re-encrypted")
                self._report(errors)
            for file_field in encrypted_file_fields(model):
                done, errors = self._rotate_files(model, file_field, primary)
                files += done
                failed += len(errors)
                self.stdout.write(f"{model._meta.label_lower}.{file_field.name}: {done} files re-encrypted")
                self._report(errors)
        self.stdout.write(self.style.SUCCESS(f"{total} values re-encrypted under key {primary!r}."))
        self.stdout.write(self.style.SUCCESS(f"{files} files re-encrypted under key {primary!r}."))
        if failed:
            raise CommandError(f"{failed} values or files could not be decrypted and were left as they are.")

    def _report(self, errors: list[str]) -> None:
        for error in errors[:20]:
            self.stderr.write(f"  {error}")

    def _rotate(self, model: type[models.Model], names: list[str], primary: str) -> tuple[int, list[str]]:
        label = model._meta.label_lower
        done, errors = 0, []
        for page in stored_values(model, names, batch=BATCH):
            with transaction.atomic():
                for pk, row_uid, *values in page:
                    old: dict[str, str] = {}
                    new: dict[str, Ciphertext] = {}
                    for name, value in zip(names, values, strict=True):
                        if not value or (is_encrypted(value) and key_id_of(value) == primary):
                            continue
                        context = binding(label, row_uid, name)
                        try:
                            new[name] = Ciphertext(encrypt(decrypt(value, context=context), context=context))
                        except DecryptionError as exc:
                            errors.append(f"{label} {pk} {name}: {exc}")
                            continue
                        old[name] = value
                    if new:
                        # Only if the row still holds what was read: a write since then wins, nothing is lost.
                        done += len(new) * model._base_manager.filter(pk=pk, **old).update(**new)
        return done, errors

    def _rotate_files(
        self, model: type[models.Model], field: EncryptedFileField, primary: str
    ) -> tuple[int, list[str]]:
        """Write each file sealed under an older key anew under the primary key, then point the row at it.

        A new name rather than overwriting in place: until the transaction commits, the row and its file still
        agree, and a failure leaves the old file readable. The old file is deleted after the commit.
        """
        label, storage = model._meta.label_lower, field.storage
        done, errors = 0, []
        for page in stored_values(model, [field.attname], batch=FILE_BATCH):
            with transaction.atomic():
                for pk, row_uid, name in page:
                    if not name:
                        continue
                    context = binding(label, row_uid, field.name)
                    try:
                        with storage.open(name, "rb") as handle:
                            if key_id_of_bytes(handle.read(len(BYTES_PREFIX) + 33)) == primary:
                                continue
                            handle.seek(0)
                            sealed = encrypt_bytes(decrypt_bytes(handle.read(), context=context), context=context)
                    except (DecryptionError, OSError, SuspiciousFileOperation) as exc:
                        errors.append(f"{label} {pk} {field.name}: {exc}")
                        continue
                    new_name = storage.save(
                        field.generate_filename(model(pk=pk, row_uid=row_uid), PurePosixPath(name).name),
                        ContentFile(sealed),
                    )
                    # Only if the row still points at the file read: an upload since then wins, nothing is lost.
                    if model._base_manager.filter(pk=pk, **{field.attname: name}).update(**{field.attname: new_name}):
                        done += 1
                        transaction.on_commit(partial(storage.delete, name))
                    else:
                        storage.delete(new_name)
        return done, errors
