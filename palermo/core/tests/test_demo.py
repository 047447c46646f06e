from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from palermo.accounts.models import Membership, Organisation, OrganisationType, Role, User
from palermo.standard.models import MappingProfile


def _counts() -> tuple[int, int, int, int]:
    return (
        Organisation.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        MappingProfile.objects.count(),
    )


@override_settings(PALERMO_DEMO=True)
def test_demo_has_every_role_and_loading_twice_adds_nothing(db, capsys):
    call_command("load_demo")
    first = _counts()
    out = capsys.readouterr().out
    assert "palermo-demo-2026" in out
    profiles = set(
        MappingProfile.objects.filter(organisation__acronym="GMA").values_list("name", flat=True)
    )
    assert {"Shelter register (demo)", "CTDC global k-anonymised dataset (2021)"} <= profiles
    assert len(profiles) == 5  # the demo's and the four ready-made ones
    call_command("load_demo")
    assert _counts() == first
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    types = set(Organisation.objects.values_list("type", flat=True))
    assert {
        OrganisationType.UN_AGENCY,
        OrganisationType.NGO,
        OrganisationType.NATIONAL_COORDINATION_BODY,
    } <= types
    ngo_countries = set(
        Organisation.objects.filter(type=OrganisationType.NGO).values_list("country", flat=True)
    )
    assert len(ngo_countries) == 2
    assert Organisation.objects.filter(is_host=True).count() == 1


@override_settings(PALERMO_DEMO=False)
def test_demo_users_are_refused_on_a_real_site(db):
    with pytest.raises(CommandError, match="Refusing"):
        call_command("load_demo")
    assert User.objects.count() == 0
