"""The analytic variables of a case, derived from its HTCDS codes by the standard's rules."""

from __future__ import annotations

import pytest

from palermo.standard import derive

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules():  # type: ignore[no-untyped-def]
    return derive.rules()


def test_codes_cross_to_ctdc_with_both_forms_and_nothing_recorded_made_explicit(rules) -> None:  # type: ignore[no-untyped-def]
    values = derive.analytic(
        {
            "prs_Gender": "Masculine",
            "prs_Citizenship": ["VN", "KH"],
            "cas_IdentificationDate": "2024-11-30",
            "vic_TypeOfExploitation": ["SexualExploitation", "ForcedLabour"],
            "hte_Country": "TH",
        },
        rules,
    )
    assert values["ana_Gender"] == "Male"
    assert values["ana_Citizenship"] == "VN"  # the first citizenship
    assert values["ana_YearOfRegistration"] == 2024
    assert values["ana_CountryOfExploitation"] == "TH"
    assert values["ana_TypeOfExploitation"] == [
        "SexualExploitation",
        "ForcedLabour",
        "SexAndLabour",
    ]
    assert values["ana_MeansOfControl"] == ["NotSpecified"]
    assert values["ana_MajorityStatus"] == "Unknown"  # no age recorded
    assert "ana_AgeBroad" not in values


@pytest.mark.parametrize(
    ("age", "band", "majority"),
    [
        (0, "0--8", "Minor"),
        (8, "0--8", "Minor"),
        (17, "9--17", "Minor"),
        (18, "18--20", "Adult"),
        (47, "39--47", "Adult"),
        (48, "48+", "Adult"),
        (90, "48+", "Adult"),
    ],
)
def test_age_bands_and_majority_at_their_edges(rules, age, band, majority) -> None:  # type: ignore[no-untyped-def]
    values = derive.analytic(
        {"age_at_identification": age, "vic_AgeWhenTrafficked": 30, "age_at_exploitation": 10},
        rules,
    )
    assert values["ana_AgeBroad"] == band
    assert values["ana_MajorityStatus"] == majority  # from the age at identification only
    assert values["ana_MajorityEntry"] == "Adult"  # from the age when trafficked
    assert values["ana_MajorityStatusAtExploit"] == "Minor"  # from the age at exploitation


def test_an_empty_record_gives_only_what_needs_no_data(rules) -> None:  # type: ignore[no-untyped-def]
    assert derive.analytic({}, rules) == {
        "ana_Datasource": "CaseManagement",
        "ana_MajorityStatus": "Unknown",
        "ana_MajorityStatusAtExploit": "Unknown",
        "ana_MajorityEntry": "Unknown",
        "ana_MeansOfControl": ["NotSpecified"],
        "ana_TypeOfLabour": ["NotSpecified"],  # lists with that code say so when empty
    }


def test_a_case_reads_as_its_source_coded_it_and_derived_where_it_did_not(rules) -> None:  # type: ignore[no-untyped-def]
    record = {"vic_TypeOfExploitation": ["ForcedLabour"], "prs_Gender": "Feminine"}
    imported = {"ana_Gender": "Male", "ana_TypeOfExploitation": [], "ana_Citizenship": ""}
    values = derive.case_analytic(record, imported, rules)
    assert values["ana_Gender"] == "Male"  # the source's own coding wins
    assert values["ana_TypeOfExploitation"] == ["ForcedLabour"]  # an empty one does not
    assert "ana_Citizenship" not in values
    assert derive.case_analytic(record, None, rules) == derive.analytic(record, rules)
