"""Pages of the standard: browse fields, code lists and instruments at any version, in the
reader's language; editors add codes and translations; data managers keep their organisation's
instruments and mapping profiles."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palermo.accounts import access
from palermo.accounts.models import Organisation, User
from palermo.standard import exports, screening, selectors, services
from palermo.standard.forms import (
    CodeAddForm,
    CodeFilterForm,
    ColumnFormSet,
    FieldFilterForm,
    InstrumentUploadForm,
    LabelForm,
    ProfileForm,
    ProfileTestForm,
    RetireForm,
    VersionedFilterForm,
    profile_columns,
)
from palermo.standard.mapping import map_rows
from palermo.standard.models import Code, Field, MappingProfile, Section

PAGE_SIZE = 50
SAMPLE_ROWS = 1000


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - guaranteed by @login_required
    return user


def _page(request: HttpRequest, items: Any, size: int = PAGE_SIZE) -> Any:
    return Paginator(items, size).get_page(request.GET.get("page"))


def _attach_labels(
    objects: Iterable[Any], labels: dict[int, dict[str, str]], language: str
) -> None:
    for obj in objects:
        obj.label, obj.label_fallback = selectors.pick_label(labels.get(obj.pk, {}), language)


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _context(request: HttpRequest, version: int, **extra: Any) -> dict[str, Any]:
    latest = selectors.latest_version()
    return {
        "query": _query(request),
        "version": version,
        "latest_version": latest,
        "is_old_version": version != latest,
        "version_query": f"version={version}" if version != latest else "",
        "is_editor": access.can_edit_standard(request.user),
        **extra,
    }


def index(request: HttpRequest) -> HttpResponse:
    version = selectors.resolve_version(request.GET.get("version"))
    fields = selectors.fields(version)
    sections = [
        (value, label, fields.filter(section=value).count()) for value, label in Section.choices
    ]
    return render(
        request,
        "standard/index.html",
        _context(
            request,
            version,
            sections=sections,
            field_count=fields.count(),
            list_count=selectors.code_lists(version).count(),
            coverage=selectors.label_coverage(version),
            versions=selectors.versions()[:10],
        ),
    )


def version_list(request: HttpRequest) -> HttpResponse:
    version = selectors.latest_version()
    page = _page(request, selectors.versions())
    return render(request, "standard/version_list.html", _context(request, version, page=page))


def field_list(request: HttpRequest) -> HttpResponse:
    version = selectors.resolve_version(request.GET.get("version"))
    filters = FieldFilterForm(request.GET or None)
    section = q = ""
    if filters.is_valid():
        section, q = filters.cleaned_data["section"], filters.cleaned_data["q"]
    page = _page(request, selectors.fields(version, section=section, q=q))
    _attach_labels(
        page.object_list,
        selectors.field_labels([f.pk for f in page.object_list], version),
        request.LANGUAGE_CODE,
    )
    return render(
        request,
        "standard/field_list.html",
        _context(request, version, page=page, filters=filters),
    )


def field_detail(request: HttpRequest, key: str) -> HttpResponse:
    version = selectors.resolve_version(request.GET.get("version"))
    field = selectors.field(key, version)
    labels = selectors.field_labels([field.pk], version).get(field.pk, {})
    _attach_labels([field], {field.pk: labels}, request.LANGUAGE_CODE)
    sources = []
    for source_key in field.derivation.get("from", []):
        base = source_key.split("[", 1)[0]
        sources.append((source_key, base))
    return render(
        request,
        "standard/field_detail.html",
        _context(
            request,
            version,
            field=field,
            labels=_labels_table(labels),
            derivation_sources=sources,
            label_form=LabelForm(initial={"language": request.LANGUAGE_CODE}),
        ),
    )


def _labels_table(labels: dict[str, str]) -> list[tuple[str, str, str]]:
    from django.conf import settings

    return [(code, name, labels.get(code, "")) for code, name in settings.LANGUAGES]


def codelist_list(request: HttpRequest) -> HttpResponse:
    version = selectors.resolve_version(request.GET.get("version"))
    filters = VersionedFilterForm(request.GET or None)
    q = filters.cleaned_data["q"] if filters.is_valid() else ""
    page = _page(request, selectors.code_lists(version, q=q))
    return render(
        request,
        "standard/codelist_list.html",
        _context(request, version, page=page, filters=filters),
    )


def codelist_detail(request: HttpRequest, key: str) -> HttpResponse:
    version = selectors.resolve_version(request.GET.get("version"))
    code_list = selectors.code_list(key, version)
    filters = CodeFilterForm(request.GET or None)
    q, retired = "", False
    if filters.is_valid():
        q, retired = filters.cleaned_data["q"], filters.cleaned_data["retired"]
    codes = list(selectors.codes(code_list, version, include_retired=retired))
    labels = selectors.code_labels([c.pk for c in codes], version)
    _attach_labels(codes, labels, request.LANGUAGE_CODE)
    if q:
        needle = q.casefold()
        codes = [
            c
            for c in codes
            if needle in c.code.casefold()
            or any(needle in text.casefold() for text in labels.get(c.pk, {}).values())
            or any(needle == alias.casefold() for alias in c.aliases)
        ]
    page = _page(request, codes, size=100)
    return render(
        request,
        "standard/codelist_detail.html",
        _context(
            request,
            version,
            code_list=code_list,
            page=page,
            filters=filters,
            used_by=code_list.fields.all().order_by("order"),
        ),
    )


def _code(key: str, code: str) -> Code:
    return get_object_or_404(
        Code.objects.select_related("code_list"), code_list__key=key, code=code
    )


def code_detail(request: HttpRequest, key: str, code: str) -> HttpResponse:
    version = selectors.resolve_version(request.GET.get("version"))
    obj = _code(key, code)
    if obj.since > version:
        raise Http404("this code is not in that version")
    labels = selectors.code_labels([obj.pk], version).get(obj.pk, {})
    _attach_labels([obj], {obj.pk: labels}, request.LANGUAGE_CODE)
    history = obj.labels.order_by("language", "since")
    crosswalk = selectors.crosswalk(version).filter(source=obj) | selectors.crosswalk(
        version
    ).filter(target=obj)
    return render(
        request,
        "standard/code_detail.html",
        _context(
            request,
            version,
            code=obj,
            labels=_labels_table(labels),
            history=history,
            crosswalk=crosswalk,
            children=Code.objects.at(version)
            .filter(parent=obj)
            .select_related("code_list")
            .order_by("order"),
            label_form=LabelForm(initial={"language": request.LANGUAGE_CODE}),
            retire_form=RetireForm(),
        ),
    )


def _require_editor(request: HttpRequest) -> User:
    user = _user(request)
    if not access.can_edit_standard(user):
        raise PermissionDenied
    return user


@login_required
def code_add(request: HttpRequest, key: str) -> HttpResponse:
    user = _require_editor(request)
    version = selectors.latest_version()
    code_list = selectors.code_list(key, version)
    # A broader code may come from this list or, for a sub-type list, from its parents' list.
    candidates = Code.objects.at(version).select_related("code_list")
    parent_lists = {code_list.pk} | set(
        Code.objects.filter(code_list=code_list, parent__isnull=False).values_list(
            "parent__code_list", flat=True
        )
    )
    parent_choices = [
        (str(c.pk), f"{c.code_list.key}: {c.code}")
        for c in candidates.filter(code_list__in=parent_lists).order_by("code_list", "order")
    ]
    form = CodeAddForm(request.POST or None, parents=parent_choices)
    if request.method == "POST" and form.is_valid():
        parent = (
            Code.objects.get(pk=form.cleaned_data["parent"])
            if form.cleaned_data["parent"]
            else None
        )
        try:
            code = services.add_code(
                code_list,
                form.cleaned_data["code"],
                form.labels(),
                user,
                parent=parent,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, _("Code added; the standard is now at version %s.") % code.since
            )
            return redirect("standard:code_detail", key=key, code=code.code)
    return render(
        request,
        "standard/code_add.html",
        _context(request, version, code_list=code_list, form=form),
    )


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _save_label(request: HttpRequest, target: Code | Field) -> None:
    """Add or change a label from the label form, reporting the outcome as a message."""
    user = _require_editor(request)
    form = LabelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a language and write the label."))
        return
    try:
        number = services.set_label(
            target, form.cleaned_data["language"], form.cleaned_data["text"], user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Label saved; the standard is now at version %s.") % number)


@login_required
@require_POST
def code_label(request: HttpRequest, key: str, code: str) -> HttpResponse:
    _require_editor(request)
    _save_label(request, _code(key, code))
    return redirect("standard:code_detail", key=key, code=code)


@login_required
@require_POST
def field_label(request: HttpRequest, key: str) -> HttpResponse:
    _require_editor(request)
    _save_label(request, selectors.field(key, selectors.latest_version()))
    return redirect("standard:field_detail", key=key)


@login_required
@require_POST
def code_retire(request: HttpRequest, key: str, code: str) -> HttpResponse:
    user = _require_editor(request)
    obj = _code(key, code)
    form = RetireForm(request.POST)
    if form.is_valid():
        try:
            number = services.retire_code(obj, user, form.cleaned_data["reason"])
            messages.success(request, _("Code retired in version %s.") % number)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Say why the code is retired."))
    return redirect("standard:code_detail", key=key, code=code)


# Downloads -------------------------------------------------------------------------------------


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def download(request: HttpRequest, name: str) -> HttpResponse:
    version = selectors.resolve_version(request.GET.get("version"))
    stem = f"palermo-standard-v{version}"
    if name == "record.schema.json":
        body = json.dumps(exports.record_schema(version), ensure_ascii=False, indent=2)
        return _download(body.encode("utf-8"), f"{stem}-record.schema.json", "application/json")
    if name == "fields.csv":
        return _download(exports.fields_csv(version), f"{stem}-fields.csv", "text/csv")
    if name == "codes.csv":
        return _download(exports.codes_csv(version), f"{stem}-codes.csv", "text/csv")
    if name == "xlsform.xlsx":
        return _download(
            exports.xlsform(version),
            f"{stem}-xlsform.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return render(request, "404.html", status=404)


# Screening instruments -------------------------------------------------------------------------


def _visible_instruments(request: HttpRequest) -> Any:
    orgs = [m.organisation_id for m in access.memberships_of(request.user)]
    return selectors.instruments_visible_to(orgs)


def _manageable_orgs(request: HttpRequest) -> list[Organisation]:
    return access.organisations_where(request.user, access.Action.MANAGE_STANDARD)


def instrument_list(request: HttpRequest) -> HttpResponse:
    instruments = list(_visible_instruments(request).prefetch_related("versions"))
    for instrument in instruments:
        instrument.current = max(instrument.versions.all(), key=lambda v: v.number)
    return render(
        request,
        "standard/instrument_list.html",
        {
            "instruments": instruments,
            "can_upload": bool(_manageable_orgs(request)),
        },
    )


def instrument_detail(request: HttpRequest, instrument_id: str) -> HttpResponse:
    instrument = get_object_or_404(_visible_instruments(request), pk=instrument_id)
    versions = instrument.versions.order_by("-number")
    chosen = request.GET.get("v")
    current = (
        get_object_or_404(versions, number=chosen)
        if chosen and chosen.isascii() and chosen.isdigit()
        else versions[0]
    )
    document = current.document
    evaluation = None
    present: set[str] = set()
    facts: dict[str, bool] = {}
    if request.method == "POST":
        present = set(request.POST.getlist("present"))
        facts = {f["key"]: f"fact:{f['key']}" in request.POST for f in document.get("facts", [])}
        try:
            evaluation = screening.evaluate(document, present, facts)
        except screening.AnswerError as exc:
            messages.error(request, _("These answers do not fit the instrument: %s") % exc)
    return render(
        request,
        "standard/instrument_detail.html",
        {
            "instrument": instrument,
            "current": current,
            "document": document,
            "versions": versions,
            "evaluation": evaluation,
            "present": present,
            "facts": facts,
            "rule_clauses": [
                screening.describe_clause(c)
                for c in document["rule"]["dimension_positive"]["any_of"]
            ],
        },
    )


def instrument_document(request: HttpRequest, instrument_id: str) -> HttpResponse:
    instrument = get_object_or_404(_visible_instruments(request), pk=instrument_id)
    current = selectors.current_version(instrument)
    response = JsonResponse(
        current.document, json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{instrument.key}-v{current.number}.json"'
    )
    return response


@login_required
def instrument_upload(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    orgs = _manageable_orgs(request)
    if not orgs:
        raise PermissionDenied
    form = InstrumentUploadForm(
        request.POST or None,
        request.FILES or None,
        organisations=[(str(o.pk), o.name) for o in orgs],
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        owner = next(o for o in orgs if str(o.pk) == form.cleaned_data["organisation"])
        try:
            version = services.import_instrument(form.cleaned_data["document"], owner, user)
        except ValidationError as exc:
            problems = exc.messages
        else:
            messages.success(request, _("Instrument saved as version %s.") % version.number)
            return redirect("standard:instrument_detail", instrument_id=version.instrument_id)
    return render(request, "standard/instrument_upload.html", {"form": form, "problems": problems})


# Mapping profiles ------------------------------------------------------------------------------


@login_required
def profile_list(request: HttpRequest) -> HttpResponse:
    orgs = _manageable_orgs(request)
    if not orgs:
        raise PermissionDenied
    page = _page(request, selectors.mapping_profiles([o.pk for o in orgs]))
    return render(request, "standard/profile_list.html", {"page": page, "query": _query(request)})


def _profile(request: HttpRequest, profile_id: str) -> MappingProfile:
    orgs = _manageable_orgs(request)
    return get_object_or_404(
        MappingProfile.objects.filter(organisation__in=orgs).select_related("organisation"),
        pk=profile_id,
    )


@login_required
def profile_edit(request: HttpRequest, profile_id: str | None = None) -> HttpResponse:
    user = _user(request)
    orgs = _manageable_orgs(request)
    if not orgs:
        raise PermissionDenied
    profile = _profile(request, profile_id) if profile_id else None
    initial_columns = (
        [
            {
                "column": c.column,
                "field": c.field.key,
                "separator": c.separator,
                "values": "\n".join(f"{k} = {v}" for k, v in c.values.items()),
            }
            for c in profile.columns.select_related("field")
        ]
        if profile
        else []
    )
    form = ProfileForm(
        request.POST or None,
        organisations=[(str(o.pk), o.name) for o in orgs],
        initial={
            "organisation": str(profile.organisation_id) if profile else str(orgs[0].pk),
            "name": profile.name if profile else "",
            "description": profile.description if profile else "",
        },
    )
    formset = ColumnFormSet(
        request.POST or None,
        initial=initial_columns,
        prefix="columns",
        form_kwargs={"field_choices": selectors.field_choices()},
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        organisation = next(o for o in orgs if str(o.pk) == form.cleaned_data["organisation"])
        columns = profile_columns(formset)
        try:
            profile = services.save_profile(
                organisation,
                form.cleaned_data["name"],
                columns,
                user,
                description=form.cleaned_data["description"],
                profile=profile,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Mapping profile saved."))
            return redirect("standard:profile_detail", profile_id=profile.pk)
    return render(
        request,
        "standard/profile_form.html",
        {"form": form, "formset": formset, "profile": profile},
    )


SAMPLE_BYTES = 5 * 1024 * 1024


def _decode(raw: bytes) -> str:
    """Text of a spreadsheet's CSV: UTF-16 only with its byte-order mark, else UTF-8 (with or
    without one), else Windows-1252, else Latin-1 (which decodes anything)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _read_sample(upload: Any) -> list[dict[str, str]]:
    raw = upload.read(SAMPLE_BYTES + 1)
    if len(raw) > SAMPLE_BYTES:  # never cut a character or a row in two
        raw = raw[: raw.rfind(b"\n", 0, SAMPLE_BYTES) + 1]
    text = _decode(raw)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:10000], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    rows = []
    for number, row in enumerate(reader):
        if number >= SAMPLE_ROWS:
            break
        rows.append({(k or "").strip(): (v if isinstance(v, str) else "") for k, v in row.items()})
    return rows


