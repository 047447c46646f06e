"""Who does what where: the registry's pages. Views read and check the request, then call
selectors and services."""

from __future__ import annotations

import io
import uuid
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palermo.accounts import access
from palermo.accounts.models import User
from palermo.activities import gaps, iati, overlap, selectors, services, tables, vocabulary
from palermo.activities.data import EXPLOITATION, PILLAR, TARGET_GROUP, THEME
from palermo.activities.forms import ActivityForm, AnnotationForm, ImportForm, initial_for
from palermo.activities.models import (
    Activity,
    ActivityCountry,
    ActivityImport,
    Status,
)
from palermo.core.pagination import CappedPaginator
from palermo.geo.models import Country
from palermo.standard import interventions
from palermo.stats import charts
from palermo.stats import selectors as releases

PAGE_SIZE = 25
EXPORT_LIMIT = 50_000


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    return user


def _activity(request: HttpRequest, activity_id: Any) -> Activity:
    return get_object_or_404(
        selectors.with_details(selectors.visible(request.user)), pk=activity_id
    )


def _filter_choices() -> dict[str, Any]:
    return {
        "countries": Country.objects.order_by("name_en"),
        "pillars": vocabulary.choices(PILLAR),
        "themes": vocabulary.choices(THEME),
        "groups": vocabulary.choices(TARGET_GROUP),
        "forms": vocabulary.choices(EXPLOITATION),
        "statuses": Status.choices,
    }


def _filtered(request: HttpRequest) -> tuple[selectors.Filters, QuerySet[Activity]]:
    filters = selectors.Filters.from_query(request.GET.dict())
    return filters, selectors.search(selectors.visible(request.user), filters)


def _listed(found: QuerySet[Activity]) -> QuerySet[Activity]:
    """A list page's rows with their countries, in a fixed number of queries."""
    return found.order_by("-start", "identifier").prefetch_related(
        Prefetch("countries", queryset=ActivityCountry.objects.select_related("country"))
    )


def activity_list(request: HttpRequest) -> HttpResponse:
    filters, found = _filtered(request)
    paginator = CappedPaginator(_listed(found), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    counts = selectors.by_country(found)
    names = {c.iso2: c.name for c in Country.objects.filter(iso2__in=counts)}
    data = [charts.Datum(names.get(code, code), n, code) for code, n in counts.items()]
    svg = charts.world_map(
        data,
        title=_("Activities by recipient country"),
        value_title=_("Activities"),
        suppressed_label="",
        no_data_label=_("No activity"),
    )
    query = filters.query()
    return render(
        request,
        "activities/list.html",
        {
            "page": page,
            "filters": filters,
            "query": urlencode(query),
            "map_svg": svg if counts else "",
            "owners": access.activity_owners(request.user),
            **_filter_choices(),
        },
    )


def activity_detail(request: HttpRequest, activity_id: Any) -> HttpResponse:
    activity = _activity(request, activity_id)
    draft = overlap.Draft.of_activity(activity)
    matches = overlap.find(selectors.visible(request.user), draft)
    funders, funded = selectors.funding_chain(request.user, activity)
    codes: dict[str, list[str]] = {}
    for row in activity.codes.all():
        codes.setdefault(row.kind, []).append(vocabulary.label(row.kind, row.code))
    user = request.user
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "codes": codes,
            "matches": matches,
            "funders": funders,
            "funded": funded,
            "can_edit": access.can_edit_activity(user, activity.owner),
            "can_annotate": access.can_annotate_activities(user),
            "annotations": activity.annotations.select_related("author", "organisation")
            if access.sees_member_activities(user)
            else [],
            "annotation_form": AnnotationForm(),
        },
    )


def _owners(request: HttpRequest) -> list[Any]:
    owners = access.activity_owners(request.user)
    if not owners:
        raise PermissionDenied(_("Your roles do not include registering activities."))
    return owners


