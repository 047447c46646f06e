"""Writes for organisations, memberships, tokens and two-factor devices.

Every function runs in one transaction, validates, and writes its audit event in that same
transaction. Views, the API and management commands all call these.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from palermo.accounts import access
from palermo.accounts.models import ApiToken, Membership, Organisation, Role, User
from palermo.audit import services as audit

TOKEN_PREFIX = "plm_"  # noqa: S105 - a public prefix, not a secret
TOKEN_MAX_DAYS = 365
ORGANISATION_FIELDS = ("name", "acronym", "type", "country", "is_host", "is_active")


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


# Organisations ---------------------------------------------------------------------------------


def _org_snapshot(org: Organisation) -> dict[str, Any]:
    return {
        "name": org.name,
        "acronym": org.acronym,
        "type": org.type,
        "country": org.country_id,
        "is_host": org.is_host,
        "is_active": org.is_active,
    }


@transaction.atomic
def organisation_create(*, actor: User, **fields: Any) -> Organisation:
    if not access.is_platform_admin(actor):
        raise PermissionDenied(_("Only administrators of the hosting organisation can do this."))
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown organisation fields: {sorted(unknown)}")
    organisation = Organisation(**fields)
    organisation.full_clean()
    organisation.save()
    audit.record(
        action="organisation.create",
        actor=actor,
        organisation=organisation,
        target=organisation,
        detail=_org_snapshot(organisation),
    )
    return organisation


@transaction.atomic
def organisation_update(*, actor: User, organisation: Organisation, **fields: Any) -> Organisation:
    if not access.can_change_organisation(actor, organisation):
        raise PermissionDenied(_("You cannot change this organisation."))
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown organisation fields: {sorted(unknown)}")
    platform_only = {"is_host", "is_active"}
    if not access.is_platform_admin(actor):
        for name in platform_only & set(fields):
            if fields[name] != getattr(organisation, name):
                raise PermissionDenied(
                    _("Only administrators of the hosting organisation can change this.")
                )
    before = _org_snapshot(organisation)
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    after = _org_snapshot(organisation)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        audit.record(
            action="organisation.update",
            actor=actor,
            organisation=organisation,
            target=organisation,
            detail={"changes": changes},
        )
    return organisation


# Memberships -----------------------------------------------------------------------------------


def _require_member_admin(actor: User, organisation: Organisation) -> None:
    if not access.can_manage_members(actor, organisation):
        raise PermissionDenied(_("You cannot manage the members of this organisation."))


def _administrators_left(organisation: Organisation, excluding: Membership) -> int:
    return (
        Membership.objects.filter(organisation=organisation, role=Role.ADMINISTRATOR)
        .exclude(pk=excluding.pk)
        .count()
    )


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Create a person's account. Only callable while adding them to an organisation."""
    from django.contrib.auth.password_validation import validate_password

    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    user.full_clean(exclude=["password"])
    validate_password(password, user)
    user.set_password(password)
    user.save()
    audit.record(action="user.create", actor=actor, target=user, detail={"username": username})
    return user


@transaction.atomic
def membership_add(*, actor: User, organisation: Organisation, user: User, role: str) -> Membership:
    _require_member_admin(actor, organisation)
    if Membership.objects.filter(organisation=organisation, user=user).exists():
        raise ValidationError(
            {"username": _("%(user)s is already a member of this organisation.") % {"user": user}}
        )
    membership = Membership(organisation=organisation, user=user, role=role)
    membership.full_clean()
    membership.save()
    access.forget_memberships(user)
    audit.record(
        action="membership.create",
        actor=actor,
        organisation=organisation,
        target=membership,
        detail={"user": user.get_username(), "role": role},
    )
    return membership


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    _require_member_admin(actor, membership.organisation)
    old_role = membership.role
    if old_role == role:
        return membership
    if old_role == Role.ADMINISTRATOR and not _administrators_left(
        membership.organisation, membership
    ):
        raise ValidationError({"role": _("An organisation must keep at least one administrator.")})
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    access.forget_memberships(membership.user)
    audit.record(
        action="membership.change_role",
        actor=actor,
        organisation=membership.organisation,
        target=membership,
        detail={"user": membership.user.get_username(), "from": old_role, "to": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    _require_member_admin(actor, membership.organisation)
    if membership.role == Role.ADMINISTRATOR and not _administrators_left(
        membership.organisation, membership
    ):
        raise ValidationError(_("An organisation must keep at least one administrator."))
    audit.record(
        action="membership.delete",
        actor=actor,
        organisation=membership.organisation,
        target=membership,
        detail={"user": membership.user.get_username(), "role": membership.role},
    )
    access.forget_memberships(membership.user)
    membership.delete()


# API tokens ------------------------------------------------------------------------------------


@transaction.atomic
def token_create(*, actor: User, name: str, days: int = 90) -> tuple[ApiToken, str]:
    """Create a token for the actor. Returns the record and the key, which is never stored."""
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise ValidationError(
            {"days": _("Choose between 1 and %(max)d days.") % {"max": TOKEN_MAX_DAYS}}
        )
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=actor,
        name=name.strip(),
        prefix=key[: len(TOKEN_PREFIX) + 6],
        key_hash=hash_token(key),
        expires_at=timezone.now() + timedelta(days=days),
    )
    token.full_clean()
    token.save()
    audit.record(
        action="token.create",
        actor=actor,
        target=token,
        detail={"name": token.name, "expires_at": token.expires_at},
    )
    return token, key


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied(_("You can only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            action="token.revoke",
            actor=actor,
            target=token,
            detail={"name": token.name, "owner": token.user.get_username()},
        )
    return token


def token_touch(token: ApiToken) -> None:
    """Record use, at most once a minute per token, to keep API reads cheap."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


# Two-factor devices ----------------------------------------------------------------------------


@transaction.atomic
def otp_device_start(*, user: User) -> TOTPDevice:
    """Create (or restart) the user's unconfirmed TOTP device, to be confirmed with a code."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device: TOTPDevice = TOTPDevice.objects.create(
        user=user, name=_("Authenticator app"), confirmed=False
    )
    return device


@transaction.atomic
def otp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> bool:
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    if not device.verify_token(token.strip().replace(" ", "")):
        audit.record(action="otp.confirm_failed", actor=user, target=device)
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record(action="otp.enable", actor=user, target=device)
    return True


@transaction.atomic
def otp_device_remove(*, actor: User, user: User) -> int:
    """Remove a user's devices: the user themself, or an administrator resetting a lost phone."""
    if actor.pk != user.pk:
        shared = {m.organisation_id for m in access.memberships_of(user)}
        if not access.is_platform_admin(actor) and not any(
            access.can_manage_members(actor, m.organisation)
            for m in access.memberships_of(actor)
            if m.organisation_id in shared
        ):
            raise PermissionDenied(_("You cannot reset this person's two-factor device."))
    count, _deleted = TOTPDevice.objects.filter(user=user).delete()
    if count:
        audit.record(
            action="otp.disable", actor=actor, target=user, detail={"user": user.get_username()}
        )
    return count
