"""Monitoring the referral mechanism: how many referrals, by route, type, status, answer time
and outcome. An organisation sees its own exact counts; everyone else sees the platform's
counts only through the same disclosure control as releases (suppression below k, rounding,
the subtraction audit: palermo.stats.disclosure)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import median
from typing import Any

import polars as pl
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from palermo.accounts.models import Organisation
from palermo.referrals.models import OPEN_STATUSES, Referral, ReferralStatus
from palermo.stats.disclosure import DisclosureError, Spec, threshold_cells

DIMENSIONS = ("kind", "route", "status", "answer", "need")
DIMENSION_NAMES = {
    "kind": _("Route"),
    "route": _("National or cross-border"),
    "status": _("Status"),
    "answer": _("Answer"),
    "need": _("Need"),
}
ANSWERS = {
    "in_time": _("Answered in time"),
    "late": _("Answered late"),
    "waiting": _("Waiting, in time"),
    "overdue": _("Waiting, overdue"),
    "withdrawn": _("Withdrawn before an answer"),
}
ROUTES = {"national": _("National"), "cross_border": _("Cross-border")}


def _answer(referral: Referral, now: Any) -> str:
    if referral.answered_at is not None:
        return "in_time" if referral.answered_at <= referral.respond_by else "late"
    if referral.status in OPEN_STATUSES:
        return "overdue" if referral.respond_by < now else "waiting"
    return "withdrawn"  # cancelled, or consent withdrawn, before any answer


def rows(referrals: QuerySet[Referral]) -> pl.DataFrame:
    """One identifier-free row per referral: its codes only."""
    now = timezone.now()
    found: dict[str, list[str]] = defaultdict(list)
    for r in referrals.only(
        "kind", "cross_border", "status", "need", "answered_at", "respond_by"
    ).iterator(chunk_size=2000):
        found["kind"].append(r.kind)
        found["route"].append("cross_border" if r.cross_border else "national")
        found["status"].append(r.status)
        found["answer"].append(_answer(r, now))
        found["need"].append(r.need)
    return pl.DataFrame(
        {name: found[name] for name in DIMENSIONS}, schema=dict.fromkeys(DIMENSIONS, pl.Utf8)
    )


@dataclass
class Figures:
    total: int
    # dimension -> [(value, count or None when suppressed)]
    tables: dict[str, list[tuple[str, int | None]]] = field(default_factory=dict)
    exact: bool = False
    median_hours_to_answer: float | None = None
    refused: str = ""


def own_figures(organisation: Organisation) -> Figures:
    """The organisation's own referrals, sent and received, exact."""
    mine = Referral.objects.filter(from_organisation=organisation) | Referral.objects.filter(
        to_organisation=organisation
    )
    frame = rows(mine)
    tables = {
        name: sorted(Counter(frame[name].to_list()).items(), key=lambda kv: (-kv[1], kv[0]))
        for name in DIMENSIONS
    }
    hours = [
        (answered - created).total_seconds() / 3600
        for answered, created in mine.filter(answered_at__isnull=False).values_list(
            "answered_at", "created_at"
        )
        if answered is not None
    ]
    return Figures(
        total=frame.height,
        tables={k: [(v, n) for v, n in t] for k, t in tables.items()},
        exact=True,
        median_hours_to_answer=round(median(hours), 1) if hours else None,
    )


def published_figures(k: int = 11, base: int = 5) -> Figures:
    """Every organisation's referrals, through disclosure control: a count below k is
    suppressed, the others rounded to the base, and counts that would let a suppressed one be
    worked out by subtraction are suppressed too."""
    frame = rows(Referral.objects.all())
    try:
        cells = threshold_cells(frame, Spec(dimensions=DIMENSIONS, max_length=1, k=k, base=base))
    except DisclosureError as error:
        return Figures(total=0, refused=str(error))
    tables: dict[str, list[tuple[str, int | None]]] = {}
    for marginal, table in cells.tables.items():
        name = marginal[0]
        listed = table.filter(pl.col("released").is_not_null() | (pl.col("flag") != "hidden"))
        tables[name] = sorted(
            (
                (str(row[name]), None if row["released"] is None else int(row["released"]))
                for row in listed.iter_rows(named=True)
            ),
            key=lambda kv: (kv[1] is None, -(kv[1] or 0), kv[0]),
        )
    return Figures(total=cells.released_total, tables=tables)


def labels(name: str, value: str, needs: dict[str, str]) -> str:
    if name == "kind":
        from palermo.referrals.models import Kind

        return str(dict(Kind.choices).get(value, value))
    if name == "status":
        return str(dict(ReferralStatus.choices).get(value, value))
    if name == "answer":
        return str(ANSWERS.get(value, value))
    if name == "route":
        return str(ROUTES.get(value, value))
    return needs.get(value, value)
