"""Disclosure control: from the analytic table to the cells a release may publish.

Everything here is plain computation over polars frames, without the database, so that the
bench and the property-based tests exercise exactly what releases run.

A *marginal* is a tuple of dimensions; its *cells* are the combinations of their values that
occur (each dimension known: unknown values are not attributes). Two methods:

**Threshold** (``threshold_cells``): a true count below k is suppressed (published as
"suppressed", never as a number); the others are rounded to the nearest multiple of the base
(ties up). Rounding is what keeps subtraction from giving exact answers: a parent minus its
released child is only known to within 2 x base - 1. It is not enough alone: a parent, its
released children and several suppressed children can still pin a suppressed child down (for
example to exactly 1). So every *partition* - a parent cell and its children along one more
dimension, the grand total and each one-way table included - is audited the way an attacker
would: each released count gives an interval (its rounding interval, at least k), each
suppressed one [1, k-1], and the children add up to the parent (exactly when the dimension has
no unknown values under that parent, as at most the parent otherwise). Where a suppressed
child's interval shrinks to a single value, the smallest released child of that partition is
suppressed too (secondary suppression; the parent itself when no child is left), and the audit
runs again until it is clean. We chose rounding plus audited secondary suppression over noise
for this method because it keeps every published number within base/2 of the truth and
additive enough for tables, while the audit closes the one-way and two-way subtraction attacks
that rounding leaves open; noise is the other method.

**Differential privacy** (``dp_cells``): discrete Gaussian noise (OpenDP) on the count vectors,
length by length: the one-way cells of every value of each dimension's public domain (and the
total), then the two-way cells whose one-way parts survived, then the three-way cells whose
two-way parts did. A record adds at most 1 to each marginal, so the L2 sensitivity of a
length's vector is the square root of its number of marginals (plus the total for length 1).
The budget (epsilon, delta) becomes a zero-concentrated budget rho, split over the lengths
so that every cell gets noise of the same scale; noisy counts below k, or below twice the
noise's standard deviation, are dropped (``DP_THRESHOLD_SD``), and each cell is cut to its
sub-combinations so that no combination exceeds its parts.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

Marginal = tuple[str, ...]
TOTAL: Marginal = ()
PRIMARY, SECONDARY, HIDDEN = "primary", "secondary", "hidden"
MAX_AUDIT_ROUNDS = 50
MIN_K = 3  # at k = 2 a listed suppressed cell can only be 1
UNBOUNDED = 10**12  # what is known of a cell suppressed to protect another: it occurs
# Under differential privacy a noisy count is published when it reaches k and twice the noise's
# standard deviation: a combination that does not exist then shows up with a probability of
# about 2% (with k alone, most of the published two-way combinations were noise).
DP_THRESHOLD_SD = 2.0


class DisclosureError(ValueError):
    """The release cannot be computed as asked (too few records, a spent budget...)."""


@dataclass(frozen=True)
class Spec:
    dimensions: tuple[str, ...]
    main: tuple[str, ...] = ()
    max_length: int = 3
    k: int = 11
    base: int = 5

    def marginals(self) -> list[Marginal]:
        """Every combination of up to two of the dimensions, and of three of the main ones."""
        found: list[Marginal] = []
        for length in range(1, min(self.max_length, 2) + 1):
            found += list(itertools.combinations(self.dimensions, length))
        if self.max_length >= 3:
            main = [d for d in self.dimensions if d in self.main]
            found += list(itertools.combinations(main, 3))
        return found


@dataclass
class Cells:
    """The cells of every marginal: one frame per marginal with its dimensions' columns,
    ``count`` (the true count), ``released`` (what is published, null when not) and ``flag``
    (why not: "primary" below k, "secondary" for the audit, "hidden" not listed at all, ""
    otherwise)."""

    spec: Spec
    tables: dict[Marginal, pl.DataFrame]
    total: int
    released_total: int
    unresolved: int = 0
    audit_rounds: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    # The audit's starting knowledge of each marginal, kept with the table it was read from.
    known: dict[Marginal, tuple[pl.DataFrame, pl.DataFrame]] = field(
        default_factory=dict, repr=False
    )

    def long(self, with_true: bool = False) -> pl.DataFrame:
        """All marginals in one frame: ``dims`` and ``values`` (joined by "|"), ``length``,
        ``count`` (the published count, null when suppressed) and ``suppressed``. Cells that
        are neither published nor listed as suppressed (hidden by the audit, dropped under DP)
        are left out."""
        frames = []
        for marginal, table in self.tables.items():
            listed = pl.col("flag").is_in([PRIMARY, SECONDARY])
            keep = table.filter(pl.col("released").is_not_null() | listed)
            columns = [
                pl.lit("|".join(marginal)).alias("dims"),
                pl.concat_str([pl.col(d) for d in marginal], separator="|").alias("values"),
                pl.lit(len(marginal), dtype=pl.Int8).alias("length"),
                pl.col("released").cast(pl.Int64).alias("count"),
                pl.col("released").is_null().alias("suppressed"),
            ]
            if with_true:
                columns.append(pl.col("count").cast(pl.Int64).alias("true_count"))
            frames.append(keep.select(columns))
        total = {
            "dims": [""],
            "values": [""],
            "length": [0],
            "count": [self.released_total],
            "suppressed": [False],
        }
        if with_true:
            total["true_count"] = [self.total]
        head = pl.DataFrame(total, schema=frames[0].schema if frames else None)
        if not frames:
            return head
        # In a fixed order, so that the same data gives the same file whatever the rows' order.
        return pl.concat([head, *frames], how="vertical").sort("length", "dims", "values")


def counted(tables: Mapping[Marginal, pl.DataFrame], spec: Spec, total: int) -> pl.DataFrame:
    """Count tables (each with a ``count`` column) in the layout of :meth:`Cells.long`, every
    cell listed with its count: the truth the measures compare a release with, or the counts of
    synthetic rows. A threshold release's own tables hold every occurring cell with its true
    count, so they give the truth without counting the snapshot again."""
    plain = {
        marginal: table.select(
            *marginal, "count", pl.col("count").alias("released"), pl.lit("").alias("flag")
        )
        for marginal, table in tables.items()
    }
    return Cells(spec, plain, total, total).long()


def true_counts(frame: pl.DataFrame, marginals: Iterable[Marginal]) -> dict[Marginal, pl.DataFrame]:
    """The true count of every occurring cell of each marginal (a plain group-by)."""
    counts: dict[Marginal, pl.DataFrame] = {}
    for marginal in marginals:
        counts[marginal] = (
            frame.select(marginal)
            .drop_nulls()
            .group_by(marginal)
            .agg(pl.len().cast(pl.Int64).alias("count"))
        )
    return counts


def smallest_published(k: int, base: int) -> int:
    """The smallest number a threshold release publishes: a positive multiple of the base whose
    rounding interval holds at least two counts of k or more (so that a published number is
    never 0 and never tells a count exactly)."""
    high = base - base // 2 - 1
    return max(base, -(-(k + 1 - high) // base) * base)


def rounded(expr: pl.Expr, k: int, base: int) -> pl.Expr:
    """Nearest multiple of the base (ties up), at least :func:`smallest_published`."""
    return pl.max_horizontal(
        ((expr + base // 2) // base) * base, pl.lit(smallest_published(k, base))
    )


def round_int(value: int, base: int, k: int = 0) -> int:
    found = ((value + base // 2) // base) * base
    return max(found, smallest_published(k, base)) if k else found


def interval(published: int, k: int, base: int) -> tuple[int, int]:
    """What a published count says of the true one."""
    if published == smallest_published(k, base):
        return k, published + base - base // 2 - 1
    return max(published - base // 2, k), published + base - base // 2 - 1


def threshold_cells(frame: pl.DataFrame, spec: Spec) -> Cells:
    if spec.k < MIN_K or spec.base < 2:
        raise DisclosureError(
            _("k must be at least %(k)s and the rounding base at least 2.") % {"k": MIN_K}
        )
    total = frame.height
    if total < spec.k:
        raise DisclosureError(
            _("Only %(n)s records: fewer than k = %(k)s.") % {"n": total, "k": spec.k}
        )
    string = _as_strings(frame, spec.dimensions)
    tables = {
        marginal: table.with_columns(
            pl.when(pl.col("count") >= spec.k)
            .then(rounded(pl.col("count"), spec.k, spec.base))
            .otherwise(None)
            .alias("released"),
            pl.when(pl.col("count") >= spec.k)
            .then(pl.lit(""))
            .otherwise(pl.lit(PRIMARY))
            .alias("flag"),
        )
        for marginal, table in true_counts(string, spec.marginals()).items()
    }
    cells = Cells(spec, tables, total, round_int(total, spec.base, spec.k))
    protect(cells)
    return cells


def _as_strings(frame: pl.DataFrame, dimensions: Sequence[str]) -> pl.DataFrame:
    return frame.select([pl.col(d).cast(pl.String) for d in dimensions])


# The audit ------------------------------------------------------------------------------------


def partitions(tables: Mapping[Marginal, Any]) -> list[tuple[Marginal, Marginal]]:
    """(child marginal, parent marginal) for every partition: a parent cell and its children
    along one more dimension (the parent of a one-way table is the total, ``()``)."""
    found = []
    for marginal in tables:
        for left_out in marginal:
            parent = tuple(d for d in marginal if d != left_out)
            if not parent or parent in tables:
                found.append((marginal, parent))
    return found


@dataclass
class Graph:
    """Every listed-or-not cell of a release numbered (the total is 0, then each marginal's rows
    in order), and every partition as edges child -> parent, grouped by (partition, parent)."""

    offsets: dict[Marginal, int]
    size: int
    edges: pl.DataFrame  # child, parent (UInt32 ids), group (Int64)


def graph(cells: Cells) -> Graph:
    offsets: dict[Marginal, int] = {}
    size = 1
    for marginal, table in cells.tables.items():
        offsets[marginal] = size
        size += table.height
    found = []
    for index, (marginal, parent) in enumerate(partitions(cells.tables)):
        child = cells.tables[marginal].select(marginal).with_row_index("child", offsets[marginal])
        if parent:
            parents = cells.tables[parent].select(parent).with_row_index("parent", offsets[parent])
            edges = child.join(parents, on=list(parent), how="inner").select("child", "parent")
        else:
            edges = child.select("child", pl.lit(0, dtype=pl.UInt32).alias("parent"))
        group = pl.lit(index, dtype=pl.Int64) * size + pl.col("parent").cast(pl.Int64)
        found.append(edges.with_columns(group.alias("group")))
    edges = (
        pl.concat(found)
        if found
        else pl.DataFrame(schema={"child": pl.UInt32, "parent": pl.UInt32, "group": pl.Int64})
    )
    return Graph(offsets, size, edges)


def _state(cells: Cells) -> pl.DataFrame:
    """What an attacker knows of each cell's true count before combining cells, by id: a
    published count its rounding interval (and at least k); a cell suppressed for being rare
    [1, k-1]; one suppressed to protect another only that it occurs. ``listed`` is false for
    hidden cells, which the attacker does not see."""
    spec = cells.spec
    low, high = spec.base // 2, spec.base - spec.base // 2 - 1
    lowest = smallest_published(spec.k, spec.base)
    released = pl.col("released")
    total_lo, total_hi = interval(cells.released_total, spec.k, spec.base)
    frames = [
        pl.DataFrame(
            {
                "count": [cells.total],
                "lo": [total_lo],
                "hi": [total_hi],
                "listed": [True],
                "rare": [False],
            },
            schema={
                "count": pl.Int64,
                "lo": pl.Int64,
                "hi": pl.Int64,
                "listed": pl.Boolean,
                "rare": pl.Boolean,
            },
        )
    ]
    for marginal, table in cells.tables.items():
        kept = cells.known.get(marginal)
        if kept is not None and kept[0] is table:  # the same table: the same knowledge
            frames.append(kept[1])
            continue
        frames.append(
            table.select(
                pl.col("count").cast(pl.Int64),
                pl.when(released.is_not_null())
                .then(
                    pl.when(released == lowest)
                    .then(pl.lit(spec.k, dtype=pl.Int64))
                    .otherwise(pl.max_horizontal(released - low, pl.lit(spec.k)))
                )
                .otherwise(1)
                .cast(pl.Int64)
                .alias("lo"),
                pl.when(released.is_not_null())
                .then(released + high)
                .when(pl.col("flag") == PRIMARY)
                .then(spec.k - 1)
                .otherwise(UNBOUNDED)
                .cast(pl.Int64)
                .alias("hi"),
                (pl.col("flag") != HIDDEN).alias("listed"),
                (pl.col("flag") == PRIMARY).alias("rare"),
            )
        )
        cells.known[marginal] = (table, frames[-1])
    return pl.concat(frames)


def propagate(cells: Cells, shape: Graph | None = None, max_rounds: int = 1000) -> pl.DataFrame:
    """Combine every partition of the release as an attacker would, until nothing changes:
    each parent is the sum of its listed children (exactly where no child is unknown or
    hidden, at least that otherwise), which narrows the parent, then each child from the parent
    and its siblings; a row of a two-way table narrows a one-way cell, which narrows a column,
    and so on. All partitions at once, round after round (the same fixpoint as one at a time).
    The true counts always stay inside the intervals. Returns the state by id."""
    shape = shape or graph(cells)
    state = _state(cells)
    listed = state["listed"]
    edges = shape.edges.filter(
        listed.gather(shape.edges["child"]) & listed.gather(shape.edges["parent"])
    )
    true = state["count"]
    edges = (
        edges.with_columns(
            true.gather(edges["child"]).alias("c_true"),
            true.gather(edges["parent"]).alias("p_true"),
        )
        .with_columns((pl.col("c_true").sum().over("group") == pl.col("p_true")).alias("exact"))
        .select("child", "parent", "group", "exact")
    )
    lo, hi = state["lo"], state["hi"]
    active = edges  # the partitions to look at again: those where an interval moved
    for _step in range(max_rounds):
        sums = active.with_columns(
            lo.gather(active["child"]).alias("c_lo"),
            hi.gather(active["child"]).alias("c_hi"),
            lo.gather(active["parent"]).alias("p_lo"),
            hi.gather(active["parent"]).alias("p_hi"),
        ).with_columns(
            pl.col("c_lo").sum().over("group").alias("s_lo"),
            pl.col("c_hi").sum().over("group").alias("s_hi"),
        )
        up = sums.select(
            pl.col("parent").alias("id"),
            pl.col("s_lo").alias("lo"),
            pl.when(pl.col("exact")).then(pl.col("s_hi")).otherwise(None).alias("hi"),
        )
        down = sums.select(
            pl.col("child").alias("id"),
            pl.when(pl.col("exact"))
            .then(pl.col("p_lo") - (pl.col("s_hi") - pl.col("c_hi")))
            .otherwise(None)
            .alias("lo"),
            (pl.col("p_hi") - (pl.col("s_lo") - pl.col("c_lo"))).alias("hi"),
        )
        bounds = pl.concat([up, down]).group_by("id").agg(pl.col("lo").max(), pl.col("hi").min())
        bounds = bounds.with_columns(
            lo.gather(bounds["id"]).alias("old_lo"), hi.gather(bounds["id"]).alias("old_hi")
        ).with_columns(
            pl.max_horizontal("lo", "old_lo").alias("lo"),
            pl.min_horizontal("hi", "old_hi").alias("hi"),
        )
        moved = bounds.filter(
            (pl.col("lo") != pl.col("old_lo")) | (pl.col("hi") != pl.col("old_hi"))
        )
        if not moved.height:
            break
        lo = lo.scatter(moved["id"], moved["lo"])
        hi = hi.scatter(moved["id"], moved["hi"])
        touched = pl.Series([False] * len(lo)).scatter(moved["id"], True)
        groups = edges.filter(touched.gather(edges["child"]) | touched.gather(edges["parent"]))
        active = edges.filter(pl.col("group").is_in(groups["group"].unique().implode()))
    return state.with_columns(lo.alias("lo"), hi.alias("hi"))


def pinned(cells: Cells, shape: Graph | None = None) -> dict[Marginal, pl.DataFrame]:
    """The cells suppressed for being rare whose true count the release gives away (their
    interval narrowed to a single value): keys per marginal."""
    shape = shape or graph(cells)
    state = propagate(cells, shape)
    hit = state.with_row_index("id").filter(
        pl.col("rare") & pl.col("listed") & (pl.col("lo") >= pl.col("hi"))
    )["id"]
    found = {}
    for marginal, table in cells.tables.items():
        start = shape.offsets[marginal]
        rows = [i - start for i in hit.to_list() if start <= i < start + table.height]
        if rows:
            found[marginal] = table[rows].select(marginal)
    return found


def protect(cells: Cells) -> None:
    """Until no rare cell is given away: for each one given away, suppress the smallest
    published sibling in its partitions (secondary suppression); where no sibling is
    published, stop listing the cell (hidden: its existence, "at least 1", was what pinned it);
    and stop listing its suppressed children, which bound it from below."""
    shape = graph(cells)  # the cells and their partitions stay; only flags change
    for rounds in range(1, MAX_AUDIT_ROUNDS + 1):
        found = pinned(cells, shape)
        cells.audit_rounds = rounds
        if not found:
            cells.unresolved = 0
            return
        # The shortest first: protecting a one-way cell often protects its two-way parts.
        shortest = min(len(m) for m in found)
        for marginal, keys in found.items():
            if len(marginal) == shortest:
                _protect_cells(cells, marginal, keys)
                _hide_children(cells, marginal, keys)
    cells.unresolved = sum(t.height for t in pinned(cells, shape).values())


def _protect_cells(cells: Cells, marginal: Marginal, keys: pl.DataFrame) -> None:
    table = cells.tables[marginal].with_row_index("_row")
    targets = table.join(keys, on=list(marginal), how="semi")
    published = table.filter(pl.col("released").is_not_null())
    chosen: set[int] = set()
    hide: set[int] = set()
    for target in targets.iter_rows(named=True):
        best = None
        for left_out in marginal:
            parent = [d for d in marginal if d != left_out]
            siblings = published.filter(
                pl.all_horizontal([pl.col(d) == target[d] for d in parent]) if parent else True
            )
            for sibling in siblings.sort("count", *marginal).iter_rows(named=True):
                # A sibling whose published children add up to it would be suppressed in
                # vain: prefer one that its children do not give back.
                rank = (_given_back(cells, marginal, sibling), sibling["count"])
                if best is None or rank < best[0]:
                    best = (rank, sibling)
                if not rank[0]:
                    break
        if best is None:
            hide.add(target["_row"])
        else:
            chosen.add(best[1]["_row"])
    marked = _mark(table, pl.col("_row").is_in(list(chosen)))
    marked = marked.with_columns(
        pl.when(pl.col("_row").is_in(list(hide)))
        .then(pl.lit(HIDDEN))
        .otherwise(pl.col("flag"))
        .alias("flag")
    )
    cells.tables[marginal] = marked.drop("_row")


def _one_longer(cells: Cells, marginal: Marginal) -> Iterator[tuple[Marginal, pl.DataFrame]]:
    """The tables of the marginals that add one dimension to ``marginal``: its children."""
    for longer, table in cells.tables.items():
        if len(longer) == len(marginal) + 1 and set(marginal) <= set(longer):
            yield longer, table


def _given_back(cells: Cells, marginal: Marginal, cell: Mapping[str, Any]) -> bool:
    """Whether the cell's published children along some dimension add up to it exactly."""
    for _longer, table in _one_longer(cells, marginal):
        children = table.filter(pl.all_horizontal([pl.col(d) == cell[d] for d in marginal]))
        if (
            children.height
            and children["released"].is_not_null().all()
            and children["count"].sum() == cell["count"]
        ):
            return True
    return False


