"""The overlap finder ranks the activity that does the same thing first, says why, and leaves
out activities elsewhere."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from palermo.activities import overlap
from palermo.activities.data import PILLAR, TARGET_GROUP, THEME
from palermo.activities.models import Activity
from palermo.activities.tests.helpers import activity_data, make_activity

pytestmark = pytest.mark.django_db

SHELTER = {
    "title": {"en": "Shelter and counselling for women survivors of trafficking in Lagos"},
    "description": {"en": "Safe shelter, counselling, health care and legal aid for women."},
    "countries": ["NG"],
    "places": ["Lagos"],
    "codes": {PILLAR: ["protection"], THEME: ["victim_assistance"], TARGET_GROUP: ["women"]},
    "start": date(2025, 1, 1),
    "end": date(2026, 12, 31),
}


@pytest.fixture
def registry(world: Any) -> dict[str, Activity]:
    return {
        "duplicate": make_activity(world.other, "OTH-DUP", **SHELTER),
        "same_country_other_work": make_activity(
            world.agency,
            "AGA-LAW",
            title={"en": "Drafting the anti-trafficking law"},
            countries=["NG"],
            codes={THEME: ["legislative_assistance"]},
        ),
        "elsewhere": make_activity(
            world.agency,
            "AGA-MX",
            **{
                **SHELTER,
                "countries": ["MX"],
                "places": ["Chiapas"],
                "start": date(2015, 1, 1),
                "end": date(2016, 1, 1),
            },
        ),
        "past": make_activity(
            world.agency,
            "AGA-OLD",
            **{**SHELTER, "start": date(2019, 1, 1), "end": date(2020, 12, 31)},
        ),
    }


def test_the_duplicated_activity_is_ranked_first_with_its_reasons(registry: Any) -> None:
    draft = overlap.Draft.of(activity_data("DRAFT", **SHELTER))
    matches = overlap.find(Activity.objects.all(), draft)
    assert matches[0].identifier == "OTH-DUP"
    first = matches[0]
    assert first.score == 100
    reasons = " | ".join(first.reasons)
    for expected in (
        "Same country: Nigeria",
        "Same place: Lagos",
        "Periods overlap (100%)",
        "Same themes: Victim assistance",
        "Same target groups: Women",
        "Similar description",
    ):
        assert expected in reasons


def test_an_activity_in_another_country_and_period_is_not_flagged(registry: Any) -> None:
    draft = overlap.Draft.of(activity_data("DRAFT", **SHELTER))
    found = [m.identifier for m in overlap.find(Activity.objects.all(), draft)]
    assert "AGA-MX" not in found
    # The same country alone, with nothing else in common, is not an overlap either.
    assert "AGA-LAW" not in found


def test_a_past_activity_is_listed_after_the_current_one_and_said_to_be_past(registry: Any) -> None:
    draft = overlap.Draft.of(activity_data("DRAFT", **SHELTER))
    matches = overlap.find(Activity.objects.all(), draft)
    order = [m.identifier for m in matches]
    assert order.index("OTH-DUP") < order.index("AGA-OLD")
    past = matches[order.index("AGA-OLD")]
    assert past.past
    assert any("past activity" in r for r in past.reasons)


def test_codes_match_across_languages(registry: Any) -> None:
    french = {
        **SHELTER,
        "title": {"fr": "Hébergement des survivantes de la traite à Lagos"},
        "description": {"fr": "Foyer sûr, soutien psychologique et aide juridique."},
    }
    matches = overlap.find(Activity.objects.all(), overlap.Draft.of(activity_data("FR", **french)))
    assert matches[0].identifier == "OTH-DUP"
    assert not any(r.startswith("Similar description") for r in matches[0].reasons)


def test_an_activity_is_not_its_own_overlap(registry: Any) -> None:
    activity = registry["duplicate"]
    matches = overlap.find(Activity.objects.all(), overlap.Draft.of_activity(activity))
    assert activity.identifier not in [m.identifier for m in matches]
    assert "AGA-OLD" in [m.identifier for m in matches]


def test_a_draft_without_country_or_place_finds_nothing(registry: Any) -> None:
    draft = overlap.Draft.of(activity_data("X", **{**SHELTER, "countries": [], "places": []}))
    assert overlap.find(Activity.objects.all(), draft) == []
