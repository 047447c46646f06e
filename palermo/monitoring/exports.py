"""A country's monitoring picture in structured form: the checklist, the official figures and
each plan's indicators with their progress, as JSON (for international reporting), as an XLSX
workbook, and as an HXL-tagged table. The PDF report reads the same structure."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext as _

from palermo.accounts.models import User
from palermo.geo.models import Country
from palermo.ingest.readers import neutralise
from palermo.monitoring import selectors
from palermo.monitoring.models import Plan

FORMAT = "palermo-monitoring/1"


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def country_data(
    country: Country, user: User | AnonymousUser, plans: list[Plan] | None = None
) -> dict[str, Any]:
    """Everything published about ``country``'s implementation, in one plain structure.
    Evidence the reader may not see in the knowledge base is cited by link only."""
    profile = selectors.profile(country)
    visible = selectors.visible_resources(
        user, (entry.evidence_id for _i, entry in profile if entry)
    )
    entries = []
    for item, entry in profile:
        evidence = entry.evidence if entry and entry.evidence_id in visible else None
        entries.append(
            {
                "item": item.key,
                "label": str(item.label),
                "status": entry.status if entry else None,
                "status_label": entry.get_status_display() if entry else _("No entry"),
                "since": entry.since.isoformat() if entry else None,
                "evidence": evidence.display_title if evidence else None,
                "evidence_url": entry.evidence_url if entry else None,
                "note": entry.note if entry else "",
            }
        )
    source = selectors.glotip_source()
    figures = {
        indicator: [
            {"year": p.year, "value": p.value, "suppressed": p.value is None}
            for p in selectors.trend(country, indicator)
        ]
        for indicator in selectors.TREND_INDICATORS
    }
    states = selectors.conviction_states(country.iso2)
    plan_rows = []
    for plan in selectors.detailed_plans(country) if plans is None else plans:
        needed, secured = selectors.funding(plan)
        indicators = []
        for indicator, found in selectors.plan_progress(plan):
            indicators.append(
                {
                    "name": indicator.name,
                    "objective": str(indicator.objective) if indicator.objective else None,
                    "unit": indicator.unit,
                    "direction": indicator.direction,
                    "baseline": _number(indicator.baseline),
                    "baseline_date": indicator.baseline_date.isoformat()
                    if indicator.baseline_date
                    else None,
                    "target": _number(indicator.target),
                    "deadline": indicator.deadline.isoformat(),
                    "latest": _number(found.latest),
                    "measured_on": found.measured_on.isoformat() if found.measured_on else None,
                    "progress": found.state.value,
                    "progress_label": str(found.state.label),
                    "achieved_percent": found.achieved_percent,
                    "expected_percent": found.expected_percent,
                    "measurements": [
                        {
                            "measured_on": m.measured_on.isoformat(),
                            "value": _number(m.value),
                            "source": m.source,
                            "source_note": m.source_note,
                            "release": str(m.release_id) if m.release_id else None,
                            "approved": m.period.state == "approved",
                        }
                        for m in indicator.measurements.all()
                    ],
                }
            )
        plan_rows.append(
            {
                "id": str(plan.pk),
                "title": plan.title,
                "starts": plan.starts.isoformat(),
                "ends": plan.ends.isoformat(),
                "adopted": plan.adopted.isoformat() if plan.adopted else None,
                "currency": plan.currency,
                "funding_needed": _number(needed),
                "funding_secured": _number(secured),
                "indicators": indicators,
            }
        )
    return {
        "format": FORMAT,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "country": {"iso2": country.iso2, "iso3": country.iso3, "name": country.name},
        "checklist": entries,
        "convictions": states.get(country.iso2),
        "official_figures": {
            "source": {
                "title": source.title,
                "publisher": source.publisher,
                "published": source.published.isoformat() if source.published else None,
                "url": source.url,
            }
            if source
            else None,
            "series": figures,
        },
        "plans": plan_rows,
    }


_SHEETS = {
    "checklist": ["item", "label", "status", "since", "evidence", "evidence_url", "note"],
    "indicators": [
        "plan",
        "name",
        "unit",
        "baseline",
        "target",
        "deadline",
        "latest",
        "measured_on",
        "progress",
        "achieved_percent",
        "expected_percent",
    ],
    "figures": ["indicator", "year", "value", "suppressed"],
}


def _rows(data: dict[str, Any]) -> dict[str, list[list[Any]]]:
    rows: dict[str, list[list[Any]]] = {name: [] for name in _SHEETS}
    for entry in data["checklist"]:
        rows["checklist"].append([entry[k] for k in _SHEETS["checklist"]])
    for plan in data["plans"]:
        for indicator in plan["indicators"]:
            rows["indicators"].append(
                [plan["title"], *(indicator[k] for k in _SHEETS["indicators"][1:])]
            )
    for indicator, points in data["official_figures"]["series"].items():
        for point in points:
            rows["figures"].append([indicator, point["year"], point["value"], point["suppressed"]])
    return rows


def _cell(value: Any) -> Any:
    return neutralise(value) if isinstance(value, str) else value


def xlsx(data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, rows in _rows(data).items():
        sheet = book.create_sheet(name)
        sheet.append(_SHEETS[name])
        for row in rows:
            sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


#: One row per checklist item and per indicator, tagged with HXL hashtags.
HXL_COLUMNS = [
    ("Country code", "#country+code", "iso3"),
    ("Country", "#country+name", "country"),
    ("Kind", "#meta+kind", "kind"),
    ("Code", "#indicator+code", "code"),
    ("Name", "#indicator+name", "name"),
    ("Status", "#status", "status"),
    ("Since or measured on", "#date", "date"),
    ("Baseline", "#indicator+num+baseline", "baseline"),
    ("Target", "#indicator+num+target", "target"),
    ("Latest value", "#indicator+num+latest", "latest"),
    ("Target date", "#date+deadline", "deadline"),
    ("Source", "#meta+source", "source"),
]


def hxl(data: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([h for h, _t, _k in HXL_COLUMNS])
    writer.writerow([t for _h, t, _k in HXL_COLUMNS])
    country = data["country"]
    base = {"iso3": country["iso3"], "country": country["name"]}
    for entry in data["checklist"]:
        row = {
            **base,
            "kind": "checklist",
            "code": entry["item"],
            "name": entry["label"],
            "status": entry["status"] or "",
            "date": entry["since"] or "",
            "source": entry["evidence_url"] or entry["evidence"] or "",
        }
        writer.writerow([_cell(row.get(k, "")) for _h, _t, k in HXL_COLUMNS])
    for plan in data["plans"]:
        for indicator in plan["indicators"]:
            row = {
                **base,
                "kind": "indicator",
                "code": plan["id"],
                "name": indicator["name"],
                "status": indicator["progress"],
                "date": indicator["measured_on"] or "",
                "baseline": indicator["baseline"],
                "target": indicator["target"],
                "latest": indicator["latest"],
                "deadline": indicator["deadline"],
                "source": plan["title"],
            }
            writer.writerow(
                [_cell("" if row.get(k) is None else row.get(k, "")) for _h, _t, k in HXL_COLUMNS]
            )
    return out.getvalue()
