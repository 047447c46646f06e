"""Cases coded for statistics, built through the case services as users do."""

from __future__ import annotations

import datetime
from typing import Any

from palermo.accounts.models import Organisation, User
from palermo.cases import services as cases
from palermo.cases.models import Case, CaseStatus
from palermo.cases.tests.helpers import make_case

ANALYTIC = {
    "ana_YearOfRegistration": 2024,
    "ana_Gender": "Female",
    "ana_AgeBroad": "18--20",
    "ana_Citizenship": "NG",
    "ana_CountryOfExploitation": "TH",
    "ana_TypeOfExploitation": ["SexualExploitation"],
}


def coded_cases(
    organisation: Organisation, worker: User, n: int, consent: str = "given", **analytic: Any
) -> list[Case]:
    """``n`` open cases with these analytic values, each with a decision about statistics
    (``consent``: "given", "refused", or "" for none)."""
    made = []
    for _ in range(n):
        case = make_case(organisation, worker)
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.OPEN, analytic=ANALYTIC | analytic)
        if consent:
            cases.record_consent(
                case, worker, "statistics", consent, "person", datetime.date(2026, 1, 5)
            )
        made.append(case)
    return made
