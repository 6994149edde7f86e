"""The tile-grid map of the regions: every region a tile, a region without data a hatched grey
tile «нет данных», a code the grid does not know drawn apart, input text escaped."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pandas as pd

from analysis.reports.tilemap import PALETTE, Scale, grid, tile_map

SVG = "{http://www.w3.org/2000/svg}"


def svg_of(html: str) -> ET.Element:
    """The map's SVG element, parsed as XML (so the markup is well-formed)."""
    start = html.index("<svg")
    end = html.index("</svg>", start) + len("</svg>")
    return ET.fromstring(html[start:end])


def tiles_of(svg: ET.Element) -> dict[str, dict]:
    out = {}
    for group in svg.iter(f"{SVG}g"):
        texts = [t.text for t in group.iter(f"{SVG}text")]
        rect = next(group.iter(f"{SVG}rect"))
        out[texts[0]] = {
            "value": texts[1],
            "fill": rect.get("fill"),
            "title": group.find(f"{SVG}title").text,
            "class": group.get("class"),
            "at": (float(rect.get("x")), float(rect.get("y"))),
        }
    return out


def test_the_grid_has_one_tile_per_region_and_no_two_on_one_square():
    table = grid()
    assert len(table) >= 85
    assert not table["code"].duplicated().any()
    assert not table[["col", "row"]].duplicated().any()
    assert table["code"].str.fullmatch(r"\d\d").all()
    assert table.loc[table["code"] == "63", "name"].item() == "Самарская обл."


def test_a_region_without_data_is_a_hatched_grey_tile_saying_no_data():
    values = pd.DataFrame(
        {
            "region_code": ["63", "64", "77"],
            "value": [0.8, math.nan, 0.3],
            "href": ["63/region-2025.html", "", "77/region-2025.html"],
        }
    )
    html = tile_map(values, "Карта", "Медиана уровня выполнения", uid="m").data
    tiles = tiles_of(svg_of(html))
    assert len(tiles) == len(grid())
    # Saratov is in the data without a value; Tatarstan (16) is not in the data at all: both «нет данных».
    for code, name in (("64", "Саратовская обл."), ("16", "Респ. Татарстан")):
        assert tiles[code]["fill"] == "url(#m-h)"
        assert tiles[code]["value"] == "н/д"
        assert tiles[code]["title"] == f"{code} {name}: нет данных"
        assert tiles[code]["class"] == "tile no-data"
    assert tiles["63"] == {**tiles["63"], "value": "80%", "fill": PALETTE[2], "class": "tile"}
    assert tiles["77"]["fill"] == PALETTE[0]
    # The legend names every class and the hatched «нет данных».
    assert "нет данных (н/д)" in html
    assert "до 50%" in html and "95% и выше" in html
    # Tiles link to the region reports that exist; the one without a report links nowhere.
    assert '<a href="63/region-2025.html">' in html
    assert html.count("<a href") == 2


def test_classes_read_in_grey_light_to_dark_with_values_written():
    scale = Scale()
    assert [scale.klass(v) for v in (0.0, 0.49, 0.5, 0.84, 0.85, 0.95, 1.0, 1.3)] == [0, 0, 1, 2, 3, 4, 4, 4]
    lightness = [sum(int(colour[i : i + 2], 16) for i in (1, 3, 5)) for colour in PALETTE]
    assert lightness == sorted(lightness, reverse=True)
    values = pd.DataFrame({"region_code": ["63"], "value": [0.97]})
    tile = tiles_of(svg_of(tile_map(values, "t", "l").data))["63"]
    assert tile["value"] == "97%"


def test_a_code_the_grid_does_not_know_is_drawn_apart_and_escaped():
    values = pd.DataFrame({"region_code": ["99"], "name": ['<script>alert("x")</script>'], "value": [0.6]})
    html = tile_map(values, "Карта <b>", "Легенда").data
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Карта &lt;b&gt;" in html
    svg = svg_of(html)
    tiles = tiles_of(svg)
    lowest = max(y for code, t in tiles.items() if code != "99" for _, y in [t["at"]])
    assert tiles["99"]["at"][1] > lowest
    assert tiles["99"]["value"] == "60%"
    assert "Коды регионов вне сетки карты" in html
