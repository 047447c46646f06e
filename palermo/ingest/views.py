"""Import pages: the imports of one's organisations, sending a file, mapping its columns (with
suggestions) into a profile, and following a check or an import as it runs in the background.
Thin: the work is in ``uploads`` (and ``services`` behind the task)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from palermo.accounts import access
from palermo.accounts.models import User
from palermo.core.pagination import CappedPaginator
from palermo.ingest import exports, services, uploads
from palermo.ingest.forms import ExportForm, MappingForm, RunForm, UploadForm
from palermo.ingest.models import ImportBatch, Upload
from palermo.ingest.readers import ReadError
from palermo.standard import selectors as standard_selectors
from palermo.standard.forms import ColumnForm, profile_columns
from palermo.standard.models import MappingProfile
from palermo.standard.services import save_profile

RUNNING = (ImportBatch.Status.QUEUED, ImportBatch.Status.VALIDATING, ImportBatch.Status.IMPORTING)
STALLED_AFTER: dict[str, datetime.timedelta] = {
    ImportBatch.Status.VALIDATING: datetime.timedelta(minutes=15),
    ImportBatch.Status.IMPORTING: datetime.timedelta(hours=2),
}
MappingColumns = forms.formset_factory(ColumnForm, extra=0, max_num=1000)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - guaranteed by @login_required
    return user


def _organisations(user: User) -> list[Any]:
    organisations = access.organisations_where(user, access.Action.IMPORT_EXPORT)
    if not organisations:
        raise PermissionDenied
    return organisations


def _batch(request: HttpRequest, batch_id: Any) -> ImportBatch:
    organisations = _organisations(_user(request))
    batch = (
        ImportBatch.objects.select_related("organisation", "profile", "upload", "started_by")
        .filter(pk=batch_id, organisation__in=organisations)
        .first()
    )
    if batch is None:
        raise Http404("no such import")
    return batch


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _upload(request: HttpRequest, upload_id: Any) -> Upload:
    organisations = _organisations(_user(request))
    upload = (
        Upload.objects.select_related("organisation")
        .filter(pk=upload_id, organisation__in=organisations)
        .first()
    )
    if upload is None:
        raise Http404("no such file")
    return upload


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    organisations = _organisations(_user(request))
    batches = ImportBatch.objects.filter(organisation__in=organisations).select_related(
        "organisation", "profile", "started_by"
    )
    page = CappedPaginator(batches, 25).get_page(request.GET.get("page"))
    waiting = Upload.objects.filter(organisation__in=organisations, batches__isnull=True)
    return render(
        request,
        "ingest/import_list.html",
        {"page": page, "waiting": waiting.select_related("organisation")[:20]},
    )


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organisations = _organisations(user)
    profiles = MappingProfile.objects.filter(organisation__in=organisations).select_related(
        "organisation"
    )
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        organisations=[(str(o.pk), o.name) for o in organisations],
        profiles=[(str(p.pk), f"{p.name} ({p.organisation.acronym})") for p in profiles],
    )
    if request.method == "POST" and form.is_valid():
        organisation = next(
            o for o in organisations if str(o.pk) == form.cleaned_data["organisation"]
        )
        profile = next((p for p in profiles if str(p.pk) == form.cleaned_data["profile"]), None)
        if profile is not None and profile.organisation_id != organisation.pk:
            form.add_error("profile", _("This profile belongs to another organisation."))
        else:
            sent = form.cleaned_data["file"]
            try:
                received = uploads.receive(sent, sent.name, organisation, user)
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                if profile is None:
                    return redirect("ingest:map", upload_id=received.pk)
                batch = uploads.start(received, profile, user)
                return redirect("ingest:batch", batch_id=batch.pk)
    return render(request, "ingest/upload.html", {"form": form})


def _initial_columns(preview: uploads.Preview, profile: MappingProfile | None) -> list[dict]:
    """One row per column of the file: the profile's mapping if it has one for the column, else
    the suggestion (field, ';' when the samples hold it, and the sample values it recognised)."""
    rules = {c.column: c for c in profile.columns.select_related("field")} if profile else {}
    initial = []
    for suggestion in preview.suggestions:
        rule = rules.get(suggestion.column)
        if rule is not None:
            values = rule.values
            field, separator = rule.field.key, rule.separator
        else:
            samples = preview.samples.get(suggestion.column, [])
            separator = ";" if any(";" in value for value in samples) else ""
            field = suggestion.field or ""
            values = {
                value: code
                for value, code in suggestion.values.items()
                if code is not None and code != value
            }
        initial.append(
            {
                "column": suggestion.column,
                "field": field,
                "separator": separator,
                "values": "\n".join(f"{k} = {v}" for k, v in values.items()),
            }
        )
    return initial


@login_required
def map_columns(request: HttpRequest, upload_id: Any) -> HttpResponse:
    user = _user(request)
    upload = _upload(request, upload_id)
    if not access.can_manage_profiles(user, upload.organisation):
        raise PermissionDenied
    try:
        preview = uploads.preview(upload, user)
    except ReadError as exc:
        return render(request, "ingest/map.html", {"upload": upload, "error": str(exc)}, status=400)
    wanted = _uuid(request.GET.get("profile", ""))
    profile = (
        MappingProfile.objects.filter(organisation=upload.organisation, pk=wanted).first()
        if wanted
        else None
    )
    form = MappingForm(
        request.POST or None,
        columns=preview.columns,
        initial={
            "name": profile.name if profile else "",
            "description": profile.description if profile else "",
            "id_column": profile.id_column if profile else "",
            "skip_rows": profile.skip_rows if profile else 0,
        },
    )
    columns = MappingColumns(
        request.POST or None,
        initial=_initial_columns(preview, profile),
        prefix="columns",
        form_kwargs={"field_choices": standard_selectors.field_choices()},
    )
    if request.method == "POST" and form.is_valid() and columns.is_valid():
        mapped = profile_columns(columns, mapped_only=True)
        existing = MappingProfile.objects.filter(
            organisation=upload.organisation, name=form.cleaned_data["name"].strip()
        ).first()
        try:
            if not mapped:
                raise ValidationError(_("Map at least one column to a field of the standard."))
            saved = save_profile(
                upload.organisation,
                form.cleaned_data["name"],
                mapped,
                user,
                form.cleaned_data["description"],
                existing if profile is not None and existing == profile else None,
                id_column=form.cleaned_data["id_column"],
                skip_rows=form.cleaned_data["skip_rows"],
            )
        except ValidationError as exc:
            for error in exc.messages:
                form.add_error(None, error)
        else:
            batch = uploads.start(upload, saved, user)
            messages.success(request, _("Profile saved: checking the file."))
            return redirect("ingest:batch", batch_id=batch.pk)
    rows = list(zip(columns.forms, preview.suggestions, strict=True))
    return render(
        request,
        "ingest/map.html",
        {
            "upload": upload,
            "preview": preview,
            "form": form,
            "columns": columns,
            "rows": [
                (column_form, suggestion, _samples(suggestion, preview))
                for column_form, suggestion in rows
            ],
            "profile": profile,
        },
    )


def _samples(suggestion: Any, preview: uploads.Preview) -> list[tuple[str, str | None]]:
    """A column's first values with the code each was recognised as: the code, "" when the
    suggested field is coded and the value is not one of its codes, None when not coded."""
    return [
        (value, suggestion.values.get(value) or "" if suggestion.values else None)
        for value in preview.samples.get(suggestion.column, [])[:8]
    ]


def _progress(batch: ImportBatch) -> dict[str, Any]:
    """What the progress box shows: share done, rate and time left, from the batch's counts."""
    done = batch.rows_read
    expected = batch.rows_expected
    elapsed = ((batch.progress_at or timezone.now()) - batch.started_at).total_seconds()
    rate = done / elapsed if elapsed > 0 and done else 0.0
    percent = min(100, round(100 * done / expected)) if expected else None
    left = ""
    if rate and expected and batch.status == ImportBatch.Status.VALIDATING:
        seconds = max(expected - done, 0) / rate
        minutes = max(round(seconds / 60), 1)
        left = (
            ngettext("About %(n)d minute left.", "About %(n)d minutes left.", minutes)
            % {"n": minutes}
            if seconds >= 60
            else _("Less than a minute left.")
        )
    running = batch.status in RUNNING
    silent = batch.silent_for() if running else datetime.timedelta(0)
    return {
        "running": running,
        # No worker has taken the task, and none is busy with another: db_worker is not running.
        "waiting_for_worker": batch.status == ImportBatch.Status.QUEUED
        and silent > datetime.timedelta(minutes=1)
        and not ImportBatch.objects.filter(
            status__in=(ImportBatch.Status.VALIDATING, ImportBatch.Status.IMPORTING)
        ).exists(),
        # The process stopped (killed, or the machine restarted): its transaction rolled back.
        # The check saves its progress every second; the write is one long transaction.
        "stalled": silent > STALLED_AFTER.get(batch.status, datetime.timedelta.max),
        "percent": percent,
        "rate": round(rate),
        "left": left,
        "valid": max(done - batch.rows_rejected, 0),
    }


