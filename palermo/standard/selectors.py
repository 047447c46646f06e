"""Reading the standard at a given version, with labels in the reader's language."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404

from palermo.core import caching
from palermo.standard.models import (
    Code,
    CodeLabel,
    CodeList,
    CodeMapping,
    ColumnMapping,
    Field,
    FieldLabel,
    Instrument,
    InstrumentVersion,
    MappingProfile,
    StandardVersion,
)

Labels = dict[str, str]  # language -> text


def latest_version() -> int:
    return StandardVersion.objects.aggregate(n=Max("number"))["n"] or 0


def resolve_version(raw: str | int | None) -> int:
    """The version a reader asked for (``?version=N``), or the latest; 404 for a version that
    does not exist."""
    latest = latest_version()
    if raw in (None, ""):
        return latest
    try:
        number = int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise Http404("no such version") from None
    if number < 1 or number > latest:
        raise Http404("no such version")
    return number


def versions() -> QuerySet[StandardVersion]:
    return StandardVersion.objects.select_related("created_by")


def pick_label(labels: Labels, language: str | None) -> tuple[str, bool]:
    """The label in ``language`` and whether it fell back to English (authoritative)."""
    if language and labels.get(language):
        return labels[language], False
    return labels.get("en", ""), bool(language and language != "en")


def code_labels(code_ids: Iterable[int], version: int) -> dict[int, Labels]:
    found: dict[int, Labels] = defaultdict(dict)
    for label in CodeLabel.objects.at(version).filter(code_id__in=list(code_ids)):
        found[label.code_id][label.language] = label.text
    return found


def code_names(key: str, language: str) -> dict[str, str]:
    """Each code of a list at the latest version -> its label in ``language`` (else English,
    else the code)."""
    version = latest_version()
    found = list(codes(code_list(key, version), version))
    labels = code_labels([c.pk for c in found], version)
    return {c.code: pick_label(labels.get(c.pk, {}), language)[0] or c.code for c in found}


def code_labels_by_code(key: str) -> dict[str, Labels]:
    """Each code of a list at the latest version -> its labels in every language."""
    version = latest_version()
    found = list(codes(code_list(key, version), version))
    labels = code_labels([c.pk for c in found], version)
    return {c.code: labels.get(c.pk, {}) for c in found}


# Labels of a code list change only with a new version of the standard: pages, filters and
# search read them through this cache, refreshed every few minutes.
NAMES_SECONDS = caching.NAMES_SECONDS


_NAMES: dict[tuple[str, str, int], dict[str, str]] = {}
_LABELS: dict[tuple[str, int], dict[str, Labels]] = {}


def _or_nothing(load: Callable[[], Any]) -> Callable[[], Any]:
    """``load``, answering nothing while the standard has no such list (not loaded yet)."""

    def read() -> Any:
        try:
            return load()
        except Http404:
            return {}

    return read


def cached_code_names(key: str, language: str) -> dict[str, str]:
    """:func:`code_names`, kept a few minutes; empty (and not kept) while the standard is not
    loaded or has no such list."""
    load = _or_nothing(lambda: code_names(key, language))
    return caching.kept(_NAMES, (key, language, caching.slot()), load)


def cached_code_labels(key: str) -> dict[str, Labels]:
    """:func:`code_labels_by_code`, kept a few minutes, as :func:`cached_code_names`."""
    load = _or_nothing(lambda: code_labels_by_code(key))
    return caching.kept(_LABELS, (key, caching.slot()), load)


def field_labels(field_ids: Iterable[int], version: int) -> dict[int, Labels]:
    found: dict[int, Labels] = defaultdict(dict)
    for label in FieldLabel.objects.at(version).filter(field_id__in=list(field_ids)):
        found[label.field_id][label.language] = label.text
    return found


def code_lists(version: int, q: str = "") -> QuerySet[CodeList]:
    qs = CodeList.objects.at(version).annotate(
        code_count=Count(
            "codes",
            filter=Q(codes__since__lte=version)
            & (Q(codes__until__isnull=True) | Q(codes__until__gt=version)),
        )
    )
    if q:
        qs = qs.filter(Q(key__icontains=q) | Q(name__icontains=q))
    return qs.order_by("key")


def code_list(key: str, version: int) -> CodeList:
    try:
        return CodeList.objects.at(version).get(key=key)
    except CodeList.DoesNotExist:
        raise Http404("no such code list") from None


def codes(code_list: CodeList, version: int, include_retired: bool = False) -> QuerySet[Code]:
    qs = Code.objects.filter(code_list=code_list, since__lte=version).select_related(
        "parent", "parent__code_list"
    )
    if not include_retired:
        qs = qs.filter(Q(until__isnull=True) | Q(until__gt=version))
    return qs.order_by("order", "code")


def fields(version: int, section: str = "", q: str = "") -> QuerySet[Field]:
    qs = Field.objects.at(version).select_related("code_list")
    if section:
        qs = qs.filter(section=section)
    if q:
        ids = FieldLabel.objects.at(version).filter(text__icontains=q).values("field_id")
        qs = qs.filter(Q(key__icontains=q) | Q(description__icontains=q) | Q(pk__in=ids))
    return qs.order_by("order", "key")


def field(key: str, version: int) -> Field:
    try:
        return Field.objects.at(version).select_related("code_list").get(key=key)
    except Field.DoesNotExist:
        raise Http404("no such field") from None


def crosswalk(version: int) -> QuerySet[CodeMapping]:
    return CodeMapping.objects.at(version).select_related(
        "source", "source__code_list", "target", "target__code_list"
    )


@dataclass(frozen=True)
class LabelCoverage:
    language: str
    labelled: int
    total: int

    @property
    def missing(self) -> int:
        return self.total - self.labelled


def label_coverage(version: int) -> list[LabelCoverage]:
    """How many codes and fields have a label in each language."""
    from django.conf import settings

    codes = Code.objects.at(version)
    fields = Field.objects.at(version)
    total = codes.count() + fields.count()
    rows = []
    for language, _name in settings.LANGUAGES:
        labelled = (
            CodeLabel.objects.at(version).filter(language=language, code__in=codes).count()
            + FieldLabel.objects.at(version).filter(language=language, field__in=fields).count()
        )
        rows.append(LabelCoverage(language, labelled, total))
    return rows


# Instruments and mapping profiles --------------------------------------------------------------


def instruments_visible_to(organisation_ids: Iterable[object]) -> QuerySet[Instrument]:
    """The standard's instruments and those of the given organisations."""
    return (
        Instrument.objects.filter(Q(owner__isnull=True) | Q(owner_id__in=list(organisation_ids)))
        .select_related("owner")
        .order_by("owner__name", "name")
    )


