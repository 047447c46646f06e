"""Reads for monitoring: statuses as of a date, official figures, plan progress. Everything here
is public information about countries; none of it touches case data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from palermo.accounts.models import User
from palermo.geo.models import Country
from palermo.knowledge import selectors as knowledge
from palermo.monitoring import checklist, progress
from palermo.monitoring.glotip import SOURCE_KEY
from palermo.monitoring.models import (
    Figure,
    FigureSource,
    Indicator,
    Measurement,
    Period,
    Plan,
    ProfileEntry,
)

CONVICTED = "Persons convicted"
PROSECUTED = "Persons prosecuted"
DETECTED = "Detected trafficking victims"
TREND_INDICATORS = (DETECTED, PROSECUTED, CONVICTED)
TOTAL = "Total"


def year_end(year: int | None) -> date:
    return timezone.localdate() if year is None else date(year, 12, 31)


def _latest(entries: Iterable[ProfileEntry]) -> dict[tuple[str, str], ProfileEntry]:
    """The entry in effect per (country, item), from entries ordered latest first."""
    found: dict[tuple[str, str], ProfileEntry] = {}
    for entry in entries:
        found.setdefault((entry.country_id, entry.item), entry)
    return found


def _ordered(entries: QuerySet[ProfileEntry]) -> QuerySet[ProfileEntry]:
    return entries.order_by("country_id", "item", "-since", "-recorded_at")


def profile(
    country: Country, as_of: date | None = None
) -> list[tuple[checklist.Item, ProfileEntry | None]]:
    """Each checklist item with the entry in effect at ``as_of`` (today by default)."""
    entries = ProfileEntry.objects.filter(country=country, since__lte=as_of or timezone.localdate())
    current = _latest(_ordered(entries.select_related("evidence", "recorded_by", "organisation")))
    return [(item, current.get((country.pk, item.key))) for item in checklist.ITEMS]


def history(country: Country) -> dict[str, list[ProfileEntry]]:
    """Every entry of each item, latest first (corrections included)."""
    found: dict[str, list[ProfileEntry]] = defaultdict(list)
    for entry in _ordered(ProfileEntry.objects.filter(country=country)).select_related(
        "recorded_by", "organisation", "evidence"
    ):
        found[entry.item].append(entry)
    return found


def statuses(item: str, as_of: date) -> dict[str, str]:
    """ISO alpha-2 code -> status of ``item`` at ``as_of``, for the countries with an entry."""
    entries = ProfileEntry.objects.filter(item=item, since__lte=as_of).only(
        "country_id", "item", "status", "since", "recorded_at"
    )
    return {key[0]: entry.status for key, entry in _latest(_ordered(entries)).items()}


def all_statuses(as_of: date) -> dict[str, dict[str, str]]:
    """ISO alpha-2 code -> item -> status at ``as_of``."""
    entries = ProfileEntry.objects.filter(since__lte=as_of).only(
        "country_id", "item", "status", "since", "recorded_at"
    )
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for (country, item), entry in _latest(_ordered(entries)).items():
        found[country][item] = entry.status
    return found


# Official figures ------------------------------------------------------------------------------


def glotip_source() -> FigureSource | None:
    return FigureSource.objects.filter(key=SOURCE_KEY).first()


def totals(indicator: str) -> QuerySet[Figure]:
    """Figures of ``indicator`` that are national totals (no breakdown), first occurrence."""
    return Figure.objects.filter(
        indicator=indicator,
        dimension=TOTAL,
        category=TOTAL,
        sex=TOTAL,
        age=TOTAL,
        occurrence=1,
        source__key=SOURCE_KEY,
    )


@dataclass(frozen=True)
class Point:
    year: int
    value: int | None  # None = suppressed ("<5")


def trend(country: Country, indicator: str) -> list[Point]:
    rows = totals(indicator).filter(country=country).order_by("year")
    return [Point(row.year, row.value) for row in rows]


class Convictions:
    RECORDED = "recorded"
    SUPPRESSED_ONLY = "suppressed_only"
    NONE = "none"
    LABELS = {
        RECORDED: gettext_lazy("Convictions recorded"),
        SUPPRESSED_ONLY: gettext_lazy("Only counts below 5"),
        NONE: gettext_lazy("No conviction recorded"),
    }


def conviction_states(country_id: str | None = None) -> dict[str, str]:
    """For each country the Global Report data cover (or only ``country_id``): whether it ever
    recorded a conviction (a published count above zero), only counts printed as ``<5``, or no
    conviction figure at all. Countries the data do not cover are left out."""
    figures = Figure.objects.filter(source__key=SOURCE_KEY)
    if country_id is not None:
        figures = figures.filter(country_id=country_id)
    covered = set(figures.values_list("country_id", flat=True).distinct())
    convicted = figures.filter(indicator=CONVICTED)
    recorded = set(convicted.filter(value__gt=0).values_list("country_id", flat=True).distinct())
    suppressed = set(
        convicted.filter(suppressed=True).values_list("country_id", flat=True).distinct()
    )
    found = {}
    for code in covered:
        if code in recorded:
            found[code] = Convictions.RECORDED
        elif code in suppressed:
            found[code] = Convictions.SUPPRESSED_ONLY
        else:
            found[code] = Convictions.NONE
    return found


def no_conviction_recorded() -> list[str]:
    """ISO alpha-2 codes of the covered countries that never published a conviction count."""
    return sorted(code for code, state in conviction_states().items() if state != "recorded")


def convictions_in(year: int) -> dict[str, int | None]:
    """ISO alpha-2 -> national total of persons convicted in ``year`` (None when ``<5``)."""
    return dict(totals(CONVICTED).filter(year=year).values_list("country_id", "value"))


# Plans ----------------------------------------------------------------------------------------


def plans(country: Country) -> QuerySet[Plan]:
    return Plan.objects.filter(country=country).order_by("-starts")


def _detailed() -> QuerySet[Plan]:
    """Plans with everything their page and exports show, in a fixed number of queries."""
    return Plan.objects.select_related("country", "document", "created_by").prefetch_related(
        "objectives__actions__responsible",
        Prefetch(
            "indicators",
            queryset=Indicator.objects.select_related("objective").prefetch_related(
                Prefetch(
                    "measurements",
                    queryset=Measurement.objects.select_related("release", "period", "recorded_by"),
                )
            ),
        ),
        Prefetch("periods", queryset=Period.objects.prefetch_related("events__by")),
    )


def plan_details(plan_id: Any) -> Plan:
    return _detailed().get(pk=plan_id)


def detailed_plans(country: Country) -> list[Plan]:
    """The country's plans, newest first, with their details (the same queries for any number
    of plans)."""
    return list(_detailed().filter(country=country).order_by("-starts"))


def funding(plan: Plan) -> tuple[Decimal, Decimal]:
    """Funding needed and secured over the plan's actions (prefetched ones as they are)."""
    actions = [a for o in plan.objectives.all() for a in o.actions.all()]
    return (
        sum((a.funding_needed or Decimal(0) for a in actions), Decimal(0)),
        sum((a.funding_secured or Decimal(0) for a in actions), Decimal(0)),
    )


def visible_resources(user: User | AnonymousUser, ids: Iterable[int | None]) -> set[int]:
    """Which of these knowledge-base resources (cited as evidence or as a plan's document)
    ``user`` may read: a members-only one is not named to anyone else."""
    return knowledge.visible_ids(user, ids)


def indicator_progress(indicator: Indicator, today: date | None = None) -> progress.Progress:
    """Progress from the indicator's measurements (prefetched ones are used as they are)."""
    plan = indicator.plan
    return progress.compute(
        baseline=indicator.baseline,
        start=indicator.baseline_date or plan.starts,
        target=indicator.target,
        deadline=indicator.deadline,
        increase=indicator.direction == "increase",
        measurements=[(m.measured_on, m.value) for m in indicator.measurements.all()],
        today=today or timezone.localdate(),
    )


def plan_progress(plan: Plan) -> list[tuple[Indicator, progress.Progress]]:
    return [(indicator, indicator_progress(indicator)) for indicator in plan.indicators.all()]


def current_plan(country: Country) -> Plan | None:
    today = timezone.localdate()
    return (
        plans(country).filter(starts__lte=today, ends__gte=today).first() or plans(country).first()
    )
