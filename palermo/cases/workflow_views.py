"""Pages for the work around a case: the task list, assignment (one case or many), approvals,
flags, child safeguards, and the person's rights (a copy of the record, erasure). Thin: the rules
are in ``workflow``, ``safeguards`` and ``subject_rights``; access in ``cases.access``."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from palermo.accounts import access as accounts_access
from palermo.accounts.models import User
from palermo.cases import safeguards as safeguarding
from palermo.cases import subject_rights, workflow
from palermo.cases.forms import (
    ApprovalRequestForm,
    DecisionForm,
    EraseForm,
    FlagForm,
    SafeguardsForm,
)
from palermo.cases.models import Approval
from palermo.cases.views import (
    _case,
    _detail_url,
    _field_errors,
    _post_action,
    _user,
    attempt,
    posted_int,
)


def _posted_worker(request: HttpRequest) -> User | None:
    value = posted_int(request, "worker")
    return User.objects.filter(pk=value).first() if value else None


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    found = workflow.tasks_for(user)
    return render(
        request,
        "cases/tasks.html",
        {"tasks": found, "overdue": sum(1 for t in found if t.overdue)},
    )


@login_required
@require_POST
def assign(request: HttpRequest, case_id: Any) -> HttpResponse:
    user = _user(request)
    case, rights = _case(request, case_id)
    if not rights.supervise:
        raise PermissionDenied
    worker = _posted_worker(request)
    if worker is None:
        messages.error(request, _("Choose a case worker."))
    else:
        attempt(
            request,
            lambda: workflow.assign(case, user, worker, posted_int(request, "row_version")),
            _("Case assigned."),
        )
    return redirect(_detail_url(case))


@login_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not accounts_access.can_anywhere(user, accounts_access.Action.SUPERVISE_CASES):
        raise PermissionDenied
    worker = _posted_worker(request)
    ids = request.POST.getlist("case")
    back = "cases:list"
    if worker is None:
        messages.error(request, _("Choose the case worker to give the cases to."))
        return redirect(back)
    try:
        result = workflow.reassign_many(ids, user, worker)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    if result.reassigned:
        messages.success(
            request,
            _("%(count)d case(s) given to %(worker)s.")
            % {"count": len(result.reassigned), "worker": worker.get_username()},
        )
    for reference, why in result.refused.items():
        messages.warning(request, f"{reference}: {why}")
    return redirect(back)


@login_required
@require_POST
def request_approval(request: HttpRequest, case_id: Any) -> HttpResponse:
    return _post_action(
        request,
        case_id,
        ApprovalRequestForm,
        lambda c, u, d: workflow.request_approval(c, u, d["kind"], d["content"]),
        "approvals",
    )


def _approval(request: HttpRequest, case_id: Any, approval_id: int) -> tuple[Any, Approval]:
    case, rights = _case(request, case_id)
    if not rights.view:
        raise Http404("no such request")
    approval = case.approvals.filter(pk=approval_id).first()
    if approval is None:
        raise Http404("no such request")
    return case, approval


@login_required
@require_POST
def decide(request: HttpRequest, case_id: Any, approval_id: int) -> HttpResponse:
    user = _user(request)
    case, approval = _approval(request, case_id, approval_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or reject."))
    else:
        attempt(
            request,
            lambda: workflow.decide(
                approval,
                user,
                form.cleaned_data["decision"] == "approve",
                form.cleaned_data["comment"],
            ),
            _("Decision recorded."),
        )
    return redirect(f"{_detail_url(case)}?tab=approvals")


@login_required
@require_POST
def withdraw(request: HttpRequest, case_id: Any, approval_id: int) -> HttpResponse:
    user = _user(request)
    case, approval = _approval(request, case_id, approval_id)
    attempt(request, lambda: workflow.withdraw(approval, user), _("Request withdrawn."))
    return redirect(f"{_detail_url(case)}?tab=approvals")


@login_required
@require_POST
def raise_flag(request: HttpRequest, case_id: Any) -> HttpResponse:
    return _post_action(
        request,
        case_id,
        FlagForm,
        lambda c, u, d: workflow.raise_flag(c, u, d["reason"], d["details"]),
        "summary",
    )


@login_required
@require_POST
def clear_flag(request: HttpRequest, case_id: Any, flag_id: int) -> HttpResponse:
    user = _user(request)
    case, rights = _case(request, case_id)
    if not rights.change:
        raise PermissionDenied
    flag = case.flags.filter(pk=flag_id).first()
    if flag is None:
        raise Http404("no such flag")
    attempt(request, lambda: workflow.clear_flag(flag, user), _("Flag cleared."))
    return redirect(_detail_url(case))


@login_required
@require_POST
def save_safeguards(request: HttpRequest, case_id: Any) -> HttpResponse:
    return _post_action(
        request,
        case_id,
        SafeguardsForm,
        lambda c, u, d: safeguarding.update_safeguards(c, u, d, d.pop("row_version")),
        "safeguards",
    )


def _scalars(values: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in values.items() if not isinstance(v, list | dict)]


@never_cache
@login_required
@require_POST
def export_person(request: HttpRequest, case_id: Any) -> HttpResponse:
    """The person's whole record: ``format=json`` downloads it, otherwise a printable page.
    A POST (with its CSRF token), so that no link elsewhere can make an export happen."""
    user = _user(request)
    case, _rights = _case(request, case_id)
    try:
        record = subject_rights.person_record(case, user)  # 403 unless the role exports
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_detail_url(case))
    if request.POST.get("format") == "json":
        response = HttpResponse(
            json.dumps(record, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = (
            content_disposition_header(True, f"{case.reference}-person-record.json") or "attachment"
        )
        response["Cache-Control"] = "no-store"
        return response
    person = dict(record["person"])
    person["documents"] = "; ".join(
        f"{d.get('type', '')} {d.get('number', '')}".strip() for d in person["documents"]
    )
    person["aliases"] = ", ".join(person["aliases"])
    person["citizenship"] = ", ".join(person["citizenship"])
    return render(
        request,
        "cases/person_record.html",
        {
            "case": case,
            "record": record,
            "person": _scalars(person),
            "cases": [(c, _scalars(c)) for c in record["cases"]],
        },
    )


@login_required
def erase_person(request: HttpRequest, case_id: Any) -> HttpResponse:
    user = _user(request)
    case, rights = _case(request, case_id)
    if not rights.erase:
        raise PermissionDenied
    form = EraseForm(request.POST or None, reference=case.reference)
    if request.method == "POST" and form.is_valid():
        try:
            result = subject_rights.erase_person(case, user, form.cleaned_data["reason"])
        except ValidationError as exc:
            _field_errors(exc, form)
        else:
            if result["kept_for_statistics"]:
                messages.success(
                    request,
                    _(
                        "The person's identifiers and every text were destroyed; the coded data "
                        "stays for statistics, as the person consented."
                    ),
                )
                return redirect(_detail_url(case))
            messages.success(
                request,
                _("The person's case was deleted: there was no consent to keep it for statistics."),
            )
            return redirect("cases:list")
    return render(request, "cases/erase.html", {"case": case, "form": form})
