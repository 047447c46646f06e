"""Saving activities, whatever their door (form, API, IATI file, 3W/4W table), and importing
files of them. Each rule holds here once: only the owning organisation changes an activity;
saving the same content twice changes nothing; a file is imported whole or not at all."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
import uuid
from dataclasses import asdict
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palermo.accounts import access
from palermo.accounts.models import Organisation, User
from palermo.activities import iati, overlap, tables, vocabulary
from palermo.activities.data import (
    KINDS,
    ActivityData,
    ContactData,
    DocumentData,
    IndicatorData,
    LinkData,
    ParticipantData,
    PlaceData,
)
from palermo.activities.models import (
    MAX_AMOUNT,
    Activity,
    ActivityCode,
    ActivityCountry,
    ActivityImport,
    Annotation,
    Contact,
    Document,
    FundingLink,
    Indicator,
    Origin,
    Participation,
    Place,
    Role,
)
from palermo.audit.services import record
from palermo.geo.models import Country

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


def fingerprint(data: ActivityData) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, set):
            return sorted(value)
        return str(value)

    return hashlib.sha256(
        json.dumps(asdict(data), sort_keys=True, default=plain).encode()
    ).hexdigest()


_COUNTRIES: frozenset[str] = frozenset()


def _country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes: reference data, read once per process (until it is loaded,
    every time)."""
    global _COUNTRIES
    if not _COUNTRIES:
        _COUNTRIES = frozenset(Country.objects.values_list("iso2", flat=True))
    return _COUNTRIES


