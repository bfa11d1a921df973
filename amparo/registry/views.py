"""Registry pages: find, register, read and change defenders; their case, relatives and
organisations. Thin: a form validates, one service or selector acts, a template renders."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amparo.core.access import CASE_CONTENT_ROLES, roles_required
from amparo.core.downloads import download_query, table_download, wanted_download
from amparo.core.forms import add_service_errors
from amparo.core.places import is_country, place_label, subdivision_choices
from amparo.core.policy import sees_identities
from amparo.incidents.policies import may_record_incident
from amparo.registry.duplicates import (
    defender_candidates,
    defender_pair_score,
    incident_candidates,
    pair_key,
)
from amparo.registry.forms import (
    DEFENDER_ERROR_ALIASES,
    DefenderFilterForm,
    DefenderForm,
    DefenderRegisterForm,
    DefenderSearchForm,
    OrganisationForm,
    PersonForm,
    RestrictedForm,
    ShredForm,
    TeamForm,
)
from amparo.registry.merge import (
    MergeError,
    defender_merge,
    defender_merge_confirm,
    defender_merge_undo,
    duplicate_decide,
    may_decide_merge,
    merged_survivor,
    moved_counts,
)
from amparo.registry.models import Defender, DefenderMerge, DuplicateDecision
from amparo.registry.policies import (
    may_change_defender,
    may_manage_case,
    may_merge_defenders,
    may_register_defender,
    may_register_organisation,
    may_review_duplicates,
    may_shred_defender,
    team_answers_held,
)
from amparo.registry.presenters import (
    organisation_label,
    present_defender,
    present_defenders,
    present_persons,
)
from amparo.registry.selectors import (
    DefenderFilters,
    case_team,
    defender_duplicates,
    defender_get,
    defender_link_counts,
    defender_list,
    erasure_complete_on,
    may_see_team,
    merge_get,
    organisation_list,
    pending_merges,
    person_list,
    shred_impact,
)
from amparo.registry.services import (
    case_set_restricted,
    case_set_team,
    defender_register,
    defender_shred,
    defender_update,
    organisation_create,
    person_create,
)
from amparo.registry.timeline import defender_timeline

case_pages = roles_required(*CASE_CONTENT_ROLES)
FORM_CONTACT_KEYS = ("phone", "email", "signal")

DOWNLOAD_CHUNK = 500


@case_pages
@require_http_methods(["GET", "POST"])
def defender_list_view(request: HttpRequest) -> HttpResponseBase:
    """GET: filter by codes (in the query string) and page. POST: exact search, whose terms
    (names, phones, e-mails) never appear in a URL, a log line or the browser history."""
    actor = request.user
    filter_form = DefenderFilterForm(request.GET)
    search_form = DefenderSearchForm(request.POST or None, codes_only=not sees_identities(actor))
    page_obj = None
    fmt = wanted_download(request)
    if fmt:
        defenders = defender_list(actor=actor, filters=filter_form.to_filters())
        header, lines = _defender_download(actor, defenders)
        return table_download(request, name="defenders", header=header, rows=lines, fmt=fmt)
    if request.method == "POST":
        found: list[Defender] = []
        if search_form.is_valid():
            query = DefenderFilters(query=search_form.cleaned_data["q"])
            found = list(defender_list(actor=actor, filters=query)[: settings.AMPARO_PAGE_SIZE])
        rows = present_defenders(actor, found, via="search", name_only=True)
    else:
        paginator = Paginator(
            defender_list(actor=actor, filters=filter_form.to_filters()), settings.AMPARO_PAGE_SIZE
        )
        page_obj = paginator.get_page(request.GET.get("page"))
        rows = present_defenders(actor, list(page_obj.object_list), via="list", name_only=True)
    context = {
        "rows": rows,
        "page_obj": page_obj,
        "filter_form": filter_form,
        "search_form": search_form,
        "searched": request.method == "POST",
        "filtered": any(request.GET.get(name) for name in filter_form.fields),
        "may_register": may_register_defender(actor),
        "download_query": download_query(request),
        "nav": "defenders",
    }
    return render(request, "registry/defender_list.html", context)


def _defender_download(actor: Any, defenders: Any) -> tuple[list[str], Iterator[list[Any]]]:
    """The list's columns for every defender of the filtered list, decrypted (and the reads
    audited) a chunk at a time; no name column for those who see no identities."""
    identities = sees_identities(actor)
    header = ["code", *(["name"] if identities else []), "categories", "country", "subdivision"]
    header += ["status", "registered_on", "restricted"]

    def rows() -> Iterator[list[Any]]:
        last = ""
        while True:
            chunk = list(defenders.filter(code__gt=last).order_by("code")[:DOWNLOAD_CHUNK])
            if not chunk:
                return
            last = chunk[-1].code
            for d in present_defenders(actor, chunk, via="download", name_only=True):
                name = ["" if d.shredded or not d.identity_shown else d.name] if identities else []
                yield [
                    d.code,
                    *name,
                    d.categories,
                    d.country,
                    d.subdivision,
                    d.status,
                    d.registered_on,
                    d.restricted,
                ]

    return header, rows()


@case_pages
@require_http_methods(["GET", "POST"])
def defender_create_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not may_register_defender(actor):
        raise PermissionDenied
    entity = getattr(actor, "entity", None)
    initial = {"country": entity.country} if entity and entity.country else {}
    form = DefenderRegisterForm(request.POST or None, actor=actor, initial=initial)
    duplicates: list[Defender] = []
    if request.method == "POST" and form.is_valid():
        data = form.to_data()
        if not form.cleaned_data["register_anyway"]:
            duplicates = defender_duplicates(
                actor=actor, name=data.name, alias=data.alias, contacts=data.contacts
            )
        if not duplicates:
            try:
                defender = defender_register(actor=actor, data=data)
            except ValidationError as error:
                add_service_errors(form, error, DEFENDER_ERROR_ALIASES)
            else:
                messages.success(request, _("Registered as %(code)s.") % {"code": defender.code})
                return redirect("registry:defender_detail", code=defender.code)
    context = {"form": form, "duplicates": duplicates, "nav": "defenders", "editing": False}
    return render(request, "registry/defender_form.html", context)


def _detail_context(request: HttpRequest, defender: Defender, **forms: Any) -> dict[str, Any]:
    actor = request.user
    case = defender.case
    view = present_defender(actor, defender, via="page")
    may_change = may_change_defender(actor, defender)
    may_manage = may_manage_case(actor, case)
    team = case_team(case) if may_see_team(actor) else None
    relatives = present_persons(
        actor, list(person_list(actor=actor, defender=defender)), via="page"
    )
    context = {
        "d": view,
        "case": case,
        "place": place_label(view.country, view.subdivision),
        "organisations": [
            (o.external_id, organisation_label(actor, o), o.get_kind_display())
            for o in defender.organisations.select_related("data_key")
        ],
        "team": team,
        "relatives": relatives,
        "timeline": defender_timeline(actor=actor, defender=defender),
        "may_change": may_change,
        "may_manage": may_manage,
        "may_record": may_record_incident(actor, case) and not view.shredded,
        "may_shred": may_shred_defender(actor, defender) and not view.shredded,
        "nav": "defenders",
    }
    if may_manage:
        context["team_form"] = forms.get("team_form") or TeamForm(
            case=case, initial={"members": team or []}
        )
        context["restricted_form"] = RestrictedForm(initial={"restricted": case.restricted})
    if may_change:
        context["person_form"] = forms.get("person_form") or PersonForm(
            initial={"country": view.country}
        )
    return context


@case_pages
@require_GET
def defender_detail_view(request: HttpRequest, code: str) -> HttpResponseBase:
    defender = defender_get(actor=request.user, code=code)
    if defender.merged_into_id:
        # A merged record's code leads to its survivor, for those who may see the survivor.
        return redirect("registry:defender_detail", code=merged_code(request.user, defender))
    # A GET changes no team: its panels may share one answer to "is the actor on the team?".
    with team_answers_held():
        return render(request, "registry/defender_detail.html", _detail_context(request, defender))


@case_pages
@require_http_methods(["GET", "POST"])
def defender_edit_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    defender = defender_get(actor=actor, code=code)
    if not may_change_defender(actor, defender):
        raise PermissionDenied
    current = present_defender(actor, defender, via="edit")
    visible_organisations = set(organisation_list(actor=actor).values_list("pk", flat=True))
    organisations = list(defender.organisations.all())
    if request.method == "POST":
        form = DefenderForm(request.POST, actor=actor)
        if form.is_valid():
            data = form.to_data()
            # Keep what this form cannot show: other contact kinds, organisations of other
            # entities. Leaving them out would delete them.
            kept = {k: v for k, v in current.contacts.items() if k not in FORM_CONTACT_KEYS}
            data.contacts = {**kept, **data.contacts}
            data.organisations += [o for o in organisations if o.pk not in visible_organisations]
            try:
                changed = defender_update(actor=actor, defender=defender, data=data)
            except ValidationError as error:
                add_service_errors(form, error, DEFENDER_ERROR_ALIASES)
            else:
                if changed:
                    messages.success(request, _("The changes were saved."))
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("registry:defender_detail", code=defender.code)
    else:
        initial = DefenderForm.initial_from(
            current, [o for o in organisations if o.pk in visible_organisations]
        )
        form = DefenderForm(actor=actor, initial=initial)
    context = {"form": form, "d": current, "nav": "defenders", "editing": True}
    return render(request, "registry/defender_form.html", context)


@case_pages
@require_POST
def defender_team_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    defender = defender_get(actor=actor, code=code)
    if not may_manage_case(actor, defender.case):
        raise PermissionDenied
    form = TeamForm(request.POST, case=defender.case)
    if form.is_valid():
        try:
            case_set_team(
                actor=actor, case=defender.case, members=list(form.cleaned_data["members"])
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The case team was saved."))
            return redirect("registry:defender_detail", code=defender.code)
    return render(
        request, "registry/defender_detail.html", _detail_context(request, defender, team_form=form)
    )


@case_pages
@require_POST
def defender_restricted_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    defender = defender_get(actor=actor, code=code)
    if not may_manage_case(actor, defender.case):
        raise PermissionDenied
    form = RestrictedForm(request.POST)
    form.is_valid()
    restricted = bool(form.cleaned_data.get("restricted"))
    case_set_restricted(actor=actor, case=defender.case, restricted=restricted)
    messages.success(
        request,
        _("The case is now restricted to its team.")
        if restricted
        else _("The case is no longer restricted."),
    )
    return redirect("registry:defender_detail", code=defender.code)


@case_pages
@require_http_methods(["GET", "POST"])
def defender_shred_view(request: HttpRequest, code: str) -> HttpResponse:
    """Erase a defender at their request (journey 10): destroy their data key, for good."""
    actor = request.user
    defender = defender_get(actor=actor, code=code)
    if defender.is_shredded or not may_shred_defender(actor, defender):
        raise PermissionDenied
    form = ShredForm(request.POST or None, code=defender.code)
    if request.method == "POST" and form.is_valid():
        defender_shred(actor=actor, defender=defender)
        messages.success(request, _("The defender's record was erased."))
        return redirect("registry:defender_detail", code=defender.code)
    context = {
        "code": defender.code,
        "form": form,
        "impact": shred_impact(defender),
        "complete_on": erasure_complete_on(timezone.localdate()),
        "retention_days": settings.AMPARO_BACKUP_RETENTION_DAYS,
        "nav": "defenders",
    }
    return render(request, "registry/defender_shred.html", context)


@case_pages
@require_POST
def person_create_view(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    defender = defender_get(actor=actor, code=code)
    if not may_change_defender(actor, defender):
        raise PermissionDenied
    form = PersonForm(request.POST)
    if form.is_valid():
        try:
            person_create(actor=actor, defender=defender, data=form.to_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The relative or associate was added."))
            return redirect("registry:defender_detail", code=defender.code)
    return render(
        request,
        "registry/defender_detail.html",
        _detail_context(request, defender, person_form=form),
    )


@case_pages
@require_GET
def organisation_list_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    paginator = Paginator(
        organisation_list(actor=actor).order_by("country", "external_id"), settings.AMPARO_PAGE_SIZE
    )
    page_obj = paginator.get_page(request.GET.get("page"))
    rows = [
        {
            "external_id": o.external_id,
            "label": organisation_label(actor, o),
            "kind": o.get_kind_display(),
            "place": place_label(o.country, o.subdivision),
        }
        for o in page_obj.object_list
    ]
    context = {
        "rows": rows,
        "page_obj": page_obj,
        "nav": "organisations",
        "may_register": may_register_organisation(actor),
    }
    return render(request, "registry/organisation_list.html", context)


@case_pages
@require_http_methods(["GET", "POST"])
def organisation_create_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not may_register_organisation(actor):
        raise PermissionDenied
    entity = getattr(actor, "entity", None)
    initial = {"country": entity.country} if entity and entity.country else {}
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_create(actor=actor, data=form.to_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Organisation %(id)s registered.") % {"id": organisation.external_id}
            )
            return redirect("registry:organisation_list")
    return render(
        request, "registry/organisation_form.html", {"form": form, "nav": "organisations"}
    )


@case_pages
@require_GET
def subdivision_options_view(request: HttpRequest) -> HttpResponse:
    """The <option>s of a country's subdivisions (HTMX refreshes the select with them)."""
    # The select may carry a form prefix ("relative-country").
    country = next(
        (request.GET.get(key, "") for key in request.GET if key.rsplit("-", 1)[-1] == "country"),
        "",
    )
    options = subdivision_choices(country) if is_country(country) else []
    return render(request, "includes/subdivision_options.html", {"options": options})


