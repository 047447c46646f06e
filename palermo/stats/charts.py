"""Charts for statistical releases, drawn on the server as SVG by Vega-Lite (vl-convert).

Every chart is made for print: no interactivity, a colour-blind-safe palette, numbers written on
the marks where there is room. A *suppressed* value (a true count hidden for privacy, ``None``) is
never drawn as zero: it has its own grey hatched mark, its own words (``suppressed_label``) and
its own legend entry. All data, the world map's geometry included, travels inline in the spec and
the renderer is allowed no URL at all, so rendering never touches the network.

Labels arrive already translated. The SVG's root carries ``role="img"``, an ``aria-label`` and a
``<title>`` equal to the chart's title; every value mark carries its own ``aria-label``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import pycountry
import vl_convert
from django.conf import settings

__all__ = ["Datum", "bars", "category_map", "flows", "render", "trend", "world_map"]

#: The Vega-Lite version the specs are written for, pinned so that an upgrade of vl-convert
#: cannot change a published chart unnoticed.
VEGA_LITE_VERSION = "6.4"

# Okabe & Ito's colour-blind-safe blue for single-series marks; sequential scales use ColorBrewer
# "blues" (safe for every common colour-vision deficiency and legible in greyscale print).
VALUE_COLOUR = "#0072B2"
SEQUENTIAL_SCHEME = {"name": "blues", "extent": [0.15, 1.0]}
SUPPRESSED_GREY = "#bdbdbd"
SUPPRESSED_INK = "#525252"
HATCH_ID = "palermo-suppressed-hatch"
#: Paint for a suppressed cell, country or marker: a grey hatch, with plain grey as the fallback
#: for a renderer that cannot draw SVG patterns.
SUPPRESSED_FILL = f"url(#{HATCH_ID}) {SUPPRESSED_GREY}"
NO_DATA_FILL = "#ffffff"
EN_DASH = "\u2013"
NO_DATA_STROKE = "#a6a6a6"

#: A4 portrait text width at 96 dpi with 2 cm margins, less a little room for the legend.
PAGE_WIDTH = 640

_FONT = "sans-serif"

# Groups of three digits with a narrow no-break space (ISO 80000), which reads the same in every
# language the platform speaks, unlike "," or ".".
_NUMBER_LOCALE = {
    "decimal": ".",
    "thousands": "\u202f",
    "grouping": [3],
    "currency": ["", ""],
}

_HATCH_DEFS = (
    f'<defs><pattern id="{HATCH_ID}" patternUnits="userSpaceOnUse" width="6" height="6"'
    ' patternTransform="rotate(45)">'
    f'<rect width="6" height="6" fill="{SUPPRESSED_GREY}"/>'
    f'<line x1="0" y1="0" x2="0" y2="6" stroke="{SUPPRESSED_INK}" stroke-width="2"/>'
    "</pattern></defs>"
)

_CONFIG: dict[str, Any] = {
    "font": _FONT,
    "background": "white",
    "padding": 8,
    "view": {"stroke": None},
    "title": {"fontSize": 15, "anchor": "start", "offset": 12, "limit": PAGE_WIDTH},
    "axis": {
        "labelFontSize": 11,
        "titleFontSize": 12,
        "labelColor": "#1a1a1a",
        "titleColor": "#1a1a1a",
        "domainColor": "#666666",
        "tickColor": "#666666",
        "gridColor": "#e0e0e0",
        "labelLimit": 220,
    },
    "legend": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": 220, "orient": "bottom"},
    "text": {"fontSize": 11},
}


@dataclass(frozen=True)
class Datum:
    """One category of a chart."""

    label: str  # category label shown to the reader (already translated)
    value: int | None  # None = suppressed
    key: str = ""  # machine code (e.g. ISO 3166-1 alpha-2 for maps), optional


# ---------------------------------------------------------------------------------------------
# Rendering


def _spec_text(spec: dict[str, Any]) -> str:
    return json.dumps(spec, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _finish(svg: str, title: str, spec_text: str) -> str:
    """Give the root ``<svg>`` its role, name and ``<title>``, add the hatch pattern, and make
    every ``id`` in the drawing unique to this chart and the same on every render: Vega numbers
    its gradients per process (``gradient_0``, ``gradient_1``…), so two charts inlined in one page
    would otherwise paint each other's legends, and the same chart would differ between renders.
    """
    match = re.search(r"<svg\b[^>]*>", svg)
    if match is None:  # pragma: no cover - vl-convert always returns an <svg> root
        raise ValueError("vl-convert returned no <svg> element")
    tag = re.sub(r'\s(?:role|aria-label)="[^"]*"', "", match.group(0))
    opening = f'{tag[:-1]} role="img" aria-label="{escape(title, quote=True)}">'
    head = f"<title>{escape(title, quote=False)}</title>{_HATCH_DEFS}"
    svg = svg[: match.start()] + opening + head + svg[match.end() :]

    prefix = "palermo-" + hashlib.sha256(spec_text.encode()).hexdigest()[:12]
    names = {HATCH_ID: f"{prefix}-hatch"}
    for number, name in enumerate(dict.fromkeys(re.findall(r'\sid="([^"]+)"', svg))):
        names.setdefault(name, f"{prefix}-{number}")

    def rename(found: re.Match[str]) -> str:
        return f"{found.group(1)}{names.get(found.group(2), found.group(2))}{found.group(3)}"

    return re.sub(r'(\sid="|url\(#|href="#)([^")]+)([")])', rename, svg)


def _render_uncached(spec_text: str, title: str) -> str:
    svg = vl_convert.vegalite_to_svg(
        spec_text,
        vl_version=VEGA_LITE_VERSION,
        config=_CONFIG,
        allowed_base_urls=[],  # everything is inline: the renderer may fetch nothing
        format_locale=_NUMBER_LOCALE,
    )
    return _finish(str(svg), title, spec_text)


@functools.lru_cache(maxsize=64)
def _render(spec_text: str, title: str) -> str:
    return _render_uncached(spec_text, title)


def _svg(spec: dict[str, Any], title: str) -> str:
    spec = {
        "$schema": f"https://vega.github.io/schema/vega-lite/v{VEGA_LITE_VERSION[0]}.json",
        "title": {"text": title},
        "description": title,
        **spec,
    }
    return _render(_spec_text(spec), title)


def render(spec: dict[str, Any], title: str) -> str:
    """Any other chart of the platform: a Vega-Lite spec (data inline) drawn with the same
    configuration, title and accessibility as the charts above."""
    return _svg(spec, title)


def _empty(title: str) -> str:
    """A chart with its title and nothing else: what an empty table draws."""
    return _svg({"data": {"values": []}, "mark": "text", "width": PAGE_WIDTH, "height": 20}, title)


def _number(value: int) -> str:
    """The reader's number as the charts write it (narrow no-break space every three digits)."""
    return f"{value:,d}".replace(",", "\u202f")


