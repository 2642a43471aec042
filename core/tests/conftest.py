"""Keyrings for the encryption tests, set through the environment as in production."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from core.crypto import new_key, reset_keyring

KEYS = {key_id: new_key() for key_id in ("k1", "k2", "k3")}


@pytest.fixture
def use_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """use_keys("k2", "k1"): the keyring holds these keys, the first one primary; the index key stays the same."""
    monkeypatch.setenv("ZHUSAN_INDEX_KEY", new_key())

    def use(*key_ids: str) -> None:
        monkeypatch.setenv("ZHUSAN_ENCRYPTION_KEYS", ",".join(f"{k}:{KEYS[k]}" for k in key_ids))
        reset_keyring()

    use("k1")
    yield use
    reset_keyring()


@pytest.fixture
def kazakhstan(db: Any) -> Any:
    from people.models import Place, PlaceKind

    return Place.objects.create(kind=PlaceKind.COUNTRY, name="Kazakhstan")
