"""Each role's access to each page and endpoint, allowed and refused.

Rows are doors (page or endpoint); columns are who knocks. ``anon`` is a visitor who is not
logged in; ``outsider`` administers another agency; ``none`` has an account and no membership.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from palermo.conftest import World

WHO = [
    "anon",
    "none",
    "case_worker",
    "supervisor",
    "data_manager",
    "analyst",
    "national_coordinator",
    "administrator",
    "outsider",
    "platform_admin",
]

LOGIN = 302  # anonymous visitors are sent to the login page
ALL = dict.fromkeys(WHO, 200) | {"anon": LOGIN}


def expect(default: int, **overrides: int) -> dict[str, int]:
    return dict.fromkeys(WHO, default) | {"anon": LOGIN} | overrides


PAGES = [
    # name, url builder, expected status by who
    ("home", lambda w: reverse("core:home"), dict.fromkeys(WHO, 200)),
    (
        "login",
        lambda w: reverse("accounts:login"),
        dict.fromkeys(WHO, 200) | dict.fromkeys(WHO[1:], 302),
    ),
    ("account", lambda w: reverse("accounts:account"), ALL),
    ("organisation list", lambda w: reverse("accounts:organisation_list"), ALL),
    (
        "organisation detail",
        lambda w: reverse("accounts:organisation_detail", args=[w.agency.pk]),
        ALL,
    ),
    (
        "organisation edit",
        lambda w: reverse("accounts:organisation_edit", args=[w.agency.pk]),
        expect(403, administrator=200, platform_admin=200),
    ),
    (
        "organisation create",
        lambda w: reverse("accounts:organisation_create"),
        expect(403, platform_admin=200),
    ),
    (
        "member add",
        lambda w: reverse("accounts:member_add", args=[w.agency.pk]),
        expect(403, administrator=200, platform_admin=200),
    ),
    (
        "audit log",
        lambda w: reverse("audit:event_list"),
        expect(403, supervisor=200, administrator=200, outsider=200, platform_admin=200),
    ),
]

API = [
    ("me", "get", lambda w: "/api/v1/me/", None, expect(200, anon=401)),
    ("organisations", "get", lambda w: "/api/v1/organisations/", None, expect(200, anon=401)),
    (
        "organisation",
        "get",
        lambda w: f"/api/v1/organisations/{w.agency.pk}/",
        None,
        expect(200, anon=401),
    ),
    ("countries", "get", lambda w: "/api/v1/countries/", None, dict.fromkeys(WHO, 200)),
    ("country", "get", lambda w: "/api/v1/countries/ng/", None, dict.fromkeys(WHO, 200)),
    (
        "organisation create",
        "post",
        lambda w: "/api/v1/organisations/",
        {"name": "New NGO", "acronym": "NEW", "type": "NGO", "country": "KE"},
        expect(403, anon=401, platform_admin=201),
    ),
    (
        "organisation update",
        "patch",
        lambda w: f"/api/v1/organisations/{w.agency.pk}/",
        {"country": "GH"},
        expect(403, anon=401, administrator=200, platform_admin=200),
    ),
]


def _user(world: World, who: str):  # type: ignore[no-untyped-def]
    if who == "anon":
        return None
    return world.users[{"none": "no_membership", "outsider": "other_administrator"}.get(who, who)]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("door", "url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_pages(world, login_as, who, door, url, expected):
    client = login_as(_user(world, who))
    response = client.get(url(world))
    assert response.status_code == expected[who], f"{who} on {door}"
    if expected[who] == LOGIN and who == "anon":
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(
    ("door", "method", "url", "payload", "expected"), API, ids=[a[0] for a in API]
)
def test_api(world, login_as, who, door, method, url, payload, expected):
    client = login_as(_user(world, who))
    kwargs = {}
    if payload is not None:
        kwargs = {"data": json.dumps(payload), "content_type": "application/json"}
    response = getattr(client, method)(url(world), **kwargs)
    assert response.status_code == expected[who], f"{who} on {door}: {response.content[:200]!r}"
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"status", "code", "message", "fields"}


def test_other_agencies_members_are_not_listed(world, login_as):
    """An administrator sees the member list of their own organisation only."""
    client = login_as(world.users["other_administrator"])
    response = client.get(reverse("accounts:organisation_detail", args=[world.agency.pk]))
    assert response.status_code == 200
    assert world.users["case_worker"].username not in response.content.decode()
    client = login_as(world.users["administrator"])
    response = client.get(reverse("accounts:organisation_detail", args=[world.agency.pk]))
    assert world.users["case_worker"].username in response.content.decode()


def test_membership_urls_of_another_agency_are_404(world, login_as):
    membership = world.users["case_worker"].memberships.get()
    client = login_as(world.users["other_administrator"])
    for name in ("member_role", "member_remove", "member_otp_reset"):
        response = client.post(
            reverse(f"accounts:{name}", args=[membership.pk]), {"role": "analyst"}
        )
        assert response.status_code == 404, name
    membership.refresh_from_db()
    assert membership.role == "case_worker"


def test_organisation_list_query_count_does_not_grow(
    world, login_as, django_assert_max_num_queries
):
    from palermo.accounts.tests.factories import OrganisationFactory

    OrganisationFactory.create_batch(20, country_id="FR")
    client = login_as(world.users["analyst"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:organisation_list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 23
