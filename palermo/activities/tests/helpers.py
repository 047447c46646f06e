"""Activities built as users build them: through the services."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings

from palermo.accounts.models import Organisation, User
from palermo.activities import services
from palermo.activities.data import ActivityData, PlaceData
from palermo.activities.models import Activity, ActivityImport, Origin, Status

IATI_SAMPLE = (
    Path(settings.PALERMO_STANDARDS_DIR).parent / "data" / "iati" / "iom-XM-DAC-47066-DP.2154.xml"
)


def activity_data(identifier: str, **given: Any) -> ActivityData:
    codes = given.pop("codes", {})
    places = given.pop("places", [])
    data = ActivityData(
        identifier=identifier,
        reporting_org_ref=given.pop("reporting_org_ref", "AGA"),
        reporting_org_name=given.pop("reporting_org_name", "Agency A"),
        title=given.pop("title", {"en": f"Activity {identifier}"}),
        status=given.pop("status", Status.IMPLEMENTATION),
        planned_start=given.pop("start", date(2025, 1, 1)),
        planned_end=given.pop("end", date(2026, 12, 31)),
        countries=dict.fromkeys(given.pop("countries", ["NG"])),
        places=[PlaceData(name) for name in places],
        **given,
    )
    for kind, values in codes.items():
        for value in values:
            data.add_code(kind, value)
    services.vocabulary.classify(data)
    return data


def make_activity(owner: Organisation, identifier: str, **given: Any) -> Activity:
    given.setdefault("reporting_org_ref", owner.acronym)
    given.setdefault("reporting_org_name", owner.name)
    activity, _outcome = services.save(
        activity_data(identifier, **given), owner, None, Origin.DIRECT
    )
    return activity


def import_bytes(user: User, owner: Organisation, content: bytes, name: str) -> ActivityImport:
    """Import a file as the command does: the whole file, now."""
    return services.run_import(services.new_import(user, owner, io.BytesIO(content), name))