def _unique_labels(labels: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(labels))


def _suppressed_legend(suppressed_label: str, *, shape: str = "square") -> dict[str, Any]:
    """A ``fill`` channel whose only legend entry is the hatched "suppressed" swatch."""
    return {
        "field": "state",
        "type": "nominal",
        "scale": {"domain": [suppressed_label], "range": [SUPPRESSED_FILL]},
        "legend": {
            "title": None,
            "symbolType": shape,
            "symbolStrokeColor": SUPPRESSED_INK,
            "symbolStrokeWidth": 0.5,
            "symbolSize": 150,
        },
    }


# ---------------------------------------------------------------------------------------------
# Bars


def bars(data: Sequence[Datum], *, title: str, value_title: str, suppressed_label: str) -> str:
    """Horizontal bars in the order given; a suppressed category shows a hatched square and the
    words ``suppressed_label`` where its bar would start, never a bar of zero."""
    if not data:
        return _empty(title)
    labels = _unique_labels(d.label for d in data)
    shown = [
        {
            "label": d.label,
            "value": d.value,
            "text": _number(d.value),
            "aria": f"{d.label}: {d.value}",
        }
        for d in data
        if d.value is not None
    ]
    hidden = [
        {
            "label": d.label,
            "value": 0,
            "state": suppressed_label,
            "aria": f"{d.label}: {suppressed_label}",
        }
        for d in data
        if d.value is None
    ]
    y = {
        "field": "label",
        "type": "nominal",
        "title": None,
        "scale": {"domain": labels},
        "axis": {"labelLimit": 240, "ticks": False, "domain": False},
    }
    x = {
        "field": "value",
        "type": "quantitative",
        "title": value_title,
        "scale": {"domainMin": 0, "nice": True},
        "axis": {"format": ",d", "tickMinStep": 1},
    }
    layers: list[dict[str, Any]] = []
    if shown:
        layers.append(
            {
                "data": {"values": shown},
                "mark": {"type": "bar", "color": VALUE_COLOUR, "height": {"band": 0.75}},
                "encoding": {"y": y, "x": x, "description": {"field": "aria"}},
            }
        )
        layers.append(
            {
                "data": {"values": shown},
                "mark": {
                    "type": "text",
                    "align": "left",
                    "baseline": "middle",
                    "dx": 4,
                    "aria": False,
                },
                "encoding": {
                    "y": y,
                    "x": x,
                    "text": {"field": "text"},
                    "color": {"value": "#1a1a1a"},
                },
            }
        )
    if hidden:
        layers.append(
            {
                "data": {"values": hidden},
                "mark": {
                    "type": "point",
                    "shape": "square",
                    "filled": True,
                    "size": 110,
                    "xOffset": 6,
                },
                "encoding": {
                    "y": y,
                    "x": x,
                    "fill": {"value": SUPPRESSED_FILL},
                    "stroke": {"value": SUPPRESSED_INK},
                    "strokeWidth": {"value": 0.5},
                    "opacity": {"value": 1},
                    "description": {"field": "aria"},
                },
            }
        )
        layers.append(
            {
                "data": {"values": hidden},
                "mark": {
                    "type": "text",
                    "align": "left",
                    "baseline": "middle",
                    "dx": 15,
                    "fontStyle": "italic",
                    "color": SUPPRESSED_INK,
                    "aria": False,
                },
                "encoding": {"y": y, "x": x, "text": {"field": "state"}},
            }
        )
    spec = {"width": PAGE_WIDTH - 260, "height": {"step": 24}, "layer": layers}
    return _svg(spec, title)


