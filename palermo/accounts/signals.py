"""Audit logins, failed logins and logouts, whichever door they come through."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

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
    # credentials are already cleansed of the password by Django.
    audit.record(action="auth.login_failed", username=str(credentials.get("username", ""))[:150])
