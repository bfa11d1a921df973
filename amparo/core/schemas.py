"""Schemas every API domain shares: strict inputs, error bodies, pages of results."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

MAX_PAGE_SIZE = 200
# Beyond any real list, and within the 64-bit integers SQL accepts (a larger offset was a 500).
MAX_OFFSET = 1_000_000_000


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False


class Input(Schema):
    """Request bodies: unknown fields are an error, so nothing can be mass-assigned."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul_character(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold NUL: without this, such input was a 500 there.
        if _has_nul(value):
            raise ValueError("Text cannot contain the NUL character.")
        return value


class ErrorOut(Schema):
    detail: str


class FieldError(Schema):
    field: str
    message: str


class ValidationErrorOut(Schema):
    detail: list[FieldError]


class PageParams(Input):
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def error_responses(*codes: int) -> dict[int, Any]:
    """The error answers an operation documents, in the shapes the API's handlers produce.

    503 is what an operation that decrypts answers when the keys are unavailable; an operation
    that validates input (422) also answers 400 to a body that is not JSON at all."""
    if 422 in codes:
        codes = (400, *codes)
    return {code: ValidationErrorOut if code == 422 else ErrorOut for code in codes}


def field_errors(error: ValidationError) -> list[dict[str, str]]:
    """A Django ValidationError as [{field, message}], in a stable order."""
    if hasattr(error, "error_dict"):
        return [
            {"field": field, "message": message}
            for field, errors in sorted(error.message_dict.items())
            for message in errors
        ]
    return [{"field": "__all__", "message": message} for message in error.messages]


def invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def page(
    queryset: QuerySet[Any],
    params: PageParams,
    present: Callable[[Sequence[Any]], Sequence[Any]],
    *,
    count: int | None = None,
) -> dict[str, Any]:
    """One page of a policy-filtered queryset; only that page is presented (and decrypted).
    count: the queryset's length when the caller counts it faster than COUNT(*) over it."""
    count = queryset.count() if count is None else count
    rows = list(queryset[params.offset : params.offset + params.limit])
    return {"count": count, "limit": params.limit, "offset": params.offset, "items": present(rows)}


def reject_unknown_params(request: HttpRequest, params: type[Schema]) -> None:
    """Unknown query parameters are an error, not silently ignored: a client that tries to
    search by name in the URL learns at once that this is refused (use the POST search)."""
    unknown = sorted(set(request.GET) - set(params.model_fields))
    if unknown:
        raise invalid(unknown[0], "Unknown query parameter.")
