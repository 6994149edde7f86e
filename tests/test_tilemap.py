"""The tile-grid map of the regions: every region a tile, a region without data a hatched grey
tile «нет данных», a code the grid does not know drawn apart, input text escaped."""

from __future__ import annotations

import base64
import math
import re
import xml.etree.ElementTree as ET

import pandas as pd

from analysis.reports.tilemap import PALETTE, Scale, grid, svg, tile_map

SVG = "{http://www.w3.org/2000/svg}"


def svg_of(html: str) -> ET.Element:
    """The map's SVG document, decoded from the figure's image and parsed as XML (well-formed)."""
    found = re.search(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
    return ET.fromstring(base64.b64decode(found.group(1)).decode("utf-8"))


def tiles_of(svg: ET.Element) -> dict[str, dict]:
    out = {}
    for group in svg.iter(f"{SVG}g"):
        texts = [t.text for t in group.iter(f"{SVG}text")]
        rect = next(group.iter(f"{SVG}rect"))
        out[texts[0]] = {
            "value": " ".join(texts[1:]),
            "fill": rect.get("fill"),
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
    values = pd.DataFrame({"region_code": ["63", "64", "77"], "value": [0.8, math.nan, 0.3]})
    html = tile_map(values, "Карта", "Медиана уровня выполнения").data
    tiles = tiles_of(svg_of(html))
    assert len(tiles) == len(grid())
    # Saratov is in the data without a value; Tatarstan (16) is not in the data at all: both «нет данных».
    for code in ("64", "16"):
        assert tiles[code]["fill"] == "url(#h)"
        assert tiles[code]["value"] == "нет данных"
        assert tiles[code]["class"] == "tile no-data"
    assert tiles["63"] == {**tiles["63"], "value": "80%", "fill": PALETTE[2], "class": "tile"}
    assert tiles["77"]["fill"] == PALETTE[0]
    # The legend names every class and the hatched «нет данных»; the page has no SVG markup.
    assert "нет данных (н/д)" in html
    assert "до 50%" in html and "95% и выше" in html
    assert "<svg" not in html
    # The alternative text says what the map shows.
    alt = re.search(r'alt="([^"]*)"', html).group(1)
    assert alt.startswith("Карта. ") and "63 Самарская обл. — 80%" in alt and "77 Москва — 30%" in alt
    assert alt.endswith(f"Нет данных: {len(grid()) - 2} регионов.")


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
    assert "<script>" not in html and "&lt;script&gt;" in html  # in the alternative text
    assert "Карта &lt;b&gt;" in html
    document = svg(values, "Карта <b>")
    assert "<script>" not in document and "&lt;script&gt;" not in document  # a stray tile shows its code
    assert "<title>Карта &lt;b&gt;</title>" in document
    svg_root = svg_of(html)
    tiles = tiles_of(svg_root)
    lowest = max(y for code, t in tiles.items() if code != "99" for _, y in [t["at"]])
    assert tiles["99"]["at"][1] > lowest
    assert tiles["99"]["value"] == "60%"
    assert "Коды регионов вне сетки карты" in document
