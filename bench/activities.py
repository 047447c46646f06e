"""Benchmark: the overlap finder for a new draft among 100,000 generated activities.

The activities (seeded, generated straight into the tables with ``bulk_create``: the app's
``services.save`` would take hours) belong to 50 generated organisations. Each has 1-2
recipient countries drawn with a Zipf-like skew (exponent 0.7) over 150 ISO countries, so a few
countries hold many activities (the largest ~10,700 of 100,000, the fifth ~3,500) and most
hold a few hundred; 0-2 places from its first country's list of 20 generated place names;
1-2 themes with their pillars, 0-2 target groups and 0-1 form of exploitation; planned dates
(and actual ones for what has started or ended by a fixed 2026-04-18) spread over 2010-2030,
the denormalised ``start``/``end`` being the actual dates where known; and an English title
(4-8 words) and description (20-40 words) drawn with a Zipf-like skew from a generated
vocabulary of 300 words, mixed with short filler words and words the finder ignores, so the
text similarity has real work to do (``search_text`` is the lower-cased title and
description, ``words`` its distinct words and ``code_tokens`` its codes, as ``services.save``
writes them). The tables are analysed (``ANALYZE``) after the load, as the demo case generator
does, so the planner has statistics.

Timed, for BENCH_ACTIVITIES_REPEAT drafts (200; seeded; 5 more drafts warm up first and are
not counted): each draft has one country drawn with the same skew (the first five are the five
largest countries, so the worst case is in the sample), a place of that country half of the
time, a period of 1-4 years between 2012 and 2030, 1-2 themes with their pillars, 1-2 target
groups, often a form of exploitation, and a generated text; no identifier (a new draft).

- ``finder``: ``overlap.find(Activity.objects.all(), draft)`` (limit 10), wall time from the
  call to its list of matches: median, p95 (nearest rank), max and mean, in ms.
- ``baseline``: in the same loop, for the same draft, a plain indexed SQL filter: the
  activities in the draft's country whose period overlaps the draft's
  (``Activity.objects.filter(countries__country_id=..., start__lte=draft.end,
  end__gte=draft.start).order_by().values_list("pk", "identifier", "title")``, as a list).
  The finder and the baseline take turns going first, so that neither always finds the pages
  the other warmed.
- ``ratio``: finder p95 / baseline p95; ``ratio_median``: the same for the medians.
- Outside the timing: the candidates the finder examined for each draft
  (``overlap.candidates(...).count()``: the activities in the draft's country or place that
  end less than ``overlap.PAST_YEARS`` before it starts and start before it ends)
  and the matches it returned; their means and maxima, and the rows the baseline
  returned. ``slowest``: the draft that took the finder longest.
- ``finder_largest_countries``: the finder's figures for the drafts in the five largest
  countries only (``largest_countries``: their activities), where the finder is slowest.
- ``generation_s``: generating and inserting the activities and their rows (with ``ANALYZE``);
  ``cleanup_s``: deleting them; ``load_average_1min`` (before, after the timing): how busy the
  machine was.

The goal is a finder p95 under 300 ms. Everything the bench created (identifiers starting with
``BENCH-``, organisations whose acronym starts with ``BENCHACT``) is deleted at the end, and at
the start if an earlier run was interrupted.

The last line printed is one JSON object with the figures, the goals and whether each is met.
Run: .venv/bin/python bench/activities.py  (DATABASE_URL picks the DB, which must already be
migrated, with ``manage.py load_geo`` and ``manage.py load_standard`` run; BENCH_ACTIVITIES
the number of activities, BENCH_ACTIVITIES_REPEAT the number of timed drafts.)
"""

from __future__ import annotations

import json
import math
import os
import random
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "palermo.settings.dev")

import django

django.setup()

from django.db import DatabaseError, connection, transaction
from django.db.models import Count
from django.http import Http404

from palermo.accounts.models import Organisation, OrganisationType
from palermo.activities import overlap, vocabulary
from palermo.activities.data import EXPLOITATION, PILLAR, TARGET_GROUP, THEME
from palermo.activities.models import (
    Activity,
    ActivityCode,
    ActivityCountry,
    Classification,
    Origin,
    Place,
    Status,
)
from palermo.geo.models import Country
from palermo.standard import interventions