def _hide_children(cells: Cells, marginal: Marginal, keys: pl.DataFrame) -> None:
    """Stop listing the suppressed children of given-away cells: a rare cell's children are rare
    too, and each listed one says "at least 1", which bounds the cell from below."""
    for longer, table in _one_longer(cells, marginal):
        under = table.join(
            keys.with_columns(pl.lit(True).alias("_under")),
            on=list(marginal),
            how="left",
            maintain_order="left",
        )["_under"].fill_null(False)
        hide = under & table["released"].is_null() & (table["flag"] != HIDDEN)
        if hide.any():
            cells.tables[longer] = table.with_columns(
                pl.when(hide).then(pl.lit(HIDDEN)).otherwise(pl.col("flag")).alias("flag")
            )


def _mark(table: pl.DataFrame, where: pl.Expr) -> pl.DataFrame:
    return table.with_columns(
        pl.when(where).then(None).otherwise(pl.col("released")).alias("released"),
        pl.when(where).then(pl.lit(SECONDARY)).otherwise(pl.col("flag")).alias("flag"),
    )


# Differential privacy ---------------------------------------------------------------------------


def _opendp() -> Any:
    import opendp.prelude as dp

    dp.enable_features("contrib")
    return dp


def _scalar_gaussian() -> tuple[Any, Any]:
    dp = _opendp()
    base = dp.m.make_gaussian(
        dp.atom_domain(T=float, nan=False), dp.absolute_distance(T=float), scale=1.0
    )
    return base, dp.c.make_zCDP_to_approxDP(base)


