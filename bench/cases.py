"""Benchmark: the case list page and the case list API for one organisation with 100,000
generated cases, and what decrypting identifiers adds.

Figures: median and p95 over repeated requests of the list page (25 cases a page, names shown),
a filtered list page, and the list API (25 cases with all identifiers). The decryption ratio
compares the list API's work (query plus serialisation) with identifiers decrypted against the
same query and serialisation on the coded fields only, in the same process.
Run: .venv/bin/python bench/cases.py  (DATABASE_URL picks the DB; BENCH_CASES sets the size.
The generated cases stay in that database, so a second run starts at once.)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "palermo.settings.dev")
os.environ.setdefault("PALERMO_REQUIRE_OTP", "0")  # measuring pages, not the second factor

import django

django.setup()

from django.core.management import call_command
from django.db import connection
from django.test import Client
from rest_framework.test import APIRequestFactory

from palermo.accounts.models import Membership, Organisation, OrganisationType, Role, User
from palermo.cases.api import serializers as s
from palermo.cases.demo import generate_cases
from palermo.cases.models import Case
from palermo.cases.selectors import case_list

N = int(os.environ.get("BENCH_CASES", "100000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
GOAL_P95_MS = 200.0
GOAL_DECRYPTION_RATIO = 1.5


def _organisation() -> tuple[Organisation, User]:
    organisation, _created = Organisation.objects.get_or_create(
        acronym="BENCH",
        defaults={"name": "Benchmark agency", "type": OrganisationType.NGO, "country_id": "TH"},
    )
    for n in range(5):
        user, _c = User.objects.get_or_create(username=f"bench.worker{n}")
        Membership.objects.get_or_create(
            user=user, organisation=organisation, defaults={"role": Role.CASE_WORKER}
        )
    supervisor, _c = User.objects.get_or_create(username="bench.supervisor")
    Membership.objects.get_or_create(
        user=supervisor, organisation=organisation, defaults={"role": Role.SUPERVISOR}
    )
    return organisation, supervisor


def _timed(client: Client, url: str) -> list[float]:
    client.get(url)  # warm up
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return times


def _stats(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
    }


def _serialise(user: User, identifiers: bool) -> float:
    start = time.perf_counter()
    for page in range(REPEAT):
        cases = list(case_list(user, {})[page * 25 : (page + 1) * 25])
        context = {"identifiers_for": {c.pk for c in cases} if identifiers else set()}
        s.CaseSerializer(cases, many=True, context=context).data  # noqa: B018
    return time.perf_counter() - start


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_geo", stdout=quiet)
        call_command("load_standard", stdout=quiet)
    organisation, supervisor = _organisation()
    existing = Case.objects.filter(organisation=organisation).count()
    generation_s = 0.0
    if existing < N:
        start = time.perf_counter()
        generate_cases(organisation, N - existing, seed=existing + 1)
        generation_s = time.perf_counter() - start
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(supervisor)
    page = _stats(_timed(client, "/cases/"))
    filtered = _stats(_timed(client, "/cases/?exploitation=ForcedLabour&status=active"))
    api = _stats(_timed(client, "/api/v1/cases/?page_size=25"))
    APIRequestFactory()  # DRF settings loaded before timing serialisation
    coded_s = _serialise(supervisor, identifiers=False)
    decrypted_s = _serialise(supervisor, identifiers=True)
    ratio = decrypted_s / coded_s
    worst = max(page["p95_ms"], filtered["p95_ms"], api["p95_ms"])
    print(
        json.dumps(
            {
                "bench": "cases",
                "database": connection.vendor,
                "cases": Case.objects.filter(organisation=organisation).count(),
                "generated_now": N - existing if existing < N else 0,
                "generation_s": round(generation_s, 1),
                "requests_each": REPEAT,
                "list_page": page,
                "list_page_filtered": filtered,
                "list_api": api,
                "api_page_with_identifiers_ms": round(decrypted_s / REPEAT * 1000, 2),
                "api_page_coded_only_ms": round(coded_s / REPEAT * 1000, 2),
                "decryption_ratio": round(ratio, 2),
                "goals": {"p95_ms_max": GOAL_P95_MS, "decryption_ratio_max": GOAL_DECRYPTION_RATIO},
                "goals_met": worst <= GOAL_P95_MS and ratio <= GOAL_DECRYPTION_RATIO,
            }
        )
    )


if __name__ == "__main__":
    main()
