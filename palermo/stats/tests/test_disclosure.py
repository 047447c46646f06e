"""Disclosure control, tested the way an attacker would use a release: no published cell or
synthetic combination is rare, subtracting published counts never pins a suppressed one, a
person added between two releases shows only as much as each method allows (suppression and
rounding can leak; differential privacy stays within its bound), and the measures agree.

Pure functions over polars frames: no database."""

from __future__ import annotations

import functools
import itertools
import math
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from palermo.stats import disclosure, measures, synthetic
from palermo.stats.disclosure import (
    SECONDARY,
    Cells,
    DisclosureError,
    Spec,
    dp_cells,
    epsilon_of,
    rho_for,
    threshold_cells,
)

Key = tuple[tuple[str, ...], tuple[str, ...]]  # (dimensions, values); the total is ((), ())
Release = dict[Key, tuple[int | None, int]]  # key -> (published count or None, true count)
TOTAL: Key = ((), ())
INF = 10**9
FEW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# Data ------------------------------------------------------------------------------------------


@st.composite
def datasets(draw: st.DrawFn, unknown: bool = True) -> tuple[tuple[str, ...], pl.DataFrame]:
    """3-5 dimensions of 2-6 values each, 0-400 rows, skewed (Zipf-like, an exponent per
    dimension, sometimes copying the previous dimension's value), unknown values (None) when
    asked. The rows come from a drawn seed so that an example stays cheap to generate."""
    dims = tuple(f"d{i}" for i in range(draw(st.integers(3, 5))))
    sizes = [draw(st.integers(2, 6)) for _ in dims]
    rows = draw(st.integers(0, 400))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    skews = [draw(st.floats(0.0, 3.0)) for _ in dims]
    unknowns = [draw(st.floats(0.0, 0.3)) if unknown else 0.0 for _ in dims]
    correlation = draw(st.floats(0.0, 0.5))
    columns: dict[str, list[str | None]] = {d: [] for d in dims}
    for _ in range(rows):
        previous = 0
        for d, size, skew, missing in zip(dims, sizes, skews, unknowns, strict=True):
            weights = [1 / (j + 1) ** skew for j in range(size)]
            value = previous if rng.random() < correlation else rng.choices(range(size), weights)[0]
            previous = min(value, size - 1)
            columns[d].append(None if rng.random() < missing else f"v{previous}")
    return dims, pl.DataFrame(columns, schema=dict.fromkeys(dims, pl.String))


@st.composite
def specs(
    draw: st.DrawFn, dims: tuple[str, ...], max_length: int | None = None, min_k: int = 3
) -> Spec:
    main = draw(st.lists(st.sampled_from(dims), unique=True, max_size=len(dims)))
    return Spec(
        dimensions=dims,
        main=tuple(d for d in dims if d in main),
        max_length=max_length or draw(st.integers(1, 3)),
        k=draw(st.integers(min_k, 15)),
        base=draw(st.integers(2, 10)),
    )


def _frame(dims: Sequence[str], counts: dict[tuple[str, ...], int]) -> pl.DataFrame:
    rows = [values for values, n in counts.items() for _ in range(n)]
    return pl.DataFrame(
        {d: [r[i] for r in rows] for i, d in enumerate(dims)}, schema=dict.fromkeys(dims, pl.String)
    )


def _recount(frame: pl.DataFrame, marginal: Sequence[str]) -> Counter[tuple[str, ...]]:
    """True counts with plain Python: combinations whose every value is known."""
    found: Counter[tuple[str, ...]] = Counter()
    for row in frame.select(marginal).iter_rows():
        if all(v is not None for v in row):
            found[tuple(row)] += 1
    return found


def _lowest(k: int, base: int) -> int:
    """The smallest published number: a positive multiple of the base whose rounding interval
    holds two counts of k or more (written again, not imported)."""
    high = base - base // 2 - 1
    m = base
    while m + high < k + 1:
        m += base
    return m