# ---------------------------------------------------------------------------------------------
# Trend


def trend(data: Sequence[Datum], *, title: str, value_title: str, suppressed_label: str) -> str:
    """A line with points over ordered categories (years). The line breaks at a suppressed
    point, which is shown as a hollow grey triangle on the axis, under a dashed guide, and named
    ``suppressed_label`` in the legend."""
    if not data:
        return _empty(title)
    labels = _unique_labels(d.label for d in data)
    shown: list[dict[str, Any]] = []
    hidden: list[dict[str, Any]] = []
    segment = 0
    for datum in data:
        if datum.value is None:
            hidden.append(
                {
                    "label": datum.label,
                    "value": 0,
                    "state": suppressed_label,
                    "aria": f"{datum.label}: {suppressed_label}",
                }
            )
            segment += 1
        else:
            shown.append(
                {
                    "label": datum.label,
                    "value": datum.value,
                    "segment": segment,
                    "text": _number(datum.value),
                    "aria": f"{datum.label}: {datum.value}",
                }
            )
    x = {
        "field": "label",
        "type": "ordinal",
        "title": None,
        "scale": {"domain": labels, "type": "point", "padding": 0.5},
        "axis": {"labelAngle": 0 if len(labels) <= 12 else -45, "grid": False},
    }
    y = {
        "field": "value",
        "type": "quantitative",
        "title": value_title,
        "scale": {"domainMin": 0, "nice": True},
        "axis": {"format": ",d", "tickMinStep": 1},
    }
    layers: list[dict[str, Any]] = []
    if hidden:
        layers.append(
            {
                "data": {"values": hidden},
                "mark": {
                    "type": "rule",
                    "strokeDash": [3, 3],
                    "color": SUPPRESSED_GREY,
                    "aria": False,
                },
                "encoding": {"x": x},
            }
        )
    if shown:
        layers.append(
            {
                "data": {"values": shown},
                "mark": {"type": "line", "color": VALUE_COLOUR, "strokeWidth": 2, "aria": False},
                "encoding": {"x": x, "y": y, "detail": {"field": "segment", "type": "nominal"}},
            }
        )
        layers.append(
            {
                "data": {"values": shown},
                "mark": {
                    "type": "point",
                    "filled": True,
                    "size": 45,
                    "color": VALUE_COLOUR,
                    "opacity": 1,
                },
                "encoding": {"x": x, "y": y, "description": {"field": "aria"}},
            }
        )
        if len(shown) <= 20:
            layers.append(
                {
                    "data": {"values": shown},
                    "mark": {"type": "text", "dy": -10, "color": "#1a1a1a", "aria": False},
                    "encoding": {"x": x, "y": y, "text": {"field": "text"}},
                }
            )
    if hidden:
        layers.append(
            {
                "data": {"values": hidden},
                "mark": {
                    "type": "point",
                    "shape": "triangle-up",
                    "filled": False,
                    "size": 90,
                    "strokeWidth": 1.5,
                    "opacity": 1,
                    "yOffset": -5,
                },
                "encoding": {
                    "x": x,
                    "y": y,
                    "stroke": {
                        "field": "state",
                        "type": "nominal",
                        "scale": {"domain": [suppressed_label], "range": [SUPPRESSED_INK]},
                        "legend": {"title": None, "symbolType": "triangle-up", "symbolSize": 90},
                    },
                    "fill": {"value": "white"},
                    "description": {"field": "aria"},
                },
            }
        )
    spec = {"width": PAGE_WIDTH - 120, "height": 260, "layer": layers}
    return _svg(spec, title)


