"""Writing to the knowledge base, whatever the door (form, command, import): contributing,
reviewing and publishing resources, reading PDFs, recording claims. Each write checks who may
make it, runs in one transaction with its audit row, and keeps the search index current."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from palermo.accounts import access
from palermo.accounts.models import Organisation, User
from palermo.audit.services import record
from palermo.geo.models import Country, Region
from palermo.knowledge import search, vocabulary
from palermo.knowledge.models import (
    ASSESSED_KINDS,
    Assessment,
    CaseLaw,
    Claim,
    Kind,
    Party,
    Resource,
    ResourceCode,
    Status,
    Validity,
)

logger = logging.getLogger(__name__)

# The extracted text a resource keeps for search.
MAX_TEXT = 2_000_000
MAX_CHAIN = 50
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(text: str) -> str:
    return _CONTROL.sub("", text).strip()


@dataclass
class ResourceData:
    """What a resource says, as plain values: what forms, imports and the demo hand over."""

    kind: str
    title: dict[str, str]
    abstract: dict[str, str] = field(default_factory=dict)
    publishers: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    text_language: str = ""
    licence: str = ""
    url: str = ""
    is_public: bool = True
    # kind -> codes (countries as ISO alpha-2, regions as M49, the standard's codes...)
    codes: dict[str, set[str]] = field(default_factory=dict)
    assessment: dict[str, str] | None = None
    case_law: dict[str, Any] | None = None
    # (role, sex, age, nationality, count) of a case's victims and defendants
    parties: list[tuple[str, str, str, str, int | None]] = field(default_factory=list)
    source_key: str | None = None


@dataclass
class PdfText:
    text: str
    pages: int
    warnings: list[str] = field(default_factory=list)


# -- PDFs ---------------------------------------------------------------------------------


def read_pdf(upload: IO[bytes], size: int) -> PdfText:
    """The text of an uploaded PDF, or a ValidationError that says in words why not (too
    large, not a PDF, damaged, password-protected)."""
    from pypdf import PdfReader

    if size > settings.PALERMO_KNOWLEDGE_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)d MB.")
            % {"limit": settings.PALERMO_KNOWLEDGE_MAX_BYTES // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(1024)
    if b"%PDF-" not in head:
        raise ValidationError(_("This file is not a PDF."), code="not_pdf")
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _(
                    "This PDF is protected by a password or encrypted: its text cannot be read "
                    "for search. Upload a copy without protection."
                ),
                code="encrypted",
            )
        total = len(reader.pages)
        limit = settings.PALERMO_KNOWLEDGE_MAX_PAGES
        parts = []
        for page in reader.pages[:limit]:
            parts.append(page.extract_text() or "")
    except ValidationError:
        raise
    except Exception as error:  # pypdf raises many kinds of error on broken files
        # pypdf's reason is in English and technical: it is logged, the reader gets a sentence.
        logger.info("Unreadable PDF refused: %s: %s", type(error).__name__, str(error)[:200])
        raise ValidationError(
            _("This PDF is damaged and cannot be read."), code="malformed"
        ) from error
    text = _clean("\n".join(parts))[:MAX_TEXT]
    warnings = []
    if not text:
        warnings.append(
            _(
                "No text could be read from this PDF (a scanned document?): only its title and "
                "abstract will be found by search."
            )
        )
    if total > limit:
        warnings.append(
            _("Only the first %(limit)d of %(total)d pages are searchable.")
            % {"limit": limit, "total": total}
        )
    return PdfText(text=text, pages=total, warnings=warnings)


# -- Resources ----------------------------------------------------------------------------


def check(data: ResourceData) -> None:
    """Refuse what a resource cannot be, with the field each error belongs to."""
    errors: dict[str, list[str]] = {}
    if data.kind not in Kind.values:
        errors.setdefault("kind", []).append(_("Unknown kind of resource."))
    titles = {lang: _clean(text) for lang, text in data.title.items() if _clean(text)}
    if not titles:
        errors.setdefault("title", []).append(_("Give a title in at least one language."))
    for language in [*data.title, *data.abstract]:
        if language not in vocabulary.LANGUAGES:
            errors.setdefault("title", []).append(_("Unknown language: %s.") % language)
    if data.text_language and data.text_language not in vocabulary.LANGUAGES:
        errors.setdefault("text_language", []).append(_("Unknown language."))
    this_year = timezone.now().year
    if data.year is not None and not 1800 <= data.year <= this_year + 1:
        errors.setdefault("year", []).append(
            _("Give a year between 1800 and %(year)d.") % {"year": this_year + 1}
        )
    places = {
        vocabulary.COUNTRY: set(
            Country.objects.filter(iso2__in=data.codes.get(vocabulary.COUNTRY, ())).values_list(
                "iso2", flat=True
            )
        ),
        vocabulary.REGION: set(
            Region.objects.filter(code__in=data.codes.get(vocabulary.REGION, ())).values_list(
                "code", flat=True
            )
        ),
    }
    for kind, codes in data.codes.items():
        if kind in places:
            for code in set(codes) - places[kind]:
                errors.setdefault(kind, []).append(_("Unknown code: %s.") % code[:50])
            continue
        if kind not in vocabulary.ENTERED_KINDS:
            errors.setdefault("codes", []).append(_("Unknown kind of code: %s.") % kind)
            continue
        for code in codes:
            if not vocabulary.known(kind, code) or len(code) > 200:
                errors.setdefault(kind, []).append(_("Unknown code: %s.") % code[:50])
    if data.kind in ASSESSED_KINDS and not (data.assessment or {}).get("evidence_level"):
        errors.setdefault("evidence_level", []).append(
            _("A good practice or an evaluation says what evidence it rests on.")
        )
    if data.kind == Kind.CASE_LAW and data.case_law is None:
        errors.setdefault("court", []).append(_("Case law gives the case's record."))
    if errors:
        raise ValidationError(errors)


def _codes_of(data: ResourceData) -> set[tuple[str, str]]:
    codes = {(kind, code) for kind, found in data.codes.items() for code in found if code}
    countries = [code for kind, code in codes if kind == vocabulary.COUNTRY]
    # A country brings its region and sub-region, so that a filter by region finds it.
    for country in Country.objects.filter(iso2__in=countries):
        for region in (country.region_id, country.sub_region_id):
            if region:
                codes.add((vocabulary.REGION, region))
    for publisher in data.publishers:
        codes.add((vocabulary.PUBLISHER, publisher[:200]))
    for language in [*data.title, *data.abstract, data.text_language]:
        if language:
            codes.add((vocabulary.LANGUAGE, language))
    return codes


def field_codes(
    resource: Resource, assessment: Assessment | None, case: CaseLaw | None
) -> set[tuple[str, str]]:
    """The codes read from a resource's other fields (``vocabulary.FIELD_KINDS``), so that
    each is a filter with a facet like the codes its contributor chose. They are read from what
    was saved (the fields cleaned), as migration 0006 reads them: keep the two alike."""
    codes = {(vocabulary.AUTHOR, a.strip()[:200]) for a in resource.authors or () if a.strip()}
    if resource.licence.strip():
        codes.add((vocabulary.LICENCE, resource.licence.strip()[:200]))
    if resource.text_language:
        codes.add((vocabulary.TEXT_LANGUAGE, resource.text_language))
    if resource.kind in ASSESSED_KINDS and assessment is not None and assessment.evidence_level:
        codes.add((vocabulary.EVIDENCE, assessment.evidence_level))
    if resource.kind == Kind.CASE_LAW and case is not None:
        codes |= {(vocabulary.ACT, act) for act in case.acts or ()}
        codes |= {(vocabulary.MEANS_KIND, means) for means in case.means or ()}
        if case.form:
            codes.add((vocabulary.CASE_FORM, case.form))
        if case.verdict:
            codes.add((vocabulary.VERDICT, case.verdict))
    return codes


def index_parts(resource: Resource) -> list[search.Part]:
    """What search reads of a resource: each text with its language."""
    parts: list[search.Part] = [("title", lang, text) for lang, text in resource.title.items()]
    parts += [("abstract", lang, text) for lang, text in resource.abstract.items()]
    people = " ".join([*resource.publishers, *resource.authors])
    if people:
        parts.append(("abstract", "zh-hans", people))  # names: not stemmed
    body_language = resource.text_language or "en"
    if resource.full_text:
        parts.append(("body", body_language, resource.full_text))
    case = getattr(resource, "case_law", None) if resource.kind == Kind.CASE_LAW else None
    if case is not None:
        parts.append(("abstract", "en", f"{case.court} {case.case_number} {case.place}"))
        parts.append(("body", body_language, f"{case.fact_summary}\n{case.charges}"))
    assessment = getattr(resource, "assessment", None) if resource.kind in ASSESSED_KINDS else None
    if assessment is not None:
        parts.append(("body", body_language, f"{assessment.evaluated}\n{assessment.results}"))
    return parts


def index_codes(resources: list[Resource]) -> dict[int, list[search.Code]]:
    """What search filters on in the index, by resource: its kind and its code rows (which
    stay the source of truth: facets count them)."""
    found: dict[int, list[search.Code]] = {
        r.pk: [(search.RESOURCE_KIND, r.kind)] for r in resources
    }
    if not search.is_postgresql():
        return found  # unused: SQLite filters on the code rows
    rows = ResourceCode.objects.filter(resource_id__in=list(found)).values_list(
        "resource_id", "kind", "code"
    )
    for resource_id, kind, code in rows:
        found[resource_id].append((kind, code))
    return found


def reindex(resources: list[Resource]) -> None:
    """Index the resources' texts and codes again: after any change to either."""
    codes = index_codes(resources)
    search.index((r.pk, index_parts(r), codes[r.pk]) for r in resources)


