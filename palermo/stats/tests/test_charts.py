"""Charts for releases: each kind renders a well-formed, accessible SVG; a suppressed value is
drawn as suppressed, never as zero; the map colours countries found by ISO alpha-2 code; hostile
and right-to-left labels are safe; empty tables draw a titled, empty chart."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from django.conf import settings

from palermo.stats import charts
from palermo.stats.charts import Datum

SVG = "{http://www.w3.org/2000/svg}"
SUPPRESSED = "suppressed"
NO_DATA = "no data"

Chart = Callable[..., str]


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it is well formed
    assert root.tag == f"{SVG}svg"
    return root


def _marks(root: ET.Element, kind: str) -> dict[str, ET.Element]:
    """Value marks of one kind (bar, point, geoshape, circle, rect mark) by their aria-label."""
    found = [e for e in root.iter() if e.get("aria-roledescription") == kind]
    return {e.get("aria-label", ""): e for e in found}


def _texts(root: ET.Element) -> list[str]:
    return [e.text or "" for e in root.iter(f"{SVG}text")]


def _pattern_ids(root: ET.Element) -> set[str]:
    return {e.get("id", "") for e in root.iter(f"{SVG}pattern")}


def _is_hatched(root: ET.Element, element: ET.Element) -> bool:
    """Filled with one of the SVG's own patterns (with a plain grey fallback)."""
    match = re.fullmatch(r"url\(#([^)]+)\)\s*(#[0-9a-f]{6})", element.get("fill", ""))
    return match is not None and match.group(1) in _pattern_ids(root)


def _rgb(colour: str | None) -> tuple[int, int, int]:
    """A plain colour as Vega writes it, ``#rrggbb`` or ``rgb(r, g, b)``; fails on anything else."""
    colour = colour or ""
    if match := re.fullmatch(r"#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})", colour):
        r, g, b = (int(part, 16) for part in match.groups())
        return r, g, b
    match = re.fullmatch(r"rgb\((\d+), ?(\d+), ?(\d+)\)", colour)
    assert match is not None, colour
    r, g, b = (int(part) for part in match.groups())
    return r, g, b


def _bars(data: list[Datum], title: str = "Victims by form") -> str:
    return charts.bars(data, title=title, value_title="Victims", suppressed_label=SUPPRESSED)


def _trend(data: list[Datum], title: str = "Victims per year") -> str:
    return charts.trend(data, title=title, value_title="Victims", suppressed_label=SUPPRESSED)


def _map(data: list[Datum], title: str = "Victims by citizenship") -> str:
    return charts.world_map(
        data,
        title=title,
        value_title="Victims",
        suppressed_label=SUPPRESSED,
        no_data_label=NO_DATA,
    )


def _flows(
    data: list[tuple[Datum, Datum, int | None]], title: str = "Flows", limit: int = 20
) -> str:
    return charts.flows(
        data,
        title=title,
        origin_title="Citizenship",
        destination_title="Country of exploitation",
        value_title="Victims",
        suppressed_label=SUPPRESSED,
        limit=limit,
    )


def _pairs(labels: list[str]) -> list[tuple[Datum, Datum, int | None]]:
    """Flows among a few places, keyed by position so that labels may be anything."""
    origin = [Datum(label, None, f"O{i}") for i, label in enumerate(labels)]
    destination = [Datum(label, None, f"D{i}") for i, label in enumerate(labels)]
    return [(origin[0], destination[1], 12), (origin[1], destination[0], None)]


