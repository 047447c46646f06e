"""Generated demo activities: the demo organisations' projects in the countries where the demo
cases are, with two things worth seeing planted: two shelters for women in Lagos that overlap,
and no protection activity for men in Nigeria, where the demo cases hold many men in forced
labour. Nothing here is a real project."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from palermo.accounts.models import Organisation
from palermo.activities import services
from palermo.activities.data import (
    EXPLOITATION,
    PILLAR,
    TARGET_GROUP,
    THEME,
    ActivityData,
    ParticipantData,
    PlaceData,
)
from palermo.activities.models import Activity, Origin, Role, Status
from palermo.activities.vocabulary import classify
from palermo.standard import interventions

PREFIX = "DEMO-"
COUNTRIES = {
    "NG": ["Lagos", "Edo State", "Kano"],
    "MX": ["Chiapas", "Ciudad de México", "Baja California"],
    "TH": ["Bangkok", "Chiang Mai", "Songkhla"],
    "PH": ["Manila", "Mindanao"],
    "UA": ["Kyiv", "Odesa"],
    "RO": ["Bucharest", "Iași"],
    "VN": ["Hanoi", "Nghệ An"],
    "IN": ["Delhi", "West Bengal"],
    "KE": ["Nairobi", "Mombasa"],
    "CO": ["Bogotá", "Cali"],
}
OWNERS = ["GMA", "CRF", "SHN", "CSM", "NCT", "ICS"]
THEMES = list(interventions.theme_pillar())
GROUPS = ["women", "girls", "children", "migrants", "workers", "victims", "practitioners"]
FORMS = ["ForcedLabour", "SexualExploitation"]
DESCRIPTIONS = [
    "Works with local partners to {theme} for {group}, with attention to {form}.",
    "A {months}-month project to {theme}; it reaches {group} through community outreach.",
    "Strengthens services that {theme}, for {group} at risk of {form}.",
]
VERBS = {
    "awareness_raising": "raise awareness of trafficking risks",
    "safe_migration": "inform people about safe and regular migration",
    "labour_market_measures": "improve recruitment practices and labour inspection",
    "victim_identification": "identify victims early at borders and workplaces",
    "victim_assistance": "assist survivors with shelter, health care and counselling",
    "child_protection": "protect unaccompanied and separated children",
    "referral_mechanisms": "set up a national referral mechanism",
    "return_reintegration": "support safe return and reintegration",
    "legislative_assistance": "align national law with the Palermo Protocol",
    "criminal_justice": "train police, prosecutors and judges",
    "access_to_justice": "give survivors legal aid and access to compensation",
    "capacity_building": "train front-line workers",
    "data_research": "collect and analyse data on trafficking",
    "coordination": "coordinate the national action plan",
}
FORM_WORDS = {"ForcedLabour": "forced labour", "SexualExploitation": "sexual exploitation"}


def _activity(
    rng: random.Random, number: int, owner: Organisation, country: str, today: date
) -> ActivityData:
    theme = rng.choice(THEMES)
    pillar = interventions.theme_pillar()[theme]
    group = rng.choice(GROUPS)
    form = rng.choice(FORMS)
    start = today - timedelta(days=rng.randint(-180, 4 * 365))
    months = rng.choice([12, 18, 24, 36])
    end = start + timedelta(days=30 * months)
    place = rng.choice(COUNTRIES[country])
    # In Nigeria, protection work targets women and girls only: the planted gap for men.
    if country == "NG" and pillar == "protection":
        group = rng.choice(["women", "girls"])
    status = (
        Status.CLOSED
        if end < today
        else Status.PIPELINE
        if start > today
        else Status.IMPLEMENTATION
    )
    title = f"{VERBS[theme].capitalize()} in {place}"
    data = ActivityData(
        identifier=f"{PREFIX}{owner.acronym}-{number:04d}",
        reporting_org_ref=owner.acronym,
        reporting_org_name=owner.name,
        title={"en": title},
        description={
            "en": rng.choice(DESCRIPTIONS).format(
                theme=VERBS[theme], group=group, form=FORM_WORDS[form], months=months
            )
        },
        status=status,
        planned_start=start,
        planned_end=end,
        countries={country: None},
        places=[PlaceData(place, country)],
        participants=[ParticipantData(Role.IMPLEMENTING, owner.name, owner.acronym)],
        budget=Decimal(rng.randrange(50_000, 2_000_000, 5_000)),
        currency="USD",
    )
    data.add_code(PILLAR, pillar)
    data.add_code(THEME, theme)
    data.add_code(TARGET_GROUP, group)
    if rng.random() < 0.6:
        data.add_code(EXPLOITATION, form)
    classify(data)
    return data


def _shelters(
    owners: dict[str, Organisation], today: date
) -> list[tuple[Organisation, ActivityData]]:
    """Two shelters for women in Lagos, by two organisations, at the same time."""
    found = []
    for acronym, number in (("SHN", 900), ("GMA", 901)):
        owner = owners[acronym]
        data = ActivityData(
            identifier=f"{PREFIX}{acronym}-{number:04d}",
            reporting_org_ref=acronym,
            reporting_org_name=owner.name,
            title={"en": "Shelter and counselling for women survivors of trafficking in Lagos"},
            description={
                "en": "A safe shelter in Lagos for women survivors of sexual exploitation, "
                "with counselling, health care and legal aid."
            },
            status=Status.IMPLEMENTATION,
            planned_start=today - timedelta(days=200),
            planned_end=today + timedelta(days=500),
            countries={"NG": None},
            places=[PlaceData("Lagos", "NG")],
            participants=[ParticipantData(Role.IMPLEMENTING, owner.name, acronym)],
            budget=Decimal(400_000 + number),
            currency="USD",
        )
        data.add_code(PILLAR, "protection")
        data.add_code(THEME, "victim_assistance")
        data.add_code(TARGET_GROUP, "women")
        data.add_code(EXPLOITATION, "SexualExploitation")
        classify(data)
        found.append((owner, data))
    return found


def load_demo_activities(count: int = 120) -> int:
    """Generate the demo activities once; returns how many were created."""
    if Activity.objects.filter(identifier__startswith=PREFIX).exists():
        return 0
    owners = {o.acronym: o for o in Organisation.objects.filter(acronym__in=OWNERS)}
    if len(owners) < len(OWNERS):
        return 0
    rng = random.Random(7)  # noqa: S311 - generated demo data, not secrets
    today = timezone.localdate()
    planned = []
    for number in range(count):
        country = rng.choice(list(COUNTRIES))
        owner = owners[rng.choice(OWNERS)]
        planned.append((owner, _activity(rng, number, owner, country, today)))
    planned += _shelters(owners, today)
    for owner, data in planned:
        services.save(data, owner, None, Origin.DIRECT)
    return len(planned)