@login_required
def profile_detail(request: HttpRequest, profile_id: str) -> HttpResponse:
    profile = _profile(request, profile_id)
    test_form = ProfileTestForm(request.POST or None, request.FILES or None)
    result = None
    preview: list[dict[str, Any]] = []
    if request.method == "POST" and test_form.is_valid():
        try:
            rows = _read_sample(test_form.cleaned_data["sample"])
        except csv.Error as exc:
            test_form.add_error("sample", _("This file could not be read as CSV: %s") % exc)
        else:
            if not rows:
                test_form.add_error("sample", _("The file has no data rows."))
            else:
                result = map_rows(
                    services.profile_rules(profile),
                    services.field_infos(),
                    services.vocabulary(),
                    rows,
                )
                preview = result.records[:20]
    return render(
        request,
        "standard/profile_detail.html",
        {
            "profile": profile,
            "columns": profile.columns.select_related("field", "field__code_list"),
            "test_form": test_form,
            "result": result,
            "preview": preview,
        },
    )


@login_required
@require_POST
def profile_delete(request: HttpRequest, profile_id: str) -> HttpResponse:
    profile = _profile(request, profile_id)
    services.delete_profile(profile, _user(request))
    messages.success(request, _("Mapping profile deleted."))
    return redirect(reverse("standard:profile_list"))