# ---------------------------------------------------------------------------------------------
# World map

#: Territories drawn in Natural Earth without an ISO 3166-1 numeric code, joined to the country
#: the United Nations counts them in (Kosovo keeps its user-assigned code XK).
_UNCODED_TERRITORIES = {"Kosovo": "XK", "N. Cyprus": "196", "Somaliland": "706"}
_ANTARCTICA = "010"


def _atlas(name: str) -> dict[str, Any]:
    path = settings.NODE_MODULES / "world-atlas" / name
    with path.open(encoding="utf-8") as handle:
        topology: dict[str, Any] = json.load(handle)
    return topology


@functools.cache
def _countries_110m() -> dict[str, Any]:
    """world-atlas's 1:110m countries, read once per process, every shape given a code."""
    topology = _atlas("countries-110m.json")
    for geometry in topology["objects"]["countries"]["geometries"]:
        if "id" not in geometry:
            geometry["id"] = _UNCODED_TERRITORIES.get(geometry["properties"]["name"], "")
    return topology


@functools.cache
def _small_country_points() -> dict[str, tuple[float, float]]:
    """Longitude and latitude of the countries too small for the 1:110m map (Singapore, Malta,
    Bahrain, Hong Kong…), from the 1:50m map: the centre of each one's largest island."""
    on_map = {g["id"] for g in _countries_110m()["objects"]["countries"]["geometries"]}
    topology = _atlas("countries-50m.json")
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]

    def arc_points(index: int) -> list[tuple[float, float]]:
        x = y = 0
        points = []
        for dx, dy in topology["arcs"][index if index >= 0 else ~index]:
            x += dx
            y += dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        return points

    centres: dict[str, tuple[float, float]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = geometry.get("id")
        if not code or code in on_map or geometry["type"] not in ("Polygon", "MultiPolygon"):
            continue
        polygons = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
        best: tuple[float, tuple[float, float]] | None = None
        for polygon in polygons:
            ring = [point for arc in polygon[0] for point in arc_points(arc)]
            xs, ys = [p[0] for p in ring], [p[1] for p in ring]
            area = (max(xs) - min(xs)) * (max(ys) - min(ys))
            if best is None or area > best[0]:
                best = (area, ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2))
        if best is not None:
            centres[code] = (round(best[1][0], 3), round(best[1][1], 3))
    return centres


def _map(topology: dict[str, Any], layers: list[dict[str, Any]], title: str) -> str:
    """A world map (Equal Earth projection, A4 text width) of ``layers`` over ``topology``."""
    spec = {
        "width": PAGE_WIDTH,
        "height": round(PAGE_WIDTH * 0.43),
        "projection": {"type": "equalEarth"},
        "data": {"values": topology, "format": {"type": "topojson", "feature": "countries"}},
        "layer": layers,
    }
    return _svg(spec, title)


def _map_code(alpha_2: str) -> str | None:
    """The map's code for an ISO 3166-1 alpha-2 code: the numeric code, or XK for Kosovo."""
    code = alpha_2.strip().upper()
    if code == "XK":
        return code
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    return None if country is None else str(country.numeric)


