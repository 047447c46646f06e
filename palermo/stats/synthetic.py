"""Synthetic microdata with no rare combination (k-synthetic in the sense of Microsoft
Research's Synthetic Data Showcase: every combination of attributes the release counts - each
of its marginals - that occurs in a synthetic row occurs at least k times in the snapshot).

Method, implemented here rather than through the unmaintained ``pac-synth``: each record of the
snapshot is seeded into one synthetic row, from which the attributes that take part in a rare
combination are removed, marginal by marginal, shortest first (of a rare combination, the
attribute whose value is rarest goes). Removing attributes never makes a combination rarer, so
one pass suffices. The rows are then shuffled and stripped of the contributing organisation.
This keeps the short combinations' counts close to the truth (they can only fall) and adds no
fabricated combination; unlike SDS's sampling synthesizers it does not mix records, so a row
is a coarsened real record: publish it only with the release's other protections in mind. The
published number of records is the release's protected count, never this file's length.
"""

from __future__ import annotations

import polars as pl

from palermo.stats.disclosure import Spec, true_counts

METHOD = "row-seeded local suppression of rare combinations (Palermo)"


def synthesize(frame: pl.DataFrame, spec: Spec, seed: int | None = None) -> pl.DataFrame:
    dimensions = list(spec.dimensions)
    rows = frame.select([pl.col(d).cast(pl.String) for d in dimensions])
    marginals = sorted(spec.marginals(), key=len)
    counts = true_counts(rows, marginals)
    rarity = {
        (m[0]): counts[m].select(m[0], pl.col("count").alias(f"_n_{m[0]}"))
        for m in marginals
        if len(m) == 1
    }
    for marginal in marginals:
        known = pl.all_horizontal([pl.col(d).is_not_null() for d in marginal])
        table = counts[marginal].rename({"count": "_count"})
        joined = rows.with_row_index("_row").join(table, on=list(marginal), how="left")
        rare = known & (pl.col("_count").fill_null(0) < spec.k)
        if joined.filter(rare).height == 0:
            continue
        if len(marginal) == 1:
            (dimension,) = marginal
            rows = joined.with_columns(
                pl.when(rare).then(None).otherwise(pl.col(dimension)).alias(dimension)
            ).select(dimensions)
            continue
        for d in marginal:
            if d in rarity:
                joined = joined.join(rarity[d], on=d, how="left")
        names = [f"_n_{d}" for d in marginal]
        smallest = pl.min_horizontal([pl.col(n).fill_null(0) for n in names])
        # Drop the first attribute whose value is the rarest of the combination.
        drop = None
        for d, n in zip(marginal, names, strict=True):
            hit = rare & (pl.col(n).fill_null(0) == smallest)
            drop = hit if drop is None else drop | hit
            joined = joined.with_columns(
                pl.when(hit).then(None).otherwise(pl.col(d)).alias(d),
            )
            rare = rare & ~hit
        rows = joined.sort("_row").select(dimensions)
    return rows.sample(fraction=1.0, shuffle=True, seed=seed)
