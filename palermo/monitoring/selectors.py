"""Reads for monitoring: statuses as of a date, official figures, plan progress. Everything here
is public information about countries; none of it touches case data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from palermo.geo.models import Country
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


def conviction_states() -> dict[str, str]:
    """For each country the Global Report data cover: whether it ever recorded a conviction (a
    published count above zero), only counts printed as ``<5``, or no conviction figure at all.
    Countries the data do not cover are left out."""
    covered = set(
        Figure.objects.filter(source__key=SOURCE_KEY)
        .values_list("country_id", flat=True)
        .distinct()
    )
    convicted = Figure.objects.filter(source__key=SOURCE_KEY, indicator=CONVICTED)
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


def plan_details(plan_id: Any) -> Plan:
    return (
        Plan.objects.select_related("country", "document", "created_by")
        .prefetch_related(
            "objectives__actions__responsible",
            Prefetch(
                "indicators",
                queryset=Indicator.objects.select_related("objective").prefetch_related(
                    Prefetch(
                        "measurements",
                        queryset=Measurement.objects.select_related(
                            "release", "period", "recorded_by"
                        ),
                    )
                ),
            ),
            Prefetch("periods", queryset=Period.objects.prefetch_related("events__by")),
        )
        .get(pk=plan_id)
    )


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
