"""What the statistics pages and the API read: releases and their published cells only (never
the snapshot, never cases)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import polars as pl
from django.db.models import Q, QuerySet

from palermo.accounts import access
from palermo.stats import vocabulary
from palermo.stats.dimensions import BY_KEY, KEYS
from palermo.stats.disclosure import Spec
from palermo.stats.models import Contribution, Release

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from palermo.accounts.models import User


LARGE = ("cells", "synthetic_rows")


def published() -> QuerySet[Release]:
    return (
        Release.objects.filter(state=Release.State.PUBLISHED)
        .order_by("-published_at")
        .defer(*LARGE)
    )


def latest_published() -> Release | None:
    return published().first()


def releases_for(user: User | AnonymousUser) -> QuerySet[Release]:
    """Published releases for everyone; every release for the hosting organisation's data
    managers; releases not computed yet also for the data managers of the organisations asked
    to contribute (a computed one is theirs to see once published)."""
    if access.can_manage_releases(user):
        return Release.objects.defer(*LARGE)
    asked = [o.pk for o in access.organisations_where(user, access.Action.RELEASE_STATISTICS)]
    undecided = [Release.State.DRAFT, Release.State.COMPUTING, Release.State.FAILED]
    return (
        Release.objects.filter(
            Q(state=Release.State.PUBLISHED)
            | Q(contributions__organisation__in=asked, state__in=undecided)
        )
        .distinct()
        .defer(*LARGE)
    )


def pending_contributions(user: User | AnonymousUser) -> QuerySet[Contribution]:
    organisations = access.organisations_where(user, access.Action.RELEASE_STATISTICS)
    return Contribution.objects.filter(
        organisation__in=organisations,
        state=Contribution.State.REQUESTED,
        release__state__in=[Release.State.DRAFT, Release.State.FAILED],
    ).select_related("release", "organisation")


def cells(release: Release) -> pl.DataFrame:
    """The release's published cells (``dims``, ``values``, ``length``, ``count``,
    ``suppressed``); suppressed cells have no count."""
    if not release.checksum:
        return pl.DataFrame()
    return _cells(str(release.pk), release.checksum)


@lru_cache(maxsize=16)
def _cells(pk: str, checksum: str) -> pl.DataFrame:
    """Read once per process: a computed release never changes (the checksum is in the key
    all the same)."""
    data = Release.objects.filter(pk=pk, checksum=checksum).values_list("cells", flat=True).first()
    return pl.read_parquet(io.BytesIO(bytes(data))) if data else pl.DataFrame()


def listed_values(release: Release, dimension: str) -> list[str]:
    """The values of a dimension that the release lists (published or suppressed)."""
    return _listed(str(release.pk), release.checksum).get(dimension, [])


@lru_cache(maxsize=16)
def _listed(pk: str, checksum: str) -> dict[str, list[str]]:
    table = _cells(pk, checksum)
    if not table.height:
        return {}
    found: dict[str, list[str]] = {}
    for dims, values in table.filter(pl.col("length") == 1).select("dims", "values").iter_rows():
        found.setdefault(dims, []).append(values)
    return found


def marginals(release: Release) -> set[tuple[str, ...]]:
    spec = Spec(tuple(release.dimensions), tuple(release.main_dimensions), release.max_length)
    return set(spec.marginals())


@dataclass
class Row:
    code: str
    label: str
    count: int | None

    @property
    def suppressed(self) -> bool:
        return self.count is None


@dataclass
class Breakdown:
    dimension: str
    filters: dict[str, str]
    rows: list[Row] = field(default_factory=list)
    available: bool = True

    @property
    def label(self) -> str:
        return vocabulary.dimension_label(self.dimension)


def ordered(dimensions: list[str]) -> tuple[str, ...]:
    return tuple(sorted(dimensions, key=KEYS.index))


def usable_filters(release: Release, raw: dict[str, str]) -> dict[str, str]:
    """The query's filters that name a dimension of the release and one of its listed values
    (anything else is ignored)."""
    return {
        k: v for k, v in raw.items() if k in release.dimensions and v in listed_values(release, k)
    }


def breakdown(release: Release, dimension: str, filters: dict[str, str]) -> Breakdown:
    """The published counts of each value of ``dimension`` among the records matching the
    filters; ``available`` is false when the release holds no such table (too many filters,
    or a combination it does not count)."""
    filters = {k: v for k, v in filters.items() if k != dimension}
    found = Breakdown(dimension, filters)
    marginal = ordered([dimension, *filters])
    if marginal not in marginals(release):
        found.available = False
        return found
    position = marginal.index(dimension)
    wanted = "|".join(marginal)
    table = cells(release).filter(pl.col("dims") == wanted)
    names = vocabulary.names(dimension, _language())
    rows = []
    for values, count in table.select("values", "count").iter_rows():
        parts = values.split("|")
        if any(parts[marginal.index(k)] != v for k, v in filters.items()):
            continue
        code = parts[position]
        rows.append(Row(code, names.get(code, code), count))
    if BY_KEY[dimension].values == "year":
        rows.sort(key=lambda r: r.code)
    else:
        rows.sort(key=lambda r: (r.count is None, -(r.count or 0), r.label))
    found.rows = rows
    return found


def total(release: Release, filters: dict[str, str]) -> int | None:
    """The published count of the records matching the filters (the release's record count
    when there is none); None when suppressed or not counted."""
    if not filters:
        return release.records
    marginal = ordered(list(filters))
    if marginal not in marginals(release):
        return None
    values = "|".join(filters[d] for d in marginal)
    match = cells(release).filter(
        (pl.col("dims") == "|".join(marginal)) & (pl.col("values") == values)
    )
    return match["count"][0] if match.height else None


def flows(release: Release, origin: str, destination: str) -> list[tuple[Row, Row, int | None]]:
    marginal = ordered([origin, destination])
    if marginal not in marginals(release):
        return []
    table = cells(release).filter(pl.col("dims") == "|".join(marginal))
    first = vocabulary.names(marginal[0], _language())
    second = vocabulary.names(marginal[1], _language())
    found = []
    for values, count in table.select("values", "count").iter_rows():
        a, b = values.split("|")
        pair = (Row(a, first.get(a, a), None), Row(b, second.get(b, b), None))
        if marginal[0] != origin:
            pair = (pair[1], pair[0])
        found.append((pair[0], pair[1], count))
    return found


def _language() -> str:
    from django.utils.translation import get_language

    return get_language() or "en"
