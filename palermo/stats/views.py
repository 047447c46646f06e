"""Statistics pages: releases (define, answer, compute, publish) for the organisations, and the
public dashboards, maps, tables and downloads, which read published releases only."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST

from palermo.accounts import access
from palermo.accounts.models import User
from palermo.stats import charts, downloads, selectors, services, vocabulary
from palermo.stats.dimensions import BY_KEY
from palermo.stats.forms import ReleaseForm
from palermo.stats.models import Contribution, Release

PAGE_SIZE = 20
FLOW_ROWS = 30
# The charts of a dashboard: (kind, dimension).
DASHBOARD = [
    ("trend", "year"),
    ("bars", "sex"),
    ("bars", "age_band"),
    ("bars", "exploitation"),
    ("map", "exploitation_country"),
    ("map", "citizenship"),
]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    return user


def _release(request: HttpRequest, release_id: Any) -> Release:
    release = selectors.releases_for(request.user).filter(pk=release_id).first()
    if release is None:
        raise Http404("no such release")
    return release


def _published(release_id: Any) -> Release:
    return get_object_or_404(selectors.published(), pk=release_id)


def index(request: HttpRequest) -> HttpResponse:
    """The latest published release's dashboard, or what exists when none is published."""
    latest = selectors.latest_published()
    if latest is not None:
        return redirect("stats:dashboard", release_id=latest.pk)
    return render(
        request,
        "stats/empty.html",
        {"can_manage": access.can_manage_releases(request.user)},
    )


def release_list(request: HttpRequest) -> HttpResponse:
    releases = selectors.releases_for(request.user).select_related("supersedes")
    page = Paginator(releases.order_by("-created_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "stats/release_list.html",
        {
            "page": page,
            "can_manage": access.can_manage_releases(request.user),
            "can_see_own": access.can_anywhere(request.user, access.Action.VIEW_STATISTICS),
            "pending": list(selectors.pending_contributions(request.user)),
        },
    )


@login_required
def release_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not access.can_manage_releases(user):
        raise PermissionDenied
    form = ReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        definition = services.Definition(
            title=data["title"],
            first_year=data["first_year"],
            last_year=data["last_year"],
            organisations=list(data["organisations"]),
            dimensions=data["dimensions"],
            main_dimensions=data["main_dimensions"],
            max_length=data["max_length"],
            method=data["method"],
            k=data["k"],
            rounding_base=data["rounding_base"],
            epsilon=data["epsilon"],
            synthetic=data["synthetic"],
        )
        try:
            release = services.define_release(user, definition)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, _("Release defined: the contributors are asked to approve."))
            return redirect("stats:release", release_id=release.pk)
    return render(request, "stats/release_form.html", {"form": form})


def release_detail(request: HttpRequest, release_id: Any) -> HttpResponse:
    release = _release(request, release_id)
    contributions = list(release.contributions.select_related("organisation"))
    # The measures of a DP release are the host's only (they are not covered by its budget).
    measured = release.metadata
    if "utility" not in measured and access.can_manage_releases(request.user):
        measured = release.assessment
    mine = [
        c for c in contributions if access.can_answer_contribution(request.user, c.organisation)
    ]
    return render(
        request,
        "stats/release_detail.html",
        {
            "release": release,
            "contributions": contributions,
            "mine": mine,
            "can_manage": access.can_manage_releases(request.user),
            "dimensions": [vocabulary.dimension_label(d) for d in release.dimensions],
            "measures": _measure_rows(measured.get("utility", {})),
            "synthetic_measures": _measure_rows(measured.get("synthetic", {}).get("utility", {})),
            "measures_internal": measured is release.assessment,
            "metadata_json": json.dumps(release.metadata, indent=1, ensure_ascii=False),
            "newer": selectors.releases_for(request.user).filter(supersedes=release).first(),
        },
    )


def _measure_rows(utility: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"length": length, **values} for length, values in utility.items()]


def release_status(request: HttpRequest, release_id: Any) -> HttpResponse:
    """The computing state alone (htmx polls it while the release computes)."""
    release = _release(request, release_id)
    if release.state != Release.State.COMPUTING and request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "stats/partials/status.html", {"release": release})


@require_POST
@login_required
def release_answer(request: HttpRequest, release_id: Any, contribution_id: int) -> HttpResponse:
    release = _release(request, release_id)
    contribution = get_object_or_404(Contribution, pk=contribution_id, release=release)
    approve = request.POST.get("answer") == "approve"
    try:
        services.answer(_user(request), contribution, approve)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Your organisation's cases will enter this release.")
            if approve
            else _("Your organisation's cases will stay out of this release."),
        )
    return redirect("stats:release", release_id=release.pk)


