from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from palermo.accounts.tests.factories import PASSWORD
from palermo.audit.models import AuditEvent


def test_passwords_are_hashed_with_argon2(world):
    assert world.users["analyst"].password.startswith("argon2")
    from palermo.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_login_success_is_audited(world, client):
    user = world.users["analyst"]
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert AuditEvent.objects.filter(action="auth.login", actor=user).exists()


def test_wrong_password_gets_a_clear_error_and_is_audited(world, client):
    user = world.users["analyst"]
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": "nope"}
    )
    assert response.status_code == 200
    assert "username or password is not correct" in response.content.decode()
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor_username == user.username
    assert "nope" not in str(event.detail)


def test_unknown_username_is_audited_without_the_text_typed(db, client):
    client.post(reverse("accounts:login"), {"username": "my secret pass", "password": "x"})
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor is None
    assert "secret" not in str(event.detail) + event.actor_username
    assert len(event.detail["unknown_username"]) == 16


def test_repeated_failures_lock_the_account(world, client):
    user = world.users["analyst"]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong"})
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "locked for 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_and_is_audited(world, login_as):
    user = world.users["analyst"]
    client = login_as(user)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor=user).exists()
    assert client.get(reverse("accounts:account")).status_code == 302


def test_session_times_out_after_idle_period_and_activity_extends_it(world, login_as):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = login_as(world.users["analyst"])
    key = client.session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(seconds=60))
    assert client.get(reverse("accounts:account")).status_code == 200
    extended = Session.objects.get(pk=key).expire_date
    assert extended > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