def current_version(instrument: Instrument) -> InstrumentVersion:
    version = instrument.versions.order_by("-number").first()
    if version is None:
        raise Http404("instrument without a version")
    return version


def mapping_profiles(organisation_ids: Iterable[object]) -> QuerySet[MappingProfile]:
    return (
        MappingProfile.objects.filter(organisation_id__in=list(organisation_ids))
        .select_related("organisation")
        .annotate(column_count=Count("columns"))
        .prefetch_related(
            Prefetch("columns", queryset=ColumnMapping.objects.select_related("field"))
        )
        .order_by("organisation__name", "name")
    )


def choices_for(
    field_key: str, language: str | None, version: int | None = None
) -> list[tuple[str, str]]:
    """(code, label) pairs of a field's code list, labels in ``language`` or English."""
    version = version or latest_version()
    found = field(field_key, version)
    if found.code_list is None:
        return []
    items = list(codes(found.code_list, version))
    labels = code_labels([c.pk for c in items], version)
    return [(c.code, pick_label(labels.get(c.pk, {}), language)[0] or c.code) for c in items]


def field_choices() -> list[tuple[str, str]]:
    """The fields of the latest version as choices of a form (key, with its code list)."""
    version = latest_version()
    return [
        (f.key, f"{f.key} ({f.code_list.key})" if f.code_list else f.key) for f in fields(version)
    ]
