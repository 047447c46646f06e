"""Reading the knowledge base: who sees which resource and claim, the search every door shares
(pages, API, benchmarks), its facets, and a claim's chain back to its origin."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber, Substr

from palermo.accounts import access
from palermo.knowledge import search, vocabulary
from palermo.knowledge.models import (
    ORIGIN_VALIDITIES,
    Claim,
    Kind,
    Resource,
    ResourceCode,
    Status,
    Validity,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from palermo.accounts.models import User


def visible(user: User | AnonymousUser) -> QuerySet[Resource]:
    """Published public resources for everyone; published members-only ones for signed-in
    members; an organisation's own drafts for its contributors; submissions for reviewers."""
    rule = Q(status=Status.PUBLISHED, is_public=True)
    if access.sees_member_knowledge(user):
        rule |= Q(status=Status.PUBLISHED)
    own = access.knowledge_contributors(user)
    if own:
        rule |= Q(contributor__in=own)
    if access.can_review_knowledge(user):
        rule |= Q(status=Status.SUBMITTED)
    return Resource.objects.filter(rule).select_related("contributor")


def published(user: User | AnonymousUser) -> QuerySet[Resource]:
    """What search lists: the published resources ``user`` may read."""
    return visible(user).filter(status=Status.PUBLISHED)


def review_queue(user: User | AnonymousUser) -> QuerySet[Resource]:
    if not access.can_review_knowledge(user):
        return Resource.objects.none()
    return visible(user).filter(status=Status.SUBMITTED).order_by("updated_at")


def own_work(user: User | AnonymousUser) -> QuerySet[Resource]:
    """The unpublished resources of the user's organisations."""
    return (
        visible(user)
        .filter(contributor__in=access.knowledge_contributors(user))
        .exclude(status=Status.PUBLISHED)
        .order_by("-updated_at")
    )


