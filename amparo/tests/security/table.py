"""The authorization matrix, declared: for every route, who may read it and who may write it.

A rule names the kind of object the route addresses (None: a collection or a page without an
object) and, per method, the personas permitted on an object they can see. Whether a persona
can see an object is the relation table of world.VISIBLE (or the rule's own `visible`): an
object hidden from a persona must answer exactly as a nonexistent one. A route missing here
fails the suite: every new route must be declared.
"""

from __future__ import annotations

from dataclasses import dataclass

C, OFF, OO, FC = "coordinator", "officer", "other_officer", "foreign_coordinator"
AN, LI, CO, AU = "analyst", "liaison", "comms_officer", "auditor"
AD, DU = "admin_user", "defender_user"

NOBODY: frozenset[str] = frozenset()
STAFF = frozenset({C, OFF, OO, FC})  # coordinators and case officers
CONTENT = STAFF | {AN}  # CASE_CONTENT_ROLES
WORK = STAFF  # document and change what belongs to a visible case
MANAGE = frozenset({C, FC})  # team, restriction, approval, erasure
SIGNED_IN = frozenset({C, OFF, OO, FC, AN, LI, CO, AU, AD, DU})
EVERYONE = SIGNED_IN | {"inactive_coordinator", "anonymous"}
LETTERS = frozenset({C, FC, CO})  # communications staff (LETTER_ROLES)
# Communications are visible to their entity's letter staff and the linked case's team (the
# world's letters: "team", "restricted" and "shredded" link that case and belong to the entity,
# "foreign" belongs to the other entity). A letter about a restricted case exists only for the
# staff who see that case (DESIGN §2): its text is about the case.
COMMUNICATION_VISIBLE = {
    C: {"team", "shredded"},
    OFF: {"team", "restricted"},
    CO: {"team", "shredded"},
    FC: {"foreign"},
}
# A reply's document: its entity's letter staff (the world's sent letters link no case).
DOCUMENT_VISIBLE = {C: {"team"}, CO: {"team"}, FC: {"foreign"}}
# Country visit requests: the entity's letter staff and analysts.
VISIT_VISIBLE = {C: {"team"}, CO: {"team"}, AN: {"team"}, FC: {"foreign"}}
# Self-reports from a defender's account name their case: seen by the receiving entity's
# coordinators and case officers who see that case.
REPORT_VISIBLE = {
    C: {"team", "unassigned", "shredded"},
    OFF: {"team", "restricted"},
    FC: {"foreign"},
}
# Risk analysis (assessments, procedures) and alerts: the staff who see the case; never the
# defender themselves (their portal shows measures, not internal risk analysis).
RISK_VISIBLE = {
    C: {"team", "unassigned", "shredded"},
    OFF: {"team", "restricted"},
    FC: {"foreign"},
    AN: {"team", "unassigned", "shredded"},
}
# Investigations: whoever sees the incident, analysts excepted (aggregates only).
INVESTIGATION_VISIBLE = {
    C: {"team", "unassigned", "shredded"},
    OFF: {"team", "restricted"},
    FC: {"foreign"},
    DU: {"team"},
}
# Evidence files: whoever sees the incident and may read identities (not analysts: 403); the
# defender through the API (staff pages are for staff).
EVIDENCE = STAFF | {DU}


@dataclass(frozen=True)
class Rule:
    kind: str | None  # what the URL's arguments address; None: no object
    get: frozenset[str] | None = None  # who may GET (None: GET not exercised)
    post: frozenset[str] | None = None  # who may write (POST/PUT/PATCH/DELETE)
    # persona -> relations they can see, when the case relation does not decide (tasks, ...)
    visible: dict[str, set[str]] | None = None
    # A permitted role may still be refused (403) because of the object's state: approving a
    # draft, answering a letter not yet sent.
    state_dependent: bool = False
    # The form is validated before the role is checked: an empty POST answers a redirect with
    # an error message whoever sends it, and changes nothing (asserted).
    validates_first: bool = False
    # A collection: the roles named must get it; any other role may get 403 or a list of
    # only what it may see (the canaries and hidden codes are searched in it either way).
    lists: bool = False
    note: str = ""


