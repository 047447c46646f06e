"""Demo entries of the service directory: generated services of the demo organisations, in the
countries where the demo works. Nothing here is a real service or a real address."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from palermo.accounts.models import Membership, Organisation, Role
from palermo.referrals import services
from palermo.referrals.models import Service

# acronym, name, type, [(country, place)], extra
SERVICES: list[tuple[str, str, str, list[tuple[str, str]], dict[str, Any]]] = [
    (
        "SHN",
        "Women's shelter, Lagos (demo)",
        "shelter",
        [("NG", "Lagos")],
        {
            "sex": "female",
            "min_age": 18,
            "capacity": 24,
            "is_public": False,
            "contact": "Intake desk (demo): +234 000 000 0000",
            "languages": ["English", "Yoruba"],
        },
    ),
    (
        "SHN",
        "Legal aid for survivors (demo)",
        "legal_aid",
        [("NG", "")],
        {"languages": ["English", "Hausa", "Igbo", "Yoruba"], "hours": "Mon-Fri 9:00-17:00"},
    ),
    ("SHN", "Psychosocial support, Benin City (demo)", "psychosocial", [("NG", "Edo State")], {}),
    (
        "CSM",
        "Casa refugio para mujeres (demo)",
        "shelter",
        [("MX", "Chiapas")],
        {"sex": "female", "is_public": False, "languages": ["Español"]},
    ),
    (
        "CSM",
        "Asesoría de asilo (demo)",
        "asylum",
        [("MX", "")],
        {"nationality": "foreign", "languages": ["Español", "English"]},
    ),
    (
        "CRF",
        "Child protection referral desk (demo)",
        "child_protection",
        [("NG", ""), ("MX", ""), ("TH", "")],
        {"max_age": 17},
    ),
    (
        "GMA",
        "Assisted voluntary return and reintegration (demo)",
        "return_reintegration",
        [("NG", ""), ("TH", ""), ("MX", "")],
        {"nationality": "foreign"},
    ),
    (
        "GMA",
        "Medical screening at arrival (demo)",
        "health",
        [("TH", "Bangkok")],
        {"availability": "limited"},
    ),
]


@transaction.atomic
def load_demo_services() -> int:
    """Add the demo services once; returns how many were added."""
    if Service.objects.filter(name__endswith="(demo)").exists():
        return 0
    added = 0
    for acronym, name, kind, areas, extra in SERVICES:
        organisation = Organisation.objects.filter(acronym=acronym).first()
        keeper = (
            Membership.objects.filter(
                organisation=organisation,
                role__in=[Role.SUPERVISOR, Role.DATA_MANAGER, Role.ADMINISTRATOR],
            )
            .select_related("user")
            .first()
        )
        if organisation is None or keeper is None:
            continue
        data = services.ServiceData(name=name, service_type=kind, areas=areas, **extra)
        services.save_service(actor=keeper.user, organisation=organisation, data=data)
        added += 1
    return added
