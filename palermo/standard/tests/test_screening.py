"""The screening rule, evaluated from the instrument documents loaded from ilo-indicators.json."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from palermo.accounts.tests.factories import OrganisationFactory, UserFactory
from palermo.standard import screening, selectors
from palermo.standard.models import Instrument
from palermo.standard.services import import_instrument, instrument_errors

pytestmark = pytest.mark.django_db

ILO = json.loads((Path(settings.PALERMO_STANDARDS_DIR) / "ilo-indicators.json").read_text())


def _document(key: str) -> dict[str, Any]:
    instrument = Instrument.objects.get(key=key, owner__isnull=True)
    return selectors.current_version(instrument).document


@pytest.fixture
def adult() -> dict[str, Any]:
    return _document("ilo-ec-adult-labour")


@pytest.fixture
def child() -> dict[str, Any]:
    return _document("ilo-ec-child-labour")


@pytest.mark.parametrize(
    "example", ILO["rule"]["dimension_positive"]["examples"], ids=lambda e: json.dumps(e)
)
def test_worked_examples_of_the_dimension_rule(adult, example) -> None:  # type: ignore[no-untyped-def]
    rule = adult["rule"]["dimension_positive"]
    assert (
        screening.dimension_positive(rule, example["s"], example["m"], example["w"])
        is (example["positive"])
    )


def test_instrument_carries_its_source_and_verification(adult) -> None:  # type: ignore[no-untyped-def]
    assert "WCMS_105023" in adult["source"]["citation"]
    assert adult["verification"]["status"] == "unverified"
    assert sum(len(d["indicators"]) for d in adult["dimensions"]) == 67
    assert any("sexual" in note for note in adult["notes"])


def test_adult_labour_case_is_positive_and_explained(adult) -> None:  # type: ignore[no-untyped-def]
    result = screening.evaluate(
        adult,
        [
            "deceptive_recruitment.deceived_job_nature_location_employer",  # strong
            "deceptive_recruitment.deceived_wages",  # medium
            "exploitation.excessive_hours_days",  # strong
            "exploitation.low_or_no_pay",  # medium
            "coercion_at_destination.documents_confiscated",  # strong
            "coercion_at_destination.debt_bondage",  # strong
        ],
    )
    assert result.positive
    assert result.outcome == "presumed_victim"
    by_key = {d.key: d for d in result.dimensions}
    assert (by_key["deceptive_recruitment"].strong, by_key["deceptive_recruitment"].medium) == (
        1,
        1,
    )
    assert by_key["coercion_at_destination"].positive
    assert not by_key["coercive_recruitment"].positive
    text = "\n".join(result.explanation)
    assert "Presumed victim" in text
    assert (
        "1 strong, 1 medium, 0 weak meets 'at least 1 strong and at least 1 medium or weak'" in text
    )
    assert "2 strong, 0 medium, 0 weak meets 'at least 2 strong'" in text


def test_adult_with_recruitment_only_is_negative_and_says_why(adult) -> None:  # type: ignore[no-untyped-def]
    result = screening.evaluate(
        adult,
        [
            "deceptive_recruitment.deceived_job_nature_location_employer",
            "deceptive_recruitment.deceived_wages",
            "deceptive_recruitment.deceived_contract",
        ],
    )
    assert not result.positive
    assert result.outcome == "not_indicated"
    assert {d.key for d in result.dimensions if d.positive} == {"deceptive_recruitment"}
    text = "\n".join(result.explanation)
    assert (
        "Exploitation (exploitative conditions of work): not positive: no indicator present" in text
    )


def test_child_case_is_positive_without_any_means(child) -> None:  # type: ignore[no-untyped-def]
    exploitation = next(d for d in child["dimensions"] if d["key"] == "exploitation")
    strong = next(i for i in exploitation["indicators"] if i["grade"] == "strong")
    medium = next(i for i in exploitation["indicators"] if i["grade"] == "medium")
    present = [f"exploitation.{strong['key']}", f"exploitation.{medium['key']}"]
    result = screening.evaluate(child, present, {"act_recorded": True})
    assert result.positive
    means = {
        "deceptive_recruitment",
        "coercive_recruitment",
        "recruitment_abuse_of_vulnerability",
        "coercion_at_destination",
        "abuse_of_vulnerability_at_destination",
    }
    assert not any(d.positive for d in result.dimensions if d.key in means)
    assert any(
        "The act is on record" in line and line.endswith("yes") for line in result.explanation
    )
    # Without the act on record, the same answers do not suffice.
    without_act = screening.evaluate(child, present, {"act_recorded": False})
    assert not without_act.positive
    assert any(line.endswith("not established") for line in without_act.explanation)


def test_the_same_indicator_counts_only_in_its_own_dimension(adult) -> None:  # type: ignore[no-untyped-def]
    result = screening.evaluate(adult, ["coercive_recruitment.documents_confiscated"])
    by_key = {d.key: d for d in result.dimensions}
    assert by_key["coercive_recruitment"].medium == 1
    assert by_key["coercion_at_destination"].strong == 0


def test_unknown_answers_are_refused(adult) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(screening.AnswerError, match="unknown indicators"):
        screening.evaluate(adult, ["exploitation.no_such_indicator"])
    with pytest.raises(screening.AnswerError, match="unknown facts"):
        screening.evaluate(adult, [], {"invented": True})


NATIONAL_CHECKLIST: dict[str, Any] = {
    "key": "national-checklist",
    "name": "National checklist (test)",
    "age_group": "any",
    "source": {"citation": "National referral mechanism, annex 2"},
    "verification": {"status": "verified"},
    "dimensions": [
        {
            "key": "control",
            "label": "Control",
            "indicators": [
                {"key": "locked_in", "label": "Locked in", "grade": "strong"},
                {"key": "no_pay", "label": "Not paid", "grade": "medium"},
            ],
        },
    ],
    "rule": {"dimension_positive": {"any_of": [{"strong_min": 1}]}, "outcome": "control"},
}


def test_an_agency_adds_its_own_instrument_as_data() -> None:
    owner = OrganisationFactory()
    version = import_instrument(NATIONAL_CHECKLIST, owner, UserFactory())
    assert (version.instrument.owner, version.number, version.verification) == (
        owner,
        1,
        "verified",
    )
    assert screening.evaluate(version.document, ["control.locked_in"]).positive
    changed = copy.deepcopy(NATIONAL_CHECKLIST)
    changed["dimensions"][0]["indicators"][1]["grade"] = "strong"
    assert import_instrument(changed, owner, UserFactory()).number == 2
    with pytest.raises(ValidationError, match="already stored"):
        import_instrument(changed, owner, UserFactory())


def test_a_malformed_instrument_is_refused_with_the_place_of_each_error() -> None:
    bad = copy.deepcopy(NATIONAL_CHECKLIST)
    bad["dimensions"][0]["indicators"][0]["grade"] = "very strong"
    del bad["source"]
    errors = instrument_errors(bad)
    assert any(e.startswith("dimensions/0/indicators/0/grade:") for e in errors)
    assert any("'source' is a required property" in e for e in errors)
    unknown = copy.deepcopy(NATIONAL_CHECKLIST)
    unknown["rule"]["outcome"] = {"all_of": ["control", "exploitation"]}
    assert instrument_errors(unknown) == [
        "rule/outcome: 'exploitation' is neither a dimension nor a fact"
    ]