N = int(os.environ.get("BENCH_ACTIVITIES", "100000"))
REPEAT = int(os.environ.get("BENCH_ACTIVITIES_REPEAT", "200"))
WARM = 5
SEED = 20260501
PREFIX = "BENCH-"
ORG_PREFIX = "BENCHACT"
ORGANISATIONS = 50
COUNTRIES = 150
COUNTRY_EXPONENT = 0.7
PLACES_PER_COUNTRY = 20
VOCABULARY_SIZE = 300
WORD_EXPONENT = 0.9
BATCH = 2000
FIRST_DAY, LAST_DAY = date(2010, 1, 1), date(2030, 12, 31)
TODAY = date(2026, 4, 18)  # fixed, so that the statuses are the same on every run
GOAL_P95_MS = 300
# The countries that come first in the skew (those missing from the reference data are skipped).
TOP_COUNTRIES = ["TH", "UA", "NG", "PH", "KH", "MM", "ID", "VN", "MD", "NP", "BD", "UG"]
# Words the finder ignores (shorter than 4 letters, or in its stop list), mixed into the texts.
FILLERS = ["the", "and", "of", "in", "for", "to", "with", "on", "by", "a"]
IGNORED = ["trafficking", "human", "persons", "project", "programme", "activities", "through"]
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
EXPLOITATION_WEIGHTS = {"ForcedLabour": 0.4, "SexualExploitation": 0.35}


# Generation ---------------------------------------------------------------------------------------


def _zipf(count: int, exponent: float) -> list[float]:
    """Cumulative Zipf-like weights for ``count`` ranks (for ``random.choices``)."""
    total, cumulative = 0.0, []
    for rank in range(count):
        total += 1 / (rank + 1) ** exponent
        cumulative.append(total)
    return cumulative


def _coined(rng: random.Random, taken: set[str], syllables: tuple[int, int]) -> str:
    while True:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(*syllables)))
        if len(word) >= 4 and word not in taken:
            taken.add(word)
            return word


@dataclass
class World:
    """What the activities and the drafts are drawn from."""

    countries: list[str]
    country_weights: list[float]
    places: dict[str, list[str]]
    words: list[str]
    word_weights: list[float]
    themes: list[str]
    theme_pillar: dict[str, str]
    groups: list[str]
    forms: list[str]
    form_weights: list[float]
    organisations: list[Organisation] = field(default_factory=list)

    def country(self, rng: random.Random) -> str:
        return rng.choices(self.countries, cum_weights=self.country_weights)[0]

    def text(self, rng: random.Random, low: int, high: int) -> str:
        drawn = rng.choices(self.words, cum_weights=self.word_weights, k=rng.randint(low, high))
        out = []
        for word in drawn:
            roll = rng.random()
            if roll < 0.3:
                out.append(rng.choice(FILLERS))
            elif roll < 0.35:
                out.append(rng.choice(IGNORED))
            out.append(word)
        return " ".join(out).capitalize()

    def codes(self, rng: random.Random, min_groups: int) -> dict[str, set[str]]:
        themes = set(rng.sample(self.themes, rng.choice((1, 1, 2))))
        codes = {
            THEME: themes,
            PILLAR: {self.theme_pillar[t] for t in themes if t in self.theme_pillar},
            TARGET_GROUP: set(rng.sample(self.groups, rng.choice((min_groups, 1, 1, 2)))),
        }
        if rng.random() < 0.5:
            codes[EXPLOITATION] = {rng.choices(self.forms, self.form_weights)[0]}
        return {kind: found for kind, found in codes.items() if found}


