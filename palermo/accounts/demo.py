"""Generated demonstration organisations and users. Fictional: no real agency, no real person."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from palermo.accounts.models import Membership, Organisation, OrganisationType, Role, User
from palermo.audit import services as audit
from palermo.geo.models import Country

DEMO_PASSWORD = "palermo-demo-2026"  # noqa: S105 - printed by `make run`; demo only

ORGANISATIONS = [
    # acronym, name, type, country, host
    (
        "ICS",
        "Inter-agency Coordination Secretariat (demo)",
        OrganisationType.INTERGOVERNMENTAL,
        None,
        True,
    ),
    ("GMA", "Global Migration Agency (demo)", OrganisationType.UN_AGENCY, None, False),
    ("CRF", "Children's Rights Fund (demo)", OrganisationType.UN_AGENCY, None, False),
    ("SHN", "Safe Harbour Nigeria (demo)", OrganisationType.NGO, "NG", False),
    ("CSM", "Casa Segura México (demo)", OrganisationType.NGO, "MX", False),
    (
        "NCT",
        "National Committee against Trafficking, Thailand (demo)",
        OrganisationType.NATIONAL_COORDINATION_BODY,
        "TH",
        False,
    ),
]

USERS = [
    # username, first, last, organisation, role
    ("admin", "Amina", "Haddad", "ICS", Role.ADMINISTRATOR),
    ("analyst", "Lin", "Wei", "ICS", Role.ANALYST),
    ("datamanager", "Sofia", "Ortega", "ICS", Role.DATA_MANAGER),
    ("reviewer", "Aiko", "Tanaka", "ICS", Role.KNOWLEDGE_REVIEWER),
    ("gma.caseworker", "Nadia", "Petrova", "GMA", Role.CASE_WORKER),
    ("gma.supervisor", "Jean", "Dupont", "GMA", Role.SUPERVISOR),
    ("gma.datamanager", "Omar", "Khalil", "GMA", Role.DATA_MANAGER),
    ("gma.admin", "Grace", "Mensah", "GMA", Role.ADMINISTRATOR),
    ("crf.caseworker", "Maria", "Silva", "CRF", Role.CASE_WORKER),
    ("shn.caseworker", "Chinedu", "Okafor", "SHN", Role.CASE_WORKER),
    ("shn.admin", "Ngozi", "Adeyemi", "SHN", Role.ADMINISTRATOR),
    ("csm.caseworker", "Lucía", "Hernández", "CSM", Role.CASE_WORKER),
    ("nct.coordinator", "Somchai", "Prasert", "NCT", Role.NATIONAL_COORDINATOR),
    ("nct.approver", "Malee", "Chaiyaporn", "NCT", Role.MONITORING_APPROVER),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    organisation: str
    role: str


@transaction.atomic
def load_demo_accounts() -> list[DemoLogin]:
    """Create the demo organisations and users if absent. Running it again changes nothing."""
    orgs: dict[str, Organisation] = {}
    for acronym, name, org_type, country, host in ORGANISATIONS:
        org, _created = Organisation.objects.get_or_create(
            acronym=acronym,
            defaults={
                "name": name,
                "type": org_type,
                "country": Country.objects.get(iso2=country) if country else None,
                "is_host": host,
            },
        )
        orgs[acronym] = org
    logins = []
    created_users = []
    for username, first, last, acronym, role in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created_users.append(username)
        Membership.objects.get_or_create(
            user=user, organisation=orgs[acronym], defaults={"role": role}
        )
        logins.append(DemoLogin(username, acronym, str(Role(role).label)))
    if created_users:
        audit.record(action="demo.load", detail={"users": created_users})
    return logins
