"""Download what a list shows: the same rows, filters applied, as CSV or XLSX.

A list page links to itself with `download=csv` or `download=xlsx` added to its query string;
the view hands the rows of the whole filtered list (not only the page) to `table_download`,
which streams them: CSV row by row, XLSX through a write-only workbook spooled to a temporary
file, so memory does not grow with the list. Cells are neutralised against formula injection.
The rows come from the same presenters as the page, so a download holds exactly what the user
may see on screen (analysts get pseudonyms), and reading names through them is audited as
reads are; the download itself is an `export.list` audit event with the list, format, row count
and the names of the filters applied (their values are codes, but they stay out all the same).
"""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone

from amparo.audit.services import audit_record
from amparo.interchange.formats.tabular import cell

DOWNLOAD_FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def wanted_download(request: HttpRequest) -> str | None:
    value = request.GET.get("download", "")
    return value if request.method == "GET" and value in DOWNLOAD_FORMATS else None


def download_query(request: HttpRequest) -> str:
    """The list's query string without the page, to which a link adds `download=…`."""
    query = request.GET.copy()
    for name in ("page", "download"):
        query.pop(name, None)
    encoded = query.urlencode()
    return f"{encoded}&" if encoded else ""


class _Echo:
    def write(self, value: str) -> str:
        return value


def _audit(request: HttpRequest, name: str, fmt: str, rows: int, completed: bool) -> None:
    filters = sorted(k for k, v in request.GET.items() if v and k not in {"download", "page"})
    with transaction.atomic():
        audit_record(
            request.user,
            "export.list",
            object_type="export",
            detail={
                "list": name,
                "format": fmt,
                "rows": rows,
                "filters": filters,
                "completed": completed,
            },
        )


def table_download(
    request: HttpRequest,
    *,
    name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: str,
) -> HttpResponseBase:
    """Rows as a CSV or XLSX attachment named after the list and today's date."""
    filename = f"{name}-{timezone.localdate().isoformat()}.{fmt}"
    response: HttpResponseBase
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_lines(request, name, header, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        # The response closes the spool once sent.
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        _write_xlsx(spool, header, rows, request, name)
        size = spool.tell()
        spool.seek(0)
        response = FileResponse(spool, content_type=XLSX_TYPE)
        response["Content-Length"] = str(size)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_lines(
    request: HttpRequest, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    count, completed = 0, False
    try:
        # A byte-order mark, so that spreadsheet programs read the file as UTF-8.
        yield "\ufeff" + writer.writerow(list(header))
        for row in rows:
            yield writer.writerow([_cell(value) for value in row])
            count += 1
        completed = True
    finally:
        _audit(request, name, "csv", count, completed)


def _write_xlsx(
    target: Any,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    request: HttpRequest,
    name: str,
) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=name[:31])
    sheet.append(list(header))
    count, completed = 0, False
    try:
        for row in rows:
            sheet.append([_cell(value) for value in row])
            count += 1
        book.save(target)
        completed = True
    finally:
        _audit(request, name, "xlsx", count, completed)
    return count


def _cell(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return cell(value)
