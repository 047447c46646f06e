"""Monitoring pages: the world map and comparison of checklist items, each country's page, its
plans, exports and printable report. Everyone reads; a country's coordinators change it; its
approvers approve and unlock measurements. Views check the request and call services."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palermo.accounts import access
from palermo.accounts.models import User
from palermo.activities import selectors as activities
from palermo.geo.models import Country
from palermo.monitoring import charts, checklist, exports, report, selectors, services
from palermo.monitoring.forms import (
    ActionForm,
    EntryForm,
    IndicatorForm,
    MeasurementForm,
    ObjectiveForm,
    PlanForm,
    ReasonForm,
)
from palermo.monitoring.models import (
    Indicator,
    Measurement,
    Objective,
    Period,
    Plan,
    PlanAction,
    ProfileEntry,
)
from palermo.stats import selectors as releases

CONVICTIONS = "convictions"
FIRST_YEAR = 2000


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    return user


def _country(iso2: str) -> Country:
    return get_object_or_404(Country, iso2=iso2.upper())


def _year(raw: str | None) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(raw or this_year)
    except ValueError:
        return this_year
    return min(max(year, FIRST_YEAR), this_year)


def _names() -> dict[str, str]:
    return {c.iso2: c.name for c in Country.objects.all()}


def index(request: HttpRequest) -> HttpResponse:
    if request.GET.get("country"):
        return redirect("monitoring:country", _country(request.GET["country"]).iso2)
    item = request.GET.get("item") or "action_plan"
    if item != CONVICTIONS and item not in checklist.BY_KEY:
        item = "action_plan"
    year = _year(request.GET.get("year"))
    names = _names()
    if item == CONVICTIONS:
        states = selectors.conviction_states()
        svg = charts.conviction_map(states, names)
        rows = sorted(
            (names.get(c, c), c, str(selectors.Convictions.LABELS[s]), s) for c, s in states.items()
        )
    else:
        svg = charts.status_map(item, selectors.year_end(year), names)
        status_labels = {k: str(v) for k, v in checklist.Status.choices}
        found = selectors.statuses(item, selectors.year_end(year))
        rows = sorted((names.get(c, c), c, status_labels[s], s) for c, s in found.items())
    return render(
        request,
        "monitoring/index.html",
        {
            "item": item,
            "year": year,
            "years": range(timezone.localdate().year, FIRST_YEAR - 1, -1),
            "items": checklist.ITEMS,
            "map_svg": svg,
            "rows": rows,
            "countries": Country.objects.order_by("name_en"),
            "editable": sorted(
                access.monitoring_countries(request.user, access.Action.MANAGE_MONITORING)
            ),
        },
    )


def compare(request: HttpRequest) -> HttpResponse:
    """Countries against the checklist at the end of a year, or one item across years."""
    names = _names()
    item = request.GET.get("item", "")
    year = _year(request.GET.get("year"))
    region = request.GET.get("region", "")
    labels = dict(checklist.Status.choices)
    if item in checklist.BY_KEY:
        years = list(range(max(FIRST_YEAR, year - 9), year + 1))
        by_year = {y: selectors.statuses(item, selectors.year_end(y)) for y in years}
        codes = sorted(
            {c for found in by_year.values() for c in found}, key=lambda c: names.get(c, c)
        )
        columns = [str(y) for y in years]
        table: list[tuple[Any, ...]] = [
            (
                c,
                names.get(c, c),
                [(by_year[y].get(c), labels.get(by_year[y].get(c) or "", "")) for y in years],
            )
            for c in codes
        ]
    else:
        item = ""
        found = selectors.all_statuses(selectors.year_end(year))
        convicted = selectors.convictions_in(year)
        codes = sorted(found, key=lambda c: names.get(c, c))
        columns = [str(i.label) for i in checklist.ITEMS]
        table = [
            (
                c,
                names.get(c, c),
                [
                    (found[c].get(i.key), labels.get(found[c].get(i.key) or "", ""))
                    for i in checklist.ITEMS
                ],
                convicted.get(c, "") if c in convicted else "",
            )
            for c in codes
        ]
    if region:
        inside = set(
            Country.objects.filter(
                models.Q(region_id=region) | models.Q(sub_region_id=region)
            ).values_list("iso2", flat=True)
        )
        table = [row for row in table if row[0] in inside]
    return render(
        request,
        "monitoring/compare.html",
        {
            "item": item,
            "year": year,
            "years": range(timezone.localdate().year, FIRST_YEAR - 1, -1),
            "items": checklist.ITEMS,
            "columns": columns,
            "table": table,
            "region": region,
            "regions": _regions(),
        },
    )


def _regions() -> list[tuple[str, str]]:
    from palermo.geo.models import Region

    used = set(Country.objects.values_list("region_id", flat=True)) | set(
        Country.objects.values_list("sub_region_id", flat=True)
    )
    return sorted(((r.pk, str(r)) for r in Region.objects.filter(pk__in=used)), key=lambda r: r[1])


def _release_figures(country: Country) -> dict[str, Any]:
    release = releases.latest_published()
    if release is None or "citizenship" not in release.dimensions:
        return {"release": release}
    filters = {"citizenship": country.iso2}
    found: dict[str, Any] = {"release": release, "total": releases.total(release, filters)}
    for dimension in ("sex", "form"):
        if dimension in release.dimensions:
            found[dimension] = releases.breakdown(release, dimension, filters)
    return found


def country(request: HttpRequest, iso2: str) -> HttpResponse:
    place = _country(iso2)
    profile = selectors.profile(place)
    visible = selectors.visible_resources(
        request.user, (entry.evidence_id for _item, entry in profile if entry)
    )
    plan = selectors.current_plan(place)
    progress_rows = []
    if plan is not None:
        plan = selectors.plan_details(plan.pk)
        progress_rows = selectors.plan_progress(plan)
    ongoing = activities.search(
        activities.visible(request.user), activities.Filters(country=place.iso2)
    ).filter(status__in=activities.ONGOING)
    return render(
        request,
        "monitoring/country.html",
        {
            "country": place,
            "profile": [
                (item, entry, entry is not None and entry.evidence_id in visible)
                for item, entry in profile
            ],
            "history": selectors.history(place),
            "can_edit": access.can_edit_monitoring(request.user, place.iso2),
            "convictions": selectors.conviction_states(place.iso2).get(place.iso2),
            "trends": [charts.trend(place, i) for i in selectors.TREND_INDICATORS],
            "source": selectors.glotip_source(),
            "plan": plan,
            "plans": selectors.plans(place),
            "progress_rows": progress_rows,
            "progress_svg": charts.plan_progress(progress_rows),
            "figures": _release_figures(place),
            "activities": ongoing.count(),
        },
    )


def _form_page(
    request: HttpRequest, form: BaseForm, title: str, back: str, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "monitoring/form.html",
        {"form": form, "title": title, "back": back, **extra},
        status=400 if form.is_bound else 200,
    )


def _save(request: HttpRequest, form: Any, save: Callable[[], Any]) -> bool:
    """Run a service on a valid form; its validation errors land on the form."""
    if not form.is_valid():
        return False
    try:
        save()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return False
    return True


@login_required
def entry_new(request: HttpRequest, iso2: str, item: str) -> HttpResponse:
    place = _country(iso2)
    if item not in checklist.BY_KEY:
        raise Http404
    user = _user(request)
    services.require_coordinator(user, place.iso2)
    entry = ProfileEntry(country=place, item=item)
    form = EntryForm(request.POST or None, instance=entry, user=user, country=place)
    if request.method == "POST" and _save(
        request, form, lambda: services.record_entry(user, form.save(commit=False))
    ):
        messages.success(request, _("The checklist is updated."))
        return redirect(reverse("monitoring:country", args=[place.iso2]) + f"#item-{item}")
    if not form.is_bound:
        current = dict(selectors.profile(place)).get(checklist.BY_KEY[item])
        form.initial.setdefault("since", timezone.localdate().isoformat())
        if current is not None:
            form.initial.update(
                {
                    "status": current.status,
                    "evidence": current.evidence_id,
                    "evidence_url": current.evidence_url,
                }
            )
    return _form_page(
        request,
        form,
        f"{place.name}: {checklist.BY_KEY[item].label}",
        reverse("monitoring:country", args=[place.iso2]),
        help=checklist.BY_KEY[item].help,
    )


def _editable_plan(request: HttpRequest, plan_id: Any) -> Plan:
    plan = get_object_or_404(Plan.objects.select_related("country"), pk=plan_id)
    services.require_coordinator(request.user, plan.country_id)
    return plan


@login_required
def plan_edit(request: HttpRequest, iso2: str | None = None, plan_id: Any = None) -> HttpResponse:
    user = _user(request)
    if plan_id is not None:
        plan = _editable_plan(request, plan_id)
        place = plan.country
    else:
        place = _country(iso2 or "")
        services.require_coordinator(user, place.iso2)
        plan = Plan(country=place)
    form = PlanForm(request.POST or None, instance=plan, user=user, country=place)
    if request.method == "POST" and _save(
        request, form, lambda: services.save_part(user, form.save(commit=False))
    ):
        messages.success(request, _("The plan is saved."))
        return redirect("monitoring:plan", plan.pk)
    title = (
        _("Edit the plan")
        if plan_id
        else _("New national action plan for %(country)s") % {"country": place.name}
    )
    back = (
        reverse("monitoring:plan", args=[plan.pk])
        if plan_id
        else reverse("monitoring:country", args=[place.iso2])
    )
    return _form_page(request, form, title, back)


PARTS: dict[str, tuple[type[models.Model], Any, str]] = {
    "objective": (Objective, ObjectiveForm, "objective"),
    "action": (PlanAction, ActionForm, "action"),
    "indicator": (Indicator, IndicatorForm, "indicator"),
}


@login_required
def part_edit(request: HttpRequest, plan_id: Any, part: str, part_id: Any = None) -> HttpResponse:
    """Add or change an objective, action or indicator of a plan."""
    if part not in PARTS:
        raise Http404
    user = _user(request)
    plan = _editable_plan(request, plan_id)
    model, form_class, _name = PARTS[part]
    if part_id is None:
        instance = model(plan=plan) if part != "action" else model()
    else:
        lookup = {"objective__plan": plan} if part == "action" else {"plan": plan}
        try:
            instance = model.objects.get(pk=part_id, **lookup)  # type: ignore[attr-defined]
        except (model.DoesNotExist, ValueError, ValidationError):  # type: ignore[attr-defined]
            raise Http404 from None
    kwargs: dict[str, Any] = {} if part == "objective" else {"plan": plan}
    form = form_class(request.POST or None, instance=instance, **kwargs)
    if part == "objective" and part_id is None and not form.is_bound:
        form.initial["number"] = plan.objectives.count() + 1
    if part == "action" and not plan.objectives.exists():
        messages.info(request, _("Add an objective first: every action serves one."))
        return redirect("monitoring:plan", plan.pk)

    def save() -> None:
        obj = form.save(commit=False)
        services.save_part(user, obj, m2m=form.save_m2m)

    if request.method == "POST" and _save(request, form, save):
        messages.success(request, _("Saved."))
        return redirect(reverse("monitoring:plan", args=[plan.pk]) + f"#{part}s")
    titles = {"objective": _("Objective"), "action": _("Action"), "indicator": _("Indicator")}
    return _form_page(
        request, form, f"{plan.title}: {titles[part]}", reverse("monitoring:plan", args=[plan.pk])
    )


def plan(request: HttpRequest, plan_id: Any) -> HttpResponse:
    try:
        found = selectors.plan_details(plan_id)
    except Plan.DoesNotExist:
        raise Http404 from None
    rows = selectors.plan_progress(found)
    country_id = found.country_id
    needed, secured = selectors.funding(found)
    return render(
        request,
        "monitoring/plan.html",
        {
            "plan": found,
            "rows": rows,
            "progress_svg": charts.plan_progress(rows),
            "can_edit": access.can_edit_monitoring(request.user, country_id),
            "can_approve": access.can_approve_monitoring(request.user, country_id),
            "funding_needed": needed,
            "funding_secured": secured,
            "document_visible": bool(
                selectors.visible_resources(request.user, [found.document_id])
            ),
            "reason_form": ReasonForm(),
        },
    )


@login_required
def measure(request: HttpRequest, indicator_id: Any) -> HttpResponse:
    user = _user(request)
    indicator = get_object_or_404(
        Indicator.objects.select_related("plan__country"), pk=indicator_id
    )
    services.require_coordinator(user, indicator.plan.country_id)
    form = MeasurementForm(request.POST or None, indicator=indicator)

    def save() -> None:
        data = form.cleaned_data
        services.add_measurement(
            user,
            indicator,
            measured_on=data["measured_on"],
            value=data.get("value"),
            source_note=data.get("source_note") or "",
            release=data.get("release"),
        )

    if request.method == "POST" and _save(request, form, save):
        messages.success(request, _("The measurement is recorded."))
        return redirect(reverse("monitoring:plan", args=[indicator.plan_id]) + "#indicators")
    return _form_page(
        request,
        form,
        _("Measure: %(indicator)s") % {"indicator": indicator.name},
        reverse("monitoring:plan", args=[indicator.plan_id]),
        help=_("Target %(target)s %(unit)s by %(deadline)s.")
        % {"target": indicator.target, "unit": indicator.unit, "deadline": indicator.deadline},
    )


@login_required
@require_POST
def measurement_delete(request: HttpRequest, measurement_id: Any) -> HttpResponse:
    measurement = get_object_or_404(
        Measurement.objects.select_related("indicator__plan"), pk=measurement_id
    )
    try:
        services.delete_measurement(_user(request), measurement)
        messages.success(request, _("The measurement is deleted."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("monitoring:plan", args=[measurement.indicator.plan_id]) + "#periods")


@login_required
@require_POST
def period_step(request: HttpRequest, period_id: Any, step: str) -> HttpResponse:
    period = get_object_or_404(Period, pk=period_id)
    user = _user(request)
    reason = request.POST.get("reason", "")
    steps: dict[str, Callable[[], Any]] = {
        "submit": lambda: services.submit_period(user, period),
        "approve": lambda: services.approve_period(user, period),
        "return": lambda: services.return_period(user, period, reason),
        "unlock": lambda: services.unlock_period(user, period, reason),
    }
    if step not in steps:
        raise Http404
    try:
        steps[step]()
        messages.success(request, _("Done."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("monitoring:plan", args=[period.plan_id]) + "#periods")


def export(request: HttpRequest, iso2: str, fmt: str) -> HttpResponse:
    place = _country(iso2)
    data = exports.country_data(place, request.user)
    name = f"palermo-monitoring-{place.iso3.lower()}"
    if fmt == "json":
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
        )
        name += ".json"
    elif fmt == "xlsx":
        response = HttpResponse(
            exports.xlsx(data),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name += ".xlsx"
    elif fmt == "hxl":
        response = HttpResponse(exports.hxl(data), content_type="text/csv; charset=utf-8")
        name += "-hxl.csv"
    else:
        raise Http404
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    return response


def country_report(request: HttpRequest, iso2: str) -> HttpResponse:
    place = _country(iso2)
    plans = selectors.detailed_plans(place)
    data = exports.country_data(place, request.user, plans)
    svgs: dict[str, str] = {}
    for key, indicator in (("detected", selectors.DETECTED), ("convicted", selectors.CONVICTED)):
        svg = charts.trend(place, indicator)
        if svg:
            svgs[key] = svg
    for found in plans:
        svg = charts.plan_progress(selectors.plan_progress(found))
        if svg:
            svgs[str(found.pk)] = svg
    pdf = report.build(data, svgs)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(False, f"palermo-report-{place.iso3.lower()}.pdf") or ""
    )
    return response
