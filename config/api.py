"""The REST API: one NinjaAPI, a router per domain, OpenAPI 3 at /api/v1/openapi.json."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Amparo API",
    version="1",
    urls_namespace="api",
    docs_url=None,
)