def world(rng: random.Random) -> World:
    """The reference data the bench draws from; exits when it is missing."""
    missing = (
        "No reference data (the countries, or the intervention and exploitation code lists): "
        "run manage.py migrate, load_geo and load_standard against DATABASE_URL."
    )
    try:
        iso2 = sorted(Country.objects.values_list("iso2", flat=True))
        if len(iso2) < COUNTRIES:
            raise SystemExit(missing)
        lists = {kind: list(vocabulary.names(kind, "en")) for kind in (THEME, TARGET_GROUP)}
        forms = list(vocabulary.names(EXPLOITATION, "en"))
        pillars = vocabulary.names(PILLAR, "en")
    except DatabaseError as error:
        raise SystemExit(f"The database is not ready ({error}): run manage.py migrate.") from None
    except Http404:  # a code list the standard does not have (yet)
        raise SystemExit(missing) from None
    if not all(lists.values()) or not forms or not pillars:
        raise SystemExit(missing)
    first = [c for c in TOP_COUNTRIES if c in iso2]
    rest = [c for c in iso2 if c not in first]
    rng.shuffle(rest)
    countries = (first + rest)[:COUNTRIES]
    taken: set[str] = set()
    places = {
        c: [_coined(rng, taken, (2, 4)).capitalize() for _ in range(PLACES_PER_COUNTRY)]
        for c in countries
    }
    words = [_coined(rng, taken, (2, 4)) for _ in range(VOCABULARY_SIZE)]
    return World(
        countries=countries,
        country_weights=_zipf(len(countries), COUNTRY_EXPONENT),
        places=places,
        words=words,
        word_weights=_zipf(len(words), WORD_EXPONENT),
        themes=lists[THEME],
        theme_pillar={t: p for t, p in interventions.theme_pillar().items() if p in pillars},
        groups=lists[TARGET_GROUP],
        forms=forms,
        form_weights=[EXPLOITATION_WEIGHTS.get(f, 0.05) for f in forms],
    )


def organisations() -> list[Organisation]:
    types = OrganisationType.values
    return Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Activity benchmark organisation {n:02d}",
                acronym=f"{ORG_PREFIX}{n:02d}",
                type=types[n % len(types)],
            )
            for n in range(ORGANISATIONS)
        ]
    )


def _dates(rng: random.Random) -> dict[str, date | None]:
    span = (LAST_DAY - FIRST_DAY).days
    planned_start = FIRST_DAY + timedelta(days=rng.randrange(span - 180))
    planned_end = min(LAST_DAY, planned_start + timedelta(days=rng.randint(180, 5 * 365)))
    actual_start = actual_end = None
    if planned_start <= TODAY and rng.random() < 0.7:
        actual_start = planned_start + timedelta(days=rng.randint(0, 90))
    if planned_end <= TODAY and rng.random() < 0.6:
        actual_end = planned_end + timedelta(days=rng.randint(-30, 120))
    start = actual_start or planned_start
    end = actual_end or planned_end
    if end < start:
        end = actual_end = start + timedelta(days=180)
    return {
        "planned_start": planned_start,
        "planned_end": planned_end,
        "actual_start": actual_start,
        "actual_end": actual_end,
        "start": start,
        "end": end,
    }


def _status(rng: random.Random, start: date, end: date) -> str:
    roll = rng.random()
    if end < TODAY:
        return Status.CLOSED if roll < 0.9 else Status.CANCELLED
    if start > TODAY:
        return Status.PIPELINE
    if roll < 0.85:
        return Status.IMPLEMENTATION
    return Status.FINALISATION if roll < 0.95 else Status.SUSPENDED


