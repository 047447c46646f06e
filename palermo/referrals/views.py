"""The service directory's pages. Views read and check the request, then call selectors and
services. A service the reader may not see is a 404, as a missing one is."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palermo.accounts import access
from palermo.accounts.models import User
from palermo.core.pagination import CappedPaginator
from palermo.geo.models import Country
from palermo.referrals import selectors, services, vocabulary
from palermo.referrals.forms import ServiceForm, initial_for
from palermo.referrals.models import NationalityStatus, Service, Sex

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    return user


def _service(request: HttpRequest, service_id: Any) -> Service:
    return get_object_or_404(
        selectors.with_areas(selectors.visible_services(request.user)), pk=service_id
    )


def directory(request: HttpRequest) -> HttpResponse:
    """Find a service by need, place and the person's profile."""
    need = selectors.Need.from_query(request.GET.dict())
    found = selectors.with_areas(
        selectors.find_services(selectors.visible_services(request.user), need)
    )
    page = CappedPaginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "referrals/directory.html",
        {
            "need": need,
            "page": page,
            "query": urlencode(params),
            "types": vocabulary.service_types(),
            "countries": Country.objects.order_by("name_en"),
            "sexes": [(Sex.FEMALE, Sex.FEMALE.label), (Sex.MALE, Sex.MALE.label)],
            "nationalities": [
                (code, label)
                for code, label in NationalityStatus.choices
                if code != NationalityStatus.ANY
            ],
            "keepers": access.service_keepers(request.user),
        },
    )


def service_detail(request: HttpRequest, service_id: Any) -> HttpResponse:
    service = _service(request, service_id)
    return render(
        request,
        "referrals/service.html",
        {
            "service": service,
            "type_name": vocabulary.service_types().get(service.service_type, service.service_type),
            "editable": request.user.is_authenticated
            and access.can_manage_service(request.user, service.organisation),
        },
    )


def _form_page(request: HttpRequest, service: Service | None) -> HttpResponse:
    keepers = [service.organisation] if service else access.service_keepers(request.user)
    if not keepers:
        raise PermissionDenied(_("Your role does not keep your organisation's services."))
    form = ServiceForm(
        request.POST or None,
        keepers=keepers,
        service=service,
        initial=initial_for(service) if service else {"is_public": True, "is_active": True},
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_service(
                actor=_user(request),
                organisation=service.organisation if service else form.cleaned_data["organisation"],
                data=form.to_data(),
                service=service,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, problems in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, _("The service is saved."))
            return redirect("referrals:service", saved.pk)
    return render(request, "referrals/service_form.html", {"form": form, "service": service})


@login_required
def service_new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@login_required
def service_edit(request: HttpRequest, service_id: Any) -> HttpResponse:
    service = _service(request, service_id)
    if not access.can_manage_service(request.user, service.organisation):
        raise PermissionDenied(_("Only the organisation that offers it edits a service."))
    return _form_page(request, service)


@login_required
@require_POST
def service_delete(request: HttpRequest, service_id: Any) -> HttpResponse:
    service = _service(request, service_id)
    services.delete_service(actor=_user(request), service=service)
    messages.success(request, _("The service is removed from the directory."))
    return redirect("referrals:directory")
