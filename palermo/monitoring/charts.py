"""Charts of the monitoring pages, drawn on the server like the statistics charts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palermo.geo.models import Country
from palermo.monitoring import checklist, progress, selectors
from palermo.monitoring.models import Indicator
from palermo.stats import charts

PROGRESS_COLOURS = {
    progress.State.MET: "#009E73",
    progress.State.ON_TRACK: "#56B4E9",
    progress.State.OFF_TRACK: "#D55E00",
    progress.State.MISSED: "#A6361C",
    progress.State.NO_BASELINE: "#bdbdbd",
    progress.State.NO_DATA: "#e0e0e0",
}
TREND_TITLES = {
    selectors.DETECTED: gettext_lazy("Detected victims of trafficking, by year"),
    selectors.PROSECUTED: gettext_lazy("Persons prosecuted for trafficking, by year"),
    selectors.CONVICTED: gettext_lazy("Persons convicted of trafficking, by year"),
}


def trend(country: Country, indicator: str) -> str:
    points = selectors.trend(country, indicator)
    if not points:
        return ""
    return charts.trend(
        [charts.Datum(str(p.year), p.value) for p in points],
        title=str(TREND_TITLES[indicator]),
        value_title=_("Persons"),
        suppressed_label=_("fewer than 5"),
    )


def plan_progress(rows: Sequence[tuple[Indicator, progress.Progress]]) -> str:
    """A bar per indicator: the share of the way to its target achieved (capped at 150%), with a
    black tick at the share of the time elapsed; the colour says on track, off track, met…"""
    if not rows:
        return ""
    data = []
    for indicator, found in rows:
        achieved = found.achieved_percent
        data.append(
            {
                "label": indicator.name[:60],
                "achieved": 0 if achieved is None else max(min(achieved, 150), 0),
                "expected": found.expected_percent,
                "state": str(found.state.label),
                "aria": f"{indicator.name}: {found.state.label}"
                + ("" if achieved is None else f", {achieved}%"),
            }
        )
    states = [s for s in progress.State if any(d["state"] == str(s.label) for d in data)]
    colour = {
        "field": "state",
        "type": "nominal",
        "title": None,
        "scale": {
            "domain": [str(s.label) for s in states],
            "range": [PROGRESS_COLOURS[s] for s in states],
        },
        "legend": {"orient": "bottom", "direction": "horizontal", "columns": 3},
    }
    y = {"field": "label", "type": "nominal", "title": None, "sort": None}
    spec = {
        "width": charts.PAGE_WIDTH - 260,
        "data": {"values": data},
        "layer": [
            {
                "mark": {"type": "bar", "height": 14},
                "encoding": {
                    "y": y,
                    "x": {
                        "field": "achieved",
                        "type": "quantitative",
                        "title": _("Share of the way to the target (%)"),
                        "scale": {"domain": [0, 150]},
                    },
                    "fill": colour,
                    "description": {"field": "aria"},
                },
            },
            {
                "transform": [{"filter": "datum.expected != null"}],
                "mark": {"type": "tick", "color": "#000000", "thickness": 2, "size": 20},
                "encoding": {"y": y, "x": {"field": "expected", "type": "quantitative"}},
            },
        ],
    }
    return charts.render(spec, _("Progress of the plan's indicators (tick: time elapsed)"))


def status_map(item: str, as_of: date, names: dict[str, str]) -> str:
    """The world map of one checklist item's status at ``as_of``."""
    found = selectors.statuses(item, as_of)
    labels = dict(checklist.Status.choices)
    categories = [(str(labels[s]), colour) for s, colour in checklist.STATUS_COLOURS.items()]
    return charts.category_map(
        [(code, names.get(code, code), str(labels[status])) for code, status in found.items()],
        categories=categories,
        title=f"{checklist.BY_KEY[item].label} ({as_of.year})",
        no_data_label=_("No entry"),
    )


def conviction_map(states: dict[str, str], names: dict[str, str]) -> str:
    """The world map of :func:`selectors.conviction_states`."""
    labels = selectors.Convictions.LABELS
    colours = {
        selectors.Convictions.RECORDED: "#009E73",
        selectors.Convictions.SUPPRESSED_ONLY: "#E69F00",
        selectors.Convictions.NONE: "#D55E00",
    }
    return charts.category_map(
        [(code, names.get(code, code), str(labels[state])) for code, state in states.items()],
        categories=[(str(labels[k]), colours[k]) for k in labels],
        title=_("Convictions for trafficking in the official figures"),
        no_data_label=_("Not covered by the figures"),
    )