# One chart of each kind drawn from the same few labels: for the checks every kind must pass.
KINDS: dict[str, Callable[[list[str], str], str]] = {
    "bars": lambda labels, title: _bars([Datum(labels[0], 5), Datum(labels[1], None)], title=title),
    "trend": lambda labels, title: _trend(
        [Datum(labels[0], 5), Datum(labels[1], None)], title=title
    ),
    "map": lambda labels, title: _map(
        [Datum(labels[0], 5, "FR"), Datum(labels[1], None, "DE")], title=title
    ),
    "flows": lambda labels, title: _flows(_pairs(labels), title=title),
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_chart_is_an_image_named_by_its_title(kind: str) -> None:
    root = _parse(KINDS[kind](["Nigeria", "Romania"], "Victims, 2024"))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Victims, 2024"
    assert root[0].tag == f"{SVG}title"
    assert root[0].text == "Victims, 2024"
    assert "Victims, 2024" in _texts(root)  # printed too, not only announced


@pytest.mark.parametrize("kind", KINDS)
def test_markup_in_labels_and_titles_is_text_not_markup(kind: str) -> None:
    hostile = "<b>Smith & Sons</b> \"quoted\" 'single'"
    title = 'Cases <script>alert("x")</script> & more'
    svg = KINDS[kind]([hostile, "Other"], title)
    root = _parse(svg)
    assert root.get("aria-label") == title
    assert root[0].text == title
    assert "<script>" not in svg
    assert "<b>" not in svg
    assert not list(root.iter(f"{SVG}b"))
    labels = " ".join(e.get("aria-label", "") for e in root.iter())
    assert hostile in " ".join(_texts(root)) + labels


@pytest.mark.parametrize("kind", KINDS)
def test_arabic_chinese_and_russian_labels_render(kind: str) -> None:
    root = _parse(KINDS[kind](["العمل القسري", "强迫劳动"], "Жертвы по годам"))
    assert root.get("aria-label") == "Жертвы по годам"
    text = " ".join(_texts(root)) + " ".join(e.get("aria-label", "") for e in root.iter())
    assert "العمل القسري" in text
    assert "强迫劳动" in text


@pytest.mark.parametrize(
    ("kind", "chart"),
    [
        ("bars", lambda: _bars([], title="Nothing yet")),
        ("trend", lambda: _trend([], title="Nothing yet")),
        ("map", lambda: _map([], title="Nothing yet")),
        ("flows", lambda: _flows([], title="Nothing yet")),
        (
            "flows of zeros",
            lambda: _flows([(Datum("A", 0), Datum("B", 0), 0)], title="Nothing yet"),
        ),
    ],
)
def test_an_empty_table_draws_its_title_and_no_marks(kind: str, chart: Callable[[], str]) -> None:
    root = _parse(chart())
    assert root.get("aria-label") == "Nothing yet"
    assert "Nothing yet" in _texts(root)
    described = {e.get("aria-roledescription") for e in root.iter()} - {None}
    assert described <= {"title", "group mark container", "text mark container"}, kind
    assert not list(root.iter(f"{SVG}path")) or all(
        e.get("class") in ("background", "foreground") for e in root.iter(f"{SVG}path")
    )


# --- bars ------------------------------------------------------------------------------------


def test_bars_show_a_suppressed_category_as_suppressed_not_as_zero() -> None:
    root = _parse(
        _bars(
            [
                Datum("Sexual exploitation", 120),
                Datum("Forced criminality", None),
                Datum("Organ removal", 0),
            ]
        )
    )
    bars = _marks(root, "bar")
    assert set(bars) == {"Sexual exploitation: 120", "Organ removal: 0"}
    markers = _marks(root, "point")
    assert set(markers) == {f"Forced criminality: {SUPPRESSED}"}
    assert _is_hatched(root, markers[f"Forced criminality: {SUPPRESSED}"])
    assert SUPPRESSED in _texts(root)
    # A true zero keeps its bar (of no length) and its number; only the suppressed one has words.
    assert "0" in _texts(root)
    assert _texts(root).count(SUPPRESSED) == 1


def test_bars_keep_the_order_given_and_write_the_numbers() -> None:
    root = _parse(_bars([Datum("Zeta", 1), Datum("Alpha", 1_234_567), Datum("Mu", None)]))
    texts = _texts(root)
    assert texts.index("Zeta") < texts.index("Alpha") < texts.index("Mu")
    assert "1\u202f234\u202f567" in texts  # grouped with a narrow no-break space
    assert not _is_hatched(root, _marks(root, "bar")["Alpha: 1234567"])


def test_without_suppression_nothing_says_suppressed() -> None:
    svg = _bars([Datum("Sexual exploitation", 3), Datum("Forced labour", 4)])
    assert SUPPRESSED not in _texts(_parse(svg))
    assert not _marks(_parse(svg), "point")


# --- trend -----------------------------------------------------------------------------------


def _y_of(element: ET.Element) -> float:
    match = re.search(r"translate\(([-\d.]+),([-\d.]+)\)", element.get("transform", ""))
    assert match is not None
    return float(match.group(2))


def test_trend_breaks_the_line_at_a_suppressed_year_and_marks_it_on_the_axis() -> None:
    data = [
        Datum("2019", 12),
        Datum("2020", 30),
        Datum("2021", None),
        Datum("2022", 45),
        Datum("2023", 50),
    ]
    root = _parse(_trend(data))
    points = _marks(root, "point")
    assert set(points) == {"2019: 12", "2020: 30", f"2021: {SUPPRESSED}", "2022: 45", "2023: 50"}
    suppressed = points[f"2021: {SUPPRESSED}"]
    assert suppressed.get("fill") != points["2020: 30"].get("fill")
    # Two pieces of line, one on each side of the gap: the line is not drawn through 2021.
    lines = [
        path
        for group in root.iter(f"{SVG}g")
        if "mark-line" in group.get("class", "")
        for path in group.iter(f"{SVG}path")
    ]
    assert len(lines) == 2
    # The suppressed mark sits on the axis, below every value, and the legend names it.
    assert _y_of(suppressed) > max(
        _y_of(p) for label, p in points.items() if SUPPRESSED not in label
    )
    legend = [e for e in root.iter() if e.get("aria-roledescription") == "legend"]
    assert len(legend) == 1
    assert SUPPRESSED in _texts(legend[0])


def test_an_unbroken_trend_is_one_line_without_legend() -> None:
    root = _parse(_trend([Datum(str(year), year - 2000) for year in range(2015, 2025)]))
    lines = [g for g in root.iter(f"{SVG}g") if "mark-line" in g.get("class", "")]
    assert len(lines) == 1
    assert not [e for e in root.iter() if e.get("aria-roledescription") == "legend"]


# --- map -------------------------------------------------------------------------------------


def _countries_on_the_atlas() -> int:
    path = settings.NODE_MODULES / "world-atlas" / "countries-110m.json"
    return len(json.loads(path.read_text(encoding="utf-8"))["objects"]["countries"]["geometries"])


def test_the_map_tells_a_value_a_suppressed_country_and_no_data_apart() -> None:
    root = _parse(_map([Datum("France", 120, "FR"), Datum("Germany", None, "de")]))
    shapes = _marks(root, "geoshape")
    assert set(shapes) == {"France: 120", f"Germany: {SUPPRESSED}"}
    france, germany = shapes["France: 120"], shapes[f"Germany: {SUPPRESSED}"]
    assert _rgb(france.get("fill")) not in {_rgb(charts.NO_DATA_FILL), _rgb(charts.SUPPRESSED_GREY)}
    assert _is_hatched(root, germany)
    # Every other country (Antarctica left out) is drawn once, white with an outline.
    no_data = [
        path
        for group in root.iter(f"{SVG}g")
        if "mark-shape" in group.get("class", "") and group.get("aria-hidden") == "true"
        for path in group.iter(f"{SVG}path")
    ]
    assert len(no_data) == _countries_on_the_atlas() - 3
    assert {p.get("fill") for p in no_data} == {charts.NO_DATA_FILL}
    assert {p.get("stroke") for p in no_data} == {charts.NO_DATA_STROKE}
    texts = _texts(root)
    assert SUPPRESSED in texts
    assert NO_DATA in texts


def test_the_map_shades_larger_counts_darker() -> None:
    root = _parse(_map([Datum("Nigeria", 900, "NG"), Datum("Brazil", 3, "BR")]))
    shapes = _marks(root, "geoshape")

    nigeria, brazil = (_rgb(shapes[name].get("fill")) for name in ("Nigeria: 900", "Brazil: 3"))
    assert sum(nigeria) < sum(brazil)


def test_countries_too_small_for_the_map_are_dots_and_unknown_codes_are_left_out() -> None:
    root = _parse(
        _map(
            [
                Datum("Singapore", 40, "SG"),
                Datum("Bahrain", None, "BH"),
                Datum("Nowhere", 7, "ZZ"),
                Datum("Unknown", 8, ""),
                Datum("Kosovo", 9, "XK"),
            ]
        )
    )
    dots = _marks(root, "circle")
    assert set(dots) == {"Singapore: 40", f"Bahrain: {SUPPRESSED}"}
    assert _is_hatched(root, dots[f"Bahrain: {SUPPRESSED}"])
    assert not _is_hatched(root, dots["Singapore: 40"])
    assert set(_marks(root, "geoshape")) == {"Kosovo: 9"}


def test_the_map_with_no_suppression_has_no_suppressed_legend() -> None:
    texts = _texts(_parse(_map([Datum("France", 120, "FR")])))
    assert SUPPRESSED not in texts
    assert NO_DATA in texts


# --- flows -----------------------------------------------------------------------------------


def _place(name: str) -> Datum:
    return Datum(name, None, name[:2].upper())


FLOWS = [
    (_place("Nigeria"), _place("Italy"), 120),
    (_place("Nigeria"), _place("Spain"), None),
    (_place("Romania"), _place("Italy"), 40),
    (_place("Romania"), _place("United Kingdom"), 7),
    (_place("Viet Nam"), _place("United Kingdom"), 0),
    (_place("Viet Nam"), _place("Spain"), 3),
]


def test_flows_write_each_cell_and_mark_suppressed_ones() -> None:
    root = _parse(_flows(FLOWS))
    cells = _marks(root, "rect mark")
    assert set(cells) == {
        "Nigeria → Italy: 120",
        f"Nigeria → Spain: {SUPPRESSED}",
        "Romania → Italy: 40",
        "Romania → United Kingdom: 7",
        "Viet Nam → Spain: 3",
    }  # the zero Viet Nam → United Kingdom is blank
    assert _is_hatched(root, cells[f"Nigeria → Spain: {SUPPRESSED}"])
    assert not _is_hatched(root, cells["Nigeria → Italy: 120"])
    texts = _texts(root)
    for number in ("120", "40", "7", "3", "\u2013", SUPPRESSED):
        assert number in texts
    assert "0" not in texts[texts.index("Victims") :]  # no cell says 0 (the legend may)


def test_flows_keep_the_largest_origins_and_destinations_largest_first() -> None:
    root = _parse(_flows(FLOWS, limit=2))
    texts = _texts(root)
    assert "Viet Nam" not in texts  # total 3, below Nigeria (120) and Romania (47)
    assert "Spain" not in texts  # total 3, below Italy (160) and the United Kingdom (7)
    assert texts.index("Nigeria") < texts.index("Romania")
    assert texts.index("Italy") < texts.index("United Kingdom")
    assert SUPPRESSED not in texts  # the only suppressed cell went with Spain


# --- rendering ---------------------------------------------------------------------------------


def test_charts_are_the_same_on_every_render() -> None:
    """A published chart is deterministic: drawn again (in a fresh cache) it is the same."""
    data = [Datum("France", 120, "FR"), Datum("Germany", None, "DE")]
    first = _map(data)
    charts._render.cache_clear()
    assert _map(data) == first


def test_two_charts_in_one_page_share_no_ids() -> None:
    one = _parse(_map([Datum("France", 120, "FR"), Datum("Germany", None, "DE")]))
    two = _parse(_flows(FLOWS))
    ids = [{e.get("id") for e in root.iter() if e.get("id")} for root in (one, two)]
    assert ids[0]
    assert ids[1]
    assert not ids[0] & ids[1]