# Duplicates (docs/duplicates.md) ------------------------------------------------------------


def merged_code(actor: Any, defender: Defender) -> str:
    """The code of the visible record that stands for a merged one; 404 when there is none."""
    survivor = merged_survivor(defender)
    return defender_get(actor=actor, code=survivor.code).code


def _reviewer(request: HttpRequest) -> Any:
    if not may_review_duplicates(request.user):
        raise PermissionDenied
    return request.user


@case_pages
@require_GET
def duplicate_list_view(request: HttpRequest) -> HttpResponse:
    actor = _reviewer(request)
    context = {
        "defender_pairs": defender_candidates(actor=actor)[: settings.AMPARO_PAGE_SIZE * 4],
        "incident_pairs": incident_candidates(actor=actor)[: settings.AMPARO_PAGE_SIZE * 4],
        "merges": pending_merges(actor=actor),
        "nav": "duplicates",
    }
    return render(request, "registry/duplicate_list.html", context)


@case_pages
@require_GET
def duplicate_compare_view(request: HttpRequest, first: str, second: str) -> HttpResponse:
    actor = _reviewer(request)
    a, b = pair_key(defender_get(actor=actor, code=first), defender_get(actor=actor, code=second))
    if a.pk == b.pk or a.merged_into_id or b.merged_into_id:
        raise Http404("Not found.")
    score, reasons = defender_pair_score(actor=actor, first=a, second=b)
    views = present_defenders(actor, [a, b], via="duplicates")
    sides = [
        {
            "d": view,
            "place": place_label(view.country, view.subdivision),
            "organisations": [organisation_label(actor, o) for o in defender.organisations.all()],
            "counts": defender_link_counts(actor=actor, defender=defender),
        }
        for view, defender in zip(views, (a, b), strict=True)
    ]
    context = {
        "first": a,
        "second": b,
        "sides": sides,
        "score": score,
        "reasons": reasons,
        "may_merge": may_merge_defenders(actor, a, b),
        "nav": "duplicates",
    }
    return render(request, "registry/duplicate_compare.html", context)


