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
so that every cell gets noise of the same scale; noisy counts below k are dropped, and each
cell is cut to its sub-combinations so that no combination exceeds its parts.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

Marginal = tuple[str, ...]
TOTAL: Marginal = ()
PRIMARY, SECONDARY = "primary", "secondary"
MAX_AUDIT_ROUNDS = 50


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
    (why not: "primary" below k, "secondary" for the audit, "" otherwise)."""

    spec: Spec
    tables: dict[Marginal, pl.DataFrame]
    total: int
    released_total: int
    unresolved: int = 0
    audit_rounds: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def long(self, with_true: bool = False) -> pl.DataFrame:
        """All marginals in one frame: ``dims`` and ``values`` (joined by "|"), ``length``,
        ``count`` (the published count, null when suppressed) and ``suppressed``. Cells that
        are neither published nor suppressed (dropped under DP) are left out."""
        frames = []
        for marginal, table in self.tables.items():
            keep = table.filter(pl.col("released").is_not_null() | (pl.col("flag") != ""))
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
        return pl.concat([head, *frames], how="vertical") if frames else head


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


def rounded(expr: pl.Expr, base: int) -> pl.Expr:
    return ((expr + base // 2) // base) * base


def round_int(value: int, base: int) -> int:
    return ((value + base // 2) // base) * base


def threshold_cells(frame: pl.DataFrame, spec: Spec) -> Cells:
    if spec.k < 2 or spec.base < 2:
        raise DisclosureError("k and the rounding base must be at least 2.")
    total = frame.height
    if total < spec.k:
        raise DisclosureError(f"Only {total} records: fewer than k = {spec.k}.")
    string = _as_strings(frame, spec.dimensions)
    tables = {
        marginal: table.with_columns(
            pl.when(pl.col("count") >= spec.k)
            .then(rounded(pl.col("count"), spec.base))
            .otherwise(None)
            .alias("released"),
            pl.when(pl.col("count") >= spec.k)
            .then(pl.lit(""))
            .otherwise(pl.lit(PRIMARY))
            .alias("flag"),
        )
        for marginal, table in true_counts(string, spec.marginals()).items()
    }
    cells = Cells(spec, tables, total, round_int(total, spec.base))
    protect(cells)
    return cells


def _as_strings(frame: pl.DataFrame, dimensions: Sequence[str]) -> pl.DataFrame:
    return frame.select([pl.col(d).cast(pl.String) for d in dimensions])


# The audit ------------------------------------------------------------------------------------


def partitions(spec: Spec, tables: Mapping[Marginal, Any]) -> list[tuple[Marginal, str]]:
    """(child marginal, the dimension it adds to its parent) for every partition."""
    return [
        (m, d) for m in tables for d in m if tuple(x for x in m if x != d) in tables or len(m) == 1
    ]


def intervals(table: pl.DataFrame, spec: Spec) -> pl.DataFrame:
    """What an attacker knows of each cell's true count: [lo, hi]."""
    low, high = spec.base // 2, spec.base - spec.base // 2 - 1
    released = pl.col("released")
    return table.with_columns(
        pl.when(released.is_null())
        .then(1)
        .otherwise(pl.max_horizontal(released - low, pl.lit(spec.k)))
        .alias("lo"),
        pl.when(released.is_null()).then(spec.k - 1).otherwise(released + high).alias("hi"),
    )


