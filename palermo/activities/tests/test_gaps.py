"""The gap view: a need the latest release publishes and no ongoing protection activity
addresses is flagged; an activity that addresses it removes the flag."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from palermo.accounts.models import Role
from palermo.accounts.tests.factories import MembershipFactory
from palermo.activities import gaps
from palermo.activities.data import EXPLOITATION, PILLAR, TARGET_GROUP, THEME
from palermo.activities.models import Activity, Status
from palermo.activities.tests.helpers import make_activity
from palermo.stats import services as stats
from palermo.stats.models import Release
from palermo.stats.tests.helpers import coded_cases

pytestmark = pytest.mark.django_db


@pytest.fixture
def release(world: Any) -> Release:
    """Thailand: 40 men in forced labour, 30 women in sexual exploitation."""
    worker = world.users["case_worker"]
    coded_cases(
        world.agency, worker, 40, ana_Gender="Male", ana_TypeOfExploitation=["ForcedLabour"]
    )
    coded_cases(world.agency, worker, 30)  # women, sexual exploitation, in Thailand
    host = MembershipFactory(organisation=world.host, role=Role.DATA_MANAGER).user
    release = stats.define_release(
        host,
        stats.Definition(
            title="Gaps test",
            first_year=2020,
            last_year=2026,
            organisations=[world.agency],
            dimensions=["year", "sex", "majority", "exploitation_country", "exploitation"],
            main_dimensions=["sex", "exploitation_country", "exploitation"],
            k=3,
        ),
    )
    for contribution in release.contributions.all():
        stats.answer(world.users["data_manager"], contribution, approve=True)
    release = stats.compute(release, host)
    assert release.state == Release.State.COMPUTED, release.error
    return stats.publish(host, release)


def _women_shelter(world: Any, identifier: str = "AGA-W") -> Activity:
    return make_activity(
        world.agency,
        identifier,
        countries=["TH"],
        codes={PILLAR: ["protection"], THEME: ["victim_assistance"], TARGET_GROUP: ["women"]},
    )


def _states(found: gaps.CountryGaps) -> dict[str, str]:
    return {need.label: need.state for need in found.needs}


def test_many_men_in_forced_labour_and_no_protection_for_men_is_a_gap(
    world: Any, release: Release
) -> None:
    _women_shelter(world)
    _women_shelter(world, "AGA-W2")
    # Prevention work for men does not address their need for protection.
    make_activity(
        world.agency,
        "AGA-AWARE",
        countries=["TH"],
        codes={PILLAR: ["prevention"], THEME: ["awareness_raising"], TARGET_GROUP: ["men"]},
    )
    found = gaps.country_gaps(Activity.objects.all(), "TH", release)
    states = _states(found)
    assert states["Forced labour: Male"] == gaps.GAP
    assert states["Male"] == gaps.GAP
    assert states["Sexual exploitation: Female"] == gaps.COVERED
    assert found.gaps[0].count >= 35  # the largest gap first
    assert found.by_pillar == {"protection": 2, "prevention": 1}


def test_a_protection_activity_for_men_in_forced_labour_closes_the_gap(
    world: Any, release: Release
) -> None:
    _women_shelter(world)
    make_activity(
        world.agency,
        "AGA-MEN",
        countries=["TH"],
        codes={
            PILLAR: ["protection"],
            THEME: ["victim_assistance"],
            TARGET_GROUP: ["men"],
            EXPLOITATION: ["ForcedLabour"],
        },
    )
    states = _states(gaps.country_gaps(Activity.objects.all(), "TH", release))
    assert states["Forced labour: Male"] == gaps.THIN  # one activity for 40 people
    assert states["Male"] == gaps.THIN


def test_a_closed_activity_or_one_elsewhere_covers_nothing(world: Any, release: Release) -> None:
    codes = {PILLAR: ["protection"], TARGET_GROUP: ["men"]}
    make_activity(world.agency, "AGA-CLOSED", countries=["TH"], codes=codes, status=Status.CLOSED)
    make_activity(world.agency, "AGA-VN", countries=["VN"], codes=codes)
    states = _states(gaps.country_gaps(Activity.objects.all(), "TH", release))
    assert states["Male"] == gaps.GAP


def test_the_gap_pages_show_the_map_and_the_country(
    world: Any, release: Release, client: Client
) -> None:
    _women_shelter(world)
    overview = client.get("/activities/gaps/")
    assert overview.status_code == 200
    page = overview.content.decode()
    assert "<svg" in page
    assert 'href="/activities/countries/TH/"' in page
    country = client.get("/activities/countries/TH/").content.decode()
    assert "Gap: no activity" in country
    assert "Forced labour: Male" in country


def test_without_a_release_the_gap_view_says_so(world: Any, client: Client) -> None:
    _women_shelter(world)
    page = client.get("/activities/gaps/").content.decode()
    assert "No release of pooled statistics is published yet" in page
    assert client.get("/activities/countries/TH/").status_code == 200
    assert client.get("/activities/countries/ZZ/").status_code == 404
