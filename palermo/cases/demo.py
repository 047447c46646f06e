"""Generated case files for demos and benchmarks: realistic shapes, nobody real.

Names come from Faker in a locale of the person's citizenship; codes come from the standard;
the distributions follow the broad shape of published counter-trafficking data (mostly adults,
both sexes, forced labour and sexual exploitation first, a few countries of origin per
destination), without reproducing any real record. Cases are written in bulk: the generator
records one audit event for the batch, not one per case.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from palermo.accounts.models import Membership, Organisation, Role, User
from palermo.audit import services as audit
from palermo.cases.models import (
    Case,
    CaseCode,
    CaseStatus,
    ChildSafeguards,
    Consent,
    Person,
    PersonIndex,
)
from palermo.cases.safeguards import due_dates
from palermo.cases.services import age_on, code_rows, index_rows
from palermo.standard.selectors import latest_version

LOCALES = {
    "PH": "en_PH",
    "MX": "es_MX",
    "NG": "en_NG",
    "TH": "th_TH",
    "UA": "uk_UA",
    "NP": "ne_NP",
    "VN": "vi_VN",
    "GH": "tw_GH",
    "RO": "ro_RO",
    "BD": "en_BD",
    "ID": "id_ID",
    "ET": "am_ET",
    "KE": "en_KE",
    "CO": "es_CO",
    "IN": "en_IN",
}
ORIGINS = {  # country of identification -> weighted countries of citizenship
    "TH": {"VN": 3, "TH": 4, "NP": 1, "BD": 1, "ID": 1},
    "NG": {"NG": 8, "GH": 1, "ET": 1},
    "MX": {"MX": 6, "CO": 2, "PH": 1},
    "": {"PH": 2, "UA": 2, "RO": 2, "NG": 2, "VN": 1, "IN": 1, "KE": 1},
}
EXPLOITATION = [
    (["ForcedLabour"], 45),
    (["SexualExploitation"], 38),
    (["ForcedLabour", "SexualExploitation"], 5),
    (["ForcedMarriage"], 4),
    (["ForcedBegging"], 3),
    (["Servitude"], 3),
    (["Other"], 2),
]
INDUSTRIES = [
    ("A_AgricultureForestryAndFishing", 30),
    ("C_Manufacturing", 15),
    ("F_Construction", 20),
    ("T_ActivitiesOfHouseholdsAsEmployers", 25),
    ("I_AccommodationAndFoodServiceActivities", 10),
]
SEX_TYPES = [
    ("Prostitution", 70),
    ("PrivateSexualServices", 15),
    ("RemoteInteractiveServices", 10),
    ("Pornography", 5),
]
CONTROL = [
    "DebtBondage",
    "TakesEarnings",
    "WithholdsDocuments",
    "PhysicalThreats",
    "PsychologicalAbuse",
    "FalsePromises",
    "ExcessiveWorkingHours",
    "PhysicalAbuse",
    "RestrictsFinancialAccess",
    "WithholdsNecessities",
    "SexualAbuse",
]
STATUSES = [
    (CaseStatus.OPEN, 25),
    (CaseStatus.ACTIVE, 45),
    (CaseStatus.CLOSED, 25),
    (CaseStatus.DRAFT, 5),
]


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _w in weighted], [w for _v, w in weighted])[0]


@cache
def _faker(locale: str) -> Faker:
    return Faker(locale)


@dataclass
class Generated:
    cases: int
    organisation: str


def generate_cases(
    organisation: Organisation, count: int, seed: int = 2026, batch: int = 1000
) -> Generated:
    """Create ``count`` generated cases for ``organisation``, assigned among its case workers."""
    rng = random.Random(f"{seed}-{organisation.acronym}")  # noqa: S311 - not for security
    workers = list(
        User.objects.filter(
            memberships__organisation=organisation, memberships__role=Role.CASE_WORKER
        )
    ) or [m.user for m in Membership.objects.filter(organisation=organisation)[:1]]
    if not workers:
        raise ValueError(f"{organisation.acronym} has no member to assign cases to")
    origins = ORIGINS.get(organisation.country_id or "", ORIGINS[""])
    version = latest_version()
    year = timezone.localdate().year
    start = Case.objects.filter(organisation=organisation).count()
    done = 0
    while done < count:
        size = min(batch, count - done)
        with transaction.atomic():
            _batch(organisation, rng, workers, origins, version, year, start + done, size)
        done += size
    # Fresh planner statistics: a bulk load leaves the tables unanalysed until autovacuum
    # notices, and the lists' plans depend on them.
    with connection.cursor() as cursor:
        for model in (Person, PersonIndex, Case, CaseCode, Consent, ChildSafeguards):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    audit.record(
        action="demo.cases_generated",
        organisation=organisation,
        detail={"count": count, "seed": seed},
    )
    return Generated(count, organisation.acronym)


def _batch(
    organisation: Organisation,
    rng: random.Random,
    workers: list[User],
    origins: dict[str, int],
    version: int,
    year: int,
    offset: int,
    size: int,
) -> None:
    persons: list[Person] = []
    cases: list[Case] = []
    indexes: list[PersonIndex] = []
    codes: list[CaseCode] = []
    consents: list[Consent] = []
    today = timezone.localdate()
    for n in range(size):
        citizenship = _pick(rng, list(origins.items()))
        fake = _faker(LOCALES.get(citizenship, "en_US"))
        fake.seed_instance(rng.randrange(1 << 30))
        female = rng.random() < 0.62
        minor = rng.random() < 0.28
        identified = today - datetime.timedelta(days=rng.randrange(30, 6 * 365))
        age = rng.randrange(9, 18) if minor else int(min(70, 18 + rng.expovariate(1 / 11)))
        born = identified - datetime.timedelta(days=age * 365 + rng.randrange(0, 364))
        person = Person(
            organisation=organisation,
            gender="Feminine" if female else "Masculine",
            citizenship=[citizenship],
        )
        person.given_name = fake.first_name_female() if female else fake.first_name_male()
        person.family_name = fake.last_name()
        person.birth_date = born.isoformat()
        person.documents = [
            {"type": "passport", "number": f"{citizenship}{rng.randrange(10**7, 10**8)}"}
        ]
        person.phone = f"+{rng.randrange(10**10, 10**11)}"
        persons.append(person)
        exploitation = list(_pick(rng, EXPLOITATION))
        case = Case(
            organisation=organisation,
            person=person,
            reference=f"{organisation.acronym}-G-{offset + n + 1:06d}",
            status=_pick(rng, STATUSES),
            case_type="presumed_victim" if rng.random() < 0.6 else "identified_victim",
            standard_version=version,
            assigned_to=rng.choice(workers),
            created_by=workers[0],
            identified_on=identified,
            identification_country_id=organisation.country_id or citizenship,
            identified_by=rng.choice(["Police", "NGO", "NonPoliceGovernmentalOrganization"]),
            exploitation=exploitation,
            forced_labour_industry=[_pick(rng, INDUSTRIES)]
            if "ForcedLabour" in exploitation
            else [],
            sex_exploitation=[_pick(rng, SEX_TYPES)]
            if "SexualExploitation" in exploitation
            else [],
            means_of_control=rng.sample(CONTROL, rng.randrange(1, 4)),
            exploitation_countries=[organisation.country_id or citizenship],
            age_at_identification=age_on(born.isoformat(), identified),
            intake_step=6,
            opened_on=identified,
        )
        case.narrative = fake.paragraph(nb_sentences=3)
        cases.append(case)
    Person.objects.bulk_create(persons)
    Case.objects.bulk_create(cases)
    for person, case in zip(persons, cases, strict=True):
        indexes.extend(index_rows(person))
        codes.extend(code_rows(case))
        if case.status != CaseStatus.DRAFT:
            consents.append(
                Consent(
                    case=case,
                    purpose="assistance",
                    decision="given",
                    given_by="guardian" if case.is_minor else "person",
                    decided_on=case.identified_on or today,
                    recorded_by=case.created_by,
                )
            )
            if rng.random() < 0.8:
                consents.append(
                    Consent(
                        case=case,
                        purpose="statistics",
                        decision="given",
                        given_by="guardian" if case.is_minor else "person",
                        decided_on=case.identified_on or today,
                        recorded_by=case.created_by,
                    )
                )
    PersonIndex.objects.bulk_create(indexes, ignore_conflicts=True)
    CaseCode.objects.bulk_create(codes)
    Consent.objects.bulk_create(consents)
    ChildSafeguards.objects.bulk_create(
        _safeguards(rng, case, fake) for case in cases if case.is_minor
    )


def _safeguards(rng: random.Random, case: Case, fake: Faker) -> ChildSafeguards:
    """A child's safeguards, mostly done on time, some overdue (so the task list has work)."""
    start = case.identified_on or timezone.localdate()
    record = ChildSafeguards(case=case, **due_dates(start))
    today = timezone.localdate()
    if rng.random() < 0.85:
        record.guardian_appointed_on = min(
            start + datetime.timedelta(days=rng.randrange(0, 5)), today
        )
        record.guardian_name = fake.name()
    if rng.random() < 0.75:
        record.assessment_done_on = min(
            start + datetime.timedelta(days=rng.randrange(3, 20)), today
        )
        record.tracing_status = rng.choice(["in_progress", "traced", "not_traceable"])
        if rng.random() < 0.6:
            record.determination_done_on = min(
                start + datetime.timedelta(days=rng.randrange(30, 120)), today
            )
            record.determination_outcome = "Placement in family-based care (generated)."
    return record


def generate_workflow(organisation: Organisation) -> int:
    """Some work waiting in the demo: closure requests for the supervisor to decide, and a flag.
    Returns how many requests were made."""
    from palermo.cases import workflow

    made = 0
    active = Case.objects.filter(
        organisation=organisation, status=CaseStatus.ACTIVE, assigned_to__isnull=False
    ).select_related("assigned_to", "organisation")
    for case in active[:3]:
        if (
            case.is_minor
            and not ChildSafeguards.objects.filter(
                case=case, determination_done_on__isnull=False
            ).exists()
        ):
            continue
        assert case.assigned_to is not None  # noqa: S101 - filtered above
        workflow.request_approval(
            case, case.assigned_to, "closure", "Assistance completed (generated demo request)."
        )
        made += 1
    flagged = active.first()
    if flagged is not None and flagged.assigned_to is not None:
        workflow.raise_flag(flagged, flagged.assigned_to, "medical", "Generated demo flag.")
    return made