# Tasks: those of the cases a persona sees, and the letter follow-ups of the communications
# staff. The world's "unassigned" task is the team letter's follow-up (no case, the entity's):
# its coordinators and communications officers see it, case officers do not.
TASK: dict = {
    "visible": {
        C: {"team", "unassigned", "shredded"},
        OFF: {"team", "restricted"},
        FC: {"foreign"},
        CO: {"unassigned"},
    }
}
# A disclosure: the disclosing entity's staff on the case, and the receiving entity's liaison
# (world: "foreign" is made to the liaison's entity, "team" by the entity to the other one).
DISCLOSURE: dict = {"visible": {FC: {"foreign"}, LI: {"foreign"}, C: {"team"}, OFF: {"team"}}}
LETTER: dict = {"visible": COMMUNICATION_VISIBLE, "state_dependent": True}
RISK: dict = {"visible": RISK_VISIBLE}
REPORT: dict = {"visible": REPORT_VISIBLE}
# A candidate pair is seen by whoever sees both records (world: "unassigned" pairs the team and
# the unassigned case, "restricted" the team and the restricted one, "foreign" two records of
# the other entity, "shredded" the team and the erased defender).
PAIR: dict = {
    "visible": {
        C: {"unassigned", "shredded"},
        AN: {"unassigned", "shredded"},
        OFF: {"restricted"},
        FC: {"foreign"},
    }
}
# Organisations: the staff of their lead entity.
ORGANISATION: dict = {
    "visible": {C: {"team"}, OFF: {"team"}, OO: {"team"}, AN: {"team"}, FC: {"foreign"}}
}
# Another user's API token: nobody else sees it.
TOKEN: dict = {"visible": {AD: set()}}


def page(kind: str | None, get: frozenset[str] | None, post: frozenset[str] | None = None, **kw):
    return Rule(kind, get, post, **kw)