@lru_cache(maxsize=64)
def rho_for(epsilon: float, delta: float) -> float:
    """The zero-concentrated budget rho whose (epsilon, delta) guarantee is the one asked
    (OpenDP's conversion; rho = d^2 / 2 for a unit Gaussian at distance d)."""
    dp = _opendp()
    base, approx = _scalar_gaussian()

    def within(distance: float) -> bool:
        try:
            return bool(approx.map(distance).epsilon(delta) <= epsilon)
        except dp.OpenDPException:  # so far out that the conversion overflows
            return False

    distance = dp.binary_search(within, bounds=(1e-9, 100.0))
    return float(base.map(distance))


def epsilon_of(rho: float, delta: float) -> float:
    """The epsilon that a spent rho amounts to at delta (OpenDP's conversion)."""
    if rho <= 0:
        return 0.0
    _, approx = _scalar_gaussian()
    return float(approx.map(math.sqrt(2 * rho)).epsilon(delta))


def dp_cells(
    frame: pl.DataFrame,
    spec: Spec,
    domains: Mapping[str, Sequence[str]],
    epsilon: float,
    delta: float,
) -> Cells:
    """Noisy counts (see the module); ``cells.extra`` holds the rho spent and the scales."""
    if epsilon <= 0 or not 0 < delta < 1:
        raise DisclosureError(_("Epsilon must be positive and delta between 0 and 1."))
    dp = _opendp()
    string = _as_strings(frame, spec.dimensions)
    by_length: dict[int, list[Marginal]] = {}
    for marginal in spec.marginals():
        by_length.setdefault(len(marginal), []).append(marginal)
    budget = rho_for(epsilon, delta)
    # The budget is split in proportion to each length's squared sensitivity, so that every
    # cell gets noise of the same scale.
    sensitivities = {
        n: math.ceil(math.sqrt(len(ms) + (1 if n == 1 else 0))) for n, ms in by_length.items()
    }
    weight = sum(s * s for s in sensitivities.values())
    tables: dict[Marginal, pl.DataFrame] = {}
    spent = 0.0
    scales: dict[str, float] = {}
    thresholds: dict[str, int] = {}
    released_total = 0
    for length in sorted(by_length):
        marginals = by_length[length]
        sensitivity = sensitivities[length]
        share = budget * sensitivity * sensitivity / weight
        scale = sensitivity / math.sqrt(2 * share)
        measurement = dp.m.make_gaussian(
            dp.vector_domain(dp.atom_domain(T=int)), dp.l2_distance(T=int), scale=scale
        )
        spent += float(measurement.map(sensitivity))
        scales[str(length)] = scale
        threshold = max(spec.k, math.ceil(DP_THRESHOLD_SD * scale))
        thresholds[str(length)] = threshold
        candidates = {m: _candidates(m, tables, domains) for m in marginals}
        truth = true_counts(string, marginals)
        joined = {
            m: candidates[m]
            .join(truth[m], on=list(m), how="left")
            .with_columns(pl.col("count").fill_null(0))
            for m in marginals
        }
        vector: list[int] = [frame.height] if length == 1 else []
        for m in marginals:
            vector.extend(joined[m]["count"].to_list())
        noisy = measurement(vector) if vector else []
        offset = 0
        if length == 1:
            released_total = max(int(noisy[0]), 0)
            offset = 1
        for m in marginals:
            size = joined[m].height
            values = pl.Series("noisy", noisy[offset : offset + size], dtype=pl.Int64)
            offset += size
            table = joined[m].with_columns(values)
            table = _consistent(table, m, tables, released_total)
            tables[m] = table.with_columns(
                pl.when(pl.col("noisy") >= threshold)
                .then(pl.col("noisy"))
                .otherwise(None)
                .alias("released"),
                pl.lit("").alias("flag"),
            ).drop("noisy")
    if spent > budget * (1 + 1e-9):
        raise DisclosureError(_("The noise would spend more than the budget."))
    cells = Cells(spec, tables, frame.height, released_total)
    cells.extra = {
        "rho": spent,
        "rho_budget": budget,
        "scales": scales,
        "thresholds": thresholds,
    }
    return cells


