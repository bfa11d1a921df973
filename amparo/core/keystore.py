"""Create, open, rewrap and shred data keys; the only code that touches wrapped key bytes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from amparo.core.bulk import insert_rows
from amparo.core.crypto import Shredded, derive_subkey, new_key
from amparo.core.keys import get_keyring
from amparo.core.models import DataKey


def data_key_create(*, purpose: str = DataKey.Purpose.SUBJECT) -> DataKey:
    data_key = DataKey(purpose=purpose)
    kek_id, wrapped = get_keyring().wrap(new_key(), data_key_id=str(data_key.id))
    data_key.kek_id, data_key.wrapped = kek_id, wrapped
    data_key.save(force_insert=True)
    return data_key


def data_keys_create(count: int, *, purpose: str = DataKey.Purpose.SUBJECT) -> list[DataKey]:
    """count new data keys in one INSERT (imports)."""
    keyring, data_keys = get_keyring(), [DataKey(purpose=purpose) for _ in range(count)]
    for data_key in data_keys:
        data_key.kek_id, data_key.wrapped = keyring.wrap(new_key(), data_key_id=str(data_key.id))
    return insert_rows(DataKey, data_keys)


def data_key_open(data_key: DataKey) -> bytes:
    if data_key.wrapped is None:
        raise Shredded("This record's data key was destroyed.")
    return get_keyring().unwrap(
        bytes(data_key.wrapped), kek_id=data_key.kek_id, data_key_id=str(data_key.id)
    )


def data_key_shred(data_key: DataKey) -> None:
    DataKey.objects.filter(pk=data_key.pk).update(wrapped=None, shredded_at=timezone.now())
    data_key.wrapped = None
    get_keyring().forget()


# Inside index_root_cached(): the blind-index root, looked up once on entering.
_cached_index_root: ContextVar[DataKey | None] = ContextVar("cached_index_root", default=None)


@contextmanager
def index_root_cached() -> Iterator[None]:
    """Look the blind-index root up once for the whole block instead of once per blind index
    (imports). Use it inside one transaction: the root only changes by a rewrap, which is not
    run inside another command's transaction. The root is found (or created) on entering, so
    that a savepoint rolled back inside the block cannot take a cached root with it."""
    token = _cached_index_root.set(_find_or_create_index_data_key())
    try:
        yield
    finally:
        _cached_index_root.reset(token)


def _index_data_key() -> DataKey:
    return _cached_index_root.get() or _find_or_create_index_data_key()


def _find_or_create_index_data_key() -> DataKey:
    data_key = DataKey.objects.filter(purpose=DataKey.Purpose.INDEX).first()
    if data_key is None:
        try:
            with transaction.atomic():
                data_key = data_key_create(purpose=DataKey.Purpose.INDEX)
        except IntegrityError:
            data_key = DataKey.objects.get(purpose=DataKey.Purpose.INDEX)
    return data_key


def index_root_key() -> bytes:
    """The root of every blind-index key, itself a data key wrapped by the KEK."""
    return data_key_open(_index_data_key())


def index_key(purpose: str) -> bytes:
    data_key = _index_data_key()
    cache, slot = get_keyring().derived, (bytes(data_key.wrapped or b""), purpose)
    key = cache.get(slot)
    if key is None:
        key = cache[slot] = derive_subkey(data_key_open(data_key), f"amparo-blind-index|{purpose}")
    return key


def rewrap_all(batch_size: int = 500) -> Iterator[int]:
    """Rewrap every live data key under the current KEK; yields the running count."""
    keyring = get_keyring()
    current = keyring.require_current()
    done = 0
    while True:
        with transaction.atomic():
            batch = list(
                DataKey.objects.select_for_update()
                .filter(wrapped__isnull=False)
                .exclude(kek_id=current.id)[:batch_size]
            )
            if not batch:
                return
            for data_key in batch:
                plain = data_key_open(data_key)
                data_key.kek_id, data_key.wrapped = keyring.wrap(
                    plain, data_key_id=str(data_key.id)
                )
            DataKey.objects.bulk_update(batch, ["kek_id", "wrapped"])
        done += len(batch)
        yield done