def _act(
    request: HttpRequest,
    release_id: Any,
    act: Callable[[User, Release], object],
    success: str = "",
) -> HttpResponse:
    """Run one service on the release; its refusal becomes a message on the release's page."""
    release = _release(request, release_id)
    try:
        act(_user(request), release)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if success:
            messages.success(request, success)
    return redirect("stats:release", release_id=release.pk)


@require_POST
@login_required
def release_compute(request: HttpRequest, release_id: Any) -> HttpResponse:
    return _act(request, release_id, services.request_compute)


@require_POST
@login_required
def release_publish(request: HttpRequest, release_id: Any) -> HttpResponse:
    return _act(
        request, release_id, services.publish, _("Published: anyone can now see this release.")
    )


@require_POST
@login_required
def release_next(request: HttpRequest, release_id: Any) -> HttpResponse:
    release = _release(request, release_id)
    try:
        newer = services.new_version(_user(request), release)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("stats:release", release_id=release.pk)
    messages.success(request, _("A new version is defined: the contributors are asked again."))
    return redirect("stats:release", release_id=newer.pk)


@login_required
def own(request: HttpRequest) -> HttpResponse:
    """An organisation's own figures from its raw cases (inside the organisation only)."""
    user = _user(request)
    organisations = access.organisations_where(user, access.Action.VIEW_STATISTICS)
    if not organisations:
        raise PermissionDenied
    chosen = next(
        (o for o in organisations if o.acronym == request.GET.get("org")), organisations[0]
    )
    dimensions = ["year", "sex", "age_band", "citizenship", "exploitation_country", "exploitation"]
    figures = services.own_figures(user, chosen, dimensions)
    language = get_language() or "en"
    tables = []
    for dimension in dimensions:
        names = vocabulary.names(dimension, language)
        rows = [(names.get(code, code), count) for code, count in figures.tables[dimension]]
        data = [charts.Datum(label, count) for label, count in rows[:20]]
        svg = charts.bars(
            data,
            title=vocabulary.dimension_label(dimension),
            value_title=_("Cases"),
            suppressed_label=_("suppressed"),
        )
        tables.append(
            {
                "label": vocabulary.dimension_label(dimension),
                "rows": rows,
                "svg": svg if rows else "",
            }
        )
    return render(
        request,
        "stats/own.html",
        {"figures": figures, "organisations": organisations, "tables": tables},
    )


# Dashboards -------------------------------------------------------------------------------------


def dashboard(request: HttpRequest, release_id: Any) -> HttpResponse:
    release = _published(release_id)
    filters = selectors.usable_filters(release, request.GET.dict())
    figures = [
        _figure(release, kind, dimension, filters)
        for kind, dimension in DASHBOARD
        if dimension in release.dimensions and dimension not in filters
    ]
    flow = _flows_figure(str(release.pk), release.checksum, get_language() or "en")
    flow = None if filters else flow
    filter_choices = [
        {**choice, "value": filters.get(choice["key"], "")}
        for choice in _filter_choices(str(release.pk), release.checksum, get_language() or "en")
    ]
    return render(
        request,
        "stats/dashboard.html",
        {
            "release": release,
            "filters": filters,
            "filter_labels": [
                (vocabulary.dimension_label(k), vocabulary.label(k, v)) for k, v in filters.items()
            ],
            "filter_choices": filter_choices,
            "total": selectors.total(release, filters),
            "figures": figures,
            "flow": flow,
            "dp": release.method == Release.Method.DP,
            "query": request.GET.urlencode(),
        },
    )


@lru_cache(maxsize=64)
def _filter_choices(pk: str, checksum: str, language: str) -> list[dict[str, Any]]:
    """For each dimension, the values the release lists, by name (years in order)."""
    release = Release.objects.defer(*selectors.LARGE).get(pk=pk)
    found = []
    for key in release.dimensions:
        if BY_KEY[key].kind == "flag":
            continue
        names = vocabulary.names(key, language)
        values = selectors.listed_values(release, key)
        options = [(v, names.get(v, v)) for v in values]
        options.sort(key=lambda kv: kv[0] if BY_KEY[key].values == "year" else kv[1])
        found.append({"key": key, "label": vocabulary.dimension_label(key), "options": options})
    return found


def _svg(release: Release, kind: str, table: selectors.Breakdown) -> str:
    data = [charts.Datum(row.label, row.count, row.code) for row in table.rows]
    title = table.label
    suppressed = _("suppressed")
    value_title = _("Victims")
    if kind == "trend":
        return charts.trend(data, title=title, value_title=value_title, suppressed_label=suppressed)
    if kind == "map":
        return charts.world_map(
            data,
            title=title,
            value_title=value_title,
            suppressed_label=suppressed,
            no_data_label=_("no data"),
        )
    return charts.bars(data, title=title, value_title=value_title, suppressed_label=suppressed)


