"""Mapping profiles: an agency's own columns and values coded to the standard."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from palermo.standard import services
from palermo.standard.mapping import map_rows

pytestmark = pytest.mark.django_db

SAMPLE = [
    {"Nationality": "Filipino", "Sex": "F", "Exploitation": "Forced labour; sexual exploitation"},
    {"Nationality": "PHL", "Sex": "M", "Exploitation": "ForcedLabour"},
    {"Nationality": "الفلبين", "Sex": "F", "Exploitation": "Travail forcé"},
    {"Nationality": "Martian", "Sex": "X", "Exploitation": "Domestic servitude"},
    {"Nationality": "Martian", "Sex": "", "Exploitation": "", "Shelter": "North"},
]

COLUMNS = [
    {"column": "Nationality", "field": "prs_Citizenship", "values": {"Filipino": "PH"}},
    {"column": "Sex", "field": "prs_Gender", "values": {"F": "Feminine", "M": "Masculine"}},
    {"column": "Exploitation", "field": "vic_TypeOfExploitation", "separator": ";"},
    {"column": "Age", "field": "vic_AgeWhenTrafficked"},
]


@pytest.fixture
def profile(world):  # type: ignore[no-untyped-def]
    return services.save_profile(
        world.agency, "Shelter register", COLUMNS, world.users["data_manager"]
    )


def test_a_profile_maps_a_sample_file_and_reports_what_it_could_not(profile) -> None:  # type: ignore[no-untyped-def]
    result = map_rows(
        services.profile_rules(profile), services.field_infos(), services.vocabulary(), SAMPLE
    )
    records = result.records
    assert records[0] == {
        "prs_Citizenship": ["PH"],
        "prs_Gender": "Feminine",
        "vic_TypeOfExploitation": ["ForcedLabour", "SexualExploitation"],
    }
    assert records[1]["prs_Citizenship"] == ["PH"]  # ISO alpha-3 alias
    assert records[2]["prs_Citizenship"] == ["PH"]  # Arabic country name
    assert "vic_TypeOfExploitation" not in records[2]  # no French label for this code yet
    assert records[3] == {}
    unmapped = {(u.column, u.value): (u.count, u.rows) for u in result.unmapped_values}
    assert unmapped == {
        ("Nationality", "Martian"): (2, (4, 5)),
        ("Sex", "X"): (1, (4,)),
        ("Exploitation", "Domestic servitude"): (1, (4,)),
        ("Exploitation", "Travail forcé"): (1, (3,)),
    }
    assert result.unmapped_columns == ["Shelter"]
    assert result.missing_columns == ["Age"]
    assert not result.complete


def test_a_saved_profile_is_reused_and_replaced(world, profile) -> None:  # type: ignore[no-untyped-def]
    again = services.save_profile(
        world.agency,
        "Shelter register",
        [{"column": "Nationality", "field": "prs_Citizenship", "values": {"Martian": "PH"}}],
        world.users["data_manager"],
        profile=profile,
    )
    assert again.pk == profile.pk
    assert [(c.column, c.values) for c in again.columns.all()] == [
        ("Nationality", {"Martian": "PH"})
    ]


def test_a_profile_refuses_unknown_fields_and_codes(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        services.save_profile(
            world.agency,
            "Bad",
            [
                {"column": "Nationality", "field": "prs_Citizenship", "values": {"X": "ZZ"}},
                {"column": "Colour", "field": "prs_Colour"},
                {"column": "Name", "field": "prs_FirstName", "values": {"a": "b"}},
            ],
            world.users["data_manager"],
        )
    messages = caught.value.messages
    assert "Nationality: “X” maps to ZZ, which is not a code of country." in messages
    assert "“prs_Colour” is not a field of the standard." in messages
    assert "The field prs_FirstName takes no codes, so it has no value mappings." in messages


def test_profile_names_are_unique_per_organisation(world, profile) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="already has a profile"):
        services.save_profile(
            world.agency, "Shelter register", COLUMNS, world.users["data_manager"]
        )
    from palermo.accounts.models import Role
    from palermo.accounts.tests.factories import MembershipFactory

    theirs = MembershipFactory(organisation=world.other, role=Role.DATA_MANAGER).user
    other = services.save_profile(world.other, "Shelter register", COLUMNS, theirs)
    assert other.organisation == world.other


def test_only_the_organisations_data_managers_keep_its_profiles(world, profile) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    columns = [{"column": "Sex", "field": "prs_Gender"}]
    for user in (world.users["case_worker"], world.users["other_administrator"]):
        with pytest.raises(PermissionDenied):
            services.save_profile(world.agency, "Another", columns, user)
        with pytest.raises(PermissionDenied):
            services.delete_profile(profile, user)
    assert profile.__class__.objects.filter(pk=profile.pk).exists()
