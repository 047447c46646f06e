"""The ready-made mapping profiles (``profiles/*.json``) for the demo agency's data manager, so
that the CTDC files and the HTCDS template import from the pages at once."""

from __future__ import annotations

import json
from pathlib import Path

from palermo.accounts.models import Membership, Organisation, Role
from palermo.standard.models import MappingProfile
from palermo.standard.services import save_profile

PROFILES = Path(__file__).parent / "profiles"


def load_ready_made_profiles(acronym: str = "GMA") -> list[str]:
    """Save each ready-made profile the organisation does not have yet; their names."""
    organisation = Organisation.objects.filter(acronym=acronym).first()
    manager = (
        Membership.objects.filter(organisation=organisation, role=Role.DATA_MANAGER)
        .select_related("user")
        .first()
    )
    if organisation is None or manager is None:
        return []
    saved = []
    for path in sorted(PROFILES.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if MappingProfile.objects.filter(organisation=organisation, name=document["name"]).exists():
            continue
        save_profile(
            organisation,
            document["name"],
            document["columns"],
            manager.user,
            document.get("description", ""),
            id_column=str(document.get("id_column", "")),
            skip_rows=int(document.get("skip_rows", 0)),
        )
        saved.append(document["name"])
    return saved
