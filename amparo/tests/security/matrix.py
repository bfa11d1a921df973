"""Request every cell of the authorization matrix and judge it against the declared table."""

from __future__ import annotations

import copy
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, reset_queries, transaction
from django.http import HttpResponseBase
from django.test import Client
from django.test.utils import CaptureQueriesContext

from amparo.audit.models import AuditEvent

from .routes import ApiOperation, PageRoute, arguments, fill, fill_api
from .table import Rule
from .world import GHOST, GHOSTS, RELATIONS, VISIBLE, SecurityWorld

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Response headers every answer carries (docs/security.md, Browser).
REQUIRED_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy")
# Arguments that are not the addressed object: always a well-formed reference to nothing.
# The tables a refused write must leave as they were (with the audit log): every record a
# route of the matrix can create or delete.
WATCHED_MODELS = (
    "accounts.User",
    "accounts.ApiToken",
    "registry.Case",
    "registry.CaseMember",
    "registry.Defender",
    "registry.Person",
    "registry.Organisation",
    "incidents.Incident",
    "incidents.Attachment",
    "risk.RiskAssessment",
    "risk.Procedure",
    "measures.Measure",
    "measures.MeasureStatusChange",
    "measures.MeasureFeedback",
    "measures.Disclosure",
    "coordination.Task",
    "coordination.ConsentRecord",
    "communications.Communication",
    "communications.Reply",
    "communications.CountryVisit",
    "investigations.Investigation",
    "portal.SelfReport",
    "earlywarning.Alert",
)
# Events the product records on purpose when it refuses a request (docs/security.md, Audit
# chain): a refused cell may add these, and nothing else but reads of what a rejected form
# shows again.
REFUSAL_EVENTS = frozenset({"auth.login_failed", "auth.otp_failed", "login.failed"})
# Canaries that are confidential to their entity but are not "sensitive fields" whose display
# is audited (docs/security.md, Audit chain): an organisation's name and a country visit's
# notes. Their reads leave no event today (a product decision); they are still searched for
# leaks above.
READ_NOT_AUDITED = ("ORGANISATION-CANARY-", "VISIT-CANARY-")
# Tables a request may write without it being a change of the product's records: the session,
# the audit log itself and django-axes' access log; and a token's "last used" stamp.
BOOKKEEPING_TABLES = frozenset({"django_session", "audit_auditevent", "axes_accesslog"})
_BOOKKEEPING_SQL = re.compile(
    r"""^\s*UPDATE\s+"?accounts_apitoken"?\s+SET\s+"?last_used_at"?\s*=\s*('[^']*'(?:::\w+)?|\S+)\s+WHERE""",
    re.IGNORECASE,
)
_WRITE_SQL = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
SIDE_ARGUMENTS = {
    "attachment_id": str(uuid.UUID(int=5)),
    "file_id": str(uuid.UUID(int=7)),
    "action": "close",
    "content_type_id": "1",
}


@dataclass
class Cell:
    route: str
    method: str
    persona: str
    relation: str
    status: int
    verdict: str  # "ok", "leak", "denied-unexpectedly", "error", "header"
    detail: str = ""


@dataclass
class Figures:
    cells: int = 0
    routes: set[str] = field(default_factory=set)
    verdicts: Counter[str] = field(default_factory=Counter)
    problems: list[Cell] = field(default_factory=list)
    missing_headers: Counter[str] = field(default_factory=Counter)
    # kind -> the real objects (by relation) some persona was refused as hidden, and in how
    # many cells; kinds the world has no real object of are tested against the ghost only.
    hidden: dict[str, set[str]] = field(default_factory=dict)
    hidden_cells: Counter[str] = field(default_factory=Counter)
    ghost_only: set[str] = field(default_factory=set)
    # Audit completeness (issue 9): accepted writes that changed a table, sensitive GETs.
    writes_audited: int = 0
    writes_without_event: list[Cell] = field(default_factory=list)
    sensitive_reads_audited: int = 0
    sensitive_reads_without_event: list[Cell] = field(default_factory=list)

    def record_hidden(self, kind: str, relation: str) -> None:
        self.hidden.setdefault(kind, set()).add(relation)
        self.hidden_cells[kind] += 1

    def record(self, cell: Cell) -> None:
        self.cells += 1
        self.routes.add(cell.route)
        self.verdicts[cell.verdict] += 1
        if cell.verdict != "ok":
            self.problems.append(cell)

    def summary(self) -> str:
        return (
            f"authorization matrix: routes {len(self.routes)}, cells {self.cells}, "
            f"leaks {self.verdicts['leak']}, unexpected denials "
            f"{self.verdicts['denied-unexpectedly']}, 5xx {self.verdicts['error']}, "
            f"responses missing a security header {sum(self.missing_headers.values())}\n"
            f"audit: writes audited {self.writes_audited}, without event "
            f"{len(self.writes_without_event)}; sensitive reads audited "
            f"{self.sensitive_reads_audited}, without event "
            f"{len(self.sensitive_reads_without_event)}"
        )

    def hidden_summary(self) -> str:
        kinds = ", ".join(
            f"{kind} {len(relations)} ({self.hidden_cells[kind]} cells)"
            for kind, relations in sorted(self.hidden.items())
        )
        ghost_only = ", ".join(sorted(self.ghost_only - set(self.hidden))) or "none"
        return (
            f"hidden objects tested by kind: {kinds}\n"
            f"kinds tested against a nonexistent object only: {ghost_only}"
        )