SORTS = {
    "relevance": (F("relevance").desc(), F("year").desc(nulls_last=True), F("id").desc()),
    "newest": (F("year").desc(nulls_last=True), F("id").desc()),
    "oldest": (F("year").asc(nulls_last=True), F("id").asc()),
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CODE_FILTERS = {
    "country": vocabulary.COUNTRY,
    "region": vocabulary.REGION,
    "theme": vocabulary.THEME,
    "exploitation": vocabulary.EXPLOITATION,
    "group": vocabulary.TARGET_GROUP,
    "language": vocabulary.LANGUAGE,
    "article": vocabulary.ARTICLE,
    "publisher": vocabulary.PUBLISHER,
    "author": vocabulary.AUTHOR,
    "licence": vocabulary.LICENCE,
    "text_language": vocabulary.TEXT_LANGUAGE,
    "evidence": vocabulary.EVIDENCE,
    "act": vocabulary.ACT,
    "means": vocabulary.MEANS_KIND,
    "case_form": vocabulary.CASE_FORM,
    "verdict": vocabulary.VERDICT,
}


@dataclass
class Filters:
    """A search; every field optional. A malformed value is ignored, never an error."""

    q: str = ""
    kind: str = ""
    year_from: int | None = None
    year_to: int | None = None
    country: str = ""
    region: str = ""
    theme: str = ""
    exploitation: str = ""
    group: str = ""
    language: str = ""
    article: str = ""
    publisher: str = ""
    author: str = ""
    licence: str = ""
    text_language: str = ""
    evidence: str = ""
    act: str = ""
    means: str = ""
    case_form: str = ""
    verdict: str = ""
    sort: str = ""

    @classmethod
    def from_query(cls, params: dict[str, Any]) -> Filters:
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = params.get(f.name)
            if raw in (None, ""):
                continue
            raw = _CONTROL.sub("", str(raw)).strip()[:500]
            if f.name in ("year_from", "year_to"):
                if re.fullmatch(r"[0-9]{4}", raw):
                    values[f.name] = int(raw)
            elif f.name == "kind":
                if raw in Kind.values:
                    values[f.name] = raw
            elif f.name == "sort":
                if raw in SORTS:
                    values[f.name] = raw
            else:
                values[f.name] = raw
        return cls(**values)

    def as_params(self) -> dict[str, str]:
        return {
            f.name: str(getattr(self, f.name))
            for f in fields(self)
            if getattr(self, f.name) not in (None, "")
        }

    @property
    def effective_sort(self) -> str:
        """Relevance needs words to rank by; without them, newest first."""
        if self.sort and self.sort != "relevance":
            return self.sort
        return "relevance" if search.parse(self.q) else "newest"


def chosen_codes(filters: Filters) -> list[search.Code]:
    """The filters that are codes (the kind among them), as the index names them."""
    found = [(search.RESOURCE_KIND, filters.kind)] if filters.kind else []
    for name, kind in CODE_FILTERS.items():
        code = getattr(filters, name)
        if code:
            found.append((kind, code))
    return found


def filtered(
    resources: QuerySet[Resource], filters: Filters, *, codes: bool = True
) -> QuerySet[Resource]:
    """Every filter but the text; without the kind and the codes unless ``codes``."""
    if filters.year_from:
        resources = resources.filter(year__gte=filters.year_from)
    if filters.year_to:
        resources = resources.filter(year__lte=filters.year_to)
    for kind, code in chosen_codes(filters) if codes else []:
        if kind == search.RESOURCE_KIND:
            resources = resources.filter(kind=code)
        else:
            resources = resources.filter(search.has_any_code([(kind, code)]))
    return resources


def find(resources: QuerySet[Resource], filters: Filters) -> QuerySet[Resource]:
    """The resources a search finds, in its order. Without words, every resource the filters
    keep, newest first.

    With words, on PostgreSQL, the kind and the codes are matched in the text index, in one
    scan with the words (their lexemes in ``search_vector``, written from the code rows by
    ``services.reindex``); otherwise on the resource's kind and its code rows."""
    query = search.searched(search.parse(filters.q))
    coded = chosen_codes(filters) if query and search.is_postgresql() else []
    resources = filtered(resources, filters, codes=not coded)
    if filters.q.strip():
        resources = search.matching(resources, query, coded)
    order = SORTS[filters.effective_sort]
    return resources.order_by(*order)


def listed(resources: QuerySet[Resource]) -> QuerySet[Resource]:
    """A list's rows without their index and whole text, with the beginning of the text for
    passages (a PDF's text can be two million characters)."""
    return resources.defer("full_text", "search_vector").annotate(
        text_head=Substr("full_text", 1, search.SNIPPET_SCAN)
    )


# What a result on the search page shows (its title, kind, year, publishers, members-only mark
# and passage, ``views.excerpt``), and no more.
RESULT_FIELDS = (
    "uid",
    "kind",
    "title",
    "abstract",
    "publishers",
    "year",
    "text_language",
    "is_public",
)


def results(resources: QuerySet[Resource]) -> QuerySet[Resource]:
    """The search page's rows: :func:`listed` with only the columns a result shows. Reading
    every column and the contributor of each row took half the page query's time (in Python
    and the driver) for a filtered search."""
    return listed(resources).select_related(None).only(*RESULT_FIELDS)


@dataclass
class Facets:
    total: int
    kinds: list[tuple[str, str, int]] = field(default_factory=list)
    years: list[tuple[int, int]] = field(default_factory=list)
    # kind of code -> [(code, count)], largest first
    codes: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


FACET_SIZE = 12


def facets(resources: QuerySet[Resource], filters: Filters) -> Facets:
    """Counts of what a search finds in ``resources``, by kind, year and each kind of code.
    Each count is what choosing it would give: a facet's own choice is left out of its counts
    (with Thailand chosen, Nigeria counts the resources about Nigeria, not about both)."""
    found = find(resources, filters)
    total = found.order_by().count()

    def without(**cleared: Any) -> QuerySet[Resource]:
        """What the search finds with some filters cleared (a facet's own choice)."""
        if all(getattr(filters, name) in (None, "") for name in cleared):
            return found
        return find(resources, replace(filters, **cleared))

    def ids_without(**cleared: Any) -> Any:
        return without(**cleared).order_by().values("id")

    kind_names = dict(Kind.choices)
    kinds = [
        (row["kind"], str(kind_names.get(row["kind"], row["kind"])), row["n"])
        for row in without(kind="")
        .order_by()
        .values("kind")
        .annotate(n=Count("id"))
        .order_by("-n", "kind")
    ]
    years = [
        (row["year"], row["n"])
        for row in without(year_from=None, year_to=None)
        .filter(year__isnull=False)
        .order_by()
        .values("year")
        .annotate(n=Count("id"))
        .order_by("-year")[:30]
    ]
    codes: dict[str, list[tuple[str, int]]] = {kind: [] for kind in vocabulary.FACET_KINDS}
    names = {kind: name for name, kind in CODE_FILTERS.items()}
    chosen = {kind: names[kind] for kind, _code in chosen_codes(filters) if kind in names}
    rows = _largest(
        ResourceCode.objects.filter(resource_id__in=found.order_by().values("id")).exclude(
            kind__in=list(chosen)
        )
    )
    for kind, name in chosen.items():
        rows += _largest(
            ResourceCode.objects.filter(resource_id__in=ids_without(**{name: ""}), kind=kind)
        )
    for row in rows:
        codes.setdefault(row["kind"], []).append((row["code"], row["n"]))
    for kind, name in chosen.items():
        # The chosen code shows even when it is not among the largest.
        code = getattr(filters, name)
        if code not in {c for c, _n in codes[kind]}:
            codes[kind].append((code, total))
    return Facets(total=total, kinds=kinds, years=years, codes=codes)


class _GroupRank(Window):
    """A window that ranks the groups of an aggregate query. Django would add it to the GROUP
    BY as it does any other annotation, which the database refuses when the window orders by
    an aggregate; the groups it ranks are grouped already."""

    def get_group_by_cols(self) -> list[Any]:
        return []


def _largest(rows: QuerySet[ResourceCode]) -> list[dict[str, Any]]:
    """The ``FACET_SIZE`` most frequent codes of each kind among ``rows``, with their counts,
    largest first: ranked in the database, so that a kind with thousands of codes (authors)
    sends only its first few."""
    ranked = (
        rows.order_by()
        .values("kind", "code")
        .annotate(
            n=Count("resource_id"),
            rank=_GroupRank(
                RowNumber(), partition_by=F("kind"), order_by=[F("n").desc(), F("code").asc()]
            ),
        )
        .filter(rank__lte=FACET_SIZE)
        .order_by("kind", "rank")
    )
    return list(ranked)


# -- Claims -------------------------------------------------------------------------------


def visible_claims(user: User | AnonymousUser) -> QuerySet[Claim]:
    """A claim is seen by whoever sees the resource that states it, if the organisation that
    contributed the resource recorded it or a reviewer approved it; until then, by the
    recording organisation's contributors and by reviewers."""
    found = Claim.objects.filter(stated_in__in=visible(user).values("id"))
    if not access.can_review_knowledge(user):
        rule = Q(organisation=F("stated_in__contributor")) | Q(approved_at__isnull=False)
        own = access.knowledge_contributors(user)
        if own:
            rule |= Q(organisation__in=own)
        found = found.filter(rule)
    return found.select_related("stated_in", "source_resource", "source_release", "organisation")


def pending_claims(user: User | AnonymousUser) -> QuerySet[Claim]:
    """Claims waiting for a reviewer's approval (for reviewers)."""
    if not access.can_review_knowledge(user):
        return Claim.objects.none()
    return (
        visible_claims(user)
        .filter(approved_at__isnull=True)
        .exclude(organisation=F("stated_in__contributor"))
        .order_by("created_at")
    )


@dataclass
class Hop:
    claim: Claim | None = None  # None: a claim the reader may not see
    resource: Resource | None = None  # the origin's resource or dataset
    release: Any = None  # the origin's Palermo release


@dataclass
class Chain:
    """A claim's citation chain from the claim itself back to where its number comes from."""

    hops: list[Hop]
    # How it ends:
    # - "origin": in data, an estimate with a published method, a resource, dataset or release
    #   it was computed from (unless the claim says its method is not published);
    # - "no_method": in an estimate without a published method (who made it is known, not how);
    # - "untraceable": in a claim marked untraceable, or one that names no source;
    # - "hidden": it goes on in a resource the reader may not see;
    # - "circular": the claims cite each other.
    end: str

    @property
    def length(self) -> int:
        """The number of steps from the claim to its origin."""
        return len(self.hops) - 1

    @property
    def traced(self) -> bool:
        return self.end == "origin"


def chain(claim: Claim, user: User | AnonymousUser) -> Chain:
    """Follow ``derived_from`` from ``claim`` to the claim that is its origin, then to the
    resource, dataset or release that claim was computed from. One query per step; a chain is a
    handful of steps long (capped)."""
    readable = visible_claims(user)
    hops = [Hop(claim=claim)]
    seen = {claim.pk}
    current = claim
    while current.derived_from_id is not None:
        if current.derived_from_id in seen or len(hops) > 50:
            return Chain(hops, "circular")
        following = readable.filter(pk=current.derived_from_id).first()
        if following is None:
            hops.append(Hop())
            return Chain(hops, "hidden")
        seen.add(following.pk)
        hops.append(Hop(claim=following))
        current = following
    source = current.source_resource
    if source is not None and not visible(user).filter(pk=source.pk).exists():
        hops.append(Hop())
        return Chain(hops, "hidden")
    has_source = source is not None or current.source_release_id is not None
    if has_source:
        hops.append(Hop(resource=source, release=current.source_release))
    if current.validity == Validity.NO_METHOD:
        return Chain(hops, "no_method")
    if current.validity == Validity.UNTRACEABLE:
        return Chain(hops, "untraceable")
    if has_source or current.validity in ORIGIN_VALIDITIES:
        return Chain(hops, "origin")
    return Chain(hops, "untraceable")


def claims_citing(resource: Resource, user: User | AnonymousUser) -> QuerySet[Claim]:
    """Claims (in resources the reader sees) whose number was computed from ``resource`` or
    repeats a claim that ``resource`` states."""
    return (
        visible_claims(user)
        .filter(Q(source_resource=resource) | Q(derived_from__stated_in=resource))
        .exclude(stated_in=resource)
    )


@dataclass
class Citation:
    """A source one of a resource's claims names: the claim it was taken from, the resource or
    dataset it was computed from, or a Palermo release. ``hidden``: a source in a resource the
    reader may not see (nothing of it is given)."""

    claim: Claim  # the claim the resource makes
    source_claim: Claim | None = None
    resource: Resource | None = None
    release: Any = None
    hidden: bool = False


def visible_ids(user: User | AnonymousUser, ids: Iterable[Any]) -> set[Any]:
    """Which of these resource ids ``user`` may read (:func:`visible`), in one query (none
    without ids). Whatever names resources it holds by id (a claim's sources, a country
    profile's evidence, an action plan's document) asks this before naming them: a members-only
    resource is named to nobody else."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted:
        return set()
    return set(visible(user).filter(pk__in=wanted).values_list("pk", flat=True))


def _seen_sources(
    claims: list[Claim], user: User | AnonymousUser
) -> tuple[dict[Any, Claim], set[Any]]:
    """Of the sources ``claims`` name, the claims taken from that ``user`` may see (by id) and
    the ids of the resources computed from that ``user`` may read: two queries at most."""
    taken_from = {c.derived_from_id for c in claims if c.derived_from_id is not None}
    seen_claims = (
        {c.pk: c for c in visible_claims(user).filter(pk__in=taken_from)} if taken_from else {}
    )
    return seen_claims, visible_ids(user, (c.source_resource_id for c in claims))


def visible_sources(claims: list[Claim], user: User | AnonymousUser) -> tuple[set[Any], set[Any]]:
    """Of the sources ``claims`` name, the ids of the claims taken from and of the resources
    computed from that ``user`` may see: two queries for a whole page of claims."""
    seen_claims, seen_resources = _seen_sources(claims, user)
    return set(seen_claims), seen_resources


def sources_cited(claims: list[Claim], user: User | AnonymousUser) -> list[Citation]:
    """What the ``claims`` (those a resource makes, from :func:`visible_claims`, which loads
    their source resources) cite, in their order: two queries for the whole list, whatever its
    length."""
    seen_claims, seen_resources = _seen_sources(claims, user)
    found: list[Citation] = []
    for claim in claims:
        if claim.derived_from_id is not None:
            source_claim = seen_claims.get(claim.derived_from_id)
            found.append(Citation(claim, source_claim=source_claim, hidden=source_claim is None))
        if claim.source_resource_id is not None:
            seen = claim.source_resource_id in seen_resources
            found.append(
                Citation(claim, resource=claim.source_resource if seen else None, hidden=not seen)
            )
        if claim.source_release_id is not None:
            found.append(Citation(claim, release=claim.source_release))
    return found
