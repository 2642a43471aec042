"""`manage.py rotate_keys`: re-encrypt every encrypted value under the primary key."""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from core.crypto import (
    Ciphertext,
    DecryptionError,
    binding,
    decrypt,
    encrypt,
    encrypted_fields,
    is_encrypted,
    key_id_of,
    keyring,
    reset_keyring,
    stored_values,
)

BATCH = 500


class Command(BaseCommand):
    help = (
        "Re-encrypt under the primary key every value encrypted under another key. Values stay readable "
        "throughout, and running it again changes nothing.\n"
        'Rotation: (1) make a key: python -c "import base64, os; '
        'print(base64.urlsafe_b64encode(os.urandom(32)).decode())"; (2) put it FIRST in the keyring, as '
        "primary, keeping the old keys (ZHUSAN_ENCRYPTION_KEYS=new:...,old:... or 'primary' and 'keys' in the "
        "key file); (3) restart the application, so that every process writes under the new key; "
        "(4) run rotate_keys, then once more: it must report 0 values re-encrypted; (5) remove the old key. "
        "The index key (blind indexes) is not rotated by this command."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        reset_keyring()  # read the keyring as it is now, not as this process first saw it
        primary = keyring().primary_id
        total = failed = 0
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if not fields:
                continue
            done, errors = self._rotate(model, [f.attname for f in fields], primary)
            total += done
            failed += len(errors)
            self.stdout.write(f"{model._meta.label_lower}: {done} values re-encrypted")
            for error in errors[:20]:
                self.stderr.write(f"  {error}")
        self.stdout.write(self.style.SUCCESS(f"{total} values re-encrypted under key {primary!r}."))
        if failed:
            raise CommandError(f"{failed} values could not be decrypted and were left as they are.")

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