@login_required
def batch_detail(request: HttpRequest, batch_id: Any) -> HttpResponse:
    batch = _batch(request, batch_id)
    context = {"batch": batch, "progress": _progress(batch), "run_form": RunForm()}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "ingest/partials/progress.html", context)
    page = Paginator(batch.problems, 50).get_page(request.GET.get("page"))  # at most 10,000
    page.object_list = [
        problem | {"reason_text": services.why(problem.get("reason", ""))}
        for problem in page.object_list
    ]
    return render(request, "ingest/batch.html", context | {"problems": page})


@login_required
@require_POST
def batch_run(request: HttpRequest, batch_id: Any) -> HttpResponse:
    """Import the file of a checked batch: all or nothing, or its valid rows."""
    user = _user(request)
    batch = _batch(request, batch_id)
    form = RunForm(request.POST)
    if batch.upload is None or batch.profile is None or not form.is_valid():
        messages.error(request, _("This file can no longer be imported: upload it again."))
        return redirect("ingest:batch", batch_id=batch.pk)
    started = uploads.start(
        batch.upload,
        batch.profile,
        user,
        form.cleaned_data["mode"],
        check_only=False,
        statistics_consent=form.cleaned_data["statistics_consent"],
    )
    return redirect("ingest:batch", batch_id=started.pk)


