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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palermo.accounts import access
from palermo.accounts.models import User
from palermo.audit.services import record
from palermo.cases import sharing
from palermo.cases.access import case_access, visible_cases
from palermo.core.pagination import CappedPaginator
from palermo.geo.models import Country
from palermo.referrals import access as referral_access
from palermo.referrals import selectors, services, statistics, vocabulary
from palermo.referrals.forms import AnswerForm, CompleteForm, ReferralForm, ServiceForm, initial_for
from palermo.referrals.models import (
    OPEN_STATUSES,
    Message,
    NationalityStatus,
    Referral,
    ReferralStatus,
    Service,
    Sex,
)

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


# -- Referrals ----------------------------------------------------------------------------


def _referral(request: HttpRequest, referral_id: Any) -> Referral:
    return get_object_or_404(selectors.referrals_for(request.user), pk=referral_id)


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    orgs = [o.pk for o in access.organisations_where(user, access.Action.VIEW_CASES)]
    box = request.GET.get("box", "received")
    if box not in ("received", "sent"):
        box = "received"
    found = selectors.referrals_for(user)
    found = (
        found.filter(to_organisation_id__in=orgs)
        if box == "received"
        else found.filter(from_organisation_id__in=orgs)
    )
    page = CappedPaginator(found.order_by("-created_at"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "referrals/list.html",
        {
            "box": box,
            "page": page,
            "query": urlencode({"box": box}),
            "types": vocabulary.service_types(),
            "now": timezone.now(),
        },
    )


@login_required
def referral_new(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = get_object_or_404(visible_cases(request.user).select_related("organisation"), pk=case_id)
    if not case_access(request.user, case).change:
        raise PermissionDenied(_("You cannot refer this case."))
    form = ReferralForm(
        request.POST or None,
        case=case,
        services_seen=selectors.visible_services(request.user).filter(is_active=True),
        initial={"service": request.GET.get("service") or None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            peer = form.cleaned_data.get("peer")
            referral = (
                services.refer_abroad(
                    actor=_user(request),
                    case=case,
                    peer=peer,
                    remote_organisation=form.cleaned_data["remote_organisation"],
                    data=form.to_data(),
                )
                if peer is not None
                else services.refer(actor=_user(request), case=case, data=form.to_data())
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, problems in error.message_dict.items():
                    target = "shared_fields" if name == "fields" else name
                    form.add_error(target if target in form.fields else None, problems)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, _("The referral is sent."))
            return redirect("referrals:referral", referral.pk)
    return render(request, "referrals/referral_form.html", {"form": form, "case": case})


@login_required
def referral_detail(request: HttpRequest, referral_id: Any) -> HttpResponse:
    referral = _referral(request, referral_id)
    user = _user(request)
    target = referral.to_organisation
    receiving = target is not None and access.can(user, access.Action.VIEW_CASES, target)
    answering = target is not None and access.can(user, access.Action.CHANGE_CASES, target)
    if answering and referral.status == ReferralStatus.SENT:
        services.mark_received(actor=user, referral=referral)
    shared = selectors.shared_for(user, referral) if receiving else None
    if shared:
        # Every read of what was shared (asylum grounds and forms of exploitation as much as
        # identifiers): which fields, never their values.
        record(
            action="referrals.shared_viewed",
            actor=user,
            organisation=referral.to_organisation,
            target=referral,
            detail={"fields": sorted(shared)},
        )
    return render(
        request,
        "referrals/referral.html",
        {
            "referral": referral,
            "receiving": receiving,
            "shared": [
                (sharing.SHAREABLE[name].label, sharing.display(value))
                for name, value in (shared or {}).items()
            ],
            "field_labels": [sharing.SHAREABLE[n].label for n in referral.fields],
            "need_name": vocabulary.service_types().get(referral.need, referral.need),
            "events": referral.events.all(),
            # Messages the other installation refused (never sent again): why.
            "refusals": referral.messages.filter(
                direction=Message.Direction.OUT, outcome__startswith="refused"
            ).order_by("created_at"),
            "answer_form": AnswerForm() if answering and referral.status in OPEN_STATUSES else None,
            "complete_form": CompleteForm()
            if answering and referral.status == ReferralStatus.ACCEPTED
            else None,
            "cancellable": not receiving
            and referral.status in OPEN_STATUSES
            and referral_access.can_cancel(user, referral),
            "overdue": referral.status in OPEN_STATUSES and referral.respond_by < timezone.now(),
        },
    )


@login_required
@require_POST
def referral_answer(request: HttpRequest, referral_id: Any) -> HttpResponse:
    referral = _referral(request, referral_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to accept or to decline."))
        return redirect("referrals:referral", referral.pk)
    user = _user(request)
    try:
        if form.cleaned_data["decision"] == "accept":
            services.accept(actor=user, referral=referral)
            messages.success(
                request, _("The referral is accepted: a case is opened for the person.")
            )
        else:
            services.decline(actor=user, referral=referral, reason=form.cleaned_data["reason"])
            messages.success(request, _("The referral is declined."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("referrals:referral", referral.pk)


@login_required
@require_POST
def referral_complete(request: HttpRequest, referral_id: Any) -> HttpResponse:
    referral = _referral(request, referral_id)
    form = CompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what the outcome was."))
        return redirect("referrals:referral", referral.pk)
    try:
        services.complete(
            actor=_user(request), referral=referral, outcome=form.cleaned_data["outcome"]
        )
        messages.success(request, _("The referral is completed."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("referrals:referral", referral.pk)


@login_required
@require_POST
def referral_cancel(request: HttpRequest, referral_id: Any) -> HttpResponse:
    referral = _referral(request, referral_id)
    try:
        services.cancel(actor=_user(request), referral=referral)
        messages.success(request, _("The referral is cancelled."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("referrals:referral", referral.pk)


def mechanism(request: HttpRequest) -> HttpResponse:
    """The referral mechanism in figures: the platform's through disclosure control for
    everyone; the reader's organisations' own exact figures for their supervisors, data
    managers and analysts."""
    needs = vocabulary.service_types()

    def named(figures: statistics.Figures) -> list[tuple[str, list[tuple[str, int | None]]]]:
        return [
            (
                str(statistics.DIMENSION_NAMES[name]),
                [(statistics.labels(name, v, needs), n) for v, n in figures.tables.get(name, [])],
            )
            for name in statistics.DIMENSIONS
        ]

    published = statistics.published_figures()
    own = [
        (org, named(figures), figures)
        for org in access.organisations_where(request.user, access.Action.VIEW_STATISTICS)
        + [
            o
            for o in access.organisations_where(request.user, access.Action.SUPERVISE_CASES)
            if not access.can(request.user, access.Action.VIEW_STATISTICS, o)
        ]
        for figures in [statistics.own_figures(org)]
    ]
    return render(
        request,
        "referrals/mechanism.html",
        {"published": published, "published_tables": named(published), "own": own},
    )
