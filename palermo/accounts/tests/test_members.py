"""Administrators manage organisations and memberships in the UI."""

from __future__ import annotations

import pytest
from django.urls import reverse

from palermo.accounts.models import Membership, Organisation, Role, User
from palermo.audit.models import AuditEvent


def test_admin_adds_a_new_person_with_a_role(world, login_as):
    admin = world.users["administrator"]
    client = login_as(admin)
    url = reverse("accounts:member_add", args=[world.agency.pk])
    response = client.post(
        url,
        {
            "username": "new.worker",
            "role": Role.CASE_WORKER,
            "first_name": "Ana",
            "password": "a sufficiently long passphrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="new.worker")
    assert user.check_password("a sufficiently long passphrase")
    assert Membership.objects.get(user=user).role == Role.CASE_WORKER
    event = AuditEvent.objects.get(action="membership.create", actor=admin)
    assert event.organisation == world.agency
    assert event.detail == {"user": "new.worker", "role": "case_worker"}


def test_adding_with_a_weak_password_loses_nothing_and_explains(world, login_as):
    client = login_as(world.users["administrator"])
    url = reverse("accounts:member_add", args=[world.agency.pk])
    response = client.post(url, {"username": "weak", "role": Role.ANALYST, "password": "123"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "too short" in page
    assert 'value="weak"' in page  # what was typed is kept
    assert not User.objects.filter(username="weak").exists()


def test_adding_an_existing_member_twice_is_refused(world, login_as):
    client = login_as(world.users["platform_admin"])
    existing = world.users["analyst"]
    url = reverse("accounts:member_add", args=[world.agency.pk])
    response = client.post(url, {"username": existing.username, "role": Role.SUPERVISOR})
    assert response.status_code == 200
    assert "already a member" in response.content.decode()
    assert existing.memberships.get().role == Role.ANALYST


def test_platform_admin_attaches_an_existing_account_of_another_agency(world, login_as):
    client = login_as(world.users["platform_admin"])
    person = world.users["other_case_worker"]
    url = reverse("accounts:member_add", args=[world.agency.pk])
    response = client.post(url, {"username": person.username, "role": Role.ANALYST})
    assert response.status_code == 302
    assert person.memberships.count() == 2


@pytest.mark.parametrize("target", ["other_case_worker", "platform_admin"])
def test_agency_admin_cannot_pull_in_someone_elses_account(world, login_as, target):
    """Otherwise agency A could attach B's staff (or the platform admin) and reset their 2FA."""
    person = world.users[target]
    client = login_as(world.users["administrator"])
    url = reverse("accounts:member_add", args=[world.agency.pk])
    response = client.post(url, {"username": person.username, "role": Role.ANALYST})
    assert response.status_code == 200
    assert "username is taken" in response.content.decode()
    assert not person.memberships.filter(organisation=world.agency).exists()


def test_agency_admin_cannot_reset_two_factor_of_someone_in_another_agency(world, login_as):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from palermo.accounts.models import Membership

    person = world.users["other_case_worker"]
    TOTPDevice.objects.create(user=person, name="phone", confirmed=True)
    # Even if the person also belongs to agency A, agency A's admin does not administer B.
    shared = Membership.objects.create(user=person, organisation=world.agency, role=Role.ANALYST)
    client = login_as(world.users["administrator"])
    response = client.post(reverse("accounts:member_otp_reset", args=[shared.pk]))
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=person).exists()


def test_role_change_with_htmx_returns_the_row(world, login_as):
    admin = world.users["administrator"]
    membership = world.users["analyst"].memberships.get()
    client = login_as(admin)
    response = client.post(
        reverse("accounts:member_role", args=[membership.pk]),
        {"role": Role.SUPERVISOR},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="member-{membership.pk}"')
    assert "<html" not in html
    membership.refresh_from_db()
    assert membership.role == Role.SUPERVISOR
    event = AuditEvent.objects.get(action="membership.change_role")
    assert event.detail["from"] == "analyst"
    assert event.detail["to"] == "supervisor"


def test_last_administrator_cannot_be_removed_or_demoted(world, login_as):
    admin = world.users["administrator"]
    own = admin.memberships.get()
    client = login_as(admin)
    response = client.post(
        reverse("accounts:member_role", args=[own.pk]),
        {"role": Role.ANALYST},
        HTTP_HX_REQUEST="true",
    )
    assert "at least one administrator" in response.content.decode()
    response = client.post(reverse("accounts:member_remove", args=[own.pk]), follow=True)
    assert "at least one administrator" in response.content.decode()
    own.refresh_from_db()
    assert own.role == Role.ADMINISTRATOR


def test_remove_member(world, login_as):
    membership = world.users["analyst"].memberships.get()
    client = login_as(world.users["administrator"])
    response = client.post(reverse("accounts:member_remove", args=[membership.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="membership.delete").exists()


def test_platform_admin_creates_and_org_admin_edits_organisation(world, login_as):
    client = login_as(world.users["platform_admin"])
    response = client.post(
        reverse("accounts:organisation_create"),
        {
            "name": "Nuevo Refugio",
            "acronym": "NR",
            "type": "NGO",
            "country": "CO",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    org = Organisation.objects.get(acronym="NR")
    assert org.country_id == "CO"
    client = login_as(world.users["administrator"])
    old_name = world.agency.name
    response = client.post(
        reverse("accounts:organisation_edit", args=[world.agency.pk]),
        {"name": "UN Office on Drugs and Crime", "acronym": "UNODC", "country": "GH"},
    )
    assert response.status_code == 302
    world.agency.refresh_from_db()
    assert world.agency.country_id == "GH"
    # Its identity in the directory is the platform's to change, not its own.
    assert (world.agency.name, world.agency.acronym) == (old_name, "AGA")
    event = AuditEvent.objects.get(action="organisation.update")
    assert event.detail["changes"] == {"country": ["NG", "GH"]}


def test_host_organisation_cannot_be_deactivated(world, login_as):
    import json

    client = login_as(world.users["platform_admin"])
    response = client.patch(
        f"/api/v1/organisations/{world.host.pk}/",
        data=json.dumps({"is_active": False}),
        content_type="application/json",
    )
    assert response.status_code == 400
    world.host.refresh_from_db()
    assert world.host.is_active


def test_organisation_form_errors_are_shown_next_to_fields(world, login_as):
    client = login_as(world.users["platform_admin"])
    response = client.post(reverse("accounts:organisation_create"), {"name": "", "acronym": ""})
    assert response.status_code == 200
    assert response.content.decode().count('class="field has-error"') >= 3


def test_organisation_directory_filters(world, login_as):
    client = login_as(world.users["analyst"])
    page = client.get(reverse("accounts:organisation_list"), {"country": "TH"})
    names = [org.acronym for org in page.context["page"].object_list]
    assert names == ["AGB"]
    empty = client.get(reverse("accounts:organisation_list"), {"q": "no such name"})
    assert "No organisation matches" in empty.content.decode()
