"""Two-factor authentication: required for roles that read identifiers, available to all."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from palermo.accounts.access import OTP_REQUIRED_ROLES
from palermo.accounts.models import Role
from palermo.audit.models import AuditEvent

PAGE = "accounts:organisation_list"


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_roles_that_read_identifiers_or_manage_accounts_require_otp():
    assert {
        Role.CASE_WORKER,
        Role.SUPERVISOR,
        Role.DATA_MANAGER,
        Role.ADMINISTRATOR,
    } == OTP_REQUIRED_ROLES


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_enforcement_by_role_without_device(world, login_as, role):
    client = login_as(world.users[role], verified=False)
    response = client.get(reverse(PAGE))
    if role in OTP_REQUIRED_ROLES:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:otp_setup"))
    else:
        assert response.status_code == 200


def test_user_with_device_must_verify_and_cannot_replace_it_unverified(world, login_as):
    user = world.users["analyst"]  # not required, but chose to set up a device
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = login_as(user, verified=False)
    response = client.get(reverse(PAGE))
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    # Setting up a new device with the password alone would bypass the second factor.
    response = client.get(reverse("accounts:otp_setup"))
    assert response["Location"] == reverse("accounts:otp_verify")


def test_verify_with_wrong_then_right_code(world, login_as):
    user = world.users["case_worker"]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = login_as(user, verified=False)
    url = reverse("accounts:otp_verify") + "?next=" + reverse(PAGE)
    response = client.post(url, {"token": "000000" if code_for(device) != "000000" else "111111"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert client.get(reverse(PAGE)).status_code == 302
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post(url, {"token": code_for(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse(PAGE)
    assert client.get(reverse(PAGE)).status_code == 200
    actions = list(AuditEvent.objects.filter(actor=user).values_list("action", flat=True))
    assert "auth.otp_failed" in actions
    assert "auth.otp_verified" in actions


def test_setup_flow_confirms_device_and_verifies_session(world, login_as):
    user = world.users["supervisor"]
    client = login_as(user, verified=False)
    response = client.get(reverse("accounts:otp_setup"))
    assert response.status_code == 200
    assert "<svg" in response.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:otp_setup"), {"token": "abcdef"})
    assert "digits" in response.content.decode()
    response = client.post(reverse("accounts:otp_setup"), {"token": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse(PAGE)).status_code == 200
    assert AuditEvent.objects.filter(actor=user, action="otp.enable").exists()


def test_api_session_needs_verification_and_tokens_carry_it(world, login_as):
    user = world.users["case_worker"]
    client = login_as(user, verified=False)
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert "Two-factor" in response.json()["error"]["message"]
    # A token made from the unverified session is refused; one made after verifying works.
    client.post(reverse("accounts:account"), {"name": "unverified", "days": 5})
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    verified_client = login_as(user, verified=True)
    key = verified_client.post(reverse("accounts:account"), {"name": "ok", "days": 5}).context[
        "new_key"
    ]
    verified_client.logout()
    response = verified_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["two_factor_required"] is True


def test_token_made_without_2fa_stops_working_when_the_role_needs_it(world, login_as):
    from palermo.accounts import services

    analyst = world.users["analyst"]
    _token, key = services.token_create(actor=analyst, name="script")
    client = login_as(None)
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    services.membership_change_role(
        actor=world.users["administrator"],
        membership=analyst.memberships.get(),
        role=Role.DATA_MANAGER,
    )
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 403
    assert "created without two-factor" in response.json()["error"]["message"]


def test_superuser_without_staff_flag_still_needs_two_factor(world, login_as):
    from palermo.accounts.tests.factories import UserFactory

    root = UserFactory(is_superuser=True, is_staff=False)
    client = login_as(root, verified=False)
    response = client.get(reverse(PAGE))
    assert response["Location"].startswith(reverse("accounts:otp_setup"))
    platform_admin = world.users["platform_admin"]
    client = login_as(platform_admin, verified=False)
    assert client.get(reverse(PAGE)).status_code == 302


@override_settings(PALERMO_REQUIRE_OTP=False, PALERMO_DEMO=True)
def test_demo_relaxes_enforcement_and_says_so(world, login_as):
    client = login_as(world.users["case_worker"], verified=False)
    assert client.get(reverse(PAGE)).status_code == 200
    client.logout()
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Two-factor authentication is not required in this demo" in page


def test_administrator_resets_a_members_lost_device(world, login_as):
    member = world.users["case_worker"]
    TOTPDevice.objects.create(user=member, name="lost phone", confirmed=True)
    membership = member.memberships.get()
    client = login_as(world.users["administrator"])
    response = client.post(reverse("accounts:member_otp_reset", args=[membership.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert AuditEvent.objects.filter(action="otp.disable", object_id=str(member.pk)).exists()