def audit(cells: Cells) -> list[tuple[Marginal, str, pl.DataFrame]]:
    """The partitions where a suppressed child's interval shrinks to one value: for each, the
    child marginal, the added dimension and the parents' keys concerned."""
    spec = cells.spec
    found = []
    low, high = spec.base // 2, spec.base - spec.base // 2 - 1
    total_lo = max(cells.released_total - low, spec.k)
    total_hi = cells.released_total + high
    for marginal, added in partitions(spec, cells.tables):
        parent = tuple(d for d in marginal if d != added)
        child = intervals(cells.tables[marginal], spec)
        summary = child.group_by(parent or pl.lit(0).alias("_all")).agg(
            pl.col("lo").filter(pl.col("released").is_not_null()).sum().alias("sum_lo"),
            pl.col("hi").filter(pl.col("released").is_not_null()).sum().alias("sum_hi"),
            pl.col("released").is_null().sum().cast(pl.Int64).alias("m"),
            pl.col("count").sum().alias("children_true"),
        )
        if parent:
            parents = intervals(cells.tables[parent], spec).select(
                *parent,
                pl.col("lo").alias("p_lo"),
                pl.col("hi").alias("p_hi"),
                pl.col("count").alias("p_true"),
            )
            summary = summary.join(parents, on=list(parent), how="inner")
        else:
            summary = summary.with_columns(
                pl.lit(total_lo).alias("p_lo"),
                pl.lit(total_hi).alias("p_hi"),
                pl.lit(cells.total).alias("p_true"),
            )
        exact = pl.col("p_true") == pl.col("children_true")
        hi = pl.min_horizontal(
            pl.lit(spec.k - 1), pl.col("p_hi") - pl.col("sum_lo") - (pl.col("m") - 1)
        )
        lo_exact = pl.max_horizontal(
            pl.lit(1), pl.col("p_lo") - pl.col("sum_hi") - (pl.col("m") - 1) * (spec.k - 1)
        )
        lo = pl.when(exact).then(lo_exact).otherwise(1)
        flagged = summary.filter((pl.col("m") > 0) & (hi <= lo))
        if flagged.height:
            found.append((marginal, added, flagged.select(parent) if parent else flagged))
    return found


def protect(cells: Cells) -> None:
    """Secondary suppression until the audit finds nothing (or nothing is left to suppress)."""
    for rounds in range(1, MAX_AUDIT_ROUNDS + 1):
        findings = audit(cells)
        cells.audit_rounds = rounds
        if not findings:
            cells.unresolved = 0
            return
        unresolved = 0
        for marginal, added, parents in findings:
            parent = tuple(d for d in marginal if d != added)
            unresolved += _suppress_one(cells, marginal, parent, parents)
        if unresolved == sum(f[2].height for f in findings):
            cells.unresolved = unresolved
            return
    cells.unresolved = len(audit(cells))


def _suppress_one(cells: Cells, marginal: Marginal, parent: Marginal, parents: pl.DataFrame) -> int:
    """In each flagged partition, suppress its smallest released child, or its parent when no
    child is left; the number of partitions where neither was possible."""
    table = cells.tables[marginal].with_row_index("_row")
    scope = table.join(parents, on=list(parent), how="inner") if parent else table
    candidates = scope.filter(pl.col("released").is_not_null())
    by: list[Any] = list(parent) if parent else [pl.lit(0).alias("_all")]
    smallest = candidates.sort("count", "_row").group_by(by, maintain_order=True).first()
    rows = set(smallest["_row"].to_list())
    if rows:
        cells.tables[marginal] = _mark(table, pl.col("_row").is_in(list(rows))).drop("_row")
    if not parent:
        return 0 if rows else 1
    covered = smallest.select(parent) if rows else parents.clear()
    left = parents.join(covered, on=list(parent), how="anti")
    if left.height == 0:
        return 0
    parent_table = cells.tables[parent].join(
        left.with_columns(pl.lit(True).alias("_hit")), on=list(parent), how="left"
    )
    hit = pl.col("_hit").fill_null(False) & pl.col("released").is_not_null()
    before = parent_table.filter(hit).height
    cells.tables[parent] = _mark(parent_table, hit).drop("_hit")
    return left.height - before


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
        raise DisclosureError("Epsilon must be positive and delta between 0 and 1.")
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
                pl.when(pl.col("noisy") >= spec.k)
                .then(pl.col("noisy"))
                .otherwise(None)
                .alias("released"),
                pl.lit("").alias("flag"),
            ).drop("noisy")
    if spent > budget * (1 + 1e-9):
        raise DisclosureError("The noise would spend more than the budget.")
    cells = Cells(spec, tables, frame.height, released_total)
    cells.extra = {"rho": spent, "rho_budget": budget, "scales": scales}
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