def _round(value: int, base: int, k: int) -> int:
    """To the nearest multiple of the base, ties up, and at least the smallest published
    number."""
    down = value - value % base
    return max(down + base if value - down >= base - base // 2 else down, _lowest(k, base))


def _release(cells: Cells) -> Release:
    found: Release = {}
    for row in cells.long(with_true=True).iter_rows(named=True):
        dims = tuple(row["dims"].split("|")) if row["dims"] else ()
        values = tuple(row["values"].split("|")) if row["dims"] else ()
        found[(dims, values)] = (None if row["suppressed"] else row["count"], row["true_count"])
    return found


# The attacker ------------------------------------------------------------------------------------


def _bounds(cell: tuple[int | None, int], k: int, base: int) -> tuple[int, int]:
    """What the attacker knows of a cell's true count before combining cells. A published count
    r is the rounding of a count of at least k: [r - base//2, r + base - base//2 - 1] and >= k.
    A suppressed cell is listed because it occurs, and the attacker supposes it rare: 1..k-1.
    That is true of a cell suppressed for being rare, the only kind he is after; of a cell
    suppressed *although* it has k or more (secondary) it is false, and reasoning from it gives
    contradictions, not true values: such a cell is only known to occur, [1, inf)."""
    published, true = cell
    if published is not None:
        # The smallest published number stands for every count from k up (it is never 0).
        if published == _lowest(k, base):
            return k, published + base - base // 2 - 1
        return max(published - base // 2, k), published + base - base // 2 - 1
    return (1, k - 1) if true < k else (1, INF)


def _partitions(release: Release) -> list[tuple[Key, list[Key], bool]]:
    """Every listed parent cell with its listed children along one more dimension (the total
    and each one-way table, each one-way cell and its row or column of a two-way table, and so
    on), and whether the children add up to the parent exactly. On data without unknown values
    they do, unless a child is left out of the release altogether: the attacker then only knows
    that they add up to at most the parent. (He is told which partitions are complete: where
    they are, that is what he would assume; where they are not, assuming it would be false.)"""
    by_marginal: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for dims, values in release:
        by_marginal.setdefault(dims, []).append(values)
    found = []
    for dims, cells in by_marginal.items():
        for i in range(len(dims)):
            parent_dims = dims[:i] + dims[i + 1 :]
            groups: dict[tuple[str, ...], list[Key]] = {}
            for values in cells:
                groups.setdefault(values[:i] + values[i + 1 :], []).append((dims, values))
            for parent_values, children in groups.items():
                parent = (parent_dims, parent_values)
                if parent in release:  # a parent left out tells nothing
                    exact = release[parent][1] == sum(release[c][1] for c in children)
                    found.append((parent, children, exact))
    return found


def _subtraction_attack(release: Release, k: int, base: int) -> list[str]:
    """Each partition on its own: a suppressed child is the parent minus its siblings. Returns
    the rare suppressed cells narrowed to a single value (or to nothing)."""
    pinned = []
    for parent, children, exact in _partitions(release):
        p_lo, p_hi = _bounds(release[parent], k, base)
        bounds = [_bounds(release[c], k, base) for c in children]
        for i, child in enumerate(children):
            published, true = release[child]
            if published is not None or true >= k:
                continue
            others_lo = sum(lo for j, (lo, _) in enumerate(bounds) if j != i)
            others_hi = sum(hi for j, (_, hi) in enumerate(bounds) if j != i)
            lo = max(1, p_lo - others_hi) if exact else 1
            hi = min(k - 1, p_hi - others_lo)
            if not lo < hi:
                pinned.append(f"{child} (true {true}) in [{lo}, {hi}] from {parent}")
    return pinned


def _joint_attack(release: Release, k: int, base: int) -> list[str]:
    """Every partition at once: interval propagation over 'parent = sum of its children' (or
    'at least') until nothing changes: a row of a two-way table tightens a one-way cell, which
    tightens a column, and so on. Sound: the true counts always stay inside the intervals."""
    bounds = {key: _bounds(cell, k, base) for key, cell in release.items()}
    partitions = _partitions(release)
    for _ in range(500):
        changed = False
        for parent, children, exact in partitions:
            low = sum(bounds[c][0] for c in children)
            high = sum(bounds[c][1] for c in children) if exact else INF
            p_lo, p_hi = max(bounds[parent][0], low), min(bounds[parent][1], high)
            changed |= (p_lo, p_hi) != bounds[parent]
            bounds[parent] = (p_lo, p_hi)
            for c in children:
                lo, hi = bounds[c]
                new_lo = max(lo, p_lo - (high - hi)) if exact else lo
                new = (new_lo, min(hi, p_hi - (low - lo)))
                changed |= new != (lo, hi)
                bounds[c] = new
        if not changed:
            break
    for key, (_, true) in release.items():
        lo, hi = bounds[key]
        assert lo <= true <= hi, f"unsound attacker: {key} true {true} outside [{lo}, {hi}]"
    return [
        f"{key} pinned to {bounds[key][0]} (true {true})"
        for key, (published, true) in release.items()
        if published is None and true < k and bounds[key][0] == bounds[key][1]
    ]


def _exact_differences(release: Release, k: int, base: int) -> list[str]:
    """A published parent minus a published child, known exactly."""
    found = []
    for parent, children, _ in _partitions(release):
        if release[parent][0] is None:
            continue
        p_lo, p_hi = _bounds(release[parent], k, base)
        for child in children:
            if release[child][0] is not None:
                c_lo, c_hi = _bounds(release[child], k, base)
                if p_lo - c_hi == p_hi - c_lo:
                    found.append(f"{parent} {release[parent]} - {child} {release[child]}")
    return found


# Threshold: no rare cell -------------------------------------------------------------------------


@FEW
@given(data=st.data())
def test_threshold_publishes_no_rare_cell_and_the_true_counts_are_right(
    data: st.DataObject,
) -> None:
    dims, frame = data.draw(datasets())
    spec = data.draw(specs(dims, min_k=2))
    if frame.height < spec.k or spec.k < disclosure.MIN_K:
        with pytest.raises(DisclosureError):
            threshold_cells(frame, spec)
        return
    cells = threshold_cells(frame, spec)
    long = cells.long(with_true=True)
    assert long.filter(~pl.col("suppressed") & pl.col("count").is_null()).height == 0
    release = _release(cells)
    assert release[TOTAL] == (_round(frame.height, spec.base, spec.k), frame.height)
    listed = {key for key in release if key != TOTAL}
    expected = set()
    for marginal in spec.marginals():
        truth = _recount(frame, marginal)
        expected |= {(marginal, values) for values in truth}
        for values, count in truth.items():
            if (marginal, values) not in release:
                continue
            published, true = release[(marginal, values)]
            assert true == count, (marginal, values)
            if count < spec.k:
                assert published is None, f"{marginal}={values}: {count} < k published"
            elif published is not None:
                assert published == _round(count, spec.base, spec.k)
    assert listed <= expected  # occurring cells only (a suppressed one may be left out)
    for published, true in release.values():
        assert published is None or true >= spec.k


@FEW
@given(data=st.data())
def test_synthetic_rows_hold_no_rare_combination(data: st.DataObject) -> None:
    """The rows are drawn from the published cells alone: as many as the published record
    count (never the true one), and every combination they hold is published, so it occurs at
    least k times in the data."""
    dims, frame = data.draw(datasets())
    spec = data.draw(specs(dims))
    if frame.height < spec.k:
        return
    cells = threshold_cells(frame, spec)
    published = cells.long()
    rows = synthetic.synthesize(published, spec, cells.released_total, data.draw(st.integers()))
    assert rows.height == cells.released_total
    assert rows.columns == list(dims)
    listed = {
        (dims_, values)
        for dims_, values, suppressed in published.select(
            "dims", "values", "suppressed"
        ).iter_rows()
        if not suppressed
    }
    for marginal in spec.marginals():
        truth = _recount(frame, marginal)
        for values in _recount(rows, marginal):
            assert ("|".join(marginal), "|".join(values)) in listed, f"{marginal}={values}"
            assert truth[values] >= spec.k, f"{marginal}={values}: {truth[values]} in the data"


# Threshold: subtraction ------------------------------------------------------------------------


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_subtracting_published_cells_never_pins_a_rare_one(data: st.DataObject) -> None:
    """Every partition of the release (the total and each one-way table, each one-way cell and
    its row or column of a two-way table, each two-way cell and its three-way children), on
    data without unknown values so that children add up to their parent exactly: a published
    parent minus a published child is never exact, and no rare suppressed cell is pinned."""
    dims, frame = data.draw(datasets(unknown=False))
    spec = data.draw(specs(dims, min_k=3))  # k = 2: see test_listing_a_suppressed_cell_...
    if frame.height < spec.k:
        return
    release = _release(threshold_cells(frame, spec))
    assert _exact_differences(release, spec.k, spec.base) == []
    assert _subtraction_attack(release, spec.k, spec.base) == []


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_combining_a_releases_one_and_two_way_tables_never_pins_a_rare_cell(
    data: st.DataObject,
) -> None:
    """The stronger attacker: all the partitions of the one- and two-way tables together."""
    dims, frame = data.draw(datasets(unknown=False))
    spec = data.draw(specs(dims, max_length=2, min_k=3))
    if frame.height < spec.k:
        return
    assert _joint_attack(_release(threshold_cells(frame, spec)), spec.k, spec.base) == []


def test_rounding_alone_would_leak_and_secondary_suppression_stops_it() -> None:
    """Total 32 (published 30), x = 13 (15), y = 18 (20), z = 1 (suppressed): z is at most
    32 - 13 - 18 = 1, so exactly 1. The release suppresses x as well."""
    spec = Spec(("a",), k=11, base=5)
    frame = _frame(spec.dimensions, {("x",): 13, ("y",): 18, ("z",): 1})
    rounding_only: Release = {
        TOTAL: (30, 32),
        (("a",), ("x",)): (15, 13),
        (("a",), ("y",)): (20, 18),
        (("a",), ("z",)): (None, 1),
    }
    assert _subtraction_attack(rounding_only, spec.k, spec.base) == [
        "(('a',), ('z',)) (true 1) in [1, 1] from ((), ())"
    ]
    cells = threshold_cells(frame, spec)
    table = dict(cells.tables[("a",)].select("a", "flag").iter_rows())
    assert table == {"x": SECONDARY, "y": "", "z": disclosure.PRIMARY}
    release = _release(cells)
    assert release[(("a",), ("y",))] == (20, 18)
    assert release[(("a",), ("x",))] == (None, 13)
    assert _subtraction_attack(release, spec.k, spec.base) == []
    assert cells.unresolved == 0


def test_rounding_alone_would_leak_in_a_two_way_row_too() -> None:
    """The same numbers as a row of a two-way table: a = x has b = u 13, v 18, w 1."""
    spec = Spec(("a", "b"), k=11, base=5)
    counts = {("x", "u"): 13, ("x", "v"): 18, ("x", "w"): 1}
    counts |= {("y", "u"): 20, ("y", "v"): 20, ("y", "w"): 20}
    cells = threshold_cells(_frame(spec.dimensions, counts), spec)
    flags = {tuple(r[:2]): r[2] for r in cells.tables[("a", "b")].select("a", "b", "flag").rows()}
    assert flags[("x", "w")] == disclosure.PRIMARY
    assert SECONDARY in flags.values()
    assert _subtraction_attack(_release(cells), spec.k, spec.base) == []


def test_a_two_by_two_table_with_one_suppressed_cell_does_not_give_it_away() -> None:
    """k = 11, base 5. True counts x|u 23, x|v 19, y|u 18, y|v 9 (suppressed); published:
    total 70, x 40, y 25, u 40, v 30, x|u 25, x|v 20, y|u 20. Each partition alone leaves y|v
    in [1, 9] (row y) or [6, 10] (column v), so the audit passes it; together: x = x|u + x|v
    is in [41, 42], so y = total - x is in [26, 27]; u = x|u + y|u is in [41, 42], so
    v is in [28, 31]; x|v = x - x|u is in [18, 19] and y|u = u - x|u in [18, 19]; so
    y|v = y - y|u is in [7, 9] and y|v = v - x|v in [9, 13]: exactly 9."""
    spec = Spec(("a", "b"), k=11, base=5)
    counts = {("x", "u"): 23, ("x", "v"): 19, ("y", "u"): 18, ("y", "v"): 9}
    cells = threshold_cells(_frame(spec.dimensions, counts), spec)
    release = _release(cells)
    assert _subtraction_attack(release, spec.k, spec.base) == []
    assert _joint_attack(release, spec.k, spec.base) == []


def test_a_secondary_suppression_that_suffices_does_not_cascade() -> None:
    """k = 5, base 5, 18 records. Total 18 (published 20) and b: u 7, v 7, w 4; published u
    and v (5 each, so 5..7) pin w to 18 - 7 - 7 = 4: one more suppression is needed, and
    suppressing u is enough (w is then anywhere in 1..4). Treating the secondary u as if it
    were below k makes the siblings' sum impossible, which must not count as a disclosure."""
    spec = Spec(("a", "b"), k=5, base=5)
    counts = {("x", "v"): 1, ("y", "u"): 7, ("y", "v"): 6, ("y", "w"): 4}
    cells = threshold_cells(_frame(spec.dimensions, counts), spec)
    release = _release(cells)
    assert _subtraction_attack(release, spec.k, spec.base) == []
    assert cells.unresolved == 0, "the release reports a partition it could not protect"
    assert cells.tables[("b",)]["released"].is_not_null().any(), "the whole table suppressed"


@pytest.mark.parametrize(
    ("k", "counts"),
    [
        # At k = 2 a suppressed cell can only be 1: refused.
        (2, {("x", "u"): 1, ("y", "u"): 20, ("z", "u"): 20}),
        # a = x has 4 (suppressed, so 1..4) and four suppressed cells of at least 1 each in
        # its row of a by b: each is exactly 1.
        (5, {("x", b): 1 for b in "pqrs"} | {("y", b): 20 for b in "pqrs"}),
    ],
)
def test_listing_a_suppressed_cell_does_not_give_it_away(
    k: int, counts: dict[tuple[str, ...], int]
) -> None:
    """A suppressed cell is listed because it occurs, so it is at least 1: with few values left
    under k, that alone can pin it. Refusing such a release is a fix too."""
    spec = Spec(("a", "b"), k=k, base=5)
    try:
        cells = threshold_cells(_frame(spec.dimensions, counts), spec)
    except DisclosureError:
        return
    assert _subtraction_attack(_release(cells), spec.k, spec.base) == []


@pytest.mark.parametrize(
    ("k", "base", "count", "published"),
    [
        (7, 3, 7, 9),  # 6 would stand for 5..7 and so for 7 alone: 9 stands for 7..10
        (12, 5, 12, 15),  # 10 would stand for 12 alone: 15 stands for 12..17
        (11, 5, 11, 10),  # 10 stands for 11..12
        (3, 10, 3, 10),  # 0 would be published: 10 stands for 3..14
    ],
)
def test_a_published_count_is_never_known_exactly(
    k: int, base: int, count: int, published: int
) -> None:
    """Rounding hides a count within its interval, but a published count is also known to be at
    least k: when k is the top of its own rounding interval, the interval is k alone, and a
    published parent minus its published child (both k) is exact."""
    spec = Spec(("a", "b"), k=k, base=base)
    counts = {("x", "u"): count, ("y", "u"): 30, ("y", "v"): 30}
    release = _release(threshold_cells(_frame(spec.dimensions, counts), spec))
    assert release[(("a",), ("x",))] == (published, count)
    lo, hi = _bounds(release[(("a",), ("x",))], k, base)
    assert lo < hi, f"published {published} at k = {k}, base {base}: exactly {count}"
    assert _exact_differences(release, k, base) == []


# Threshold: differencing between two releases -----------------------------------------------------


def _published(frame: pl.DataFrame, spec: Spec) -> dict[Key, int | None]:
    return {
        key: published for key, (published, _) in _release(threshold_cells(frame, spec)).items()
    }


def test_differencing_two_threshold_releases_shows_what_can_leak() -> None:
    """D and D plus one person, released with k = 11 and base 5: the attacker compares them."""
    spec = Spec(("a",), k=11, base=5)
    d = {("x",): 10, ("y",): 52, ("z",): 50}
    before = _published(_frame(spec.dimensions, d), spec)
    assert before == {
        TOTAL: 110,
        (("a",), ("x",)): None,
        (("a",), ("y",)): 50,
        (("a",), ("z",)): 50,
    }

    # The newcomer lifts x to k: suppressed before, published after, nothing else of a changed.
    after = _published(_frame(spec.dimensions, d | {("x",): 11}), spec)
    changed = {key for key in before if key != TOTAL and before[key] != after[key]}
    assert changed == {(("a",), ("x",))}
    assert before[(("a",), ("x",))] is None
    assert after[(("a",), ("x",))] == 10
    # leaked: the added person has a = x

    # The newcomer moves y across a rounding boundary (52 -> 50, 53 -> 55).
    after = _published(_frame(spec.dimensions, d | {("y",): 53}), spec)
    changed = {key for key in before if key != TOTAL and before[key] != after[key]}
    assert changed == {(("a",), ("y",))}
    assert (before[(("a",), ("y",))], after[(("a",), ("y",))]) == (50, 55)
    # leaked: the added person has a = y

    # Within a rounding interval (50 -> 51, both published 50) nothing of a changes: the total
    # may show that someone was added (112 -> 110, 113 -> 115), not their attribute.
    d = {("x",): 10, ("y",): 50, ("z",): 52}
    before = _published(_frame(spec.dimensions, d), spec)
    after = _published(_frame(spec.dimensions, d | {("y",): 51}), spec)
    assert {key for key in before if before[key] != after[key]} == {TOTAL}


# Threshold: the measures -------------------------------------------------------------------------


@FEW
@given(data=st.data())
def test_threshold_releases_are_consistent(data: st.DataObject) -> None:
    dims, frame = data.draw(datasets())
    spec = data.draw(specs(dims))
    if frame.height < spec.k:
        return
    consistency = measures.consistency(threshold_cells(frame, spec).long())
    assert consistency == {"U5_negative": 0, "U5_violations": 0, "U5_consistent": True}


@settings(max_examples=30, deadline=None)
@given(
    k=st.integers(3, 15),
    base=st.integers(2, 10),
    shape=st.lists(st.integers(1, 3), min_size=2, max_size=4),
    extra=st.lists(st.integers(0, 30), min_size=81, max_size=81),
)
@example(k=3, base=10, shape=[2, 1], extra=[0, 18] + [0] * 79)  # a = x: 3 people, not 0
def test_the_measures_of_a_dataset_without_rare_cells(
    k: int, base: int, shape: list[int], extra: list[int]
) -> None:
    """Every combination of every length occurs at least k times: nothing is suppressed, every
    cell is published, within base/2, and none is fabricated."""
    dims = tuple(f"d{i}" for i in range(len(shape)))
    combinations = itertools.product(*[[f"v{j}" for j in range(n)] for n in shape])
    counts = {values: k + extra[i] for i, values in enumerate(combinations)}
    spec = Spec(dims, main=dims, max_length=3, k=k, base=base)
    cells = threshold_cells(_frame(dims, counts), spec)
    truth = cells.long(with_true=True).select(
        "dims", "values", "length", pl.col("true_count").alias("count")
    )
    result = measures.utility(truth, cells.long(), k)
    for length, figures in result.items():
        assert figures["P1_rare_leaked"] == 0, length
        assert figures["U4_fabrication"] == 0, length
        # Within base/2, or up to the smallest published number for counts below it.
        assert figures["U2_mean_absolute_error"] <= max(base / 2, _lowest(k, base) - k), length
    for length, figures in result.items():
        assert figures["U1_preservation"] == 1, (length, figures)


# Differential privacy ----------------------------------------------------------------------------

_cached_rho_for = functools.lru_cache(maxsize=None)(rho_for)


@contextmanager
def _fast_rho() -> Iterator[None]:
    """``rho_for`` searches OpenDP's conversion afresh on each call (~0.2 s): cached here (it
    is a pure function) so that hundreds of releases fit in seconds."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(disclosure, "rho_for", _cached_rho_for)
        yield


@pytest.mark.parametrize("epsilon", [0.1, 1.0, 4.0, 10.0])
@pytest.mark.parametrize("delta", [1e-6, 1e-9])
def test_the_budget_conversion_is_its_own_inverse(epsilon: float, delta: float) -> None:
    rho = rho_for(epsilon, delta)
    assert epsilon_of(rho, delta) == pytest.approx(epsilon, rel=1e-6)
    assert epsilon_of(rho, delta) <= epsilon * (1 + 1e-9)
    # At least what the classic bound epsilon = rho + 2 sqrt(rho ln(1/delta)) allows.
    log = math.log(1 / delta)
    classic = (math.sqrt(log + epsilon) - math.sqrt(log)) ** 2
    assert rho >= classic * (1 - 1e-9)
    assert epsilon_of(0, delta) == 0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_dp_releases_are_consistent_and_within_budget(data: st.DataObject) -> None:
    dims, frame = data.draw(datasets())
    spec = data.draw(specs(dims))
    epsilon = data.draw(st.sampled_from([0.5, 1.0, 4.0, 20.0]))
    delta = data.draw(st.sampled_from([1e-6, 1e-9]))
    domains = {d: [f"v{j}" for j in range(7)] for d in dims}  # a value or more never occurs
    with _fast_rho():
        cells = dp_cells(frame, spec, domains, epsilon, delta)
    long = cells.long(with_true=True)
    assert measures.consistency(long)["U5_consistent"]
    assert cells.released_total >= 0
    cells_long = long.filter(pl.col("length") > 0)
    assert not cells_long["suppressed"].any()
    assert cells_long.filter(pl.col("count") < spec.k).height == 0
    # The budget: spent no more than asked, and at least what the true sensitivities need.
    budget = _cached_rho_for(epsilon, delta)
    assert cells.extra["rho"] <= budget * (1 + 1e-9)
    scales = {int(n): s for n, s in cells.extra["scales"].items()}
    needed = 0.0
    for length, scale in scales.items():
        marginals = [m for m in spec.marginals() if len(m) == length]
        needed += (len(marginals) + (length == 1)) / (2 * scale * scale)
    assert needed <= cells.extra["rho"] * (1 + 1e-9)
    assert len({round(s, 9) for s in scales.values()}) == 1, "one noise scale for every cell"
    # The cells come from the public domains and their published parts only.
    for row in long.filter(pl.col("length") > 0).iter_rows(named=True):
        assert all(
            v in domains[d]
            for d, v in zip(row["dims"].split("|"), row["values"].split("|"), strict=True)
        )


DP_SPEC = Spec(("a", "b"), max_length=2, k=11)
DP_DOMAINS = {"a": ["x", "y"], "b": ["u", "v"]}
DP_DATA = {("x", "u"): 60, ("x", "v"): 50, ("y", "u"): 45, ("y", "v"): 55}
TARGET = ("x", "u")
TRIALS = 300
FAILURE = 1e-6  # the chance that a correct mechanism fails the test


def _membership_attack(epsilon: float, delta: float) -> tuple[float, float]:
    """The attacker knows D and asks whether one more person (a = x, b = u) is in: he adds up
    the four published counts that person would raise (the total, a = x, b = u, x|u; 0 where
    dropped) and says "in" above the midpoint between D's and D+1's sums. Returns the rates of
    "in" on D+1 (true positives) and on D (false positives)."""
    without = _frame(DP_SPEC.dimensions, DP_DATA)
    with_ = _frame(DP_SPEC.dimensions, DP_DATA | {TARGET: DP_DATA[TARGET] + 1})
    keys = [TOTAL, (("a",), ("x",)), (("b",), ("u",)), (("a", "b"), TARGET)]
    threshold = sum(_release_truth(without)[key] for key in keys) + len(keys) / 2

    def says_in(frame: pl.DataFrame) -> bool:
        cells = dp_cells(frame, DP_SPEC, DP_DOMAINS, epsilon, delta)
        published = {key: p for key, (p, _) in _release(cells).items()}
        return sum(published.get(key) or 0 for key in keys) > threshold

    with _fast_rho():
        true_positive = sum(says_in(with_) for _ in range(TRIALS)) / TRIALS
        false_positive = sum(says_in(without) for _ in range(TRIALS)) / TRIALS
    return true_positive, false_positive


def _release_truth(frame: pl.DataFrame) -> dict[Key, int]:
    found: dict[Key, int] = {TOTAL: frame.height}
    for marginal in DP_SPEC.marginals():
        found |= {(marginal, values): n for values, n in _recount(frame, marginal).items()}
    return found


def _bound_holds(true_positive: float, false_positive: float, epsilon: float, delta: float) -> bool:
    """TPR <= e^eps FPR + delta, up to sampling error: by Hoeffding each of the two estimated
    rates is off (either way) by more than `slack` with probability at most FAILURE / 2, so
    both checks below hold together for a correct mechanism but with probability FAILURE."""
    slack = math.sqrt(math.log(4 / FAILURE) / (2 * TRIALS))
    return true_positive <= math.exp(epsilon) * (false_positive + slack) + delta + slack


def test_a_differencing_attack_on_dp_stays_within_the_bound() -> None:
    """Two releases that differ by one person: whatever the attacker decides from a release is
    as likely on D+1 as on D up to e^eps (and delta), both ways round."""
    epsilon, delta = 1.0, 1e-6
    true_positive, false_positive = _membership_attack(epsilon, delta)
    assert _bound_holds(true_positive, false_positive, epsilon, delta)
    assert _bound_holds(1 - false_positive, 1 - true_positive, epsilon, delta)
    # The same attack on a release with hardly any noise wins almost always, and the test
    # above would catch it: it can fail.
    true_positive, false_positive = _membership_attack(50.0, delta)
    assert true_positive > 0.95
    assert false_positive < 0.05
    assert not _bound_holds(true_positive, false_positive, epsilon, delta)


@FEW
@given(data=st.data())
def test_a_threshold_release_knows_every_true_count_without_counting_again(
    data: st.DataObject,
) -> None:
    """The truth the measures compare with comes from the release's own tables (suppressed and
    hidden cells included): it holds every occurring combination with its true count."""
    dims, frame = data.draw(datasets())
    spec = data.draw(specs(dims))
    if frame.height < spec.k:
        return
    cells = threshold_cells(frame, spec)
    truth = {
        (dims_, values): count
        for dims_, values, count in disclosure.counted(cells.tables, spec, frame.height)
        .select("dims", "values", "count")
        .iter_rows()
    }
    expected = {("", ""): frame.height}
    for marginal in spec.marginals():
        for values, count in _recount(frame, marginal).items():
            expected[("|".join(marginal), "|".join(values))] = count
    assert truth == expected
