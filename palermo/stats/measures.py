"""The utility and privacy measures of a release (docs/statistics.md and the shared
RELEASE-METRICS.md): U1-U5, P1, P2, P4 and O1, for each combination length and for all.

``true`` and ``released`` are long frames as :meth:`palermo.stats.disclosure.Cells.long` gives
them (``dims``, ``values``, ``length``, ``count``; ``released`` also ``suppressed``), restricted
to lengths 1 and more. A suppressed or dropped cell is not released: it counts as 0.
"""

from __future__ import annotations

from typing import Any

import polars as pl

KEY = ["dims", "values"]


def utility(true: pl.DataFrame, released: pl.DataFrame, k: int) -> dict[str, dict[str, Any]]:
    """U1-U4 and P1 per length ("1", "2", "3") and for all lengths ("all")."""
    truth = true.filter(pl.col("length") > 0).select(*KEY, "length", pl.col("count").alias("c"))
    published = released.filter((pl.col("length") > 0) & ~pl.col("suppressed")).select(
        *KEY, "length", pl.col("count").alias("r")
    )
    both = truth.join(published, on=[*KEY, "length"], how="full", coalesce=True).with_columns(
        pl.col("c").fill_null(0), pl.col("r").fill_null(0)
    )
    result: dict[str, dict[str, Any]] = {}
    lengths = sorted(set(both["length"].to_list()))
    for name, part in [(str(n), both.filter(pl.col("length") == n)) for n in lengths] + [
        ("all", both)
    ]:
        result[name] = _measures(part, k)
    return result


def _measures(part: pl.DataFrame, k: int) -> dict[str, Any]:
    frequent = part.filter(pl.col("c") >= k)
    published = part.filter(pl.col("r") > 0)
    error = (pl.col("r") - pl.col("c")).abs()
    return {
        "combinations": part.filter(pl.col("c") > 0).height,
        "released": published.height,
        "U1_preservation": _ratio(frequent.filter(pl.col("r") > 0).height, frequent.height),
        "U2_mean_absolute_error": _mean(part.select(error).to_series()),
        "U3_mean_relative_error": _mean(frequent.select(error / pl.col("c")).to_series()),
        "U4_fabrication": _ratio(published.filter(pl.col("c") == 0).height, published.height),
        "P1_rare_leaked": published.filter((pl.col("c") > 0) & (pl.col("c") < k)).height,
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None


def _mean(series: pl.Series) -> float | None:
    value = series.mean()
    return round(float(value), 6) if value is not None else None  # type: ignore[arg-type]


def consistency(released: pl.DataFrame) -> dict[str, Any]:
    """U5: every published count a non-negative integer, no combination above any of its
    published sub-combinations (the total included)."""
    published = released.filter(~pl.col("suppressed"))
    negative = published.filter(pl.col("count") < 0).height
    counts = {
        (dims, values): count for dims, values, count in published.select(*KEY, "count").iter_rows()
    }
    total = counts.get(("", ""))
    violations = 0
    for (dims, values), count in counts.items():
        if not dims:
            continue
        names, parts = dims.split("|"), values.split("|")
        if len(names) == 1:
            violations += int(total is not None and count > total)
            continue
        for left_out in range(len(names)):
            key = (
                "|".join(n for i, n in enumerate(names) if i != left_out),
                "|".join(v for i, v in enumerate(parts) if i != left_out),
            )
            parent = counts.get(key)
            violations += int(parent is not None and count > parent)
    return {
        "U5_negative": negative,
        "U5_violations": violations,
        "U5_consistent": not (negative or violations),
    }
