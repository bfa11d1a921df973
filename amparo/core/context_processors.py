from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def amparo(request: HttpRequest) -> dict[str, Any]:
    return {"AMPARO_ENV": settings.AMPARO_ENV, "AMPARO_SOURCE_URL": settings.AMPARO_SOURCE_URL}