# Pages, keyed by their full URL pattern.
PAGES: dict[str, Rule] = {
    "": page(None, SIGNED_IN),
    "healthz": page(None, EVERYONE),
    "accounts/login/": page(None, EVERYONE, EVERYONE, note="the sign-in form"),
    "accounts/verify/": page(None, None, note="second-factor step; exercised by accounts tests"),
    "accounts/enrol/": page(None, None, note="TOTP enrolment; exercised by accounts tests"),
    "accounts/logout/": page(None, None, EVERYONE, note="answers with the sign-in page"),
    "accounts/tokens/": page(None, SIGNED_IN, SIGNED_IN),
    "accounts/tokens/<int:token_id>/revoke/": page("token", None, NOBODY, **TOKEN),
    "i18n/setlang/": page(None, None, EVERYONE),
    # registry
    "defenders/": page(None, CONTENT),
    "defenders/new/": page(None, MANAGE | {OFF, OO}, MANAGE | {OFF, OO}),
    "defenders/subdivisions/": page(None, CONTENT),
    "defenders/organisations/": page(None, CONTENT),
    "defenders/organisations/new/": page(None, WORK, WORK),
    "defenders/duplicates/": page(None, MANAGE),
    "defenders/duplicates/<str:first>/<str:second>/": page("pair", MANAGE, **PAIR),
    "defenders/duplicates/<str:first>/<str:second>/decide/": page(
        "pair", None, MANAGE, state_dependent=True, note="an empty decision is 403", **PAIR
    ),
    "defenders/duplicates/incidents/<str:first>/<str:second>/decide/": page(
        "incident_pair", None, MANAGE, state_dependent=True, note="an empty decision is 403", **PAIR
    ),
    "defenders/merges/<uuid:merge_id>/": page("merge", MANAGE),
    "defenders/<str:code>/": page("defender", CONTENT),
    "defenders/<str:code>/edit/": page("defender", WORK, WORK),
    "defenders/<str:code>/team/": page("defender", None, MANAGE),
    "defenders/<str:code>/restricted/": page("defender", None, MANAGE),
    "defenders/<str:code>/relatives/": page("defender", None, WORK),
    "defenders/<str:code>/erase/": page("defender", MANAGE, MANAGE),
    # incidents
    "incidents/": page(None, CONTENT),
    "incidents/new/": page(None, WORK, WORK),
    "incidents/<str:code>/": page("incident", CONTENT),
    "incidents/<str:code>/edit/": page("incident", WORK, WORK),
    "incidents/<str:code>/attachments/": page("incident", None, WORK),
    "incidents/<str:code>/attachments/<uuid:attachment_id>/": page("attachment", STAFF),
    "investigations/<str:code>/update/": page("incident", WORK, WORK),
    "reports/annual/": page(None, MANAGE | {AN}),
    "reports/incident-counts.hxl.csv": page(None, MANAGE | {AN}),
    # measures
    "measures/": page(None, CONTENT),
    "measures/overview/": page(None, CONTENT),
    "measures/disclosures/": page(None, STAFF | {LI}),
    "measures/disclosures/<str:code>/": page("disclosure", STAFF | {LI}, **DISCLOSURE),
    "measures/disclosures/<str:code>/respond/": page(
        "disclosure", None, {LI}, state_dependent=True, note="an empty answer is 403", **DISCLOSURE
    ),
    "measures/disclosures/<str:code>/report/": page(
        "disclosure", None, {LI}, validates_first=True, **DISCLOSURE
    ),
    "measures/disclosures/<str:code>/revoke/": page("disclosure", None, MANAGE, **DISCLOSURE),
    "measures/request/<str:code>/": page("defender", WORK, WORK),
    "measures/safety-plan/<str:code>/": page("defender", WORK | {DU}, WORK),
    "measures/<str:code>/": page("measure", CONTENT),
    "measures/<str:code>/step/": page("measure", None, WORK),
    "measures/<str:code>/replace/": page("measure", WORK, WORK),
    "measures/<str:code>/feedback/": page("measure", None, WORK),
    "measures/<str:code>/relocation/": page("measure", WORK, WORK),
    "measures/<str:code>/interim/": page("measure", WORK, WORK),
    "measures/<str:code>/disclose/": page("measure", MANAGE, MANAGE),
    # risk
    "risk/procedures/": page(None, CONTENT),
    "risk/procedures/<str:code>/<str:action>/": page("procedure", None, WORK, **RISK),
    "risk/defenders/<str:code>/assessments/": page("defender", CONTENT),
    "risk/defenders/<str:code>/assessments/new/": page("defender", WORK, WORK),
    "risk/defenders/<str:code>/procedures/": page("defender", None, WORK),
    "risk/assessments/<str:code>/": page("assessment", CONTENT, **RISK),
    "risk/assessments/<str:code>/edit/": page("assessment", WORK, WORK, **RISK),
    "risk/assessments/<str:code>/submit/": page("assessment", None, WORK, **RISK),
    "risk/assessments/<str:code>/approve/": page(
        "assessment", None, MANAGE, state_dependent=True, **RISK
    ),
    "risk/assessments/<str:code>/reject/": page(
        "assessment", None, MANAGE, state_dependent=True, **RISK
    ),
    # audit
    "audit/": page(None, frozenset({AU})),
    "audit/verify/": page(None, frozenset({AU})),
    # coordination
    "work/tasks/": page(None, STAFF | {CO}),
    "work/tasks/<str:task_id>/": page("task", STAFF | {CO}, **TASK),
    "work/tasks/<str:task_id>/complete/": page("task", None, WORK | {CO}, **TASK),
    "work/tasks/<str:task_id>/cancel/": page("task", None, WORK | {CO}, **TASK),
    "work/dashboard/": page(None, MANAGE | {AN}),
    "work/defenders/<str:code>/consent/": page("defender", None, WORK),
    # early warning
    "alerts/": page(None, CONTENT),
    "alerts/calendar/": page(None, CONTENT),
    "alerts/regional/": page(None, CONTENT),
    "alerts/config/": page(None, CONTENT),
    "alerts/<str:code>/": page("alert", CONTENT, **RISK),
    "alerts/<str:code>/acknowledge/": page("alert", None, WORK, **RISK),
    "alerts/<str:code>/act/": page("alert", None, WORK, **RISK),
    "alerts/<str:code>/dismiss/": page("alert", None, WORK, **RISK),
    # communications
    "communications/": page(None, LETTERS | STAFF | {AN}, note="analysts: to response rates"),
    "communications/new/": page(None, LETTERS, LETTERS),
    "communications/response-rates/": page(None, LETTERS | {AN}),
    "communications/visits/": page(None, LETTERS | {AN}),
    "communications/visits/outstanding/": page(None, LETTERS | {AN}),
    "communications/visits/new/": page(None, LETTERS, LETTERS),
    "communications/visits/<uuid:pk>/": page("visit", LETTERS, LETTERS, visible=VISIT_VISIBLE),
    "communications/visits/<uuid:pk>/delete/": page("visit", None, LETTERS, visible=VISIT_VISIBLE),
    "communications/documents/<uuid:pk>/": page("document", LETTERS, visible=DOCUMENT_VISIBLE),
    "communications/<uuid:pk>/": page("communication", LETTERS | {OFF}, **LETTER),
    "communications/<uuid:pk>/edit/": page("communication", LETTERS, LETTERS, **LETTER),
    "communications/<uuid:pk>/submit/": page("communication", None, LETTERS, **LETTER),
    "communications/<uuid:pk>/approve/": page("communication", None, {C, FC}, **LETTER),
    "communications/<uuid:pk>/return/": page("communication", None, {C, FC}, **LETTER),
    "communications/<uuid:pk>/withdraw/": page("communication", None, LETTERS, **LETTER),
    "communications/<uuid:pk>/publish/": page(
        "communication", None, LETTERS, validates_first=True, **LETTER
    ),
    "communications/<uuid:pk>/letter/": page("communication", LETTERS, **LETTER),
    "communications/<uuid:pk>/letter.pdf": page("communication", LETTERS, **LETTER),
    "communications/<uuid:pk>/reply/": page("communication", LETTERS, LETTERS, **LETTER),
    # portal
    "portal/report/": page(None, EVERYONE, EVERYONE),
    "portal/status/": page(None, EVERYONE, EVERYONE),
    "portal/subdivisions/": page(None, EVERYONE),
    "portal/intake/": page(None, STAFF),
    "portal/intake/check-ins/": page(None, STAFF),
    "portal/intake/<str:code>/": page("report", STAFF, **REPORT),
    "portal/intake/<str:code>/accept/": page("report", None, STAFF, **REPORT),
    "portal/intake/<str:code>/register/": page("report", None, STAFF, **REPORT),
    "portal/intake/<str:code>/reject/": page("report", None, STAFF, **REPORT),
    "portal/intake/<str:code>/files/<str:file_id>/": page("report_file", STAFF, **REPORT),
    "portal/me/": page(None, frozenset({DU})),
    "portal/me/consent/": page(None, None, frozenset({DU})),
    "portal/me/measures/<str:code>/feedback/": page("measure", None, {DU}),
    "portal/me/check-ins/<str:event_id>/": page(
        "event", NOBODY, {DU}, visible={DU: {"team"}}, note="POST only: GET answers 405"
    ),
}

