"""Progress of an indicator against its target and the time elapsed: plain arithmetic, no
database.

The share *achieved* is how far the latest measurement has moved from the baseline towards the
target; the share *expected* is how much of the time from the baseline date (or the plan's start)
to the target date had passed when it was measured. An indicator is **off track** when the
achieved share trails the expected one by more than ``TOLERANCE`` (ten percentage points), and
**missed** when its target date has passed without the target being met. Without a baseline,
only "met" and "missed" can be said.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

TOLERANCE = Decimal("0.10")


class State(models.TextChoices):
    MET = "met", _("Target met")
    ON_TRACK = "on_track", _("On track")
    OFF_TRACK = "off_track", _("Off track")
    MISSED = "missed", _("Target missed")
    NO_BASELINE = "no_baseline", _("No baseline: progress cannot be judged")
    NO_DATA = "no_data", _("Not measured yet")


@dataclass(frozen=True)
class Progress:
    state: State
    latest: Decimal | None = None
    measured_on: date | None = None
    achieved: Decimal | None = None  # share of the way from baseline to target, may exceed 1
    expected: Decimal | None = None  # share of the time elapsed at the latest measurement

    @property
    def achieved_percent(self) -> int | None:
        return None if self.achieved is None else round(self.achieved * 100)

    @property
    def expected_percent(self) -> int | None:
        return None if self.expected is None else round(self.expected * 100)

    @property
    def flagged(self) -> bool:
        return self.state in (State.OFF_TRACK, State.MISSED)


def _met(value: Decimal, target: Decimal, increase: bool) -> bool:
    return value >= target if increase else value <= target


def compute(
    *,
    baseline: Decimal | None,
    start: date,
    target: Decimal,
    deadline: date,
    increase: bool,
    measurements: Sequence[tuple[date, Decimal]],
    today: date,
) -> Progress:
    """Where an indicator stands, from its measurements as ``(date, value)`` pairs."""
    if not measurements:
        return Progress(State.MISSED if today > deadline else State.NO_DATA)
    measured_on, latest = max(measurements, key=lambda pair: pair[0])
    if _met(latest, target, increase):
        achieved = None
        if baseline is not None and target != baseline:
            achieved = (latest - baseline) / (target - baseline)
        return Progress(State.MET, latest, measured_on, achieved)
    if today > deadline or measured_on >= deadline:
        return Progress(State.MISSED, latest, measured_on)
    if baseline is None:
        return Progress(State.NO_BASELINE, latest, measured_on)
    if target == baseline:  # a target of holding a level, and the level was lost
        return Progress(State.OFF_TRACK, latest, measured_on)
    achieved = (latest - baseline) / (target - baseline)
    span = (deadline - start).days
    elapsed = (measured_on - start).days
    expected = Decimal(1) if span <= 0 else Decimal(min(max(elapsed, 0), span)) / Decimal(span)
    state = State.OFF_TRACK if achieved < expected - TOLERANCE else State.ON_TRACK
    return Progress(state, latest, measured_on, achieved, expected)
