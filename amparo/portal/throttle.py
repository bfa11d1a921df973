"""Rate limits of the public portal pages, counted in Django's cache.

Each limit is a fixed window counted twice: per client address (a keyed hash of it, so the
cache holds no address) and overall. With several server processes the cache must be shared
(a database or Redis cache); the default local-memory cache counts per process.
"""

from __future__ import annotations

import hashlib
import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_key(request: HttpRequest) -> str:
    address = get_client_ip_address(request) or "unknown"
    salted = f"{settings.SECRET_KEY}|portal-address|{address}".encode()
    return hashlib.sha256(salted).hexdigest()[:32]


def _count(key: str, window: int) -> int:
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def allow(
    request: HttpRequest, bucket: str, *, per_address: int, overall: int, window: int = 3600
) -> bool:
    """Count one attempt in this window; False when the address or everyone is over the limit
    (the attempt is counted either way, so hammering does not reopen the window)."""
    slot = int(time.time()) // window
    mine = _count(f"portal:{bucket}:{client_key(request)}:{slot}", window)
    everyone = _count(f"portal:{bucket}:all:{slot}", window)
    return mine <= per_address and everyone <= overall


def allow_report(request: HttpRequest) -> bool:
    return allow(
        request,
        "report",
        per_address=settings.AMPARO_PORTAL_REPORTS_PER_ADDRESS,
        overall=settings.AMPARO_PORTAL_REPORTS_PER_HOUR,
    )


def allow_lookup(request: HttpRequest) -> bool:
    return allow(
        request,
        "lookup",
        per_address=settings.AMPARO_PORTAL_LOOKUPS_PER_ADDRESS,
        overall=settings.AMPARO_PORTAL_LOOKUPS_PER_HOUR,
    )