@login_required
def batch_report(request: HttpRequest, batch_id: Any) -> HttpResponseBase:
    batch = _batch(request, batch_id)
    try:
        name, chunks = uploads.report_chunks(batch, _user(request))
    except FileNotFoundError:
        raise Http404("no report") from None
    response = StreamingHttpResponse(
        chunks,  # type: ignore[arg-type]
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def upload_discard(request: HttpRequest, upload_id: Any) -> HttpResponse:
    upload = _upload(request, upload_id)
    uploads.discard(upload, _user(request))
    messages.success(request, _("The file was deleted."))
    return redirect("ingest:list")


@login_required
def export(request: HttpRequest) -> HttpResponseBase:
    """Export an organisation's cases; the file is streamed as the cases are read."""
    user = _user(request)
    organisations = [
        o
        for o in access.organisations_where(user, access.Action.VIEW_CASES)
        if access.can_export_cases(user, o)
    ]
    if not organisations:
        raise PermissionDenied
    form = ExportForm(
        request.POST or None, organisations=[(str(o.pk), o.name) for o in organisations]
    )
    if request.method == "POST" and form.is_valid():
        organisation = next(
            o for o in organisations if str(o.pk) == form.cleaned_data["organisation"]
        )
        try:
            made = exports.start_export(
                user,
                organisation,
                form.cleaned_data["format"],
                form.cleaned_data["identifiers"],
                form.cleaned_data["layout"],
            )
        except exports.ExportRefusedError as exc:
            form.add_error(None, _("Refused: %(reason)s.") % {"reason": exc})
        else:
            response = StreamingHttpResponse(made.chunks(), content_type=EXPORT_TYPES[made.fmt])
            disposition = content_disposition_header(True, made.file_name())
            response["Content-Disposition"] = disposition or "attachment"
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "ingest/export.html", {"form": form})


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "hxl": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
