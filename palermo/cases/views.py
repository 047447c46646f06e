"""Case pages: the list, the step-by-step intake, and the case with its tabs. Every page asks the
visibility rule (``cases.access``) what it may show; identifiers shown are audited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from palermo.accounts import access as accounts_access
from palermo.accounts.models import User
from palermo.cases import records, selectors, services, workflow
from palermo.cases import safeguards as safeguarding
from palermo.cases.access import CaseAccess, access_to_visible, visible_cases
from palermo.cases.forms import (
    ApprovalRequestForm,
    AssignForm,
    AttachmentForm,
    CaseFilterForm,
    ConsentForm,
    DecisionForm,
    ExperienceForm,
    FlagForm,
    IdentificationForm,
    MovementForm,
    NoteForm,
    PerpetratorForm,
    PersonForm,
    SafeguardsForm,
    ServiceForm,
    StatusForm,
)
from palermo.cases.models import Case, CaseStatus, ChildSafeguards, ConsentPurpose
from palermo.core.pagination import CappedPaginator
from palermo.standard.models import Instrument

PAGE_SIZE = 25
STEPS = {
    1: gettext_lazy("Person"),
    2: gettext_lazy("Identification"),
    3: gettext_lazy("Trafficking experience"),
    4: gettext_lazy("Consent"),
    5: gettext_lazy("Screening"),
}
TABS = {
    "summary": gettext_lazy("Summary"),
    "person": gettext_lazy("Person"),
    "safeguards": gettext_lazy("Child safeguards"),
    "services": gettext_lazy("Assistance"),
    "movements": gettext_lazy("Movements"),
    "notes": gettext_lazy("Notes"),
    "attachments": gettext_lazy("Attachments"),
    "perpetrators": gettext_lazy("Perpetrators"),
    "screening": gettext_lazy("Screening"),
    "consent": gettext_lazy("Consent"),
    "approvals": gettext_lazy("Approvals"),
}


def posted_int(request: HttpRequest, name: str) -> int:
    """A posted whole number; 0 when missing or not a number (a row version of 0 is always
    stale, so a mangled form gets the conflict message, not an error page)."""
    value = request.POST.get(name, "")
    return int(value) if value.isascii() and value.isdigit() else 0


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - guaranteed by @login_required
    return user


def _case(request: HttpRequest, case_id: Any) -> tuple[Case, CaseAccess]:
    case = (
        visible_cases(request.user)
        .select_related("person", "organisation", "assigned_to", "identification_country")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404("no such case")  # the same answer whether it exists or is not visible
    return case, access_to_visible(request.user, case)


def _can_open_cases(user: Any) -> list[Any]:
    return accounts_access.organisations_where(user, accounts_access.Action.CHANGE_CASES)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    orgs = accounts_access.organisations_where(user, accounts_access.Action.VIEW_CASES)
    if not orgs:
        raise PermissionDenied
    workers = list(
        dict.fromkeys(
            (str(m.user_id), m.user.get_full_name() or m.user.get_username())
            for m in workflow.assignable_workers(o.pk for o in orgs)
        )
    )
    filters = CaseFilterForm(request.GET or None, workers=workers)
    values = filters.cleaned_data if filters.is_valid() else {}
    page = CappedPaginator(selectors.case_list(user, values), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    shows_names = any(
        accounts_access.can(user, accounts_access.Action.VIEW_IDENTIFIERS, o) for o in orgs
    )
    rows = []
    for case in page.object_list:
        names = shows_names and accounts_access.can(
            user, accounts_access.Action.VIEW_IDENTIFIERS, case.organisation
        )
        rows.append((case, case.person.display_name if names else None))
    if any(name for _case, name in rows):
        services.audit_list_viewed(user, [c for c, name in rows if name])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "shows_names": shows_names,
            "can_create": bool(_can_open_cases(user)),
            "can_export": any(accounts_access.can_export_cases(user, o) for o in orgs),
            "can_supervise": accounts_access.can_anywhere(
                user, accounts_access.Action.SUPERVISE_CASES
            ),
            "workers": workers,
            "query": query.urlencode(),
        },
    )


@login_required
def intake_start(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    orgs = _can_open_cases(user)
    if not orgs:
        raise PermissionDenied
    person_form = PersonForm(request.POST or None, prefix="person")
    identification = IdentificationForm(request.POST or None, prefix="case")
    if request.method == "POST" and person_form.is_valid() and identification.is_valid():
        try:
            case = services.start_intake(
                orgs[0], user, person_form.person_values(), identification.case_values()
            )
        except ValidationError as exc:
            _field_errors(exc, person_form, identification)
        else:
            messages.success(request, _("Draft case %s saved.") % case.reference)
            return redirect("cases:intake", case_id=case.pk, step=3)
    return render(
        request,
        "cases/intake.html",
        {"step": 1, "steps": STEPS, "forms": [person_form, identification], "case": None},
    )


def _field_errors(exc: ValidationError, *forms: Any) -> None:
    if not hasattr(exc, "error_dict"):
        forms[0].add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        target = next((f for f in forms if name in f.fields), None)
        if target is None and name.endswith("_id"):
            target = next((f for f in forms if name[:-3] in f.fields), None)
            name = name[:-3]
        for error in errors:
            (target or forms[0]).add_error(name if target else None, error)


@login_required
def intake(request: HttpRequest, case_id: Any, step: int) -> HttpResponse:
    user = _user(request)
    case, rights = _case(request, case_id)
    if not rights.change or step not in STEPS or step == 1:
        raise Http404("no such step")
    form: Any = None
    if step == 3:
        form = ExperienceForm(request.POST or None, initial=_initial(case, ExperienceForm))
    elif step == 2:
        form = IdentificationForm(
            request.POST or None,
            prefix="case",
            initial={
                **_initial(case, IdentificationForm),
                "identification_country": case.identification_country_id,
                "identification_place": case.identification_place if rights.identifiers else "",
            },
        )
    elif step == 4:
        form = ConsentForm(request.POST or None)
    conflict = None
    if request.method == "POST" and step in (2, 3) and form.is_valid():
        try:
            services.update_case(
                case,
                user,
                posted_int(request, "row_version"),
                form.case_values(),
                intake_step=step + 1,
            )
        except services.ConflictError as exc:
            conflict = exc.current
            messages.error(
                request,
                _(
                    "Someone else saved this case meanwhile. Nothing of yours was saved: "
                    "compare and enter your changes again."
                ),
            )
        except ValidationError as exc:
            _field_errors(exc, form)
        else:
            if "draft" in request.POST:
                messages.success(request, _("Draft saved."))
                return redirect("cases:detail", case_id=case.pk)
            return redirect("cases:intake", case_id=case.pk, step=step + 1)
    if request.method == "POST" and step == 4 and form.is_valid():
        try:
            services.record_consent(case, user, **form.cleaned_data)
        except ValidationError as exc:
            _field_errors(exc, form)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("cases:intake", case_id=case.pk, step=4)
    consents = services.current_consent(case)
    return render(
        request,
        "cases/intake.html",
        {
            "step": step,
            "steps": STEPS,
            "case": case,
            "forms": [form] if form is not None else [],
            "conflict": conflict,
            "consents": [(p, label, consents.get(p)) for p, label in ConsentPurpose.choices],
            "instrument": _instrument_for(case) if step == 5 else None,
        },
    )


def _initial(case: Case, form_class: Any) -> dict[str, Any]:
    return {name: getattr(case, name) for name in form_class.base_fields if hasattr(case, name)}


def _instrument_for(case: Case) -> Any:
    key = "ilo-ec-child-labour" if case.is_minor else "ilo-ec-adult-labour"
    instrument = Instrument.objects.filter(key=key, owner__isnull=True).first()
    return instrument.versions.order_by("-number").first() if instrument else None


@login_required
@require_POST
def screen(request: HttpRequest, case_id: Any) -> HttpResponse:
    user = _user(request)
    case, rights = _case(request, case_id)
    if not rights.change:
        raise PermissionDenied
    version = _instrument_for(case)
    if version is None:
        raise Http404("no screening instrument loaded")
    facts = {
        f["key"]: f"fact:{f['key']}" in request.POST for f in version.document.get("facts", [])
    }
    try:
        record = services.screen(case, user, version, request.POST.getlist("present"), facts)
    except Exception as exc:
        messages.error(request, _("These answers do not fit the instrument: %s") % exc)
        return redirect("cases:intake", case_id=case.pk, step=5)
    if record.positive:
        messages.warning(request, _("Screening outcome: presumed victim of trafficking."))
    else:
        messages.info(request, _("Screening outcome: trafficking not indicated by these answers."))
    return redirect(f"{_detail_url(case)}?tab=screening")


def _detail_url(case: Case) -> str:
    from django.urls import reverse

    return reverse("cases:detail", kwargs={"case_id": case.pk})


@login_required
@require_POST
def finish_intake(request: HttpRequest, case_id: Any) -> HttpResponse:
    user = _user(request)
    case, rights = _case(request, case_id)
    if not rights.change:
        raise PermissionDenied
    try:
        services.change_status(case, user, posted_int(request, "row_version"), CaseStatus.OPEN)
    except services.ConflictError:
        messages.error(request, _("Someone else saved this case meanwhile; reload and try again."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cases:intake", case_id=case.pk, step=4)
    else:
        messages.success(request, _("Case %s is open.") % case.reference)
    return redirect("cases:detail", case_id=case.pk)


@login_required
def case_detail(request: HttpRequest, case_id: Any) -> HttpResponse:
    user = _user(request)
    case, rights = _case(request, case_id)
    tabs = {k: v for k, v in TABS.items() if k != "safeguards" or case.is_minor}
    tab = request.GET.get("tab", "summary")
    if tab not in tabs:
        tab = "summary"
    if rights.identifiers:  # every tab shows some decrypted text (at least the flags)
        services.audit_identifiers_viewed(case, user, f"case page, {tab}")
    safeguards = ChildSafeguards.objects.filter(case=case).first() if case.is_minor else None
    context: dict[str, Any] = {
        "case": case,
        "rights": rights,
        "tab": tab,
        "tabs": tabs,
        "flags": case.flags.filter(cleared_at__isnull=True),
        "safeguards": safeguards,
        "overdue": safeguarding.overdue_steps(safeguards) if safeguards else [],
        "consents": services.current_consent(case) if tab == "consent" else {},
        "notes": case.notes.select_related("author") if rights.identifiers else [],
        "services": case.services.all(),
        "movements": case.movements.all(),
        "attachments": case.attachments.defer("data_enc").select_related("uploaded_by"),
        "perpetrators": case.perpetrators.all(),
        "approvals": case.approvals.select_related("requested_by", "decided_by"),
        "screenings": case.screenings.select_related("instrument_version__instrument"),
    }
    # Only the current tab's forms: their choices come from the standard, a few queries each.
    if rights.change:
        context |= _tab_forms(tab, case, safeguards)
    if rights.supervise and tab == "summary":
        workers = [
            (str(m.user_id), m.user.get_full_name() or m.user.get_username())
            for m in workflow.assignable_workers([case.organisation_id])
        ]
        context["assign_form"] = AssignForm(
            workers=workers, initial={"worker": str(case.assigned_to_id or "")}
        )
    return render(request, "cases/case_detail.html", context)


def _tab_forms(tab: str, case: Case, safeguards: Any) -> dict[str, Any]:
    if tab == "summary":
        return {"status_form": StatusForm(), "flag_form": FlagForm()}
    if tab == "approvals":
        return {"approval_form": ApprovalRequestForm(), "decision_form": DecisionForm()}
    if tab == "safeguards" and safeguards is not None:
        initial = {name: getattr(safeguards, name) for name in SafeguardsForm.base_fields}
        return {"safeguards_form": SafeguardsForm(initial=initial)}
    forms = {
        "consent": ("consent_form", ConsentForm),
        "notes": ("note_form", NoteForm),
        "services": ("service_form", ServiceForm),
        "movements": ("movement_form", MovementForm),
        "attachments": ("attachment_form", AttachmentForm),
        "perpetrators": ("perpetrator_form", PerpetratorForm),
    }
    if tab in forms:
        name, form_class = forms[tab]
        return {name: form_class()}
    return {}


def _post_action(
    request: HttpRequest, case_id: Any, form_class: Any, action: Any, tab: str
) -> HttpResponse:
    """Validate a tab's form, run the service, and come back to the tab with what happened."""
    user = _user(request)
    case, rights = _case(request, case_id)
    if not rights.change:
        raise PermissionDenied
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(
            request,
            "; ".join(
                f"{form.fields[n].label}: {' '.join(e)}" if n in form.fields else " ".join(e)
                for n, e in form.errors.items()
            ),
        )
    else:
        attempt(request, lambda: action(case, user, form.cleaned_data), _("Saved."))
    return redirect(f"{_detail_url(case)}?tab={tab}")


