"""A demo mapping profile: the Global Migration Agency's shelter register (generated)."""

from __future__ import annotations

from typing import Any

from palermo.accounts.models import Membership, Organisation, Role
from palermo.standard import services
from palermo.standard.models import MappingProfile

DEMO_PROFILE = "Shelter register (demo)"
DEMO_COLUMNS: list[dict[str, Any]] = [
    {
        "column": "Nationality",
        "field": "prs_Citizenship",
        "values": {"Filipino": "PH", "Filipina": "PH", "Nigerian": "NG", "Mexican": "MX"},
    },
    {"column": "Sex", "field": "prs_Gender", "values": {"F": "Feminine", "M": "Masculine"}},
    {"column": "Date of birth", "field": "prs_Birthdate"},
    {"column": "Exploitation", "field": "vic_TypeOfExploitation", "separator": ";"},
    {
        "column": "Sector",
        "field": "vic_ForcedLabourIndustry",
        "values": {
            "Fishing": "A_AgricultureForestryAndFishing",
            "Domestic work": "T_ActivitiesOfHouseholdsAsEmployers",
        },
    },
]


def load_demo_profile() -> MappingProfile | None:
    """Create the demo profile if absent; ``None`` when the demo agency is not loaded."""
    organisation = Organisation.objects.filter(acronym="GMA").first()
    manager = (
        Membership.objects.filter(organisation=organisation, role=Role.DATA_MANAGER)
        .select_related("user")
        .first()
    )
    if organisation is None or manager is None:
        return None
    existing = MappingProfile.objects.filter(organisation=organisation, name=DEMO_PROFILE).first()
    if existing is not None:
        return existing
    return services.save_profile(
        organisation,
        DEMO_PROFILE,
        DEMO_COLUMNS,
        manager.user,
        description="How the shelter's spreadsheet names and codes things.",
    )