def _figure(release: Release, kind: str, dimension: str, filters: dict[str, str]) -> dict[str, Any]:
    table, svg = _drawn(
        str(release.pk),
        release.checksum,
        kind,
        dimension,
        tuple(sorted(filters.items())),
        get_language() or "en",
    )
    return {
        "id": f"{kind}-{dimension}",
        "kind": kind,
        "dimension": dimension,
        "table": table,
        "svg": svg,
        "query": urlencode(filters),
    }


@lru_cache(maxsize=128)  # a map is ~170 KB: at most ~22 MB per process
def _drawn(
    pk: str,
    checksum: str,
    kind: str,
    dimension: str,
    filters: tuple[tuple[str, str], ...],
    language: str,
) -> tuple[selectors.Breakdown, str]:
    """A chart and its table, kept: a published release never changes (the cache is keyed by
    the release, the chart, the filters and the reader's language)."""
    release = Release.objects.defer(*selectors.LARGE).get(pk=pk)
    table = selectors.breakdown(release, dimension, dict(filters))
    return table, _svg(release, kind, table) if table.available and table.rows else ""


@lru_cache(maxsize=64)
def _flows_figure(pk: str, checksum: str, language: str) -> dict[str, Any] | None:
    """The flows matrix and the largest published flows (all of them are in the downloads)."""
    release = Release.objects.defer(*selectors.LARGE).get(pk=pk)
    found = selectors.flows(release, "citizenship", "exploitation_country")
    if not found:
        return None
    data = [
        (charts.Datum(a.label, None, a.code), charts.Datum(b.label, None, b.code), count)
        for a, b, count in found
    ]
    svg = charts.flows(
        data,
        title=_("From citizenship to country of exploitation"),
        origin_title=vocabulary.dimension_label("citizenship"),
        destination_title=vocabulary.dimension_label("exploitation_country"),
        value_title=_("Victims"),
        suppressed_label=_("suppressed"),
    )
    largest = sorted(
        (f for f in found if f[2] is not None), key=lambda f: (-(f[2] or 0), f[0].label)
    )
    return {"svg": svg, "rows": largest[:FLOW_ROWS], "published": len(largest)}


def _breakdown_from(request: HttpRequest, release: Release, dimension: str) -> selectors.Breakdown:
    if dimension not in release.dimensions:
        raise Http404("no such dimension")
    table = selectors.breakdown(
        release, dimension, selectors.usable_filters(release, request.GET.dict())
    )
    if not table.available:
        raise Http404("not counted in this release")
    return table


@xframe_options_exempt
def chart(request: HttpRequest, release_id: Any, kind: str, dimension: str) -> HttpResponse:
    """One chart as an SVG image: what the embed code points at."""
    release = _published(release_id)
    if kind not in ("bars", "trend", "map"):
        raise Http404("no such chart")
    _breakdown_from(request, release, dimension)  # 404 unless the release counts it
    filters = selectors.usable_filters(release, request.GET.dict())
    _, svg = _drawn(
        str(release.pk),
        release.checksum,
        kind,
        dimension,
        tuple(sorted(filters.items())),
        get_language() or "en",
    )
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"  # a release never changes
    return response


def table_download(request: HttpRequest, release_id: Any, dimension: str, fmt: str) -> HttpResponse:
    release = _published(release_id)
    if fmt not in downloads.FORMATS:
        raise Http404("no such format")
    table = _breakdown_from(request, release, dimension)
    response = HttpResponse(
        downloads.breakdown_file(release, table, fmt), content_type=downloads.FORMATS[fmt]
    )
    extension = "csv" if fmt == "hxl" else fmt
    suffix = "-hxl" if fmt == "hxl" else ""
    name = f"palermo-{release.pk.hex[:8]}-v{release.version}-{dimension}{suffix}.{extension}"
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    return response


def release_file(request: HttpRequest, release_id: Any, name: str) -> HttpResponse:
    """The whole release: its cells (CSV), its metadata (JSON), its synthetic rows (CSV)."""
    release = _published(release_id)
    if name == "metadata.json":
        body = json.dumps(release.metadata, indent=1, ensure_ascii=False).encode("utf-8")
        content_type = "application/json"
    elif name == "cells.csv":
        body = selectors.cells(release).write_csv().encode("utf-8")
        content_type = "text/csv; charset=utf-8"
    elif name == "synthetic.csv" and release.synthetic_rows:
        body = services.synthetic_csv(release)
        content_type = "text/csv; charset=utf-8"
    else:
        raise Http404("no such file")
    response = HttpResponse(body, content_type=content_type)
    filename = f"palermo-{release.pk.hex[:8]}-v{release.version}-{name}"
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    return response
