"""Pages for signing in, two-factor authentication, the account, organisations and members."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from palermo.accounts import access, selectors, services
from palermo.accounts.forms import (
    LoginForm,
    MemberAddForm,
    MemberRoleForm,
    OrganisationFilterForm,
    OrganisationForm,
    OTPTokenForm,
    TokenCreateForm,
)
from palermo.accounts.models import Role, User
from palermo.audit import services as audit


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - guaranteed by @login_required
    return user


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


# Sign in and out -------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes calls this when too many logins failed."""
    return render(request, "accounts/locked_out.html", status=429)


# Two-factor authentication ---------------------------------------------------------------------


def _qr_svg(device: TOTPDevice) -> str:
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return str(svg)


@never_cache
@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if access.has_otp_device(user) and not user.is_verified():  # type: ignore[attr-defined]
        # Replacing a device needs the current one first, or a password alone would bypass it.
        return redirect("accounts:otp_verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = services.otp_device_start(user=user)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.otp_device_confirm(user=user, device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return HttpResponseRedirect(_next_url(request, reverse("core:home")))
        form.add_error(
            "token", _("That code is not correct. Check the time on your phone and try again.")
        )
    secret = base64.b32encode(device.bin_key).decode("ascii")
    context = {
        "form": form,
        "qr": _qr_svg(device),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "required": access.requires_otp(user),
    }
    return render(request, "accounts/otp_setup.html", context)


@never_cache
@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.is_verified():  # type: ignore[attr-defined]
        return HttpResponseRedirect(_next_url(request, reverse("core:home")))
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    if not devices:
        return redirect("accounts:otp_setup")
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        throttled = True
        for device in devices:
            allowed, _wait = device.verify_is_allowed()
            throttled = throttled and not allowed
            if allowed and device.verify_token(token):
                otp_login(request, device)
                audit.record(action="auth.otp_verified", actor=user)
                return HttpResponseRedirect(_next_url(request, reverse("core:home")))
        audit.record(action="auth.otp_failed", actor=user, detail={"throttled": throttled})
        if throttled:
            form.add_error("token", _("Too many wrong codes. Wait a little before trying again."))
        else:
            form.add_error("token", _("That code is not correct. Try the next code shown."))
    return render(request, "accounts/otp_verify.html", {"form": form})


@login_required
@require_POST
def otp_disable(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    services.otp_device_remove(actor=user, user=user)
    messages.success(request, _("Your authenticator app was removed."))
    return redirect("accounts:account")


# Account and API tokens ------------------------------------------------------------------------


@never_cache
@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = TokenCreateForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.token_create(
                actor=user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                two_factor_verified=user.is_verified(),  # type: ignore[attr-defined]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = TokenCreateForm()
    context = {
        "memberships": access.memberships_of(user),
        "has_device": access.has_otp_device(user),
        "otp_required": access.requires_otp(user),
        "tokens": selectors.tokens_of(user),
        "form": form,
        "new_key": new_key,
    }
    return render(request, "accounts/account.html", context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: str) -> HttpResponse:
    user = _user(request)
    token = selectors.tokens_of(user).filter(pk=token_id).first()
    if token is None:
        return render(request, "404.html", {"status": 404}, status=404)
    services.token_revoke(actor=user, token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:account")


# Organisations ---------------------------------------------------------------------------------


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    filters = OrganisationFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    page = Paginator(selectors.organisations_for(user, cleaned), 25).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "can_create": access.is_platform_admin(user),
    }
    return render(request, "accounts/organisation_list.html", context)


@login_required
def organisation_detail(request: HttpRequest, organisation_id: str) -> HttpResponse:
    user = _user(request)
    organisation = selectors.organisation_for(user, organisation_id)
    can_manage = access.can_manage_members(user, organisation)
    context = {
        "organisation": organisation,
        "can_manage": can_manage,
        "can_change": access.can_change_organisation(user, organisation),
        "members": selectors.members_of(organisation) if can_manage else None,
        "roles": Role.choices,
    }
    return render(request, "accounts/organisation_detail.html", context)


def _save_organisation(
    request: HttpRequest, form: OrganisationForm, organisation: Any = None
) -> HttpResponse | None:
    user = _user(request)
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        if organisation is None:
            organisation = services.organisation_create(actor=user, **form.cleaned_data)
        else:
            organisation = services.organisation_update(
                actor=user, organisation=organisation, **form.cleaned_data
            )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    messages.success(request, _("Saved."))
    return redirect("accounts:organisation_detail", organisation.pk)


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not access.is_platform_admin(user):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, platform_admin=True)
    response = _save_organisation(request, form)
    return response or render(
        request, "accounts/organisation_form.html", {"form": form, "organisation": None}
    )


@login_required
def organisation_edit(request: HttpRequest, organisation_id: str) -> HttpResponse:
    user = _user(request)
    organisation = selectors.organisation_for(user, organisation_id)
    if not access.can_change_organisation(user, organisation):
        raise PermissionDenied
    form = OrganisationForm(
        request.POST or None, instance=organisation, platform_admin=access.is_platform_admin(user)
    )
    # ModelForm validation writes into the instance: give the service a fresh copy to compare.
    fresh = selectors.organisation_for(user, organisation_id)
    response = _save_organisation(request, form, fresh)
    return response or render(
        request, "accounts/organisation_form.html", {"form": form, "organisation": fresh}
    )


# Members ---------------------------------------------------------------------------------------


@login_required
def member_add(request: HttpRequest, organisation_id: str) -> HttpResponse:
    user = _user(request)
    organisation = selectors.organisation_for(user, organisation_id)
    if not access.can_manage_members(user, organisation):
        raise PermissionDenied
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.member_add(
                actor=user, organisation=organisation, **form.cleaned_data
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("%(user)s was added to %(org)s.")
                % {"user": membership.user, "org": organisation.acronym},
            )
            return redirect("accounts:organisation_detail", organisation.pk)
    return render(request, "accounts/member_add.html", {"form": form, "organisation": organisation})


@login_required
@require_POST
def member_role(request: HttpRequest, membership_id: str) -> HttpResponse:
    user = _user(request)
    membership = selectors.managed_membership(user, membership_id)
    form = MemberRoleForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.membership_change_role(
                actor=user, membership=membership, role=form.cleaned_data["role"]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
            membership.refresh_from_db()
    else:
        error = _("Choose a valid role.")
    if request.htmx:  # type: ignore[attr-defined]
        context = {"member": membership, "roles": Role.choices, "error": error, "saved": not error}
        return render(request, "accounts/partials/member_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Role changed."))
    return redirect("accounts:organisation_detail", membership.organisation_id)


@login_required
@require_POST
def member_remove(request: HttpRequest, membership_id: str) -> HttpResponse:
    user = _user(request)
    membership = selectors.managed_membership(user, membership_id)
    organisation_id = membership.organisation_id
    try:
        services.membership_remove(actor=user, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Member removed."))
    if organisation_id and not access.can_manage_members(user, membership.organisation):
        return redirect("core:home")
    return redirect("accounts:organisation_detail", organisation_id)


@login_required
@require_POST
def member_otp_reset(request: HttpRequest, membership_id: str) -> HttpResponse:
    user = _user(request)
    membership = selectors.managed_membership(user, membership_id)
    services.otp_device_remove(actor=user, user=membership.user)
    messages.success(
        request,
        _("Two-factor device of %(user)s removed: they will set up a new one at next login.")
        % {"user": membership.user},
    )
    return redirect("accounts:organisation_detail", membership.organisation_id)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"

    def get_success_url(self) -> str:
        return reverse("accounts:account")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit.record(action="auth.password_change", actor=_user(self.request))
        messages.success(self.request, _("Your password was changed."))
        return response
