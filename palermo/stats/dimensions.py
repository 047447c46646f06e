"""The dimensions a release can break its counts down by: the standard's analytic variables
(CTDC layout), each as one single-valued column of the analytic table.

A multi-valued analytic variable becomes one column either way: the forms of exploitation, the
type of labour, of sexual exploitation and the recruiter's relationship take their one value, or
"Multiple" when a case has several (forced labour with sexual exploitation is CTDC's own
"SexAndLabour"); each means of control becomes a yes/no column of its own, as CTDC publishes
them. Unknown or unspecified values are not attributes: they are left empty and never counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

UNKNOWN = frozenset({"", "Unknown", "NotSpecified", "None", "nan"})
MULTIPLE = "Multiple"
YES, NO = "yes", "no"

MEANS_OF_CONTROL = (
    "DebtBondage",
    "TakesEarnings",
    "RestrictsFinancialAccess",
    "Threats",
    "PsychologicalAbuse",
    "PhysicalAbuse",
    "SexualAbuse",
    "FalsePromises",
    "PsychoactiveSubstances",
    "RestrictsMovement",
    "RestrictsMedicalCare",
    "ExcessiveWorkingHours",
    "UsesChildren",
    "ThreatOfLawEnforcement",
    "WithholdsNecessities",
    "WithholdsDocuments",
    "Other",
)


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str | Promise
    variable: str  # the analytic variable it comes from ("" for the organisation's type)
    # Where its values' names come from: a code list of the standard, "country", "region",
    # "year", "yes_no" or "organisation_type".
    values: str
    kind: str = "single"  # "single": the variable's one value; "list": one value of a list;
    # "flag": whether a list holds ``code``
    code: str = ""


CATALOGUE: tuple[Dimension, ...] = (
    Dimension("year", _("Year of registration"), "ana_YearOfRegistration", "year"),
    Dimension("sex", _("Sex"), "ana_Gender", "ctdc_gender"),
    Dimension("age_band", _("Age band"), "ana_AgeBroad", "ctdc_age_band"),
    Dimension("majority", _("Minor or adult"), "ana_MajorityStatus", "ctdc_majority"),
    Dimension(
        "majority_at_exploitation",
        _("Minor or adult when exploited"),
        "ana_MajorityStatusAtExploit",
        "ctdc_majority",
    ),
    Dimension(
        "majority_at_entry",
        _("Minor or adult when trafficked"),
        "ana_MajorityEntry",
        "ctdc_majority",
    ),
    Dimension("citizenship", _("Citizenship"), "ana_Citizenship", "country"),
    Dimension("citizenship_region", _("Region of citizenship"), "ana_Citizenship", "region"),
    Dimension(
        "exploitation_country",
        _("Country of exploitation"),
        "ana_CountryOfExploitation",
        "country",
    ),
    Dimension(
        "exploitation_region",
        _("Region of exploitation"),
        "ana_CountryOfExploitation",
        "region",
    ),
    Dimension(
        "exploitation",
        _("Form of exploitation"),
        "ana_TypeOfExploitation",
        "ctdc_exploitation",
        "list",
    ),
    Dimension("labour", _("Type of forced labour"), "ana_TypeOfLabour", "ctdc_labour_type", "list"),
    Dimension(
        "sexual_exploitation",
        _("Type of sexual exploitation"),
        "ana_TypeOfSex",
        "ctdc_sex_type",
        "list",
    ),
    Dimension(
        "recruiter",
        _("Relationship to the recruiter"),
        "ana_RecruiterRelationship",
        "ctdc_recruiter_relation",
        "list",
    ),
    Dimension("abduction", _("Abducted"), "ana_IsAbduction", "yes_no"),
    Dimension("organisation_type", _("Type of contributing organisation"), "", "organisation_type"),
    *(
        Dimension(
            f"control_{code}",
            pgettext_lazy("dimension", "Means of control"),
            "ana_MeansOfControl",
            "yes_no",
            "flag",
            code,
        )
        for code in MEANS_OF_CONTROL
    ),
)

BY_KEY = {dimension.key: dimension for dimension in CATALOGUE}
KEYS = tuple(BY_KEY)

# A release's default: every dimension but the means of control (16), the five main ones in
# three-way tables.
DEFAULT = tuple(d.key for d in CATALOGUE if d.kind != "flag")
MAIN = ("year", "sex", "age_band", "citizenship", "exploitation")


def list_value(codes: list[str], variable: str) -> str | None:
    """One value for a multi-valued variable: its only known code, "SexAndLabour" for forced
    labour with sexual exploitation, otherwise "Multiple"."""
    known = sorted({c for c in codes if c not in UNKNOWN})
    if not known:
        return None
    if len(known) == 1:
        return known[0]
    if variable == "ana_TypeOfExploitation" and set(known) <= {
        "ForcedLabour",
        "SexualExploitation",
        "SexAndLabour",
    }:
        return "SexAndLabour"
    return MULTIPLE
