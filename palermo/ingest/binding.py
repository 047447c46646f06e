"""Where each field of the standard lives in a case: a coded record (standard field -> value, as
``standard.mapping.map_rows`` returns it) becomes the person's identifiers, the case's fields and
its analytic variables. No database."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from palermo.cases.services import age_on

# Standard field -> Person attribute (identifiers are encrypted by the model).
PERSON_FIELDS = {
    "prs_FirstName": "given_name",
    "prs_SecondName": "family_name",
    "prs_Birthdate": "birth_date",
    "prs_Gender": "gender",
    "prs_MobilePhone": "phone",
    "prs_HomePhone": "phone",
}
PERSON_LISTS = {"prs_Citizenship": "citizenship"}
ADDRESS_PARTS = (
    "prs_MailingStreet",
    "prs_MailingCity",
    "prs_MailingState",
    "prs_MailingPostalCode",
)
# Standard field -> Case attribute.
CASE_FIELDS = {
    "cas_IdentificationDate": "identified_on",
    "vic_RelationshipToTrafficker": "recruiter_relationship",
    "vic_TraffickingStatusDecisionMakingOrg": "identified_by",
    "vic_AgeWhenTrafficked": "age_at_entry",
}
CASE_LISTS = {
    "vic_TypeOfExploitation": "exploitation",
    "vic_ForcedLabourIndustry": "forced_labour_industry",
    "vic_TypeOfSexExploitation": "sex_exploitation",
    "vic_MethodsOfControl": "means_of_control",
    "vic_MethodOfRecruitment": "recruitment_methods",
}
NARRATIVE_FIELDS = (
    "vic_DetailsOfVulnerabilities",
    "vic_LocationOfRecruitment",
    "vic_LocationOfExploitation",
    "cco_CaseComment",
)

# Fields whose values are encrypted in a case: never kept in clear elsewhere (problems, logs).
SECRET = frozenset(
    {*PERSON_FIELDS, "prs_IdentityNumber", *ADDRESS_PARTS, *NARRATIVE_FIELDS} - {"prs_Gender"}
)

# What a case holds when its row leaves a field out (an updated row empties it).
PERSON_DEFAULTS: dict[str, Any] = dict.fromkeys(set(PERSON_FIELDS.values()) | {"address"}, "") | {
    "citizenship": [],
    "documents": [],
}
CASE_DEFAULTS: dict[str, Any] = dict.fromkeys(CASE_FIELDS.values()) | {
    name: [] for name in CASE_LISTS.values()
}
CASE_DEFAULTS |= {
    "identified_by": "",
    "recruiter_relationship": "",
    "exploitation_countries": [],
    "narrative": "",
    "age_at_identification": None,
}


@dataclass
class Bound:
    person: dict[str, Any] = field(default_factory=dict)
    case: dict[str, Any] = field(default_factory=dict)
    analytic: dict[str, Any] = field(default_factory=dict)
    not_kept: list[str] = field(default_factory=list)  # standard fields no case field holds


def bind(record: dict[str, Any]) -> Bound:
    bound = Bound()
    address = []
    narrative = []
    for key, value in record.items():
        if key.startswith("ana_"):  # first: most fields of most files (no other kind is ana_)
            bound.analytic[key] = value
        elif key in PERSON_FIELDS:
            bound.person[PERSON_FIELDS[key]] = value
        elif key in PERSON_LISTS:
            bound.person[PERSON_LISTS[key]] = value if isinstance(value, list) else [value]
        elif key == "prs_IdentityNumber":
            bound.person["documents"] = [{"type": "identity", "number": str(value)}]
        elif key in ADDRESS_PARTS:
            address.append((ADDRESS_PARTS.index(key), str(value)))
        elif key in CASE_FIELDS:
            target = CASE_FIELDS[key]
            if target == "identified_on":
                value = datetime.date.fromisoformat(value)
            elif target == "age_at_entry":
                value = int(value) if isinstance(value, int | float) and 0 <= value <= 120 else None
            if value is not None:
                bound.case[target] = value
        elif key in CASE_LISTS:
            bound.case[CASE_LISTS[key]] = value if isinstance(value, list) else [value]
        elif key == "hte_Country":
            bound.case["exploitation_countries"] = [value]
        elif key in NARRATIVE_FIELDS:
            narrative.append(str(value))
        else:
            bound.not_kept.append(key)
    if address:
        bound.person["address"] = ", ".join(part for _i, part in sorted(address))
    if narrative:
        bound.case["narrative"] = "\n".join(narrative)
    age = age_on(bound.person.get("birth_date", ""), bound.case.get("identified_on"))
    if age is not None and 0 <= age <= 120:
        bound.case["age_at_identification"] = age
    return bound