def world_map(
    data: Sequence[Datum],
    *,
    title: str,
    value_title: str,
    suppressed_label: str,
    no_data_label: str,
) -> str:
    """A choropleth of the world (Equal Earth projection, A4 text width). ``Datum.key`` is the
    ISO 3166-1 alpha-2 code; a key that is not a country is left out. A value is coloured on a
    sequential blue scale; a suppressed country is hatched grey; a country without data is white
    with a grey outline. Countries too small for the map are drawn as dots in the same colours."""
    if not data:
        return _empty(title)
    by_code: dict[str, Datum] = {}
    for given in data:
        code = _map_code(given.key)
        if code is not None:
            by_code.setdefault(code, given)

    full = _countries_110m()
    geometries = []
    states = set()
    for geometry in full["objects"]["countries"]["geometries"]:
        datum = by_code.get(geometry["id"])
        if datum is None and geometry["id"] == _ANTARCTICA:
            continue  # no trafficking statistics there; the map gains a third of its height
        if datum is None:
            properties: dict[str, Any] = {"state": "none"}
        elif datum.value is None:
            properties = {"state": "suppressed", "aria": f"{datum.label}: {suppressed_label}"}
        else:
            properties = {
                "state": "value",
                "value": datum.value,
                "aria": f"{datum.label}: {datum.value}",
            }
        states.add(properties["state"])
        geometries.append({**geometry, "properties": properties})
    topology = {
        **full,
        "objects": {"countries": {"type": "GeometryCollection", "geometries": geometries}},
    }

    small = _small_country_points()
    dots = []
    for code, datum in by_code.items():
        if code in small:
            longitude, latitude = small[code]
            state = "suppressed" if datum.value is None else "value"
            states.add(state)
            shown = suppressed_label if datum.value is None else datum.value
            dots.append(
                {
                    "longitude": longitude,
                    "latitude": latitude,
                    "state": state,
                    "value": datum.value,
                    "aria": f"{datum.label}: {shown}",
                }
            )
    dots.sort(key=lambda dot: (dot["longitude"], dot["latitude"]))

    legend_states = [
        (label, fill)
        for state, label, fill in (
            ("suppressed", suppressed_label, SUPPRESSED_FILL),
            ("none", no_data_label, NO_DATA_FILL),
        )
        if state in states
    ]
    state_fill: dict[str, Any] = {
        "field": "legend",
        "type": "nominal",
        "scale": {"domain": [s[0] for s in legend_states], "range": [s[1] for s in legend_states]},
        "legend": {
            "title": None,
            "symbolType": "square",
            "symbolStrokeColor": NO_DATA_STROKE,
            "symbolStrokeWidth": 0.75,
            "symbolSize": 150,
            "direction": "horizontal",
        },
    }
    value_colour: dict[str, Any] = {
        "field": "value",
        "type": "quantitative",
        "title": value_title,
        "scale": {"type": "sqrt", "scheme": SEQUENTIAL_SCHEME, "domainMin": 0},
        "legend": {"format": ",d", "gradientLength": 220, "tickMinStep": 1},
    }
    border = {"stroke": NO_DATA_STROKE, "strokeWidth": 0.4}
    countries = {"type": "geoshape", **border}
    legend_of = {
        "suppressed": json.dumps(suppressed_label),
        "none": json.dumps(no_data_label),
    }
    layers: list[dict[str, Any]] = [
        {
            "transform": [
                {"filter": "datum.properties.state === 'none'"},
                {"calculate": legend_of["none"], "as": "legend"},
            ],
            "mark": {**countries, "aria": False},
            "encoding": {"fill": state_fill},
        },
        {
            "transform": [
                {"filter": "datum.properties.state === 'value'"},
                {"calculate": "datum.properties.value", "as": "value"},
            ],
            "mark": countries,
            "encoding": {"color": value_colour, "description": {"field": "properties.aria"}},
        },
        {
            "transform": [
                {"filter": "datum.properties.state === 'suppressed'"},
                {"calculate": legend_of["suppressed"], "as": "legend"},
            ],
            "mark": countries,
            "encoding": {"fill": state_fill, "description": {"field": "properties.aria"}},
        },
    ]
    for state in ("value", "suppressed"):
        points = [dot for dot in dots if dot["state"] == state]
        if not points:
            continue
        encoding: dict[str, Any] = {
            "longitude": {"field": "longitude", "type": "quantitative"},
            "latitude": {"field": "latitude", "type": "quantitative"},
            "description": {"field": "aria"},
        }
        if state == "value":
            encoding["color"] = value_colour
        else:
            encoding["fill"] = state_fill
            points = [{**dot, "legend": suppressed_label} for dot in points]
        layers.append(
            {
                "data": {"values": points},
                "mark": {
                    "type": "circle",
                    "size": 40,
                    "opacity": 1,
                    "stroke": "#4d4d4d",
                    "strokeWidth": 0.6,
                },
                "encoding": encoding,
            }
        )
    return _map(topology, layers, title)