def _may_contribute(actor: User, organisation: Organisation) -> None:
    if organisation not in access.knowledge_contributors(actor):
        raise PermissionDenied(_("You cannot add resources for this organisation."))


class _Unchanged(Exception):  # noqa: N818 - not an error: rolls back a save that changed nothing
    pass


@dataclass
class Saved:
    """What :func:`write_resource` did: the resource as saved, and the names of what changed
    (as the audit log gives them; none when nothing changed and nothing was written)."""

    resource: Resource
    changed: list[str]


def save_resource(
    *,
    actor: User | None,
    organisation: Organisation,
    data: ResourceData,
    resource: Resource | None = None,
    pdf: tuple[str, bytes, PdfText] | None = None,
    remove_file: bool = False,
    publish: bool = False,
) -> Resource:
    """Create or change a resource (:func:`write_resource`), and return it."""
    return write_resource(
        actor=actor,
        organisation=organisation,
        data=data,
        resource=resource,
        pdf=pdf,
        remove_file=remove_file,
        publish=publish,
    ).resource


def write_resource(
    *,
    actor: User | None,
    organisation: Organisation,
    data: ResourceData,
    resource: Resource | None = None,
    pdf: tuple[str, bytes, PdfText] | None = None,
    remove_file: bool = False,
    publish: bool = False,
) -> Saved:
    """Create or change a resource, and say what changed. A contributor's new resource is a
    draft. A change to what a published resource says (any field a reader sees: titles,
    abstracts, the file, who may see it, codes, the case or the assessment) sends it back to
    review: it leaves the public pages until a reviewer publishes it again. Saving it with
    nothing changed writes nothing (and says so: ``changed`` is empty), the one test of
    "unchanged" for every door (the edit page, the SHERLOC import).
    ``publish`` (imports run by an operator, the demo) publishes a new resource at once and
    keeps a published one published; any other resource keeps its status (a change waiting
    for review is not published by an import).

    ``pdf`` is (file name, content, its text from :func:`read_pdf`); ``remove_file`` removes
    the file and the text read from it. A replaced or removed file is deleted from storage
    once the change is committed; a file written by a save that fails is deleted at once."""
    if actor is not None:
        if resource is None:
            _may_contribute(actor, organisation)
        elif not access.can_edit_resource(actor, resource.contributor):
            raise PermissionDenied(_("You cannot change this resource."))
    check(data)
    written: list[str] = []  # files this save put in storage
    try:
        with transaction.atomic():
            return _write_resource(
                actor=actor,
                organisation=organisation,
                data=data,
                resource=resource,
                pdf=pdf,
                remove_file=remove_file,
                publish=publish,
                written=written,
            )
    except _Unchanged:
        assert resource is not None  # noqa: S101 - only an existing resource is unchanged
        resource.refresh_from_db()
        return Saved(resource, [])
    except BaseException:
        storage = Resource._meta.get_field("file").storage
        for name in written:
            storage.delete(name)
        raise


