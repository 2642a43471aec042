"""Encryption at rest for the special categories (notes of every class, identity document numbers, the fields of
legal, medical and child-protection records, photos and scans). Dates and numbers are sealed as text by the typed
fields (EncryptedDateField...); links that are themselves sensitive are encrypted ids read through SealedReference.

Values are sealed with AES-256-GCM under a keyring kept apart from Django's SECRET_KEY. Each value is bound
to its row and field (the associated data is "<app.model>:<row_uid>:<field>"), so a ciphertext copied to
another row or field fails to decrypt instead of showing someone else's data. Stored text looks like
"zhenc:v1:<key id>:<urlsafe base64 of nonce + ciphertext>"; the key id lets old keys keep decrypting while
`manage.py rotate_keys` moves every value to the primary key. Files (scans of documents) are sealed the same way,
as bytes: b"zhenc:v1:<key id>:" followed by the raw nonce and ciphertext (`EncryptedFileField`).

Keys come from the environment or from a JSON key file outside the repository:

    ZHUSAN_ENCRYPTION_KEYS="k2:<base64 32 bytes>,k1:<base64 32 bytes>"   (first = primary)
    ZHUSAN_INDEX_KEY="<base64 32 bytes>"                                 (HMAC key of the blind indexes)

    settings.ZHUSAN_KEY_FILE: {"primary": "k1", "keys": {"k1": "<base64>"}, "index": "<base64>"}

Outside production a missing key file is made on first use (mode 0600); production refuses to run without keys.
Make a key with: python -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"
"""

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Generic, TypeVar, overload
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile, File
from django.core.validators import DecimalValidator, MaxLengthValidator
from django.db import models
from django.db.models.expressions import Combinable
from django.db.models.fields.files import FieldFile
from django.db.models.query_utils import DeferredAttribute
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

MARKER = "zhenc:"
VERSION = "v1"
PREFIX = f"{MARKER}{VERSION}:"
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class DecryptionError(Exception):
    """A stored value could not be decrypted: unknown key, altered, or copied from another row or field."""


# --- the keyring ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Keyring:
    """Key ids to 32-byte AES keys, primary first: the primary encrypts, every key decrypts its own values."""

    keys: dict[str, bytes]
    index_key: bytes
    _ciphers: dict[str, AESGCM] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.keys:
            raise ImproperlyConfigured("The encryption keyring is empty.")
        for key_id, key in self.keys.items():
            if not KEY_ID.match(key_id):
                raise ImproperlyConfigured(f"Encryption key id {key_id!r}: use 1-32 letters, digits, '_', '-', '.'.")
            if len(key) != KEY_BYTES:
                raise ImproperlyConfigured(f"Encryption key {key_id!r} must be {KEY_BYTES} bytes, not {len(key)}.")
            self._ciphers[key_id] = AESGCM(key)
        if len(self.index_key) != KEY_BYTES:
            raise ImproperlyConfigured(f"The index key must be {KEY_BYTES} bytes, not {len(self.index_key)}.")
        if self.index_key in self.keys.values():
            raise ImproperlyConfigured("The index key must differ from every encryption key.")

    @property
    def primary_id(self) -> str:
        return next(iter(self.keys))

    def cipher(self, key_id: str) -> AESGCM:
        try:
            return self._ciphers[key_id]
        except KeyError:
            raise DecryptionError(
                f"Unknown encryption key id {key_id!r} (the keyring has {', '.join(self.keys)}): "
                "add the key that encrypted this value to ZHUSAN_ENCRYPTION_KEYS or the key file."
            ) from None


_keyring: Keyring | None = None
_keyring_lock = threading.Lock()


def keyring() -> Keyring:
    """The process's keyring, loaded once. Restart the processes (or call reset_keyring) after changing keys."""
    global _keyring
    if _keyring is None:
        with _keyring_lock:
            if _keyring is None:
                _keyring = _load_keyring()
    return _keyring


def reset_keyring() -> None:
    """Forget the loaded keyring; the next use reads the environment and the key file again (tests, rotation)."""
    global _keyring
    with _keyring_lock:
        _keyring = None