def check(data: ActivityData) -> list[str]:
    """What is wrong with an activity's content, in words for its sender (empty: nothing)."""
    errors = []
    if not data.identifier.strip():
        errors.append(_("An activity needs an identifier."))
    if not any(text.strip() for text in data.title.values()):
        errors.append(_("An activity needs a title."))
    if data.start and data.end and data.end < data.start:
        errors.append(_("The activity ends before it starts."))
    unknown = sorted(set(data.countries) - _country_codes())
    if unknown:
        errors.append(_("Unknown country codes: %(codes)s.") % {"codes": ", ".join(unknown)})
    for kind, codes in data.codes.items():
        wrong = sorted(code for code in codes if not vocabulary.known(kind, code))
        if kind not in KINDS or wrong:
            errors.append(
                _("Unknown codes in %(list)s: %(codes)s.")
                % {"list": kind, "codes": ", ".join(wrong) or "—"}
            )
    if data.budget is not None and not (data.budget.is_finite() and 0 <= data.budget < MAX_AMOUNT):
        errors.append(_("A budget must be a positive amount below 10^14."))
    if any(
        share is not None and not (share.is_finite() and 0 <= share <= 100)
        for share in data.countries.values()
    ):
        errors.append(_("A country's percentage must be between 0 and 100."))
    for link in data.links:
        if link.amount is not None and not (
            link.amount.is_finite() and abs(link.amount) < MAX_AMOUNT
        ):
            link.amount = None  # an amount the file got wrong does not stop the link
    if len(data.identifier) > 200 or len(data.reporting_org_ref) > 100:
        errors.append(_("The identifier (200 characters) or the organisation's (100) is too long."))
    for participant in data.participants:
        if participant.role not in Role.values:
            errors.append(
                _("Unknown organisation role %(role)r (IATI roles are 1 to 4).")
                % {"role": participant.role}
            )
    if data.budget is not None and len(data.currency) != 3:
        errors.append(_("A budget needs its currency (ISO 4217, such as USD)."))
    return errors


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(value: Any) -> Any:
    """Text without the control characters XML cannot hold (a form feed pasted into a title
    would otherwise break every IATI export that includes it)."""
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, set):
        return {_clean(v) for v in value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            setattr(value, item.name, _clean(getattr(value, item.name)))
    return value


def _search_text(data: ActivityData) -> str:
    return " ".join([*data.title.values(), *data.description.values()]).lower()[:20000]


def save(
    data: ActivityData, owner: Organisation, actor: User | None, origin: str
) -> tuple[Activity, str]:
    """Create or update the activity ``data.identifier`` for ``owner``.

    Raises ValidationError when the content is wrong, PermissionDenied when the identifier
    belongs to another organisation's activity."""
    _clean(data)
    if data.budget is not None and not isinstance(data.budget, Decimal):
        data.budget = Decimal(str(data.budget))
    errors = check(data)
    if errors:
        raise ValidationError(errors)
    digest = fingerprint(data)
    activity = Activity.objects.filter(identifier=data.identifier).first()
    if activity is not None and activity.owner_id != owner.pk:
        raise PermissionDenied(
            _("Activity %(identifier)s is registered by another organisation (%(owner)s).")
            % {"identifier": data.identifier, "owner": activity.owner.acronym}
        )
    if activity is not None and activity.fingerprint == digest:
        return activity, UNCHANGED
    outcome = UPDATED if activity is not None else CREATED
    with transaction.atomic():
        if activity is None:
            activity = Activity(identifier=data.identifier, owner=owner, created_by=actor)
        activity.origin = origin if outcome == CREATED else activity.origin
        for name in (
            "reporting_org_ref",
            "reporting_org_name",
            "reporting_org_type",
            "title",
            "description",
            "status",
            "planned_start",
            "actual_start",
            "planned_end",
            "actual_end",
            "budget",
            "currency",
            "last_updated",
        ):
            setattr(activity, name, getattr(data, name))
        if data.is_public is not None:
            activity.is_public = data.is_public
        activity.classification = data.classification or activity.classification
        activity.start, activity.end = data.start, data.end
        activity.search_text = _search_text(data)
        activity.words = overlap.stored_words(activity.search_text)
        activity.code_tokens = overlap.code_tokens(data.codes)
        activity.fingerprint = digest
        activity.save()
        _replace_rows(activity, data)
    return activity, outcome


def _replace_rows(activity: Activity, data: ActivityData) -> None:
    for model in (
        ActivityCountry,
        Place,
        ActivityCode,
        Participation,
        Indicator,
        Document,
        Contact,
    ):
        model.objects.filter(activity=activity).delete()
    FundingLink.objects.filter(stated_by=activity).delete()
    ActivityCountry.objects.bulk_create(
        ActivityCountry(activity=activity, country_id=code, percentage=share)
        for code, share in data.countries.items()
    )
    Place.objects.bulk_create(
        Place(
            activity=activity,
            name=place.name,
            country_id=place.country or None,
            admin_code=place.admin_code,
            latitude=place.latitude,
            longitude=place.longitude,
            key=place.name.strip().lower()[:300],
        )
        for place in data.places
    )
    ActivityCode.objects.bulk_create(
        ActivityCode(activity=activity, kind=kind, code=code)
        for kind, codes in data.codes.items()
        for code in sorted(codes)
    )
    Participation.objects.bulk_create(
        Participation(activity=activity, **asdict(participant)) for participant in data.participants
    )
    FundingLink.objects.bulk_create(
        FundingLink(stated_by=activity, **asdict(link)) for link in data.links
    )
    Indicator.objects.bulk_create(
        Indicator(activity=activity, **asdict(indicator)) for indicator in data.indicators
    )
    Document.objects.bulk_create(
        Document(activity=activity, **asdict(document)) for document in data.documents
    )
    Contact.objects.bulk_create(
        Contact(activity=activity, **asdict(contact)) for contact in data.contacts
    )


def data_of(activity: Activity) -> ActivityData:
    """An activity as plain data, everything it holds: what an edit starts from, so that
    fields a form does not show (funding links, coordinates, results...) survive it."""
    found = ActivityData(
        identifier=activity.identifier,
        reporting_org_ref=activity.reporting_org_ref,
        reporting_org_name=activity.reporting_org_name,
        reporting_org_type=activity.reporting_org_type,
        title=dict(activity.title),
        description=dict(activity.description),
        status=activity.status,
        planned_start=activity.planned_start,
        actual_start=activity.actual_start,
        planned_end=activity.planned_end,
        actual_end=activity.actual_end,
        countries={c.country_id: c.percentage for c in activity.countries.all()},
        places=[
            PlaceData(p.name, p.country_id or "", p.admin_code, p.latitude, p.longitude)
            for p in activity.places.all()
        ],
        budget=activity.budget,
        currency=activity.currency,
        participants=[
            ParticipantData(p.role, p.name, p.ref, p.org_type, p.activity_ref)
            for p in activity.participants.all()
        ],
        links=[
            LinkData(
                link.provider,
                link.recipient,
                link.provider_org,
                link.recipient_org,
                link.amount,
                link.currency,
            )
            for link in FundingLink.objects.filter(stated_by=activity).order_by("pk")
        ],
        indicators=[
            IndicatorData(
                i.result, i.title, i.measure, i.baseline, i.target, i.actual, i.period_end
            )
            for i in activity.indicators.all()
        ],
        documents=[
            DocumentData(d.title, d.url, d.format, d.category, d.language)
            for d in activity.documents.all()
        ],
        contacts=[
            ContactData(c.organisation, c.person, c.email, c.telephone, c.website, c.address)
            for c in activity.contacts.all()
        ],
        last_updated=activity.last_updated,
        classification=activity.classification,
        is_public=activity.is_public,
    )
    for row in activity.codes.all():
        found.add_code(row.kind, row.code)
    return found


def register(user: User, owner: Organisation, data: ActivityData) -> tuple[Activity, str]:
    """An activity registered or edited through a form or the API."""
    if not access.can_edit_activity(user, owner):
        raise PermissionDenied(_("You cannot register activities for this organisation."))
    with transaction.atomic():
        activity, outcome = save(data, owner, user, Origin.DIRECT)
        if outcome != UNCHANGED:
            record(
                action=f"activity.{outcome}",
                actor=user,
                organisation=owner,
                target=activity,
                detail={"identifier": activity.identifier},
            )
    return activity, outcome


def delete(user: User, activity: Activity) -> None:
    if not access.can_edit_activity(user, activity.owner):
        raise PermissionDenied(_("You cannot delete this activity."))
    with transaction.atomic():
        record(
            action="activity.deleted",
            actor=user,
            organisation=activity.owner,
            target=activity,
            detail={"identifier": activity.identifier},
        )
        FundingLink.objects.filter(stated_by=activity).delete()
        activity.delete()


def annotate(user: User, activity: Activity, text: str) -> Annotation:
    if not access.can_annotate_activities(user):
        raise PermissionDenied(_("Only national coordinators annotate activities."))
    text = text.strip()
    if not text:
        raise ValidationError(_("The note is empty."))
    organisation = access.organisations_where(user, access.Action.ANNOTATE_ACTIVITIES)[0]
    with transaction.atomic():
        note = Annotation.objects.create(
            activity=activity, author=user, organisation=organisation, text=text[:4000]
        )
        record(action="activity.annotated", actor=user, organisation=organisation, target=activity)
    return note


# Imports -----------------------------------------------------------------------------------


def new_import(
    user: User, owner: Organisation, source: IO[bytes], file_name: str
) -> ActivityImport:
    """Keep a copy of a file of activities for ``owner`` and record the import to come."""
    if not access.can_edit_activity(user, owner):
        raise PermissionDenied(_("You cannot import activities for this organisation."))
    directory = Path(settings.PALERMO_UPLOAD_DIR) / "activities"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / f"{uuid.uuid4()}{Path(file_name).suffix.lower()}"
    with path.open("wb") as target:
        shutil.copyfileobj(source, target)
    kind = Origin.IATI if file_name.lower().endswith(".xml") else Origin.TABLE
    job = ActivityImport.objects.create(
        owner=owner, created_by=user, file_name=file_name[:300], path=str(path), kind=kind
    )
    record(
        action="activity.import_queued",
        actor=user,
        organisation=owner,
        target=job,
        detail={"file": job.file_name},
    )
    return job


def start_import(
    user: User, owner: Organisation, source: IO[bytes], file_name: str
) -> ActivityImport:
    """Queue the import of an uploaded file in the background."""
    job = new_import(user, owner, source, file_name)
    from palermo.activities.tasks import import_task

    transaction.on_commit(lambda: import_task.enqueue(str(job.pk)))
    return job


def run_import(job: ActivityImport) -> ActivityImport:
    """Import every activity of the job's file in one transaction: a file that cannot be read
    (not well-formed, not IATI, not a table) imports nothing and says why. An activity that is
    refused (no identifier, another organisation's, wrong codes) is reported and the others
    are imported."""
    ActivityImport.objects.filter(pk=job.pk).update(state=ActivityImport.State.RUNNING)
    counts = {CREATED: 0, UPDATED: 0, UNCHANGED: 0}
    problems: list[dict[str, str]] = []
    read = rejected = 0
    try:
        with transaction.atomic(), open(job.path, "rb") as stream:
            items = (
                iati.read(stream)
                if job.kind == Origin.IATI
                else tables.read(Path(job.path), job.file_name)
            )
            for parsed in items:
                read += 1
                problems += [{"where": p.where, "message": p.message} for p in parsed.problems]
                if parsed.data is None:
                    rejected += 1
                    continue
                try:
                    with transaction.atomic():
                        _activity, outcome = save(parsed.data, job.owner, job.created_by, job.kind)
                except (ValidationError, PermissionDenied, DatabaseError, InvalidOperation) as exc:
                    rejected += 1
                    if isinstance(exc, ValidationError):
                        messages = exc.messages
                    elif isinstance(exc, PermissionDenied):
                        messages = [str(exc)]
                    else:  # a value the database cannot hold: the activity alone is refused
                        messages = [
                            _("A value does not fit the database: %(error)s") % {"error": exc}
                        ]
                    problems += [{"where": parsed.data.identifier, "message": m} for m in messages]
                    continue
                counts[outcome] += 1
            record(
                action="activity.imported",
                actor=job.created_by,
                organisation=job.owner,
                target=job,
                detail={"file": job.file_name, **counts, "rejected": rejected},
            )
    except (iati.IatiError, tables.TableError) as exc:
        job.state, job.error = ActivityImport.State.FAILED, str(exc)
        read = rejected = 0
        counts = dict.fromkeys(counts, 0)
        problems = []  # what was said of activities that were rolled back with the file
    else:
        job.state = ActivityImport.State.DONE
    job.read, job.rejected = read, rejected
    job.created, job.updated, job.unchanged = counts[CREATED], counts[UPDATED], counts[UNCHANGED]
    job.problems = problems[:1000]
    job.finished_at = timezone.now()
    job.save()
    Path(job.path).unlink(missing_ok=True)
    return job