def _write_resource(
    *,
    actor: User | None,
    organisation: Organisation,
    data: ResourceData,
    resource: Resource | None,
    pdf: tuple[str, bytes, PdfText] | None,
    remove_file: bool,
    publish: bool,
    written: list[str],
) -> Saved:
    created = resource is None
    before = {} if resource is None else _snapshot(resource)
    if resource is None:
        resource = Resource(contributor=organisation, created_by=actor)
    resource.kind = data.kind
    resource.title = {k: _clean(v)[:1000] for k, v in data.title.items() if _clean(v)}
    resource.abstract = {k: _clean(v)[:20_000] for k, v in data.abstract.items() if _clean(v)}
    resource.publishers = [_clean(p)[:200] for p in data.publishers if _clean(p)]
    resource.authors = [_clean(a)[:200] for a in data.authors if _clean(a)]
    resource.year = data.year
    resource.text_language = data.text_language
    resource.licence = _clean(data.licence)[:200]
    resource.url = data.url
    resource.is_public = data.is_public
    resource.source_key = data.source_key or resource.source_key
    old_file = resource.file.name or ""
    if pdf is not None:
        name, content, text = pdf
        resource.file.save(name, ContentFile(content), save=False)
        written.append(resource.file.name or "")
        resource.file_name = name[:255]
        resource.full_text = text.text
        resource.pages = text.pages
    elif remove_file:
        resource.file = None
        resource.file_name = ""
        resource.full_text = ""
        resource.pages = None
    if publish and (created or resource.status == Status.PUBLISHED):
        # An operator's import publishes what is new and keeps the published published; a
        # resource waiting for review (or a draft, or one returned) keeps its status: an
        # import never publishes a change no reviewer has seen.
        resource.status = Status.PUBLISHED
        resource.published_at = resource.published_at or timezone.now()
    resource.full_clean(exclude=["file", "url", "search_vector"])
    resource.save()
    assessment, case = _save_details(resource, data)
    _save_codes(resource, _codes_of(data) | field_codes(resource, assessment, case))
    changed = sorted(k for k, v in _snapshot(resource).items() if before.get(k) != v)
    if not created and changed == []:
        raise _Unchanged
    if before.get("status") == Status.PUBLISHED and not publish:
        # What readers would see has changed: a reviewer approves it before they do.
        resource.status = Status.SUBMITTED
        resource.submitted_by = actor
        resource.save(update_fields=["status", "submitted_by", "updated_at"])
        changed = sorted({*changed, "status"})
    saved = Resource.objects.select_related("case_law", "assessment").get(pk=resource.pk)
    reindex([saved])
    if old_file and old_file != (resource.file.name or ""):
        storage = resource.file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    record(
        action="knowledge.resource_created" if created else "knowledge.resource_changed",
        actor=actor,
        organisation=organisation,
        target=resource,
        detail={"status": resource.status, "changed": changed},
    )
    return Saved(resource, changed)


