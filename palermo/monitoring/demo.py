"""Demo monitoring data: the UNODC Global Report figures (when the shared data are beside the
project), and, for the demo coordination body's country, a checklist and a generated action plan
with indicators and measurements. Every demo entry says it is a demo, not an assessment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from palermo.accounts.models import Organisation, User
from palermo.geo.models import Country
from palermo.monitoring import glotip, services
from palermo.monitoring.models import Indicator, Objective, Plan, PlanAction, ProfileEntry

DEMO_NOTE = "Demo entry, not an assessment of the country."
CHECKLIST = [
    # item, status, since
    ("protocol_ratified", "yes", date(2013, 10, 17)),
    ("all_forms_criminalised", "yes", date(2008, 6, 5)),
    ("all_victims_covered", "yes", date(2008, 6, 5)),
    ("child_without_means", "yes", date(2008, 6, 5)),
    ("distinct_from_smuggling", "partly", date(2008, 6, 5)),
    ("non_punishment", "partly", date(2015, 1, 1)),
    ("reflection_period", "no", date(2008, 6, 5)),
    ("residence_unconditional", "partly", date(2017, 1, 1)),
    ("compensation", "yes", date(2008, 6, 5)),
    ("action_plan", "yes", date(2023, 1, 1)),
    ("coordination_body", "yes", date(2008, 6, 5)),
    ("referral_mechanism", "partly", date(2022, 1, 1)),
    ("specialised_unit", "yes", date(2015, 1, 1)),
    ("data_collection", "partly", date(2019, 1, 1)),
]


def glotip_file() -> Path:
    """The UNODC GLOTIP export shared beside the project (read, never copied)."""
    return (
        Path(settings.PALERMO_STANDARDS_DIR).parent
        / "data"
        / "unodc-glotip"
        / "UNODC_HumanTrafficking_data_glotip.xlsx"
    )


def load_demo_figures() -> int:
    if not glotip_file().is_file():
        return 0
    return glotip.import_file(glotip_file()).created


@transaction.atomic
def load_demo_monitoring() -> Plan | None:
    """The demo coordinator's checklist and plan, once."""
    coordinator = User.objects.filter(username="nct.coordinator").first()
    organisation = Organisation.objects.filter(acronym="NCT").first()
    if coordinator is None or organisation is None or organisation.country_id is None:
        return None
    country = Country.objects.get(pk=organisation.country_id)
    if Plan.objects.filter(country=country).exists():
        return None
    for item, status, since in CHECKLIST:
        services.record_entry(
            coordinator,
            ProfileEntry(
                country=country,
                item=item,
                status=status,
                since=since,
                evidence_url="https://example.org/demo-evidence",
                note=DEMO_NOTE,
            ),
        )
    plan = services.save_part(
        coordinator,
        Plan(
            country=country,
            title="National action plan against trafficking in persons 2023\u20132027 (demo)",
            starts=date(2023, 1, 1),
            ends=date(2027, 12, 31),
            adopted=date(2022, 12, 20),
            adopted_by="Cabinet decision (demo)",
            currency="USD",
        ),
    )
    assert isinstance(plan, Plan)  # noqa: S101
    objectives = [
        services.save_part(coordinator, Objective(plan=plan, number=n, title=title))
        for n, title in enumerate(
            [
                "Identify more victims, and identify them earlier",
                "Give every identified victim assistance and protection",
                "Prosecute traffickers",
            ],
            start=1,
        )
    ]
    for objective, title, needed, secured in [
        (
            objectives[0],
            "Train labour inspectors in the indicators of forced labour",
            250_000,
            180_000,
        ),
        (objectives[1], "Open two shelters for male victims", 900_000, 300_000),
        (objectives[2], "Set up a specialised prosecution unit in each region", 400_000, 400_000),
    ]:
        action = PlanAction(
            objective=objective,
            title=title,
            deadline=date(2025, 12, 31),
            funding_needed=Decimal(needed),
            funding_secured=Decimal(secured),
        )
        services.save_part(
            coordinator, action, m2m=lambda a=action: a.responsible.add(organisation)
        )
    specs = [
        (
            objectives[0],
            "Victims identified in a year",
            "persons",
            300,
            600,
            "increase",
            [(date(2023, 12, 31), 360), (date(2024, 12, 31), 380)],
        ),
        (
            objectives[1],
            "Share of identified victims who receive assistance",
            "%",
            45,
            90,
            "increase",
            [(date(2023, 12, 31), 60), (date(2024, 12, 31), 72)],
        ),
        (
            objectives[2],
            "Months from charge to verdict",
            "months",
            30,
            12,
            "decrease",
            [(date(2023, 12, 31), 29), (date(2024, 12, 31), 28)],
        ),
    ]
    for objective, name, unit, baseline, target, direction, values in specs:
        indicator = services.save_part(
            coordinator,
            Indicator(
                plan=plan,
                objective=objective,
                name=name,
                unit=unit,
                baseline=Decimal(baseline),
                baseline_date=date(2022, 12, 31),
                target=Decimal(target),
                deadline=date(2027, 12, 31),
                direction=direction,
            ),
        )
        assert isinstance(indicator, Indicator)  # noqa: S101
        for measured_on, value in values:
            services.add_measurement(
                coordinator,
                indicator,
                measured_on=measured_on,
                value=Decimal(value),
                source_note="Demo figure",
            )
    approver = User.objects.filter(username="nct.approver").first()
    period = plan.periods.get(year=2023)
    services.submit_period(coordinator, period)
    if approver is not None:
        services.approve_period(approver, period)
    return plan