@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    owners = _owners(request)
    form = ActivityForm(
        request.POST or None,
        owners=owners,
        initial={
            "language": get_language() or "en",
            "identifier": f"{owners[0].acronym}-{uuid.uuid4().hex[:8].upper()}",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            activity, _outcome = services.register(
                _user(request), form.cleaned_data["owner"], form.to_data()
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("The activity is registered."))
            return redirect("activities:detail", activity.pk)
    return render(request, "activities/form.html", {"form": form, "activity": None})


@login_required
def activity_edit(request: HttpRequest, activity_id: Any) -> HttpResponse:
    activity = _activity(request, activity_id)
    if not access.can_edit_activity(request.user, activity.owner):
        raise PermissionDenied(_("Only the organisation that registered it edits an activity."))
    form = ActivityForm(
        request.POST or None,
        owners=[activity.owner],
        activity=activity,
        initial=initial_for(activity, get_language() or "en"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.register(_user(request), activity.owner, form.to_data())
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("The activity is saved."))
            return redirect("activities:detail", activity.pk)
    return render(request, "activities/form.html", {"form": form, "activity": activity})


@login_required
@require_POST
def activity_delete(request: HttpRequest, activity_id: Any) -> HttpResponse:
    activity = _activity(request, activity_id)
    services.delete(_user(request), activity)
    messages.success(request, _("The activity is deleted."))
    return redirect("activities:list")


@login_required
@require_POST
def activity_annotate(request: HttpRequest, activity_id: Any) -> HttpResponse:
    activity = _activity(request, activity_id)
    form = AnnotationForm(request.POST)
    if form.is_valid():
        try:
            services.annotate(_user(request), activity, form.cleaned_data["text"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The note is added."))
    else:
        messages.error(request, _("The note is empty or too long."))
    return redirect("activities:detail", activity.pk)


@login_required
@require_POST
def overlaps(request: HttpRequest) -> HttpResponse:
    """The overlap panel of the form, redrawn as the draft changes (htmx). It compares what
    the form holds so far, valid or not."""
    owners = _owners(request)
    form = ActivityForm(request.POST, owners=owners)
    form.is_valid()  # fills cleaned_data with what is valid; the rest is left out
    data = form.to_data()
    pool = selectors.visible(request.user)
    editing = request.GET.get("activity", "")
    if editing:
        try:
            pool = pool.exclude(pk=uuid.UUID(editing))
        except ValueError:
            raise Http404("no such activity") from None
    matches = overlap.find(pool, overlap.Draft.of(data))
    return render(
        request,
        "activities/partials/overlaps.html",
        {"matches": matches, "stated": bool(data.countries)},
    )


# Imports and exports -----------------------------------------------------------------------


@login_required
def import_new(request: HttpRequest) -> HttpResponse:
    owners = _owners(request)
    form = ImportForm(request.POST or None, request.FILES or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = services.start_import(_user(request), form.cleaned_data["owner"], upload, upload.name)
        return redirect("activities:import_detail", job.pk)
    jobs = ActivityImport.objects.filter(owner__in=owners).select_related("owner")[:20]
    return render(request, "activities/import.html", {"form": form, "jobs": jobs})


def _job(request: HttpRequest, job_id: Any) -> ActivityImport:
    job = get_object_or_404(ActivityImport.objects.select_related("owner"), pk=job_id)
    if not access.can_edit_activity(request.user, job.owner):
        raise Http404("no such import")
    return job


@login_required
def import_detail(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = _job(request, job_id)
    partial = request.htmx  # type: ignore[attr-defined]
    template = (
        "activities/partials/import_status.html" if partial else "activities/import_detail.html"
    )
    return render(request, template, {"job": job})


def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered activities as IATI XML or as an HXL-tagged 3W/4W table."""
    if fmt not in ("iati", "hxl"):
        raise Http404("no such format")
    _filters, selected = _filtered(request)
    # Read in chunks (prefetching per chunk), so that neither memory nor SQLite's limit on
    # query parameters grows with the number of activities.
    found = selectors.with_details(selected.order_by("identifier"))[:EXPORT_LIMIT].iterator(
        chunk_size=500
    )
    if fmt == "iati":
        buffer = io.BytesIO()
        iati.write(found, buffer)
        response = HttpResponse(buffer.getvalue(), content_type="application/xml")
        name = "palermo-activities.xml"
    else:
        text = io.StringIO()
        tables.write(found, text)
        response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
        name = "palermo-activities-3w-hxl.csv"
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    return response


# Gaps, countries, organisations, vocabulary ------------------------------------------------


def gap_overview(request: HttpRequest) -> HttpResponse:
    release = releases.latest_published()
    found = gaps.overview(selectors.visible(request.user), release)
    names = {c.iso2: c.name for c in Country.objects.filter(iso2__in=found)}
    rows = sorted(
        ((code, names.get(code, code), g, n) for code, (g, n) in found.items()),
        key=lambda row: (-row[2], row[1]),
    )
    svg = ""
    if release is not None and rows:
        svg = charts.world_map(
            [charts.Datum(name, g, code) for code, name, g, _n in rows],
            title=_("Needs without enough protection activities, by country"),
            value_title=_("Gaps"),
            suppressed_label="",
            no_data_label=_("No figures"),
        )
    return render(
        request,
        "activities/gaps.html",
        {"release": release, "rows": rows, "map_svg": svg},
    )


def country(request: HttpRequest, iso2: str) -> HttpResponse:
    place = get_object_or_404(Country, iso2=iso2.upper())
    visible = selectors.visible(request.user)
    release = releases.latest_published()
    found = gaps.country_gaps(visible, place.iso2, release)
    ongoing = selectors.search(visible, selectors.Filters(country=place.iso2)).filter(
        status__in=selectors.ONGOING
    )
    covering = {pk for need in found.needs for pk in need.covering}
    return render(
        request,
        "activities/country.html",
        {
            "country": place,
            "gaps": found,
            "pillar_rows": [
                (label, found.by_pillar.get(code, 0)) for code, label in vocabulary.choices(PILLAR)
            ],
            "theme_rows": [
                (label, found.by_theme.get(code, 0)) for code, label in vocabulary.choices(THEME)
            ],
            "activities": ongoing.order_by("-start")[:100],
            "covering": Activity.objects.filter(pk__in=covering).only("pk", "identifier", "title"),
        },
    )


def organisation(request: HttpRequest, key: str) -> HttpResponse:
    filters = selectors.Filters(organisation=key)
    found = selectors.search(selectors.visible(request.user), filters)
    page = CappedPaginator(_listed(found), PAGE_SIZE).get_page(request.GET.get("page"))
    if not page.object_list:
        raise Http404("no activity of this organisation")
    first = page.object_list[0]
    name = first.owner.name if first.owner.acronym.lower() == key.lower() else ""
    if not name:
        name = first.reporting_org_name if first.reporting_org_ref.lower() == key.lower() else key
    return render(
        request,
        "activities/organisation.html",
        {"key": key, "name": name, "page": page, "query": urlencode({"organisation": key})},
    )


def vocabulary_page(request: HttpRequest) -> HttpResponse:
    """The intervention vocabulary, for people (HTML) and machines (``?format=json``)."""
    lists = [
        (kind, str(label), vocabulary.names(kind))
        for kind, label in (
            (PILLAR, _("Pillars")),
            (THEME, _("Themes")),
            (TARGET_GROUP, _("Target groups")),
        )
    ]
    pillar_of = interventions.theme_pillar()
    dac, sdg = interventions.theme_dac(), interventions.theme_sdg()
    if request.GET.get("format") == "json":
        body = {
            "uri": interventions.VOCABULARY_URI,
            "lists": {
                kind: [
                    {
                        "code": code,
                        "labels": {
                            lang: vocabulary.names(kind, lang).get(code, code)
                            for lang, _n in settings.LANGUAGES
                        },
                        **(
                            {
                                "pillar": pillar_of[code],
                                "dac_sectors": list(dac[code]),
                                "sdg_targets": list(sdg[code]),
                            }
                            if kind == THEME
                            else {}
                        ),
                    }
                    for code in found
                ]
                for kind, _label, found in lists
            },
        }
        return JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})
    pillar_names = vocabulary.names(PILLAR)
    shown = [
        (
            kind,
            label,
            [
                (
                    code,
                    name,
                    pillar_names.get(pillar_of.get(code, ""), ""),
                    ", ".join(dac.get(code, ())),
                    ", ".join(sdg.get(code, ())),
                )
                for code, name in found.items()
            ],
        )
        for kind, label, found in lists
    ]
    return render(
        request, "activities/vocabulary.html", {"uri": interventions.VOCABULARY_URI, "lists": shown}
    )
