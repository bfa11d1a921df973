"""Blind indexes: keyed HMACs of normalised values, for exact-match lookups only.

Each purpose (defender name, phone, ...) has its own key derived from the index root, so equal
values in different fields do not match. They leak equality, nothing else: never index a
low-cardinality sensitive value on its own.
"""

from __future__ import annotations

import re
import unicodedata

from amparo.core.crypto import keyed_digest
from amparo.core.keystore import index_key

_SPACES = re.compile(r"\s+")
_NOT_NAME = re.compile(r"[^\w\s]")


def normalise_name(value: str) -> str:
    """Case, accents, punctuation and spacing do not matter: 'Tomás  Pérez' = 'tomas perez'."""
    text = unicodedata.normalize("NFKD", value)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NOT_NAME.sub(" ", text.casefold())
    return _SPACES.sub(" ", text).strip()


def normalise_phone(value: str) -> str:
    """Digits only, without an international '00' or '+' prefix.

    '+57 310-555 0101', '0057 3105550101' and '573105550101' all give '573105550101'."""
    digits = re.sub(r"\D", "", value)
    return digits[2:] if value.strip().startswith("00") else digits


def normalise_email(value: str) -> str:
    return value.strip().casefold()


NORMALISERS = {"name": normalise_name, "phone": normalise_phone, "email": normalise_email}


def blind_index(purpose: str, value: str) -> str | None:
    """The index of a value for one purpose, or None when nothing is left after normalising."""
    kind = purpose.rsplit(".", 1)[-1]
    normalised = NORMALISERS[kind](value)
    if not normalised:
        return None
    return keyed_digest(index_key(purpose), normalised.encode("utf-8"))[:32]
