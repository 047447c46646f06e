"""Progress against target and time, on worked examples."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from palermo.monitoring.progress import State, compute

START, DEADLINE = date(2024, 1, 1), date(2028, 1, 1)  # 1461 days


def at(measured_on: date, value: int, baseline: int | None = 100, target: int = 200, **kw):  # type: ignore[no-untyped-def]
    return compute(
        baseline=None if baseline is None else Decimal(baseline),
        start=START,
        target=Decimal(target),
        deadline=DEADLINE,
        increase=kw.get("increase", target > (baseline or 0)),
        measurements=[(measured_on, Decimal(value))],
        today=kw.get("today", date(2026, 1, 1)),
    )


def test_on_track_when_the_share_achieved_keeps_up_with_the_time_elapsed() -> None:
    # Half the time (731 of 1461 days) and 55% of the way from 100 to 200.
    found = at(date(2026, 1, 1), 155)
    assert found.state == State.ON_TRACK
    assert found.achieved == Decimal("0.55")
    assert found.expected_percent == 50


def test_off_track_when_it_trails_by_more_than_ten_points() -> None:
    found = at(date(2026, 1, 1), 130)  # 30% of the way at 50% of the time
    assert found.state == State.OFF_TRACK
    assert found.flagged
    assert (found.achieved_percent, found.expected_percent) == (30, 50)
    # 41% of the way is within the tolerance.
    assert at(date(2026, 1, 1), 141).state == State.ON_TRACK


def test_target_met_even_early_and_in_either_direction() -> None:
    assert at(date(2025, 1, 1), 200).state == State.MET
    assert at(date(2025, 1, 1), 250).achieved_percent == 150
    # Fewer months to a verdict is better: 30 -> 12, measured at 12.
    assert at(date(2025, 1, 1), 12, baseline=30, target=12, increase=False).state == State.MET
    assert at(date(2026, 1, 1), 28, baseline=30, target=12, increase=False).state == State.OFF_TRACK


def test_no_baseline_can_be_met_or_missed_but_not_judged_on_the_way() -> None:
    assert at(date(2026, 1, 1), 150, baseline=None).state == State.NO_BASELINE
    assert at(date(2026, 1, 1), 150, baseline=None).achieved is None
    assert at(date(2026, 1, 1), 210, baseline=None).state == State.MET
    late = at(date(2026, 1, 1), 150, baseline=None, today=date(2028, 6, 1))
    assert late.state == State.MISSED


def test_missed_after_the_deadline_and_not_measured_before_it() -> None:
    assert at(date(2028, 1, 1), 190).state == State.MISSED
    assert at(date(2027, 1, 1), 190, today=date(2028, 2, 1)).state == State.MISSED
    none = compute(
        baseline=Decimal(1),
        start=START,
        target=Decimal(2),
        deadline=DEADLINE,
        increase=True,
        measurements=[],
        today=date(2026, 1, 1),
    )
    assert none.state == State.NO_DATA


def test_the_latest_measurement_counts_whatever_the_order_given() -> None:
    found = compute(
        baseline=Decimal(100),
        start=START,
        target=Decimal(200),
        deadline=DEADLINE,
        increase=True,
        measurements=[(date(2026, 1, 1), Decimal(160)), (date(2025, 1, 1), Decimal(110))],
        today=date(2026, 6, 1),
    )
    assert (found.state, found.latest) == (State.ON_TRACK, Decimal(160))