def key_file_path() -> Path:
    return Path(getattr(settings, "ZHUSAN_KEY_FILE", Path(settings.VAR_DIR) / "keys" / "encryption.json"))


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def _decode_key(text: str, what: str) -> bytes:
    try:
        # Either base64 alphabet: keys pasted from other tools use "+/".
        return base64.urlsafe_b64decode(text.strip().replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{what} is not valid base64.") from None


def _keys_from_env(raw: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for item in raw.split(","):
        key_id, sep, encoded = item.strip().partition(":")
        if not sep:
            raise ImproperlyConfigured("ZHUSAN_ENCRYPTION_KEYS must read 'id1:base64key,id2:base64key'.")
        keys[key_id.strip()] = _decode_key(encoded, f"ZHUSAN_ENCRYPTION_KEYS key {key_id!r}")
    return keys


def _keys_from_file(data: dict[str, Any], path: Path) -> dict[str, bytes]:
    encoded = data.get("keys") or {}
    primary = data.get("primary")
    if primary not in encoded:
        raise ImproperlyConfigured(f"{path}: 'primary' must name one of the 'keys'.")
    order = [primary, *(k for k in encoded if k != primary)]
    return {k: _decode_key(encoded[k], f"{path} key {k!r}") for k in order}


def _read_key_file(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"Cannot read the key file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ImproperlyConfigured(f"{path} must hold a JSON object.")
    return data


def _create_key_file(path: Path) -> dict[str, Any]:
    """Development only: make a fresh key file, atomically, so parallel test workers agree on one."""
    key_id = f"k{secrets.token_hex(3)}"  # random, so a lost file shows as "unknown key id", not as tampering
    data = {"primary": key_id, "keys": {key_id: new_key()}, "index": new_key()}
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".encryption-")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, indent=2)
        os.chmod(tmp, 0o600)
        os.link(tmp, path)  # fails if another process made the file first: then use theirs
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    return _read_key_file(path) or data


def _load_keyring() -> Keyring:
    path = key_file_path()
    env_keys = os.environ.get("ZHUSAN_ENCRYPTION_KEYS", "").strip()
    env_index = os.environ.get("ZHUSAN_INDEX_KEY", "").strip()
    data = None if env_keys and env_index else _read_key_file(path)
    if data is None and not (env_keys and env_index):
        if settings.PRODUCTION:
            raise ImproperlyConfigured(
                "Encryption keys are missing: set ZHUSAN_ENCRYPTION_KEYS and ZHUSAN_INDEX_KEY, "
                f"or provide the key file {path}."
            )
        data = _create_key_file(path)
    keys = _keys_from_env(env_keys) if env_keys else _keys_from_file(data or {}, path)
    if env_index:
        index_key = _decode_key(env_index, "ZHUSAN_INDEX_KEY")
    elif data and data.get("index"):
        index_key = _decode_key(data["index"], f"{path} index key")
    else:
        raise ImproperlyConfigured(f"No index key: set ZHUSAN_INDEX_KEY or 'index' in {path}.")
    return Keyring(keys=keys, index_key=index_key)


@checks.register(checks.Tags.security, deploy=True)
def check_keyring(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`manage.py check --deploy` fails when production has no usable keys (they would fail at first use)."""
    if not settings.PRODUCTION:
        return []
    try:
        reset_keyring()
        keyring()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="zhusan.E001")]
    return []


# --- sealing values ---------------------------------------------------------------------------------------------


def binding(model_label: str, row_uid: UUID | str, field_name: str) -> str:
    """The associated data that ties a value to one row and field."""
    return f"{model_label}:{row_uid}:{field_name}"


def is_encrypted(value: str | None) -> bool:
    return bool(value) and str(value).startswith(MARKER)


def key_id_of(stored: str) -> str:
    return _split(stored)[0]


def _seal(plaintext: bytes, context: str) -> tuple[str, bytes]:
    """(primary key id, nonce + ciphertext and tag)."""
    ring = keyring()
    nonce = os.urandom(NONCE_BYTES)
    return ring.primary_id, nonce + ring.cipher(ring.primary_id).encrypt(nonce, plaintext, context.encode())


def _open(key_id: str, raw: bytes, context: str) -> bytes:
    cipher = keyring().cipher(key_id)
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError(f"The encrypted value of {context} is damaged (too short).")
    try:
        return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
    except InvalidTag:
        raise DecryptionError(
            f"The encrypted value of {context} failed authentication: it was altered, "
            "or copied from another row or field."
        ) from None


def encrypt(plaintext: str, *, context: str) -> str:
    key_id, raw = _seal(plaintext.encode(), context)
    return f"{PREFIX}{key_id}:{base64.urlsafe_b64encode(raw).decode()}"


def decrypt(stored: str, *, context: str) -> str:
    """The plaintext, or DecryptionError: never a guess, never the ciphertext itself."""
    key_id, payload = _split(stored)
    keyring().cipher(key_id)  # an unknown key is named before a damaged value
    try:
        raw = base64.urlsafe_b64decode(payload)
    except (binascii.Error, ValueError):
        raise DecryptionError(f"The encrypted value of {context} is damaged (bad base64).") from None
    return _open(key_id, raw, context).decode()


def _split(stored: str) -> tuple[str, str]:
    parts = str(stored).split(":", 3)
    if len(parts) != 4 or f"{parts[0]}:" != MARKER:
        raise DecryptionError("This value is not encrypted (stored in clear?); run the migrations.")
    if parts[1] != VERSION:
        raise DecryptionError(f"Unknown encryption format {parts[1]!r}.")
    return parts[2], parts[3]


# --- sealing bytes (files) -------------------------------------------------------------------------------------

BYTES_PREFIX = PREFIX.encode()


def encrypt_bytes(data: bytes, *, context: str) -> bytes:
    """Seal a file's contents under the primary key: b"zhenc:v1:<key id>:" + nonce + ciphertext and tag."""
    key_id, raw = _seal(data, context)
    return BYTES_PREFIX + key_id.encode() + b":" + raw


def decrypt_bytes(stored: bytes, *, context: str) -> bytes:
    """The file's contents, or DecryptionError (unknown key, altered, or moved from another row or field)."""
    key_id, start = _split_bytes(stored)
    return _open(key_id, stored[start:], context)


def key_id_of_bytes(stored: bytes) -> str:
    """The key id of sealed bytes; the first 42 bytes of the file are enough."""
    return _split_bytes(stored)[0]


def _split_bytes(stored: bytes) -> tuple[str, int]:
    if not stored.startswith(BYTES_PREFIX):
        raise DecryptionError("This file is not encrypted (stored in clear?).")
    end = stored.find(b":", len(BYTES_PREFIX), len(BYTES_PREFIX) + 33)
    key_id = stored[len(BYTES_PREFIX) : end].decode("ascii", "replace") if end > 0 else ""
    if not KEY_ID.match(key_id):
        raise DecryptionError("This encrypted file is damaged (no key id).")
    return key_id, end + 1


# --- blind index ------------------------------------------------------------------------------------------------


def normalise_for_index(value: str) -> str:
    """What makes two document numbers the same: case, spaces and dashes do not count ("N 123-456" = "n123456")."""
    folded = unicodedata.normalize("NFKC", value)
    return "".join(ch for ch in folded if not ch.isspace() and unicodedata.category(ch) != "Pd").upper()


def blind_index(value: str) -> str:
    """A keyed hash (HMAC-SHA256, hex) to find equal values without storing them; "" for an empty value."""
    normalised = normalise_for_index(value or "")
    if not normalised:
        return ""
    return hmac.new(keyring().index_key, normalised.encode(), hashlib.sha256).hexdigest()


# --- model fields -----------------------------------------------------------------------------------------------


def _row_binding(field: models.Field, instance: models.Model) -> str:
    row_uid = getattr(instance, "row_uid", None)
    if row_uid is None:
        raise DecryptionError(f"{field.model._meta.label_lower} has no row_uid: cannot bind {field.name}.")
    return binding(field.model._meta.label_lower, row_uid, field.name)


def _row_uid_check(field: models.Field) -> list[checks.CheckMessage]:
    names = {f.name for f in field.model._meta.get_fields()}
    if field.model._meta.abstract or "row_uid" in names:
        return []
    message = "A model with encrypted fields needs a unique row_uid UUIDField."
    return [checks.Error(message, obj=field, id="zhusan.E002")]


class Ciphertext(str):
    """A value as the database holds it. Only values read from the database carry this type, so a plaintext
    that happens to start with "zhenc:" is still encrypted on save, never taken for a ciphertext."""

    __slots__ = ()


class EncryptedAttribute(DeferredAttribute):
    """Keeps the loaded ciphertext on the instance and decrypts it on first read, with the row's own binding."""

    field: "EncryptedTextField"

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)  # loads a deferred value
        if isinstance(value, Ciphertext):
            value = self.field.from_plaintext(decrypt(value, context=self.field.context_for(instance)))
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """Text encrypted at rest: the column holds ciphertext, model code reads and writes plaintext.

    - The model needs `row_uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)`: the
      ciphertext is bound to it and to the field's name (renaming the model or field needs re-encryption).
    - Encrypted fields cannot be filtered, searched or ordered on: only `isnull` and `exact` with "" work;
      use a BlindIndexField for equality. `update()` and `bulk_update()` refuse plaintext: use `save()` or
      `bulk_create()`, which encrypt through `pre_save`.
    - `max_length` is checked on the plaintext by full_clean(); the empty string is stored as is.
    - dumpdata writes plaintext (it reads through the model): treat such exports as sensitive.
    """

    descriptor_class = EncryptedAttribute

    @cached_property
    def validators(self) -> list[Any]:
        extra = [MaxLengthValidator(self.max_length)] if self.max_length else []
        return [*super().validators, *extra]

    def context_for(self, instance: models.Model) -> str:
        return _row_binding(self, instance)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return Ciphertext(value) if value else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value and not is_encrypted(value):
            raise ValueError(
                f"{self.model._meta.label}.{self.name} is encrypted: it cannot be filtered on, and plaintext "
                "can only be written through save() or bulk_create()."
            )
        return value

    def from_plaintext(self, text: str) -> Any:
        """The model's value of a decrypted text (typed subclasses parse it)."""
        return text

    def to_plaintext(self, value: Any) -> str:
        """The text that is encrypted for a model value (typed subclasses format it)."""
        return str(value)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if value is None or value == "":
            return value
        return encrypt(self.to_plaintext(value), context=self.context_for(model_instance))

    def get_lookup(self, lookup_name: str) -> Any:
        return super().get_lookup(lookup_name) if lookup_name in ("exact", "isnull") else None

    def get_transform(self, lookup_name: str) -> Any:
        return None

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = [*super().check(**kwargs), *_row_uid_check(self)]
        if {self.name, f"-{self.name}"} & {str(o) for o in self.model._meta.ordering or ()}:
            # The database would order by ciphertext: a silent, random order.
            errors.append(
                checks.Error("An encrypted field cannot order the model: sort in Python.", obj=self, id="zhusan.E004")
            )
        if self.unique or getattr(self, "db_index", False):  # db_index is missing from django-stubs
            errors.append(
                checks.Error(
                    "An encrypted field cannot be unique or indexed: use a BlindIndexField.", obj=self, id="zhusan.E003"
                )
            )
        return errors


class TypedEncryptedField(EncryptedTextField):
    """An encrypted value that is not text (a date, a number): the column holds the ciphertext of its text form,
    the model reads and writes the Python value. Empty is NULL, so declare `null=True` for an optional value.

    Same limits as EncryptedTextField: no filtering, ordering or comparison in the database; check ranges and
    order in the service, sort in Python. Forms and serializers declare their own typed fields.
    """

    def parse(self, text: str) -> Any:
        raise NotImplementedError

    def to_python(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return self.parse(value)
            except (ValueError, ArithmeticError):
                raise ValidationError(_("Enter a valid value."), code="invalid") from None
        return self.coerce(value)

    def coerce(self, value: Any) -> Any:
        """A Python value of the right type (subclasses narrow it)."""
        return value

    def from_plaintext(self, text: str) -> Any:
        return self.parse(text)

    def to_plaintext(self, value: Any) -> str:
        return self.format(self.to_python(value))

    def format(self, value: Any) -> str:
        return str(value)

    def get_prep_value(self, value: Any) -> Any:
        if value is None or (isinstance(value, str) and is_encrypted(value)):
            return value
        raise ValueError(
            f"{self.model._meta.label}.{self.name} is encrypted: it cannot be filtered or ordered on, and its value "
            "can only be written through save() or bulk_create()."
        )


class EncryptedDateField(TypedEncryptedField):
    """A date encrypted at rest (stored as the ciphertext of its ISO form)."""

    # What django-stubs' plugin reads to type the model attribute (a date, not the stored text).
    _pyi_private_set_type: date | Combinable  # type: ignore[assignment]  # narrows TextField's str
    _pyi_private_get_type: date  # type: ignore[assignment]  # narrows TextField's str

    def parse(self, text: str) -> date:
        return date.fromisoformat(text)

    def coerce(self, value: Any) -> date:
        if isinstance(value, datetime):
            return value.date()
        if not isinstance(value, date):
            raise ValidationError(_("Enter a valid date."), code="invalid")
        return value

    def format(self, value: date) -> str:
        return value.isoformat()


class EncryptedDecimalField(TypedEncryptedField):
    """A decimal encrypted at rest, with the digits of a DecimalField (checked by full_clean, kept on read)."""

    _pyi_private_set_type: Decimal | float | int | Combinable  # type: ignore[assignment]  # narrows TextField's str
    _pyi_private_get_type: Decimal  # type: ignore[assignment]  # narrows TextField's str

    def __init__(self, *args: Any, max_digits: int, decimal_places: int, **kwargs: Any) -> None:
        self.max_digits, self.decimal_places = max_digits, decimal_places
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(max_digits=self.max_digits, decimal_places=self.decimal_places)
        return name, path, args, kwargs

    @cached_property
    def validators(self) -> list[Any]:
        return [*super().validators, DecimalValidator(self.max_digits, self.decimal_places)]

    def parse(self, text: str) -> Decimal:
        return self.coerce(Decimal(text))

    def coerce(self, value: Any) -> Decimal:
        if isinstance(value, float):
            value = Decimal(repr(value))
        if not isinstance(value, (Decimal, int)) or isinstance(value, bool):
            raise ValidationError(_("Enter a number."), code="invalid")
        number = Decimal(value)
        if not number.is_finite():
            raise ValidationError(_("Enter a number."), code="invalid")
        return number.quantize(Decimal(1).scaleb(-self.decimal_places))

    def format(self, value: Decimal) -> str:
        return format(value, "f")


class EncryptedFloatField(TypedEncryptedField):
    """A float encrypted at rest (a derived score: stored exactly, by its repr)."""

    _pyi_private_set_type: float | int | Combinable  # type: ignore[assignment]  # narrows TextField's str
    _pyi_private_get_type: float  # type: ignore[assignment]  # narrows TextField's str

    def parse(self, text: str) -> float:
        return self.coerce(float(text))

    def coerce(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            raise ValidationError(_("Enter a number."), code="invalid")
        return float(value)

    def format(self, value: float) -> str:
        return repr(value)


class EncryptedIntegerField(TypedEncryptedField):
    """An integer encrypted at rest."""

    _pyi_private_set_type: int | Combinable  # type: ignore[assignment]  # narrows TextField's str
    _pyi_private_get_type: int  # type: ignore[assignment]  # narrows TextField's str

    def parse(self, text: str) -> int:
        return int(text)

    def coerce(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(_("Enter a whole number."), code="invalid")
        return value


class EncryptedBooleanField(TypedEncryptedField):
    """A yes/no encrypted at rest (a clinical sign, say); stored as the ciphertext of "true" or "false"."""

    _pyi_private_set_type: bool | Combinable  # type: ignore[assignment]  # narrows TextField's str
    _pyi_private_get_type: bool  # type: ignore[assignment]  # narrows TextField's str

    def parse(self, text: str) -> bool:
        if text not in ("true", "false"):
            raise ValueError(text)
        return text == "true"

    def coerce(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError(_("Enter yes or no."), code="invalid")
        return value

    def format(self, value: bool) -> str:
        return "true" if value else "false"


class EncryptedJSONField(TypedEncryptedField):
    """A JSON value encrypted at rest (a small mapping of notes); keys are sorted so equal values read equal."""

    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def parse(self, text: str) -> Any:
        return json.loads(text)

    def format(self, value: Any) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)


_Row = TypeVar("_Row", bound=models.Model)


class SealedReference(Generic[_Row]):
    """A row of another model named by an encrypted id (an EncryptedIntegerField), for links that are themselves
    special-category data (which test, which clinic): `kind = SealedReference(TestKind, "kind_ref")`.

    Reading fetches the row once (or uses what `attach_references` set); assigning a row stores its id. Unlike
    a foreign key the database neither joins nor protects it: the referenced rows must be retired, not deleted.
    """

    def __init__(self, to: type[_Row], ref_field: str) -> None:
        self.to, self.ref_field = to, ref_field

    def __set_name__(self, owner: type, name: str) -> None:
        self.cache = f"_{name}_row"

    @overload
    def __get__(self, instance: None, owner: Any = None) -> "SealedReference[_Row]": ...
    @overload
    def __get__(self, instance: models.Model, owner: Any = None) -> _Row: ...
    def __get__(self, instance: models.Model | None, owner: Any = None) -> "_Row | SealedReference[_Row]":
        if instance is None:
            return self
        ref = getattr(instance, self.ref_field)
        row = instance.__dict__.get(self.cache)
        if row is None or row.pk != ref:
            row = instance.__dict__[self.cache] = self.to._default_manager.get(pk=ref)
        return row

    def __set__(self, instance: models.Model, row: _Row) -> None:
        setattr(instance, self.ref_field, row.pk)
        instance.__dict__[self.cache] = row


def attach_references(rows: list[Any], name: str) -> list[Any]:
    """Set the `name` SealedReference of every row from one query, so a list does not fetch row by row."""
    if not rows:
        return rows
    reference: SealedReference[Any] = getattr(type(rows[0]), name)
    found = reference.to._default_manager.in_bulk({getattr(r, reference.ref_field) for r in rows})
    for row in rows:
        setattr(row, name, found[getattr(row, reference.ref_field)])
    return rows


class BlindIndexField(models.CharField):
    """The blind index of a sibling encrypted field, kept by `pre_save`, so save() and bulk_create() both fill it.

    Find equal values with `filter(<field>=blind_index(value))`; the HMAC key is not rotated by rotate_keys.
    """

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        index = blind_index(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, index)
        return index


class SealedFieldFile(FieldFile):
    """A stored file whose contents are sealed: save() encrypts what it is given, read_plain() decrypts.

    `open()` and the storage give the ciphertext, never the contents.
    """

    field: "EncryptedFileField"

    def save(self, name: str, content: File, save: bool = True) -> None:
        sealed = encrypt_bytes(b"".join(content.chunks()), context=self.field.context_for(self.instance))
        super().save(name, ContentFile(sealed), save)

    def read_plain(self) -> bytes:
        if not self.name:
            raise ValueError(f"{self.field.name} has no file.")
        with self.storage.open(self.name, "rb") as handle:
            return decrypt_bytes(handle.read(), context=self.field.context_for(self.instance))


class EncryptedFileField(models.FileField):
    """A private file encrypted at rest, bound to its row and field like EncryptedTextField (scans of documents).

    - Write with `instance.<field>.save(name, content)`, or assign an uploaded file and save the row: the contents
      are sealed under the primary key on the way to the storage. Read with `instance.<field>.read_plain()`.
    - The model needs the same `row_uid`; `manage.py rotate_keys` moves the files to the primary key.
    - The name on disk comes from `upload_to` alone: never let it carry the uploader's file name.
    - The whole file is held in memory to seal or open it: keep uploads small (see core.files).
    """

    attr_class = SealedFieldFile

    def context_for(self, instance: models.Model) -> str:
        return _row_binding(self, instance)

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        return [*super().check(**kwargs), *_row_uid_check(self)]


def encrypted_file_fields(model: type[models.Model]) -> list[EncryptedFileField]:
    """The model's own encrypted file fields."""
    return [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedFileField)]


def encrypted_fields(model: type[models.Model]) -> list[EncryptedTextField]:
    """The model's own encrypted fields (not those inherited through multi-table inheritance)."""
    return [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]


def stored_values(model: type[models.Model], field_names: list[str], batch: int = 500) -> Iterator[list[Any]]:
    """Batches of (pk, row_uid, *stored values) in primary-key order, for rotation and data migrations.

    Keyset pages rather than one long cursor, so the caller may commit between batches.
    """
    last = None
    manager = model._base_manager
    while True:
        rows = manager.order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        page = list(rows.values_list("pk", "row_uid", *field_names)[:batch])
        if not page:
            return
        yield page
        last = page[-1][0]