# The configuration-only admin: administrators, nobody else (and no case content).
ADMIN_ONLY = frozenset({AD})
for _pattern in (
    "admin/",
    "admin/password_change/",
    "admin/password_change/done/",
    "admin/jsi18n/",
):
    PAGES[_pattern] = page(None, ADMIN_ONLY)
# Not pages of Amparo's admin: answer 403/404 to everyone, administrators included.
for _pattern in (
    "admin/autocomplete/",
    "admin/r/<path:content_type_id>/<path:object_id>/",
    "admin/^(?P<app_label>accounts|risk)/$",
    "admin/(?P<url>.*)$",
):
    PAGES[_pattern] = page(None, NOBODY)
PAGES["admin/login/"] = page(None, EVERYONE)
PAGES["admin/logout/"] = page(None, None, EVERYONE)
for _model in ("accounts/entity", "accounts/user", "risk/reviewpolicy"):
    PAGES[f"admin/{_model}/"] = page(None, ADMIN_ONLY)
    # Users are created with `amparo createuser` (it enrols the second factor), not here.
    PAGES[f"admin/{_model}/add/"] = page(None, NOBODY if _model == "accounts/user" else ADMIN_ONLY)
    # Nothing is deleted through the admin (users are deactivated, entities kept for history).
    PAGES[f"admin/{_model}/<path:object_id>/delete/"] = page(None, NOBODY)
    for _suffix in ("history/", "change/", ""):
        # A nonexistent object: the admin answers a redirect to its index, to administrators.
        PAGES[f"admin/{_model}/<path:object_id>/{_suffix}"] = page(None, ADMIN_ONLY)


def api(kind: str | None, allowed: frozenset[str], **kw) -> Rule:
    return Rule(kind, allowed, allowed, **kw)


