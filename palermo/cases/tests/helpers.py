"""Building cases in tests through the services, as users do."""

from __future__ import annotations

import datetime
from typing import Any

from palermo.accounts.models import Organisation, User
from palermo.cases import services
from palermo.cases.models import Case

PERSON = {
    "given_name": "Amara",
    "family_name": "Okonkwo-Testperson",
    "aliases": ["Ama"],
    "birth_date": "1998-04-12",
    "gender": "Feminine",
    "citizenship": ["NG"],
    "documents": [{"type": "passport", "number": "A1234567"}],
    "phone": "+234 800 000 0000",
    "address": "12 Example Street",
}


def make_case(
    organisation: Organisation, worker: User, person: dict[str, Any] | None = None, **case: Any
) -> Case:
    values: dict[str, Any] = {
        "case_type": "presumed_victim",
        "identified_on": datetime.date(2026, 3, 1),
        "identification_country_id": "TH",
        "identification_place": "Shelter intake desk",
    }
    values.update(case)
    return services.start_intake(organisation, worker, {**PERSON, **(person or {})}, values)