def category_map(
    data: Sequence[tuple[str, str, str]],
    *,
    categories: Sequence[tuple[str, str]],
    title: str,
    no_data_label: str,
) -> str:
    """A world map coloured by category: ``data`` holds ``(alpha-2 code, country name,
    category label)``, ``categories`` the ``(label, colour)`` of each category in legend order.
    A country not in ``data`` is white with a grey outline (``no_data_label``); countries too
    small for the map are drawn as dots."""
    by_code: dict[str, tuple[str, str]] = {}
    for key, label, category in data:
        code = _map_code(key)
        if code is not None:
            by_code.setdefault(code, (label, category))
    full = _countries_110m()
    geometries = []
    for geometry in full["objects"]["countries"]["geometries"]:
        found = by_code.get(geometry["id"])
        if found is None and geometry["id"] == _ANTARCTICA:
            continue
        category = found[1] if found else no_data_label
        name = found[0] if found else ""
        properties = {"category": category, "aria": f"{name}: {category}" if name else ""}
        geometries.append({**geometry, "properties": properties})
    topology = {
        **full,
        "objects": {"countries": {"type": "GeometryCollection", "geometries": geometries}},
    }
    small = _small_country_points()
    dots = sorted(
        (
            {
                "longitude": small[code][0],
                "latitude": small[code][1],
                "category": category,
                "aria": f"{label}: {category}",
            }
            for code, (label, category) in by_code.items()
            if code in small
        ),
        key=lambda dot: (dot["longitude"], dot["latitude"]),
    )
    domain = [label for label, _colour in categories] + [no_data_label]
    colours = [colour for _label, colour in categories] + [NO_DATA_FILL]
    fill = {
        "field": "category",
        "type": "nominal",
        "scale": {"domain": domain, "range": colours},
        "legend": {
            "title": None,
            "symbolType": "square",
            "symbolStrokeColor": NO_DATA_STROKE,
            "symbolStrokeWidth": 0.75,
            "symbolSize": 150,
            "direction": "horizontal",
            "columns": 3,
        },
    }
    layers: list[dict[str, Any]] = [
        {
            "transform": [{"calculate": "datum.properties.category", "as": "category"}],
            "mark": {"type": "geoshape", "stroke": NO_DATA_STROKE, "strokeWidth": 0.4},
            "encoding": {"fill": fill, "description": {"field": "properties.aria"}},
        }
    ]
    if dots:
        layers.append(
            {
                "data": {"values": dots},
                "mark": {"type": "circle", "size": 40, "opacity": 1, "stroke": "#4d4d4d"},
                "encoding": {
                    "longitude": {"field": "longitude", "type": "quantitative"},
                    "latitude": {"field": "latitude", "type": "quantitative"},
                    "fill": fill,
                    "description": {"field": "aria"},
                },
            }
        )
    return _map(topology, layers, title)


# ---------------------------------------------------------------------------------------------
# Flows


def _identity(datum: Datum) -> str:
    return datum.key or datum.label


def _largest(totals: dict[str, int], labels: dict[str, str], limit: int) -> list[str]:
    ranked = sorted(totals, key=lambda ident: (-totals[ident], labels[ident], ident))
    return ranked[: max(limit, 0)]