def _candidates(
    marginal: Marginal,
    tables: Mapping[Marginal, pl.DataFrame],
    domains: Mapping[str, Sequence[str]],
) -> pl.DataFrame:
    """The cells that get noise: a one-way marginal's whole public domain; a longer one's
    combinations whose every shorter part was published (a choice made from published
    numbers only, so it costs no budget)."""
    if len(marginal) == 1:
        (dimension,) = marginal
        return pl.DataFrame(
            {dimension: list(domains.get(dimension, ()))}, schema={dimension: pl.String}
        )
    parts = [tuple(d for d in marginal if d != left_out) for left_out in marginal]
    published = [tables[p].filter(pl.col("released").is_not_null()).select(p) for p in parts]
    first, second = published[0], published[1]
    shared = [d for d in parts[0] if d in parts[1]]
    found = (
        first.join(second, on=shared, how="inner") if shared else first.join(second, how="cross")
    )
    for other, part in zip(published[2:], parts[2:], strict=True):
        found = found.join(other, on=list(part), how="semi")
    return found.select(marginal)


def _consistent(
    table: pl.DataFrame,
    marginal: Marginal,
    tables: Mapping[Marginal, pl.DataFrame],
    total: int,
) -> pl.DataFrame:
    """Cut each noisy count to its parts' published counts (the total for a one-way cell)."""
    if len(marginal) == 1:
        return table.with_columns(pl.min_horizontal(pl.col("noisy"), pl.lit(total)).alias("noisy"))
    for left_out in marginal:
        part = tuple(d for d in marginal if d != left_out)
        parent = tables[part].select(*part, pl.col("released").alias("_cap"))
        table = (
            table.join(parent, on=list(part), how="left")
            .with_columns(pl.min_horizontal(pl.col("noisy"), pl.col("_cap")).alias("noisy"))
            .drop("_cap")
        )
    return table