def _snapshot(resource: Resource) -> dict[str, Any]:
    """What a change can alter, to say in the audit log which fields changed (not how)."""
    found: dict[str, Any] = {
        name: getattr(resource, name)
        for name in (
            "kind",
            "title",
            "abstract",
            "publishers",
            "authors",
            "year",
            "text_language",
            "licence",
            "url",
            "is_public",
            "file_name",
            "status",
        )
    }
    found["file"] = resource.file.name or ""
    found["codes"] = sorted(resource.codes.values_list("kind", "code"))
    case = CaseLaw.objects.filter(resource=resource).first()
    found["case_law"] = (
        None
        if case is None
        else [str(getattr(case, f.attname)) for f in CaseLaw._meta.concrete_fields]
        + sorted(str(p) for p in case.parties.all())
    )
    assessment = Assessment.objects.filter(resource=resource).first()
    found["assessment"] = (
        None
        if assessment is None
        else [str(getattr(assessment, f.attname)) for f in Assessment._meta.concrete_fields]
    )
    return found


def _save_codes(resource: Resource, codes: set[tuple[str, str]]) -> None:
    existing = {(c.kind, c.code): c.pk for c in resource.codes.all()}
    gone = [pk for key, pk in existing.items() if key not in codes]
    ResourceCode.objects.filter(pk__in=gone).delete()
    ResourceCode.objects.bulk_create(
        [
            ResourceCode(resource=resource, kind=k, code=c)
            for k, c in codes
            if (k, c) not in existing
        ]
    )