def generate(rng: random.Random, w: World) -> dict[str, int]:
    """Insert N activities and their rows in batches; returns how many rows of each."""
    counts = {"countries": 0, "places": 0, "codes": 0}
    for first in range(0, N, BATCH):
        activities, countries, places, codes = [], [], [], []
        for number in range(first, min(N, first + BATCH)):
            owner = w.organisations[rng.randrange(len(w.organisations))]
            title = w.text(rng, 4, 8)
            description = w.text(rng, 20, 40)
            dates = _dates(rng)
            activity = Activity(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                identifier=f"{PREFIX}{number:06d}",
                owner=owner,
                reporting_org_ref=f"XM-{owner.acronym}",
                reporting_org_name=owner.name,
                reporting_org_type="21",
                title={"en": title},
                description={"en": description},
                status=_status(rng, dates["start"], dates["end"]),  # type: ignore[arg-type]
                classification=Classification.DECLARED,
                origin=Origin.DIRECT,
                search_text=f"{title} {description}".lower(),
                words=overlap.stored_words(f"{title} {description}"),
                **dates,
            )
            activities.append(activity)
            home = w.country(rng)
            mine = {home, w.country(rng)} if rng.random() < 0.35 else {home}
            countries += [ActivityCountry(activity=activity, country_id=c) for c in sorted(mine)]
            for name in rng.sample(w.places[home], rng.choice((0, 0, 1, 1, 2))):
                places.append(
                    Place(activity=activity, name=name, country_id=home, key=name.lower())
                )
            coded = w.codes(rng, 0)
            activity.code_tokens = overlap.code_tokens(coded)
            for kind, found in coded.items():
                codes += [ActivityCode(activity=activity, kind=kind, code=c) for c in sorted(found)]
        with transaction.atomic():
            Activity.objects.bulk_create(activities)
            ActivityCountry.objects.bulk_create(countries)
            Place.objects.bulk_create(places)
            ActivityCode.objects.bulk_create(codes)
        counts["countries"] += len(countries)
        counts["places"] += len(places)
        counts["codes"] += len(codes)
        if (first // BATCH) % 10 == 9:
            sys.stderr.write(f"  {first + len(activities)} activities\n")
    analyse()
    return counts


def analyse() -> None:
    """Fresh planner statistics after a bulk load or delete (as the demo case generator does)."""
    with connection.cursor() as cursor:
        for model in (Activity, ActivityCountry, Place, ActivityCode):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def clean() -> None:
    """Delete what the bench created (cascading to the activities' rows)."""
    Activity.objects.filter(identifier__startswith=PREFIX).only("pk").delete()
    Organisation.objects.filter(acronym__startswith=ORG_PREFIX).delete()


# Drafts and timing --------------------------------------------------------------------------------


def draft(rng: random.Random, w: World, country: str | None = None) -> overlap.Draft:
    country = country or w.country(rng)
    places = {rng.choice(w.places[country]).lower()} if rng.random() < 0.5 else set()
    start = date(2012, 1, 1) + timedelta(days=rng.randrange(16 * 365))
    end = min(date(2030, 12, 31), start + timedelta(days=rng.randint(365, 4 * 365)))
    return overlap.Draft(
        countries={country},
        places=places,
        start=start,
        end=end,
        codes=w.codes(rng, 1),
        text=f"{w.text(rng, 4, 8)} {w.text(rng, 20, 40)}",
    )


def find(d: overlap.Draft) -> list[overlap.Match]:
    return overlap.find(Activity.objects.all(), d)


def baseline(d: overlap.Draft) -> list[tuple[Any, ...]]:
    """A plain indexed filter: the activities in the draft's country overlapping its period."""
    (country,) = d.countries
    return list(
        Activity.objects.filter(countries__country_id=country, start__lte=d.end, end__gte=d.start)
        .order_by()
        .values_list("pk", "identifier", "title")
    )


def timed(function: Any, *args: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = function(*args)
    return result, (time.perf_counter() - start) * 1000


def nearest_rank(ordered: list[float], share: float) -> float:
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(nearest_rank(ordered, 0.95), 1),
        "max_ms": round(ordered[-1], 1),
        "mean_ms": round(statistics.fmean(ordered), 1),
    }


def measure(rng: random.Random, w: World) -> list[dict[str, Any]]:
    """Warm up, then time the finder and the baseline for each draft, taking turns."""
    for _ in range(WARM):
        d = draft(rng, w)
        find(d)
        baseline(d)
    largest = w.countries[:5]
    drafts = [draft(rng, w, largest[n] if n < len(largest) else None) for n in range(REPEAT)]
    runs = []
    for n, d in enumerate(drafts):
        if n % 2:
            rows, baseline_ms = timed(baseline, d)
            matches, finder_ms = timed(find, d)
        else:
            matches, finder_ms = timed(find, d)
            rows, baseline_ms = timed(baseline, d)
        runs.append(
            {
                "country": next(iter(d.countries)),
                "place": bool(d.places),
                "finder_ms": finder_ms,
                "baseline_ms": baseline_ms,
                "matches": len(matches),
                "rows": len(rows),
                "candidates": overlap.candidates(Activity.objects.all(), d).count(),
            }
        )
    return runs


# Main ---------------------------------------------------------------------------------------------


def main() -> None:
    log = sys.stderr.write
    rng = random.Random(SEED)
    w = world(rng)
    log("Deleting what an earlier run left...\n")
    clean()
    try:
        log(f"Generating {N} activities...\n")
        start = time.perf_counter()
        w.organisations = organisations()
        rows = generate(rng, w)
        generation_s = time.perf_counter() - start
        sizes = dict(
            ActivityCountry.objects.filter(activity__identifier__startswith=PREFIX)
            .filter(country_id__in=w.countries[:5])
            .values_list("country_id")
            .annotate(n=Count("pk"))
            .values_list("country_id", "n")
        )
        log(f"Timing {REPEAT} drafts (finder and baseline, interleaved)...\n")
        load_before = os.getloadavg()[0]
        runs = measure(random.Random(SEED + 1), w)
        load_after = os.getloadavg()[0]
    finally:
        log("Deleting the generated activities...\n")
        start = time.perf_counter()
        clean()
        analyse()
        cleanup_s = time.perf_counter() - start
    finder = summary([r["finder_ms"] for r in runs])
    plain = summary([r["baseline_ms"] for r in runs])
    slowest = max(runs, key=lambda r: r["finder_ms"])
    ratio = finder["p95_ms"] / plain["p95_ms"] if plain["p95_ms"] else None
    ratio_median = finder["p50_ms"] / plain["p50_ms"] if plain["p50_ms"] else None
    top = [r for r in runs if r["country"] in sizes]
    figures = {
        "bench": "activities",
        "database": connection.vendor,
        "activities": N,
        "organisations": ORGANISATIONS,
        "countries": len(w.countries),
        "largest_countries": {c: sizes.get(c, 0) for c in w.countries[:5]},
        "rows": rows,
        "generation_s": round(generation_s, 1),
        "cleanup_s": round(cleanup_s, 1),
        "drafts": len(runs),
        "warm_up": WARM,
        "drafts_in_largest_countries": len(top),
        "drafts_with_place": sum(r["place"] for r in runs),
        "finder": finder,
        "finder_largest_countries": summary([r["finder_ms"] for r in top]) if top else None,
        "baseline": plain,
        "baseline_query": "activities in the draft's country with start <= draft end and "
        "end >= draft start: pk, identifier, title (ORM values_list, no ordering)",
        "ratio": round(ratio, 2) if ratio is not None else None,
        "ratio_median": round(ratio_median, 2) if ratio_median is not None else None,
        "candidates_mean": round(statistics.fmean(r["candidates"] for r in runs), 1),
        "candidates_max": max(r["candidates"] for r in runs),
        "matches_mean": round(statistics.fmean(r["matches"] for r in runs), 2),
        "baseline_rows_mean": round(statistics.fmean(r["rows"] for r in runs), 1),
        "slowest": {
            "country": slowest["country"],
            "finder_ms": round(slowest["finder_ms"], 1),
            "candidates": slowest["candidates"],
            "baseline_ms": round(slowest["baseline_ms"], 1),
        },
        "load_average_1min": [round(load_before, 2), round(load_after, 2)],
        "goals": {"p95_ms": GOAL_P95_MS},
        "met": {"p95_ms": finder["p95_ms"] < GOAL_P95_MS},
    }
    print(
        f"{connection.vendor}, {N} activities ({', '.join(f'{c} {n}' for c, n in sizes.items())}"
        f" in the largest countries), generated in {generation_s:.1f} s.\n"
        f"Overlap finder over {len(runs)} drafts: median {finder['p50_ms']} ms, "
        f"p95 {finder['p95_ms']} ms, max {finder['max_ms']} ms "
        f"({figures['candidates_mean']} candidates and {figures['matches_mean']} matches "
        f"on average).\n"
        f"Plain indexed filter: median {plain['p50_ms']} ms, p95 {plain['p95_ms']} ms; "
        f"ratio p95 {figures['ratio']}, median {figures['ratio_median']}.\n"
        f"Goal p95 < {GOAL_P95_MS:.0f} ms: {'met' if figures['met']['p95_ms'] else 'NOT met'}."
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
