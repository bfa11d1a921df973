"""Per-request context (the request id) that the audit log attaches to events."""

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("amparo_request_id", default="")
