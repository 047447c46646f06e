"""The gap view: for each country, the needs the latest published release shows (detected
victims by form of exploitation, by sex and age, and by form and sex where the release counts
that combination) against the ongoing protection activities that address them.

A need is a published count in the country of exploitation. An activity covers it when it is
ongoing (pipeline, implementation or finalisation), works in the country, is a protection
activity (the pillar, or one of its themes), and addresses the need: the form of exploitation
(or states none, so addresses all), and a target group that includes the sex and age (or states
none). A need with no covering activity is a gap; one with a single covering activity while it
holds at least a tenth of the country's victims is thin. Only figures a release published are
used, so nothing here can be more precise than the release; suppressed counts are never needs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet

from palermo.activities.data import EXPLOITATION, PILLAR, TARGET_GROUP, THEME
from palermo.activities.models import Activity, ActivityCode, ActivityCountry
from palermo.activities.selectors import ONGOING
from palermo.standard import interventions
from palermo.stats import selectors as releases
from palermo.stats.models import Release

PROTECTION = "protection"
COUNTRY = "exploitation_country"
THIN_SHARE = 0.1
COMBINED_FORMS = frozenset({"Multiple", "SexAndLabour"})
NOT_VICTIMS = frozenset({"practitioners", "general_public"})
# Sexes no target group names: any group of the right age covers them.
ANY_SEX = frozenset({"TransgenderNonConforming"})
OVERVIEW_SECONDS = 600
GAP, THIN, COVERED = "gap", "thin", "covered"


@dataclass
class Need:
    label: str
    count: int
    form: str = ""  # a form of exploitation, or "" for any
    sex: str = ""  # CTDC gender code, or "" for any
    majority: str = ""  # "Minor" / "Adult", or "" for any
    covering: list[Any] = field(default_factory=list)  # activity ids
    state: str = COVERED


@dataclass
class CountryGaps:
    country: str
    release: Release | None
    total: int | None
    needs: list[Need]
    activities: int
    by_pillar: dict[str, int]
    by_theme: dict[str, int]

    @property
    def gaps(self) -> list[Need]:
        return [n for n in self.needs if n.state != COVERED]


def _protection_themes() -> set[str]:
    return {t for t, p in interventions.theme_pillar().items() if p == PROTECTION}


def _profiles(queryset: QuerySet[Activity], country: str) -> dict[Any, dict[str, set[str]]]:
    """The codes of each ongoing activity in ``country``."""
    ids = queryset.filter(
        status__in=ONGOING,
        pk__in=ActivityCountry.objects.filter(country_id=country).values("activity"),
    ).values("pk")
    found: dict[Any, dict[str, set[str]]] = {row["pk"]: {} for row in ids}
    for activity_id, kind, code in ActivityCode.objects.filter(activity__in=ids).values_list(
        "activity_id", "kind", "code"
    ):
        found[activity_id].setdefault(kind, set()).add(code)
    return found


def _is_protection(codes: dict[str, set[str]], themes: set[str]) -> bool:
    return PROTECTION in codes.get(PILLAR, set()) or bool(codes.get(THEME, set()) & themes)


def covers(codes: dict[str, set[str]], need: Need) -> bool:
    forms = codes.get(EXPLOITATION, set())
    # A release's combined forms ("Multiple", "SexAndLabour") no activity states as such: an
    # activity addressing any of the forms involved addresses them.
    if need.form and forms and need.form not in forms and need.form not in COMBINED_FORMS:
        return False
    if need.form == "SexAndLabour" and forms and not forms & {"SexualExploitation", "ForcedLabour"}:
        return False
    groups = codes.get(TARGET_GROUP, set())
    if not groups or not (need.sex or need.majority):
        return True
    coverage = interventions.group_coverage()
    # Officials in training and the general public are not victims: work for them alone does
    # not address a group of victims' need.
    for group in groups - NOT_VICTIMS:
        sex, majority = coverage.get(group, ("", ""))
        if (not sex or not need.sex or need.sex in ANY_SEX or sex == need.sex) and (
            not majority or not need.majority or majority == need.majority
        ):
            return True
    return False


def _rows(release: Release, dimension: str, filters: dict[str, str]) -> list[tuple[str, str, int]]:
    found = releases.breakdown(release, dimension, filters)
    if not found.available:
        return []
    return [(r.code, r.label, r.count) for r in found.rows if r.count]


def needs(release: Release, country: str) -> list[Need]:
    """The needs a release publishes for one country of exploitation."""
    where = {COUNTRY: country}
    found = [
        Need(label, count, form=code)
        for code, label, count in _rows(release, "exploitation", where)
    ]
    by_sex = _rows(release, "sex", where)
    detailed = False
    for sex, sex_label, _count in by_sex:
        for majority, majority_label, count in _rows(release, "majority", {**where, "sex": sex}):
            detailed = True
            found.append(Need(f"{sex_label}, {majority_label}", count, sex=sex, majority=majority))
    if not detailed:
        found += [Need(label, count, sex=code) for code, label, count in by_sex]
        found += [
            Need(label, count, majority=code)
            for code, label, count in _rows(release, "majority", where)
        ]
    for form, form_label, _count in _rows(release, "exploitation", where):
        for sex, sex_label, count in _rows(release, "sex", {**where, "exploitation": form}):
            found.append(Need(f"{form_label}: {sex_label}", count, form=form, sex=sex))
    return found


def country_gaps(
    queryset: QuerySet[Activity], country: str, release: Release | None
) -> CountryGaps:
    profiles = _profiles(queryset, country)
    by_pillar: dict[str, int] = {}
    by_theme: dict[str, int] = {}
    for codes in profiles.values():
        for pillar in codes.get(PILLAR, set()):
            by_pillar[pillar] = by_pillar.get(pillar, 0) + 1
        for theme in codes.get(THEME, set()):
            by_theme[theme] = by_theme.get(theme, 0) + 1
    if release is None:
        return CountryGaps(country, None, None, [], len(profiles), by_pillar, by_theme)
    total = releases.total(release, {COUNTRY: country})
    themes = _protection_themes()
    protection = {pk: codes for pk, codes in profiles.items() if _is_protection(codes, themes)}
    found = needs(release, country)
    for need in found:
        need.covering = [pk for pk, codes in protection.items() if covers(codes, need)]
        if not need.covering:
            need.state = GAP
        elif len(need.covering) == 1 and total and need.count >= THIN_SHARE * total:
            need.state = THIN
    found.sort(key=lambda n: ({GAP: 0, THIN: 1}.get(n.state, 2), -n.count))
    return CountryGaps(country, release, total, found, len(profiles), by_pillar, by_theme)


def overview(queryset: QuerySet[Activity], release: Release | None) -> dict[str, tuple[int, int]]:
    """Country -> (gaps, ongoing activities), for every country the release or the registry
    has figures for. Kept a few minutes, until the release or an activity changes."""
    state = queryset.aggregate(n=Count("pk"), last=Max("updated_at"))
    key = (
        "activities-gaps:"
        + hashlib.sha256(
            repr(
                (
                    str(queryset.query),
                    state["n"],
                    state["last"],
                    release.pk if release else None,
                    release.checksum if release else None,
                )
            ).encode()
        ).hexdigest()
    )
    found = cache.get(key)
    if found is None:
        found = _overview(queryset, release)
        cache.set(key, found, OVERVIEW_SECONDS)
    return found


def _overview(queryset: QuerySet[Activity], release: Release | None) -> dict[str, tuple[int, int]]:
    counts: dict[str, int] = {}
    for country in ActivityCountry.objects.filter(
        activity__in=queryset.filter(status__in=ONGOING).values("pk")
    ).values_list("country_id", flat=True):
        counts[country] = counts.get(country, 0) + 1
    countries = set(counts)
    if release is not None:
        countries |= {r.code for r in releases.breakdown(release, COUNTRY, {}).rows if r.count}
    found = {}
    for country in sorted(countries):
        gaps = country_gaps(queryset, country, release).gaps if release is not None else []
        found[country] = (len(gaps), counts.get(country, 0))
    return found
