"""The one visibility rule, by role, organisation and grant."""

from __future__ import annotations

import pytest

from palermo.accounts.models import Role
from palermo.accounts.tests.factories import MembershipFactory
from palermo.cases import services
from palermo.cases.access import case_access, visible_cases
from palermo.cases.tests.helpers import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world):  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    colleague = MembershipFactory(organisation=world.agency, role=Role.CASE_WORKER).user
    mine = make_case(world.agency, worker)
    theirs = make_case(world.agency, colleague, person={"given_name": "Other"})
    foreign = make_case(world.other, world.users["other_case_worker"])
    return {"mine": mine, "theirs": theirs, "foreign": foreign, "colleague": colleague}


EXPECTED = {
    # user: (sees mine, sees colleague's, sees other organisation's, identifiers on own)
    "case_worker": (True, False, False, True),
    "supervisor": (True, True, False, True),
    "data_manager": (True, True, False, True),
    "analyst": (False, False, False, False),
    "national_coordinator": (False, False, False, False),
    "administrator": (False, False, False, False),
    "platform_admin": (False, False, False, False),
    "other_case_worker": (False, False, True, False),
    "no_membership": (False, False, False, False),
}


@pytest.mark.parametrize("who", EXPECTED)
def test_who_sees_which_case(world, cases, who) -> None:  # type: ignore[no-untyped-def]
    user = world.users[who]
    sees_mine, sees_theirs, sees_foreign, identifiers = EXPECTED[who]
    visible = set(visible_cases(user).values_list("pk", flat=True))
    assert (cases["mine"].pk in visible) is sees_mine
    assert (cases["theirs"].pk in visible) is sees_theirs
    assert (cases["foreign"].pk in visible) is sees_foreign
    assert case_access(user, cases["mine"]).identifiers is identifiers


def test_superusers_read_no_case_file(world, cases) -> None:  # type: ignore[no-untyped-def]
    from palermo.accounts.tests.factories import UserFactory

    root = UserFactory(is_superuser=True, is_staff=True)
    assert not visible_cases(root).exists()


def test_an_organisation_can_let_case_workers_see_every_case(world, cases) -> None:  # type: ignore[no-untyped-def]
    world.agency.case_workers_see_all = True
    world.agency.save()
    user = world.users["case_worker"]
    from palermo.accounts.access import forget_memberships

    forget_memberships(user)
    assert cases["theirs"] in visible_cases(user)


def test_a_grant_opens_one_case_read_only_and_revoking_closes_it(world, cases) -> None:  # type: ignore[no-untyped-def]
    reader = world.users["other_case_worker"]
    grant = services.grant_access(
        cases["mine"], world.users["supervisor"], world.other, "referral", False
    )
    access = case_access(reader, cases["mine"])
    assert access.view
    assert access.via_grant
    assert not access.change
    assert not access.identifiers
    assert cases["theirs"] not in visible_cases(reader)
    grant.include_identifiers = True
    grant.save()
    assert case_access(reader, cases["mine"]).identifiers
    # An administrator of the granted organisation has no case role: still nothing.
    assert not case_access(world.users["other_administrator"], cases["mine"]).view
    from django.utils import timezone

    grant.revoked_at = timezone.now()
    grant.save()
    assert not case_access(reader, cases["mine"]).view
