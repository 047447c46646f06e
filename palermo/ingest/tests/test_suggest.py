"""Mapping suggestions by field keys and by the standard's labels in any language."""

from __future__ import annotations

import pytest

from palermo.ingest.suggest import suggest
from palermo.standard.models import Field
from palermo.standard.services import set_label

pytestmark = pytest.mark.django_db


def test_columns_are_suggested_by_key_label_and_camel_case(world) -> None:  # type: ignore[no-untyped-def]
    found = {
        s.column: s
        for s in suggest(
            ["prs_Gender", "First Name", "ageBroad", "yearOfRegistration", "Shoe size"],
            {"prs_Gender": ["feminine ", "Robot", "FEMININE"], "ageBroad": ["18--20", "18 - 20"]},
        )
    }
    assert found["prs_Gender"].field == "prs_Gender"
    assert found["First Name"].field == "prs_FirstName"
    assert found["ageBroad"].field == "ana_AgeBroad"
    assert found["yearOfRegistration"].field == "ana_YearOfRegistration"
    assert found["Shoe size"].fields == []
    assert found["ageBroad"].values == {"18--20": "18--20", "18 - 20": "18--20"}
    assert found["prs_Gender"].values == {
        "feminine": "Feminine",
        "Robot": None,
        "FEMININE": "Feminine",
    }


def test_a_label_in_another_language_is_a_suggestion_too(world) -> None:  # type: ignore[no-untyped-def]
    gender = Field.objects.filter(key="prs_Gender").latest("since")
    set_label(gender, "fr", "Sexe de la personne", world.users["platform_admin"])
    (found,) = suggest(["SEXE DE LA PERSONNE"])
    assert found.field == "prs_Gender"


def test_the_field_whose_codes_the_values_are_comes_first(world) -> None:  # type: ignore[no-untyped-def]
    (htcds,) = suggest(["gender"], {"gender": ["Feminine", "Masculine"]})
    assert htcds.fields[:2] == ["prs_Gender", "ana_Gender"]
    (ctdc,) = suggest(["gender"], {"gender": ["Female", "Male", ""]})
    assert ctdc.field == "ana_Gender"
    assert ctdc.values == {"Female": "Female", "Male": "Male"}