def classify(response: HttpResponseBase) -> str:
    """ "denied", "rejected" (reached validation, refused the input) or "ok"."""
    status = response.status_code
    if status >= 500:
        return "error"
    if status in (301, 302, 303):
        location = response.get("Location", "")
        return "denied" if "/login/?" in location else "ok"
    if status in (401, 403, 404, 405, 410):
        return "denied"
    if status in (400, 409, 422):
        return "rejected"
    return "ok"


@dataclass(frozen=True)
class Answer:
    status: int
    shape: str  # the body without what differs between any two answers (see shape())


# Per-response values: CSP nonces, CSRF tokens (long runs of token characters).
_PER_RESPONSE = re.compile(r'nonce-[A-Za-z0-9+/=_-]+|nonce="[^"]*"|[A-Za-z0-9+/=_-]{32,}')


def shape(body: str, url: str) -> str:
    """What a hidden object's answer must share with a nonexistent one's: the body, with the
    request's own reference (its URL and each path segment) and per-response tokens blanked."""
    for segment in sorted({url, *url.strip("/").split("/")}, key=len, reverse=True):
        if len(segment) > 8:  # a code or an id, not a word of the page
            body = body.replace(segment, "<ref>")
    return _PER_RESPONSE.sub("<token>", body)


def body_of(response: HttpResponseBase) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    else:
        content = response.content  # type: ignore[attr-defined]
    return content.decode("utf-8", errors="replace")


def _sensitive_counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in WATCHED_MODELS}


def _audit_after(seq: int) -> list[str]:
    actions = AuditEvent.objects.filter(seq__gt=seq).values_list("action", flat=True)
    return [a for a in actions if "denied" not in a and "fail" not in a and "read" not in a]


def is_read_event(action: str) -> bool:
    """A sensitive read's event: audit_read's "<type>.read", or a named one ("..._read")."""
    return action.endswith(".read") or action.endswith("_read")


@dataclass
class Trace:
    """What one request did: its body (read inside the savepoint, streaming included), the
    product tables it wrote, and the audit events it added (action, actor id, actor role)."""

    body: str
    tables: set[str]
    events: list[tuple[str, int | None, str]]


def missing_headers(response: HttpResponseBase) -> list[str]:
    missing = [h for h in REQUIRED_HEADERS if not response.has_header(h)]
    csp = response.get("Content-Security-Policy", "")
    if "unsafe-inline" in csp:
        missing.append("CSP allows 'unsafe-inline'")
    if response.get("X-Content-Type-Options", "") != "nosniff":
        missing.append("nosniff")
    if "no-store" not in response.get("Cache-Control", ""):
        missing.append("Cache-Control: no-store")
    return sorted(set(missing))