API_USERS = SIGNED_IN
# Collections answer every signed-in role, with only what the role may see (often nothing):
# an empty list, never a count of what is hidden.
LISTS = SIGNED_IN
OWN = CONTENT | {DU}  # a defender reads their own record through the API
# API operations, keyed by operationId (without its amparo_<app>_api_ prefix).
OPERATIONS: dict[str, Rule] = {
    "defender_index": api(None, LISTS, lists=True),
    "defender_create": api(None, WORK),
    "defender_search": api(None, LISTS, lists=True),
    "defender_duplicate_check": api(None, LISTS, lists=True),
    "defender_detail": api("defender", OWN),
    "defender_change": api("defender", WORK),
    "defender_timeline_view": api("defender", OWN),
    "person_index": api("defender", OWN),
    "person_add": api("defender", WORK),
    "case_detail": api("case", CONTENT),
    "case_team_set": api("case", MANAGE),
    "case_restricted_set": api("case", MANAGE),
    "organisation_index": api(None, LISTS, lists=True),
    "organisation_add": api(None, WORK),
    "organisation_detail": api("organisation", CONTENT, **ORGANISATION),
    "incident_index": api(None, LISTS, lists=True),
    "incident_create": api(None, WORK),
    "incident_detail": api("incident", OWN),
    "incident_change": api("incident", WORK),
    "attachment_index": api("incident", OWN),
    "attachment_upload": api("incident", WORK),
    "attachment_download": api("attachment", EVIDENCE),
    "assessment_index": api(None, LISTS, lists=True),
    "assessment_detail": api("assessment", CONTENT, **RISK),
    "assessment_add": api("defender", WORK),
    "assessment_submit_op": api("assessment", WORK, **RISK),
    "assessment_approve_op": api("assessment", MANAGE, state_dependent=True, **RISK),
    "assessment_reject_op": api("assessment", MANAGE, state_dependent=True, **RISK),
    "procedure_index": api(None, LISTS, lists=True),
    "procedure_detail": api("procedure", CONTENT, **RISK),
    "procedure_add": api("defender", WORK),
    "measure_index": api(None, CONTENT, lists=True),
    "measure_create": api(None, WORK),
    "measure_detail": api("measure", CONTENT),
    "measure_history_index": api("measure", CONTENT),
    "measure_step": api("measure", WORK),
    "measure_feedback": api("measure", WORK),
    "disclosure_index": api(None, STAFF, lists=True),
    "disclosure_add": api(None, WORK),
    "disclosure_detail": api("disclosure", STAFF, **DISCLOSURE),
    "disclosure_withdraw": api("disclosure", MANAGE, **DISCLOSURE),
    "inbox_index": api(None, frozenset({LI}), lists=True),
    "inbox_detail": api("disclosure", frozenset({LI}), **DISCLOSURE),
    "inbox_respond": api("disclosure", frozenset({LI}), **DISCLOSURE),
    "inbox_report": api("disclosure", frozenset({LI}), **DISCLOSURE),
    "event_list": api(None, frozenset({AU})),
    "verify": api(None, frozenset({AU})),
    "me": api(None, API_USERS),
    "token_list": api(None, API_USERS),
    "token_create": api(None, API_USERS),
    "token_revoke": api("token", NOBODY, **TOKEN),
    "consent_detail": api("defender", OWN),
    "consent_add": api("defender", WORK),
    "task_index": api(None, STAFF | {CO}, lists=True),
    "task_detail": api("task", STAFF | {CO}, **TASK),
    "task_done": api("task", WORK | {CO}, **TASK),
    "task_cancelled": api("task", WORK | {CO}, **TASK),
    "dashboard": api(None, MANAGE | {AN}),
    "alert_index": api(None, LISTS, lists=True),
    "alert_detail": api("alert", CONTENT, **RISK),
    "alert_acknowledge_op": api("alert", WORK, **RISK),
    "alert_act_op": api("alert", WORK, **RISK),
    "alert_dismiss_op": api("alert", WORK, **RISK),
    "events_calendar_index": api(None, LISTS, lists=True),
    "communication_index": api(None, LETTERS | {OFF}, lists=True),
    "communication_create": api(None, LETTERS),
    "rates": api(None, LETTERS | {AN}),
    "visits": api(None, LETTERS | {AN}),
    "visit_create": api(None, LETTERS),
    "visit_update": api("visit", LETTERS, visible=VISIT_VISIBLE),
    "communication_detail": api("communication", LETTERS | {OFF}, **LETTER),
    "submit": api("communication", LETTERS, **LETTER),
    "approve": api("communication", frozenset({C, FC}), **LETTER),
    "send_back": api("communication", frozenset({C, FC}), **LETTER),
    "withdraw": api("communication", LETTERS, **LETTER),
    "reply_create": api("communication", LETTERS, **LETTER),
    "investigation_index": api(None, STAFF, lists=True),
    "investigation_figures": api(None, CONTENT),
    "investigation_detail": api(
        "investigation", STAFF | {DU}, visible=INVESTIGATION_VISIBLE, note="by incident code"
    ),
    "investigation_update": api("incident", WORK),
}