@case_pages
@require_POST
def duplicate_decide_view(request: HttpRequest, first: str, second: str) -> HttpResponse:
    actor = _reviewer(request)
    a, b = defender_get(actor=actor, code=first), defender_get(actor=actor, code=second)
    action = request.POST.get("action", "")
    if action == "merge":
        survivor, absorbed = (a, b) if request.POST.get("survivor") == a.code else (b, a)
        if request.POST.get("survivor") not in {a.code, b.code}:
            messages.error(request, _("Choose the record to keep."))
            return redirect("registry:duplicate_compare", first=a.code, second=b.code)
        try:
            merge = defender_merge(actor=actor, survivor=survivor, absorbed=absorbed)
        except MergeError as error:
            messages.error(request, str(error))
            return redirect("registry:duplicate_list")
        messages.success(request, _("Merged. Check the result, then confirm or undo."))
        return redirect("registry:merge_detail", merge_id=merge.pk)
    if action not in DuplicateDecision.Decision.values:
        raise PermissionDenied
    duplicate_decide(actor=actor, kind="defender", first=a, second=b, decision=action)
    messages.success(request, _("Your decision was recorded."))
    return redirect("registry:duplicate_list")


@case_pages
@require_POST
def incident_duplicate_decide_view(request: HttpRequest, first: str, second: str) -> HttpResponse:
    from amparo.incidents.selectors import incident_get

    actor = _reviewer(request)
    a, b = incident_get(actor=actor, code=first), incident_get(actor=actor, code=second)
    action = request.POST.get("action", "")
    if action not in DuplicateDecision.Decision.values:
        raise PermissionDenied
    duplicate_decide(actor=actor, kind="incident", first=a, second=b, decision=action)
    messages.success(request, _("Your decision was recorded."))
    return redirect("registry:duplicate_list")


@case_pages
@require_http_methods(["GET", "POST"])
def merge_detail_view(request: HttpRequest, merge_id: str) -> HttpResponse:
    actor = _reviewer(request)
    merge = merge_get(actor=actor, merge_id=merge_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        service = {"undo": defender_merge_undo, "confirm": defender_merge_confirm}.get(action)
        if service is None or not may_decide_merge(actor, merge):
            raise PermissionDenied
        try:
            service(actor=actor, merge=merge)
        except MergeError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The merge was undone.") if action == "undo" else _("The merge is final."),
            )
        return redirect("registry:merge_detail", merge_id=merge.pk)
    context = {
        "merge": merge,
        "moved": sorted(moved_counts(merge.moves).items()),
        "may_decide": merge.status == DefenderMerge.Status.PENDING
        and may_decide_merge(actor, merge),
        "nav": "duplicates",
    }
    return render(request, "registry/duplicate_merge.html", context)