def _save_details(
    resource: Resource, data: ResourceData
) -> tuple[Assessment | None, CaseLaw | None]:
    """Save the resource's assessment and case record (deleting what its kind has not), and
    return them as saved."""
    assessment: Assessment | None = None
    case: CaseLaw | None = None
    if resource.kind in ASSESSED_KINDS and data.assessment:
        assessment, _created = Assessment.objects.update_or_create(
            resource=resource,
            defaults={k: _clean(str(v)) for k, v in data.assessment.items()},
        )
    else:
        Assessment.objects.filter(resource=resource).delete()
    if resource.kind == Kind.CASE_LAW and data.case_law:
        case, _created = CaseLaw.objects.update_or_create(resource=resource, defaults=data.case_law)
        case.full_clean(exclude=["source_url"])
        case.parties.all().delete()
        Party.objects.bulk_create(
            [
                Party(case=case, role=role, sex=sex, age=age, nationality=nat, count=count)
                for role, sex, age, nat, count in data.parties
            ]
        )
    else:
        CaseLaw.objects.filter(resource=resource).delete()
    return assessment, case


@transaction.atomic
def submit(*, actor: User, resource: Resource) -> Resource:
    """Send a draft (or a returned resource) to the reviewers."""
    if not access.can_edit_resource(actor, resource.contributor):
        raise PermissionDenied(_("You cannot submit this resource."))
    if resource.status not in (Status.DRAFT, Status.RETURNED):
        raise ValidationError(_("Only a draft or a returned resource can be submitted."))
    resource.status = Status.SUBMITTED
    resource.submitted_by = actor
    resource.save(update_fields=["status", "submitted_by", "updated_at"])
    record(
        action="knowledge.resource_submitted",
        actor=actor,
        organisation=resource.contributor,
        target=resource,
    )
    return resource


@transaction.atomic
def review(*, actor: User, resource: Resource, approve: bool, note: str = "") -> Resource:
    """A reviewer publishes a submitted resource or returns it with a note. Nobody reviews a
    resource they submitted themselves."""
    if not access.can_review_knowledge(actor):
        raise PermissionDenied(_("Only knowledge reviewers approve resources."))
    if resource.status != Status.SUBMITTED:
        raise ValidationError(_("This resource is not waiting for review."))
    if actor.pk in (resource.submitted_by_id, resource.created_by_id):
        raise ValidationError(_("Another reviewer must review a resource you added or submitted."))
    note = _clean(note)[:5000]
    if not approve and not note:
        raise ValidationError({"note": [_("Say what should change before it can be published.")]})
    resource.status = Status.PUBLISHED if approve else Status.RETURNED
    resource.review_note = note
    resource.reviewed_by = actor
    if approve:
        resource.published_at = resource.published_at or timezone.now()
    resource.save(
        update_fields=["status", "review_note", "reviewed_by", "published_at", "updated_at"]
    )
    record(
        action="knowledge.resource_published" if approve else "knowledge.resource_returned",
        actor=actor,
        organisation=resource.contributor,
        target=resource,
    )
    return resource


