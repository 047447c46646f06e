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
    if not access.is_platform_admin(actor):
        for name in access.PLATFORM_ONLY_ORGANISATION_FIELDS & set(fields):
            if fields[name] != getattr(organisation, name):
                raise PermissionDenied(
                    _("Only administrators of the hosting organisation can change this.")
                )
    if organisation.is_host and (
        fields.get("is_host") is False or fields.get("is_active") is False
    ):
        raise ValidationError(
            _("The hosting organisation cannot be deactivated or stop hosting the platform.")
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
def member_add(
    *,
    actor: User,
    organisation: Organisation,
    username: str,
    role: str,
    password: str = "",
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> Membership:
    """Add a person to an organisation, creating their account when the username is new.

    Attaching an account that already exists is for platform administrators only, so that no
    agency can pull another agency's staff (or the platform's administrators) into its scope.
    """
    from django.contrib.auth.password_validation import validate_password

    _require_member_admin(actor, organisation)
    user = User.objects.filter(username=username).first()
    if user is not None and not access.can_add_existing_account(actor):
        raise ValidationError(
            {
                "username": _(
                    "This username is taken. To add a person who already has an account, ask an "
                    "administrator of the hosting organisation."
                )
            }
        )
    if user is None:
        if not password:
            raise ValidationError({"password": _("A new account needs an initial password.")})
        user = User(username=username, first_name=first_name, last_name=last_name, email=email)
        user.full_clean(exclude=["password"])
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
        user.save()
        audit.record(
            action="user.create",
            actor=actor,
            organisation=organisation,
            target=user,
            detail={"username": username},
        )
    return membership_add(actor=actor, organisation=organisation, user=user, role=role)


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
    access.forget_memberships(actor)
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
    access.forget_memberships(actor)
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
    access.forget_memberships(actor)
    membership.delete()


# API tokens ------------------------------------------------------------------------------------


@transaction.atomic
def token_create(
    *, actor: User, name: str, days: int = 90, two_factor_verified: bool = False
) -> tuple[ApiToken, str]:
    """Create a token for the actor. Returns the record and the key, which is never stored.

    ``two_factor_verified`` says whether the session creating it passed two-factor
    authentication; a token without it is refused once its owner needs two-factor.
    """
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
        two_factor_verified=two_factor_verified,
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
    if not access.can_reset_otp(actor, user):
        raise PermissionDenied(_("You cannot reset this person's two-factor device."))
    count, _deleted = TOTPDevice.objects.filter(user=user).delete()
    if count:
        audit.record(
            action="otp.disable", actor=actor, target=user, detail={"user": user.get_username()}
        )
    return count
