from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from palermo.accounts import services
from palermo.accounts.models import ApiToken
from palermo.audit.models import AuditEvent


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_token_created_on_account_page_is_shown_once_and_works(world, login_as):
    user = world.users["analyst"]
    client = login_as(user)
    response = client.post(reverse("accounts:account"), {"name": "report script", "days": 30})
    key = response.context["new_key"]
    assert key.startswith("plm_")
    assert key in response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.key_hash != key
    assert key not in token.key_hash
    assert key not in client.get(reverse("accounts:account")).content.decode()
    client.logout()
    response = client.get("/api/v1/me/", **bearer(key))
    assert response.status_code == 200
    assert response.json()["username"] == user.username
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert AuditEvent.objects.filter(action="token.create", actor=user).exists()


def test_revoked_token_is_refused(world, login_as):
    user = world.users["analyst"]
    token, key = services.token_create(actor=user, name="t")
    client = login_as(user)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    client.logout()
    response = client.get("/api/v1/me/", **bearer(key))
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "This token has been revoked."
    assert AuditEvent.objects.filter(action="token.revoke", object_id=str(token.pk)).exists()


def test_someone_elses_token_cannot_be_revoked(world, login_as):
    token, _key = services.token_create(actor=world.users["analyst"], name="t")
    client = login_as(world.users["supervisor"])
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_expired_token_gets_a_clear_401(world, client):
    token, key = services.token_create(actor=world.users["analyst"], name="t", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/me/", **bearer(key))
    assert response.status_code == 401
    body = response.json()["error"]
    assert body["code"] == "authentication_failed"
    assert "expired" in body["message"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("header", "fragment"),
    [("Bearer plm_unknown", "Invalid token"), ("Bearer a b", "Malformed"), ("Bearer", "Malformed")],
)
def test_bad_token_headers(db, client, header, fragment):
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert fragment in response.json()["error"]["message"]


def test_token_lifetime_is_bounded(world):
    with pytest.raises(ValidationError):
        services.token_create(actor=world.users["analyst"], name="t", days=1000)
