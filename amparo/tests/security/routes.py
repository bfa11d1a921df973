"""Every route Amparo answers: page patterns from the URL resolver, operations from OpenAPI."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "api/v1/"
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class PageRoute:
    pattern: str  # the full pattern, the route's key in the matrix
    name: str  # namespace:name, or "" for an unnamed route


@dataclass(frozen=True)
class ApiOperation:
    method: str
    path: str  # /api/v1/defenders/{code}
    operation: str  # the operationId without its amparo_<app>_api_ prefix
    has_body: bool


def _walk(patterns: list, prefix: str = "", namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield PageRoute(prefix + str(entry.pattern), namespace + (entry.name or ""))


def page_routes() -> list[PageRoute]:
    """Every non-API URL pattern (the API is covered operation by operation)."""
    return [r for r in _walk(get_resolver().url_patterns) if not r.pattern.startswith(API_PREFIX)]


def api_routes() -> list[PageRoute]:
    return [r for r in _walk(get_resolver().url_patterns) if r.pattern.startswith(API_PREFIX)]


def openapi_schema() -> dict:
    from config.api import api

    return api.get_openapi_schema()


def api_operations() -> list[ApiOperation]:
    operations = []
    for path, item in openapi_schema()["paths"].items():
        for method, spec in item.items():
            operation = re.sub(r"^amparo_\w+?_api_", "", spec["operationId"])
            operations.append(ApiOperation(method.upper(), path, operation, "requestBody" in spec))
    return operations


def fill(pattern: str, args: dict[str, str]) -> str:
    """The URL of a page pattern with its converters replaced by the given arguments."""
    path = _CONVERTER.sub(lambda m: args[m.group(1)], pattern)
    path = path.replace("^(?P<app_label>accounts|risk)/$", "accounts/")
    path = path.replace("(?P<url>.*)$", "no-such-page/")
    return "/" + path


def fill_api(path: str, args: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: args[m.group(1)], path)


def arguments(pattern: str) -> list[str]:
    return _CONVERTER.findall(pattern)
