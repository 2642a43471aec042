"""The audit hash chain: the key, the canonical form of an entry, and its keyed hash.

Each entry's hash is HMAC-SHA256, under a key kept outside the database, over the entry's content, its
position (`seq`) and the previous entry's hash. Without the key nobody can forge, change or reorder an
entry and recompute the hashes to match. Pure functions: the service, the data migration and
`manage.py audit_verify` all hash through `entry_digest`.
"""

import base64
import binascii
import functools
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_ENV = "ZHUSAN_AUDIT_KEY"
KEY_BYTES = 32
GENESIS = "0" * 64

# What the hash covers, besides the previous hash. Not `id`: the chain order is `seq`.
CHAIN_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "agency_name",
    "action",
    "object_type",
    "object_id",
    "person_id",
    "changes",
    "reason",
    "path",
    "ip_address",
)


def key_file() -> Path:
    return Path(settings.ZHUSAN_AUDIT_KEY_FILE)


def key_available() -> bool:
    """Whether a key is configured, without making one (verification must never invent a key)."""
    return bool(os.environ.get(KEY_ENV)) or key_file().is_file()


@functools.cache
def audit_key() -> bytes:
    """The HMAC key: `ZHUSAN_AUDIT_KEY` (base64), else the key file, else (not in production) a new key file.

    Never derived from SECRET_KEY and never stored in the database. Error messages name the source, never
    the value.
    """
    raw = os.environ.get(KEY_ENV)
    if raw:
        return _decoded(raw, KEY_ENV)
    path = key_file()
    if path.is_file():
        return _decoded(path.read_text(), str(path))
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured(f"the audit key is missing: set {KEY_ENV} or create {path}")
    return _decoded(_key_file_create(path), str(path))


def _decoded(raw: str, source: str) -> bytes:
    try:
        key = base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"the audit key in {source} is not base64") from None
    if len(key) < KEY_BYTES:
        raise ImproperlyConfigured(f"the audit key in {source} is shorter than {KEY_BYTES} bytes")
    return key


def _key_file_create(path: Path) -> str:
    """Write a new random key, readable by its owner only. Two processes starting together agree on one key:
    the file is written aside and linked into place, which fails if the other process got there first."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(value + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        value = path.read_text()
    finally:
        draft.unlink()
    return value


def utc_text(at: datetime) -> str:
    """A timestamp as the hash sees it: UTC, always with microseconds (what both databases keep)."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(prev_hash: str, fields: Mapping[str, Any]) -> bytes:
    """One byte string per entry: sorted keys, no spaces, text as UTF-8, the time in UTC."""
    document = {name: fields[name] for name in CHAIN_FIELDS}
    document["at"] = utc_text(fields["at"])
    document["prev_hash"] = prev_hash
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_digest(prev_hash: str, fields: Mapping[str, Any], *, key: bytes | None = None) -> str:
    """The entry's hash (hex): HMAC-SHA256 over the canonical form. `fields` holds every name in CHAIN_FIELDS."""
    return hmac.new(audit_key() if key is None else key, canonical(prev_hash, fields), hashlib.sha256).hexdigest()


def json_normal(value: Any) -> Any:
    """The value a JSON column gives back, so the hash made at write time matches the one made on reading.

    A JSON round trip turns tuples into lists and keys into text. Whole floats become integers because
    PostgreSQL's jsonb writes 1e16 back as 10000000000000000 and -0.0 as 0.
    """
    return _whole_floats_as_int(json.loads(json.dumps(value)))


def _whole_floats_as_int(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _whole_floats_as_int(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_floats_as_int(v) for v in value]
    return value
