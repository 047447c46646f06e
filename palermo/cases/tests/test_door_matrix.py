"""The permission matrix: every role, on its own organisation's case and on another
organisation's case with and without a grant, through every door (page, API, export of the
person's record, command). Each door gets exactly what the visibility rule gives, and no
identifier reaches anyone the rule does not let read them."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from palermo.cases import services
from palermo.cases.tests.helpers import make_case

pytestmark = pytest.mark.django_db

NAME = "Okonkwo-Testperson"
DOCUMENT = "A1234567"

# who -> (sees the case, reads identifiers, exports the person's record)
OWN = {
    "case_worker": (True, True, False),
    "supervisor": (True, True, True),
    "data_manager": (True, True, True),
    "analyst": (False, False, False),
    "national_coordinator": (False, False, False),
    "administrator": (False, False, False),
    "platform_admin": (False, False, False),
    "no_membership": (False, False, False),
    "other_case_worker": (False, False, False),  # another organisation, no grant
    "other_administrator": (False, False, False),
}
GRANTED = {
    "other_case_worker": (True, True, False),  # a grant with identifiers, read only
    "other_administrator": (False, False, False),  # no case role in the granted organisation
}
SCENARIOS = [(who, False, *expected) for who, expected in OWN.items()] + [
    (who, True, *expected) for who, expected in GRANTED.items()
]


@pytest.fixture
def case(world):  # type: ignore[no-untyped-def]
    worker = world.users["case_worker"]
    case = make_case(world.agency, worker)
    services.record_consent(case, worker, "referral", "given", "person", timezone.localdate())
    return case


def _grant(world, case) -> None:  # type: ignore[no-untyped-def]
    services.grant_access(case, world.users["supervisor"], world.other, "Referral to shelter", True)


@pytest.mark.parametrize(("who", "granted", "sees", "identifiers", "exports"), SCENARIOS)
def test_every_door_gives_what_the_rule_gives(  # type: ignore[no-untyped-def]
    client, login_as, world, case, who, granted, sees, identifiers, exports
) -> None:
    if granted:
        _grant(world, case)
    user = world.users[who]
    login_as(user)

    # Page: the person tab.
    page = client.get(f"/cases/{case.pk}/?tab=person")
    body = page.content.decode()
    if sees:
        assert page.status_code == 200
        assert (NAME in body) is identifiers
        assert (DOCUMENT in body) is identifiers
    else:
        assert page.status_code in (403, 404)
        assert NAME not in body

    # API: the case.
    api = client.get(f"/api/v1/cases/{case.pk}/")
    if sees:
        assert api.status_code == 200
        assert (api.json()["person"] is not None) is identifiers
    else:
        assert api.status_code in (403, 404)
    assert (NAME in api.content.decode()) is (sees and identifiers)
    listed = client.get("/api/v1/cases/")
    assert (NAME in listed.content.decode()) is (sees and identifiers)

    # Export of the person's record, as a page, as JSON and through the API.
    for response in (
        client.post(f"/cases/{case.pk}/record/"),
        client.post(f"/cases/{case.pk}/record/", {"format": "json"}),
        client.get(f"/api/v1/cases/{case.pk}/record/"),
    ):
        if exports:
            assert response.status_code == 200
            assert NAME in response.content.decode()
        else:
            assert response.status_code == (403 if sees else 404)
            assert NAME not in response.content.decode()

    # Command, acting as the user.
    out = StringIO()
    if exports:
        call_command("export_person", case.reference, "--as", user.username, stdout=out)
        assert json.loads(out.getvalue())["person"]["family_name"] == NAME
    else:
        with pytest.raises(CommandError) as caught:
            call_command("export_person", case.reference, "--as", user.username, stdout=out)
        assert NAME not in str(caught.value)
        assert NAME not in out.getvalue()


def test_grants_are_audited_and_revocable(world, case) -> None:  # type: ignore[no-untyped-def]
    from palermo.audit.models import AuditEvent
    from palermo.cases.access import case_access
    from palermo.cases.models import Grant

    supervisor = world.users["supervisor"]
    _grant(world, case)
    grant = Grant.objects.get(case=case)
    assert AuditEvent.objects.filter(action="case.granted").exists()
    services.revoke_grant(grant, supervisor)
    assert AuditEvent.objects.filter(action="case.grant_revoked").exists()
    assert not case_access(world.users["other_case_worker"], case).view