# How many of the records that keep a resource from being deleted its message names.
MAX_NAMED = 10


@transaction.atomic
def delete_resource(*, actor: User, resource: Resource) -> None:
    """Delete a resource, its claims and its file, unless something else rests on it: another
    organisation's claim stated in it, a claim elsewhere taken from it or computed from it
    (``on_delete=RESTRICT``), a record elsewhere that cites it (``on_delete=PROTECT``: a
    country profile, an action plan). Those are found by the deletion itself, and named."""
    if not access.can_edit_resource(actor, resource.contributor):
        raise PermissionDenied(_("You cannot delete this resource."))
    resting = _(
        "Other claims are stated in this resource or rest on it: it cannot be deleted. "
        "Mark it members only instead, or remove those claims first."
    )
    if resource.claims.exclude(organisation=resource.contributor).exists():
        raise ValidationError(resting)
    for claim in resource.claims.all():
        record(
            action="knowledge.claim_deleted",
            actor=actor,
            organisation=claim.organisation,
            target=claim,
        )
    record(
        action="knowledge.resource_deleted",
        actor=actor,
        organisation=resource.contributor,
        target=resource,
        detail={"title": resource.display_title[:200]},
    )
    search.unindex(resource.pk)
    name = resource.file.name if resource.file else ""
    try:
        resource.delete()
    except ProtectedError as error:
        # Raised before anything is deleted; the audit rows and the index roll back with it.
        raise ValidationError(
            [
                _(
                    "Other records cite this resource: it cannot be deleted. Mark it members "
                    "only instead."
                ),
                *_citing(error.protected_objects),
            ]
        ) from error
    except RestrictedError as error:
        raise ValidationError(resting) from error
    if name:
        storage = Resource._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(name))


def _citing(records: Iterable[models.Model]) -> list[str]:
    """A sentence for each record (the first few) that keeps a resource from being deleted:
    its own (``cites_resource()``), else its kind and name."""
    found: dict[str, None] = {}
    for cited_by in list(records)[:MAX_NAMED]:
        describe = getattr(cited_by, "cites_resource", None)
        if describe is not None:
            found[describe()] = None
        else:
            found[
                _("%(kind)s “%(name)s” cites it.")
                % {"kind": capfirst(cited_by._meta.verbose_name), "name": cited_by}
            ] = None
    return list(found)


# -- Claims -------------------------------------------------------------------------------


@dataclass
class ClaimData:
    statement: str
    value: Any
    unit: str
    stated_in: Resource
    validity: str
    language: str = ""
    scope_place: str = ""
    scope_period: str = ""
    scope_population: str = ""
    location: str = ""
    derived_from: Claim | None = None
    source_resource: Resource | None = None
    source_release: Any = None
    method: str = ""