# --- docs/authorization.md is this table, rendered ------------------------------------------

PERSONA_COLUMNS = (C, OFF, FC, AN, LI, CO, AU, AD, DU)
SHORT = {C: "coord", OFF: "officer", FC: "other entity", AN: "analyst", LI: "liaison"}
SHORT.update({CO: "comms", AU: "auditor", AD: "admin", DU: "defender"})


def _cell(rule: Rule, persona: str) -> str:
    may_read = persona in (rule.get or ())
    may_write = persona in (rule.post or ())
    if rule.get is None and rule.post is None:
        return "·"
    mark = ("R" if may_read else "") + ("W" if may_write else "")
    return mark or "–"


def render_markdown(page_routes: list[str], operations: list[tuple[str, str, str]]) -> str:
    """The matrix as documentation: one row per route, one column per role."""
    header = "| route | object | " + " | ".join(SHORT[p] for p in PERSONA_COLUMNS) + " |"
    rule_line = "|---|---|" + "---|" * len(PERSONA_COLUMNS)
    lines = [
        "# Authorization matrix",
        "",
        "Who may read (R) and write (W) each route, on an object of a case they can see.",
        "Generated from `amparo/tests/security/table.py`, the table the security suite checks",
        "every route against (`pytest amparo/tests/security`); regenerate with",
        "`AMPARO_WRITE_AUTHZ_DOC=1 pytest amparo/tests/security/test_matrix.py -k doc`.",
        "",
        "Which objects a role can see (the relation of the object's case to the user):",
        "",
        "| role | sees cases |",
        "|---|---|",
        "| coordinator | every case of their entity, except restricted cases whose team they are"
        " not on |",
        "| case officer | the cases whose team they are on (restricted or not) |",
        "| analyst | the entity's unrestricted cases, pseudonymised: no names, contacts,"
        " localities, narratives, details |",
        "| liaison | only what a disclosure to their entity contains |",
        "| communications officer | the letters of their entity (not those about a restricted"
        " case) and the codes of the cases linked to them |",
        "| auditor | the audit log (codes, never values) |",
        "| admin | configuration and users; no case content |",
        "| defender | their own record, incidents, measures and safety plan |",
        "",
        "Everything else answers exactly as a nonexistent object (404, or the role's 403 for a",
        "page it may not open: the same status and the same body apart from the reference),",
        "appears in no list, count or search. The suite checks this with real objects of every",
        "kind a route addresses, hidden from the role (the other entity's, a restricted case's,",
        "an erased defender's, another team's), as well as with references to nothing.",
        "A collection answers the roles not named either 403 or only what they may see. An",
        "erased (shredded) defender's stub shows nothing of them to anyone. – : refused; · : not",
        "requested by the suite (sign-in steps, covered by the accounts tests).",
        "",
        "## Pages",
        "",
        header,
        rule_line,
    ]
    for pattern in page_routes:
        rule = PAGES[pattern]
        cells = " | ".join(_cell(rule, p) for p in PERSONA_COLUMNS)
        lines.append(f"| `/{pattern}` | {rule.kind or ''} | {cells} |")
    lines += ["", "## API (`/api/v1/`)", "", header, rule_line]
    for method, path, operation in operations:
        rule = OPERATIONS[operation]
        cells = " | ".join(_cell(rule, p) for p in PERSONA_COLUMNS)
        lines.append(f"| `{method} {path}` | {rule.kind or ''} | {cells} |")
    return "\n".join(lines) + "\n"