def attempt(request: HttpRequest, action: Any, success: str) -> bool:
    """Run a service for a page: its refusal becomes a message on the page, never an error
    page; whether it succeeded."""
    try:
        action()
    except services.ConflictError:
        messages.error(request, _("Someone else saved this case meanwhile; reload and try again."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
        return True
    return False


@login_required
@require_POST
def add_note(request: HttpRequest, case_id: Any) -> HttpResponse:
    return _post_action(
        request, case_id, NoteForm, lambda c, u, d: services.add_note(c, u, d["text"]), "notes"
    )


@login_required
@require_POST
def add_service(request: HttpRequest, case_id: Any) -> HttpResponse:
    return _post_action(
        request, case_id, ServiceForm, lambda c, u, d: services.add_service(c, u, **d), "services"
    )


@login_required
@require_POST
def add_consent(request: HttpRequest, case_id: Any) -> HttpResponse:
    return _post_action(
        request, case_id, ConsentForm, lambda c, u, d: services.record_consent(c, u, **d), "consent"
    )


@login_required
@require_POST
def change_status(request: HttpRequest, case_id: Any) -> HttpResponse:
    row_version = posted_int(request, "row_version")
    return _post_action(
        request,
        case_id,
        StatusForm,
        lambda c, u, d: services.change_status(c, u, row_version, d["status"], d["reason"]),
        "summary",
    )


@login_required
@require_POST
def add_movement(request: HttpRequest, case_id: Any) -> HttpResponse:
    return _post_action(
        request, case_id, MovementForm, lambda c, u, d: records.add_movement(c, u, **d), "movements"
    )


@login_required
@require_POST
def add_attachment(request: HttpRequest, case_id: Any) -> HttpResponse:
    def save(case: Case, user: User, data: dict[str, Any]) -> Any:
        upload = data["file"]
        return records.add_attachment(
            case,
            user,
            data["kind"],
            upload.name,
            upload.content_type or "",
            upload.size,
            upload,
        )

    return _post_action(request, case_id, AttachmentForm, save, "attachments")


@login_required
def attachment(request: HttpRequest, case_id: Any, attachment_id: int) -> HttpResponse:
    user = _user(request)
    case, _rights = _case(request, case_id)
    found = case.attachments.filter(pk=attachment_id).first()
    if found is None:
        raise Http404("no such attachment")
    data = records.read_attachment(found, user)  # 403 unless the user reads identifiers
    response = HttpResponse(data, content_type=found.content_type)
    disposition = "inline" if found.content_type.startswith("image/") else "attachment"
    response["Content-Disposition"] = (
        content_disposition_header(disposition == "attachment", found.name) or disposition
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def add_perpetrator(request: HttpRequest, case_id: Any) -> HttpResponse:
    def save(case: Case, user: User, data: dict[str, Any]) -> Any:
        return records.add_perpetrator(case, user, data)

    return _post_action(request, case_id, PerpetratorForm, save, "perpetrators")
