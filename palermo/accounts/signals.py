"""Audit logins, failed logins and logouts, whichever door they come through."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from palermo.accounts.models import User
from palermo.audit import services as audit


@receiver(user_logged_in, dispatch_uid="palermo_audit_login")
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(action="auth.login", actor=user)


@receiver(user_logged_out, dispatch_uid="palermo_audit_logout")
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(action="auth.logout", actor=user)


@receiver(user_login_failed, dispatch_uid="palermo_audit_login_failed")
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any) -> None:
    # Django has already removed the password. People sometimes type a password into the
    # username field, and the chain keeps everything forever: an unknown username is stored
    # only as a keyed hash, enough to see repeated attempts without keeping what was typed.
    typed = str(credentials.get("username", ""))[:150]
    user = User.objects.filter(username=typed).first()
    if user is not None:
        audit.record(action="auth.login_failed", actor=user)
    else:
        digest = hmac.new(settings.SECRET_KEY.encode(), typed.encode(), hashlib.sha256)
        audit.record(
            action="auth.login_failed", detail={"unknown_username": digest.hexdigest()[:16]}
        )