def flows(
    data: Sequence[tuple[Datum, Datum, int | None]],
    *,
    title: str,
    origin_title: str,
    destination_title: str,
    value_title: str,
    suppressed_label: str,
    limit: int = 20,
) -> str:
    """Origin → destination counts as a matrix: one row per origin, one column per destination
    (the ``limit`` largest of each by published total, largest first), each cell shaded and
    written with its count. A suppressed cell is hatched grey with an en dash and named in the
    legend; a zero or absent cell stays blank. Origins and destinations are told apart by
    ``Datum.key`` (or their label when there is no key); their ``Datum.value`` is not used."""
    origin_totals: dict[str, int] = {}
    destination_totals: dict[str, int] = {}
    labels: dict[str, str] = {}
    cells: dict[tuple[str, str], int | None] = {}
    for origin, destination, value in data:
        o, d = _identity(origin), _identity(destination)
        labels.setdefault(o, origin.label)
        labels.setdefault(d, destination.label)
        if value == 0:
            continue
        cells[(o, d)] = value if value is not None else cells.get((o, d))
        origin_totals[o] = origin_totals.get(o, 0) + (value or 0)
        destination_totals[d] = destination_totals.get(d, 0) + (value or 0)
    rows = _largest(origin_totals, labels, limit)
    columns = _largest(destination_totals, labels, limit)
    if not rows or not columns:
        return _empty(title)
    # Two categories may share a label (different keys): the axis shows labels, so they must differ.
    row_labels = _unique_labels(labels[r] for r in rows)
    column_labels = _unique_labels(labels[c] for c in columns)
    shown, hidden = [], []
    top = max((v for (o, d), v in cells.items() if v and o in rows and d in columns), default=0)
    for o in rows:
        for d in columns:
            if (o, d) not in cells:
                continue
            value = cells[(o, d)]
            cell: dict[str, Any] = {"origin": labels[o], "destination": labels[d]}
            if value is None:
                cell.update(
                    state=suppressed_label,
                    aria=f"{labels[o]} → {labels[d]}: {suppressed_label}",
                )
                hidden.append(cell)
            else:
                cell.update(
                    value=value,
                    text=_number(value),
                    ink="white" if value > 0.55 * top else "#1a1a1a",
                    aria=f"{labels[o]} → {labels[d]}: {value}",
                )
                shown.append(cell)
    y = {
        "field": "origin",
        "type": "nominal",
        "title": origin_title,
        "scale": {"domain": row_labels},
        "axis": {"labelLimit": 160, "ticks": False, "domain": False},
    }
    x = {
        "field": "destination",
        "type": "nominal",
        "title": destination_title,
        "scale": {"domain": column_labels},
        "axis": {
            "orient": "top",
            "labelAngle": -45,
            "labelAlign": "left",
            "labelLimit": 130,
            "ticks": False,
            "domain": False,
        },
    }
    cell_mark = {"type": "rect", "stroke": "white", "strokeWidth": 1}
    layers: list[dict[str, Any]] = []
    if shown:
        layers += [
            {
                "data": {"values": shown},
                "mark": cell_mark,
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": {
                        "field": "value",
                        "type": "quantitative",
                        "title": value_title,
                        "scale": {"type": "sqrt", "scheme": SEQUENTIAL_SCHEME, "domainMin": 0},
                        "legend": {"format": ",d", "gradientLength": 200, "tickMinStep": 1},
                    },
                    "description": {"field": "aria"},
                },
            },
            *(
                {
                    "data": {"values": [cell for cell in shown if cell["ink"] == ink]},
                    "mark": {"type": "text", "fontSize": 9, "color": ink, "aria": False},
                    "encoding": {"x": x, "y": y, "text": {"field": "text"}},
                }
                for ink in ("#1a1a1a", "white")
            ),
        ]
    if hidden:
        layers += [
            {
                "data": {"values": hidden},
                "mark": cell_mark,
                "encoding": {
                    "x": x,
                    "y": y,
                    "fill": _suppressed_legend(suppressed_label),
                    "description": {"field": "aria"},
                },
            },
            {
                "data": {"values": hidden},
                "mark": {
                    "type": "text",
                    "text": EN_DASH,
                    "fontSize": 11,
                    "fontWeight": "bold",
                    "aria": False,
                },
                "encoding": {"x": x, "y": y, "color": {"value": "#1a1a1a"}},
            },
        ]
    step = 26 if len(column_labels) > 12 else 32
    spec = {
        "width": {"step": step},
        "height": {"step": 22},
        "layer": layers,
    }
    return _svg(spec, title)