class Matrix:
    def __init__(self, world: SecurityWorld, figures: Figures) -> None:
        self.world = world
        self.figures = figures
        self.api_client = Client(raise_request_exception=False)
        # Every cell runs in a savepoint that is rolled back, so the state before each cell is
        # this one: a refused write is compared with it.
        self.baseline = _sensitive_counts()
        self.baseline_seq = (
            AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        )

    # --- one request, in a savepoint that is always rolled back --------------------------

    def _request(
        self, persona: str, method: str, url: str, api: bool, write: bool, may_change: bool
    ) -> tuple[HttpResponseBase, bool, Trace]:
        """The response, whether a write changed anything (rows or audit events), and what
        the request wrote and recorded."""
        client = self.api_client if api else self.world.clients[persona]
        cookies = copy.deepcopy(client.cookies)
        headers: dict[str, str] = {}
        if api and persona in self.world.tokens:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.world.tokens[persona]}"
        # The query log is bounded (9,000) and the capture keeps it across requests: empty it
        # first, or a later cell would capture nothing.
        reset_queries()
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            if api:
                body = b"{}" if method in WRITE_METHODS else b""
                response = client.generic(
                    method, url, body, content_type="application/json", **headers
                )
            elif method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, {})
            body = body_of(response)  # a streamed answer may record its event as it is read
            tables = {
                match.group(1).lower()
                for query in queries.captured_queries
                if (match := _WRITE_SQL.match(query["sql"]))
                and not _BOOKKEEPING_SQL.match(query["sql"])
            } - BOOKKEEPING_TABLES
            events = list(
                AuditEvent.objects.filter(seq__gt=self.baseline_seq).values_list(
                    "action", "actor_id", "actor_role"
                )
            )
            # Only a refused write needs the comparison (an accepted one may change anything).
            changed = (
                write
                and (classify(response) != "ok" or not may_change)
                and (_sensitive_counts() != self.baseline or bool(_audit_after(self.baseline_seq)))
            )
            transaction.set_rollback(True)
        client.cookies = cookies
        return response, changed, Trace(body, tables, events)

    # --- judging ------------------------------------------------------------------------

    def judge(
        self,
        *,
        route: str,
        rule: Rule,
        method: str,
        persona: str,
        relation: str,
        url: str,
        api: bool,
        ghost: Answer | None,
    ) -> Answer:
        write = method in WRITE_METHODS
        permitted_set = rule.post if write else rule.get
        permitted = persona in (permitted_set or ())
        # An erased defender's stub may be listed or refused: either way nothing of them shows
        # (their canaries are forbidden to everyone), which is what is asserted for it.
        lenient = relation == "shredded"
        visible = relation == "-" or (
            relation != GHOST and relation in (rule.visible or VISIBLE).get(persona, set())
        )
        may_change = permitted and visible and not lenient
        response, changed, trace = self._request(persona, method, url, api, write, may_change)
        status = response.status_code
        outcome = classify(response)
        verdict, detail = "ok", ""
        body = trace.body
        # What the request itself carried (the code in the URL, echoed in a form's "next") is
        # not a disclosure.
        leaked = [s for s in self.world.forbidden_strings(persona) if s in body and s not in url]
        if outcome == "error":
            verdict, detail = "error", f"{status}"
        elif leaked:
            verdict, detail = "leak", f"body contains {leaked[:3]}"
        elif relation == GHOST:
            if outcome == "ok":
                verdict, detail = "leak", f"{status} on a nonexistent object"
        elif not visible:
            if outcome == "ok":
                verdict, detail = "leak", f"{status} on a hidden object"
            elif ghost is not None and status != ghost.status:
                verdict, detail = "leak", f"{status}, but {ghost.status} when it does not exist"
            elif ghost is not None and shape(body, url) != ghost.shape:
                verdict, detail = "leak", f"{status}, answered unlike a nonexistent object"
        elif lenient:
            pass
        elif permitted and outcome == "denied":
            if not (rule.state_dependent and status == 403):
                verdict, detail = "denied-unexpectedly", f"{status}"
        elif rule.lists and not write and outcome in ("ok", "denied"):
            pass  # a collection answers other roles 403 or only what they may see (checked)
        elif (
            not permitted
            and outcome == "ok"
            and not (rule.validates_first and write and not changed)
        ):
            verdict, detail = "leak", f"{status}: allowed to a role the table denies"
        if write and outcome != "ok" and changed and verdict == "ok":
            verdict, detail = "leak", f"{status}: refused, yet rows or audit events changed"
        if verdict == "ok":
            audited = Cell(route, method, persona, relation, status, "unaudited")
            verdict, detail = self.judge_audit(audited, outcome, trace)
        for header in missing_headers(response):
            self.figures.missing_headers[header] += 1
            if verdict == "ok":
                verdict, detail = "header", header
        self.figures.record(Cell(route, method, persona, relation, status, verdict, detail))
        if rule.kind is not None and relation != GHOST and not visible:
            self.figures.record_hidden(rule.kind, relation)
        return Answer(status, shape(body, url))

    def judge_audit(self, cell: Cell, outcome: str, trace: Trace) -> tuple[str, str]:
        """Issue 9: an accepted write that changed a table has an event naming its actor; a
        refused one writes nothing and records only the declared refusal events (and reads of
        what a rejected form shows again); a GET that shows a canary records a read."""
        persona, method = cell.persona, cell.method
        user = self.world.users.get(persona)
        actor_id = None if user is None else user.pk

        def is_actor(who: int | None, role: str) -> bool:  # anonymous: not a system actor
            return who == actor_id and (user is not None or role == "anonymous")

        by_actor = [action for action, who, role in trace.events if is_actor(who, role)]
        if method in WRITE_METHODS and outcome == "ok" and trace.tables:
            if not [a for a in by_actor if not is_read_event(a)]:
                self.figures.writes_without_event.append(cell)
                return "unaudited", f"wrote {sorted(trace.tables)} with no event of its actor"
            self.figures.writes_audited += 1
        elif method in WRITE_METHODS and outcome != "ok":
            if trace.tables:
                return "leak", f"refused, yet wrote {sorted(trace.tables)}"
            unexpected = sorted(
                {
                    action
                    for action, who, role in trace.events
                    if action not in REFUSAL_EVENTS
                    and not (
                        outcome == "rejected" and is_actor(who, role) and is_read_event(action)
                    )
                }
            )
            if unexpected:
                return "leak", f"refused, yet recorded {unexpected}"
        elif method == "GET" and outcome == "ok" and (shown := self.canaries_in(trace.body)):
            if not any(is_read_event(action) for action in by_actor):
                self.figures.sensitive_reads_without_event.append(cell)
                return "unaudited", f"shows {shown[:3]} with no read event of its actor"
            self.figures.sensitive_reads_audited += 1
        return "ok", ""

    def canaries_in(self, body: str) -> list[str]:
        return [
            c
            for canaries in self.world.canaries.values()
            for c in canaries
            if c in body and not c.startswith(READ_NOT_AUDITED)
        ]

    # --- walking the routes -------------------------------------------------------------

    def relations(self, rule: Rule) -> list[str]:
        if rule.kind is None:
            return ["-"]
        present = [r for r in RELATIONS if self.world.ref(rule.kind, r) is not None]
        if not present:
            self.figures.ghost_only.add(rule.kind)
        return [GHOST, *present]

    def _arguments(self, names: list[str], rule: Rule, relation: str) -> dict[str, str]:
        """The URL's arguments: the addressed object's reference (one value, or one per
        argument for an object addressed by several: an incident's attachment, a pair)."""
        ref = None if rule.kind is None else self.world.ref(rule.kind, relation)
        if ref is None and rule.kind is not None:
            ref = GHOSTS.get(rule.kind, "X")
        args = {}
        for name in names:
            if isinstance(ref, dict) and name in ref:
                args[name] = ref[name]
            elif name in SIDE_ARGUMENTS:
                args[name] = SIDE_ARGUMENTS[name]
            elif ref is None:
                args[name] = "999999"
            else:
                args[name] = ref if isinstance(ref, str) else "X"
        return args

    def page_url(self, route: PageRoute, rule: Rule, relation: str) -> str:
        return fill(route.pattern, self._arguments(arguments(route.pattern), rule, relation))

    def api_url(self, operation: ApiOperation, rule: Rule, relation: str) -> str:
        names = re.findall(r"\{(\w+)\}", operation.path)
        return fill_api(operation.path, self._arguments(names, rule, relation))

    def cells(
        self, key: str, rule: Rule, methods: list[str], url_for: Any, api: bool, personas
    ) -> Iterator[None]:
        for method in methods:
            for persona in personas:
                ghost = None
                for relation in self.relations(rule):
                    answer = self.judge(
                        route=key,
                        rule=rule,
                        method=method,
                        persona=persona,
                        relation=relation,
                        url=url_for(relation),
                        api=api,
                        ghost=ghost,
                    )
                    if relation == GHOST:
                        ghost = answer
                    yield None