def _check_claim(data: ClaimData, claim: Claim | None) -> None:
    errors: dict[str, list[str]] = {}
    if data.validity not in Validity.values:
        errors["validity"] = [_("Choose how valid the number is.")]
    if data.validity == Validity.REPEATED and data.derived_from is None:
        errors["derived_from"] = [_("Name the claim this one repeats.")]
    if data.validity == Validity.UNTRACEABLE and (
        data.derived_from or data.source_resource or data.source_release
    ):
        errors["validity"] = [_("A claim with a source is not untraceable.")]
    if data.validity == Validity.PUBLISHED_METHOD and not (
        data.method.strip() or data.source_resource or data.source_release
    ):
        errors["method"] = [_("Describe the method, or name the resource that publishes it.")]
    if data.source_resource is not None and data.source_resource.pk == data.stated_in.pk:
        errors["source_resource"] = [_("A resource is not its own source.")]
    # Following the chain from the claim it is taken from must never come back to this one.
    current, seen = data.derived_from, 0
    while current is not None and seen < MAX_CHAIN:
        if claim is not None and current.pk == claim.pk:
            errors["derived_from"] = [_("This would make the chain go round in a circle.")]
            break
        current, seen = current.derived_from, seen + 1
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_claim(
    *, actor: User, organisation: Organisation, data: ClaimData, claim: Claim | None = None
) -> Claim:
    """Record or change a claim. Claims are added by contributors; a claim is changed by its
    organisation's contributors and by reviewers."""
    if claim is None:
        _may_contribute(actor, organisation)
    elif not access.can_edit_resource(actor, claim.organisation):
        raise PermissionDenied(_("You cannot change this claim."))
    _check_claim(data, claim)
    created = claim is None
    if claim is None:
        claim = Claim(organisation=organisation, created_by=actor)
    claim.statement = _clean(data.statement)[:5000]
    claim.language = data.language
    claim.value = data.value
    claim.unit = _clean(data.unit)[:60]
    claim.stated_in = data.stated_in
    claim.location = _clean(data.location)[:100]
    claim.scope_place = _clean(data.scope_place)[:200]
    claim.scope_period = _clean(data.scope_period)[:60]
    claim.scope_population = _clean(data.scope_population)[:200]
    claim.derived_from = data.derived_from
    claim.source_resource = data.source_resource
    claim.source_release = data.source_release
    claim.method = _clean(data.method)[:10_000]
    claim.validity = data.validity
    # A changed claim is approved again (it matters only for another organisation's claims).
    claim.approved_by = None
    claim.approved_at = None
    claim.full_clean()
    claim.save()
    record(
        action="knowledge.claim_created" if created else "knowledge.claim_changed",
        actor=actor,
        organisation=claim.organisation,
        target=claim,
    )
    return claim


@transaction.atomic
def approve_claim(*, actor: User, claim: Claim) -> Claim:
    """A reviewer lets a claim recorded by another organisation than the resource's own be
    seen by everyone who sees the resource."""
    if not access.can_review_knowledge(actor):
        raise PermissionDenied(_("Only knowledge reviewers approve claims."))
    if claim.created_by_id == actor.pk:
        raise ValidationError(_("Another reviewer must approve a claim you recorded."))
    if claim.approved_at is None:
        claim.approved_by = actor
        claim.approved_at = timezone.now()
        claim.save(update_fields=["approved_by", "approved_at"])
        record(
            action="knowledge.claim_approved",
            actor=actor,
            organisation=claim.organisation,
            target=claim,
        )
    return claim


@transaction.atomic
def delete_claim(*, actor: User, claim: Claim) -> None:
    if not access.can_edit_resource(actor, claim.organisation):
        raise PermissionDenied(_("You cannot delete this claim."))
    record(
        action="knowledge.claim_deleted", actor=actor, organisation=claim.organisation, target=claim
    )
    try:
        claim.delete()  # the claims taken from it keep it (``on_delete=RESTRICT``)
    except RestrictedError as error:
        raise ValidationError(
            _(
                "Other claims are taken from this claim: it cannot be deleted while they cite "
                "it. They must be changed or removed first."
            )
        ) from error


def pdf_from_upload(upload: Any) -> tuple[str, bytes, PdfText]:
    """(name, content, text) of an uploaded file, read once."""
    content = upload.read(settings.PALERMO_KNOWLEDGE_MAX_BYTES + 1)
    text = read_pdf(io.BytesIO(content), len(content))
    name = re.sub(r"[^\w.\- ]", "_", getattr(upload, "name", "") or "document.pdf")[:200]
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    return name, content, text
