"""Synthetic microdata drawn from a release's published cells alone, with no rare combination
(k-synthetic in the sense of Microsoft Research's Synthetic Data Showcase: every combination of
the release's marginals that occurs in a synthetic row is a published one, so its true count is
at least k under the threshold method).

Method, implemented here rather than through the unmaintained ``pac-synth``: as many rows as the
release's protected record count, each drawn attribute by attribute in the order of the
release's dimensions. A dimension is left empty with the published share of unknown values;
otherwise its value is drawn among those whose combination with every attribute already drawn
is published (for each pair, and for each triple of main dimensions), weighted by the published
count of the pair it forms with the last attribute drawn (or by its one-way count). When no value
fits, the attribute stays empty. The rows are a function of the published cells only
(post-processing), so they reveal nothing the cells do not, under either method: no snapshot
row is copied, and the file's length is the published count.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import polars as pl

from palermo.stats.disclosure import Spec

METHOD = "attribute-by-attribute sampling from the published cells (Palermo)"
MEMO_ENTRIES = 100_000  # candidate lists kept for rows that start alike


def synthesize(
    published: pl.DataFrame, spec: Spec, records: int, seed: int | None = None
) -> pl.DataFrame:
    """``records`` rows from the release's published long cells (``dims``, ``values``,
    ``count``, ``suppressed``)."""
    dimensions = list(spec.dimensions)
    rng = random.Random(seed)  # noqa: S311 - sampling, not secrecy: the cells are public
    cells = published.filter(~pl.col("suppressed") & (pl.col("length") > 0))
    one: dict[str, dict[str, int]] = {d: {} for d in dimensions}
    pair: dict[tuple[str, str], dict[tuple[str, str], int]] = {}
    triple: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for dims, values, count in cells.select("dims", "values", "count").iter_rows():
        names, parts = dims.split("|"), tuple(values.split("|"))
        if len(names) == 1:
            one[names[0]][parts[0]] = count
        elif len(names) == 2:
            pair.setdefault((names[0], names[1]), {})[(parts[0], parts[1])] = count
        else:
            triple.setdefault(tuple(names), set()).add(parts)
    counted = set(spec.marginals())
    known = {d: min(1.0, sum(one[d].values()) / records) if records else 0.0 for d in dimensions}
    memo: dict[tuple[int, tuple[str | None, ...]], tuple[float, list[str], list[int]]] = {}
    rows: list[list[str | None]] = []
    for _ in range(records):
        row: list[str | None] = []
        for j, dimension in enumerate(dimensions):
            if not one[dimension]:
                row.append(None)
                continue
            key = (j, tuple(row))
            choice = memo.get(key)
            if choice is None:
                if len(memo) > MEMO_ENTRIES:
                    memo.clear()
                choice = memo[key] = _candidates(
                    dimensions, j, row, one, pair, triple, counted, known[dimension]
                )
            share, values, weights = choice
            if values and rng.random() < share:
                row.append(rng.choices(values, weights)[0])
            else:
                row.append(None)
        rows.append(row)
    return pl.DataFrame(rows, schema=dict.fromkeys(dimensions, pl.String), orient="row")


def _candidates(
    dimensions: Sequence[str],
    j: int,
    row: Sequence[str | None],
    one: dict[str, dict[str, int]],
    pair: dict[tuple[str, str], dict[tuple[str, str], int]],
    triple: dict[tuple[str, ...], set[tuple[str, ...]]],
    counted: set[tuple[str, ...]],
    known: float,
) -> tuple[float, list[str], list[int]]:
    """The share of rows like this one where dimension ``j`` is known (given the last attribute
    drawn, from the published pairs), and the values that make only published combinations with
    the row drawn so far, with their weights."""
    dimension = dimensions[j]
    drawn = [(dimensions[i], value) for i, value in enumerate(row) if value is not None]
    for other, chosen in reversed(drawn):
        if (other, dimension) in counted and one[other].get(chosen):
            together = sum(
                count for (a, _), count in pair.get((other, dimension), {}).items() if a == chosen
            )
            known = min(1.0, together / one[other][chosen])
            break
    values = []
    weights = []
    for value, count in one[dimension].items():
        weight = count
        fits = True
        for other, chosen in drawn:
            if (other, dimension) in counted:
                found = pair.get((other, dimension), {}).get((chosen, value))
                if found is None:
                    fits = False
                    break
                weight = found  # the pair with the last attribute drawn
        if fits:
            for a in range(len(drawn)):
                for b in range(a + 1, len(drawn)):
                    names = (drawn[a][0], drawn[b][0], dimension)
                    if names in counted and (drawn[a][1], drawn[b][1], value) not in triple.get(
                        names, set()
                    ):
                        fits = False
                        break
                if not fits:
                    break
        if fits:
            values.append(value)
            weights.append(weight)
    return known, values, weights
