"""A tile-grid map of Russia's regions («карта-сетка»): one equal square per region, placed by hand
on a grid so that neighbours stay roughly neighbours, coloured by a value — drawn as SVG by our
own template (autoescape on) and shown as an image from a ``data:`` URI (no map tiles, no outside
requests, no markup of its own in the page).

Readable in print and in grey: the colour scale is one hue from light to dark, and every tile
carries its region code and its value as text; a region without data is a hatched grey tile
saying «нет данных», as the legend does. A region code in the data that the
grid does not know is drawn in a row of its own below the map, never dropped.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from io import StringIO

import jinja2
import pandas as pd
from IPython.display import HTML

from analysis.reports import markup
from analysis.reports.labels import NO_RATE

# Region code (as in the registry: two digits), short name, column, row. Codes follow the
# numbering of Russia's regions used in official data (Samara is 63).
GRID = """\
code,name,col,row
51,Мурманская обл.,2,0
87,Чукотский АО,15,0
10,Респ. Карелия,2,1
29,Архангельская обл.,3,1
83,Ненецкий АО,4,1
89,Ямало-Ненецкий АО,8,1
14,Респ. Саха (Якутия),13,1
49,Магаданская обл.,14,1
41,Камчатский край,15,1
78,Санкт-Петербург,1,2
47,Ленинградская обл.,2,2
35,Вологодская обл.,3,2
11,Респ. Коми,4,2
86,Ханты-Мансийский АО,8,2
24,Красноярский край,10,2
28,Амурская обл.,13,2
27,Хабаровский край,14,2
65,Сахалинская обл.,15,2
39,Калининградская обл.,0,3
60,Псковская обл.,1,3
53,Новгородская обл.,2,3
76,Ярославская обл.,3,3
44,Костромская обл.,4,3
43,Кировская обл.,5,3
59,Пермский край,6,3
66,Свердловская обл.,7,3
72,Тюменская обл.,8,3
70,Томская обл.,9,3
19,Респ. Хакасия,10,3
38,Иркутская обл.,11,3
75,Забайкальский край,12,3
79,Еврейская АО,13,3
25,Приморский край,14,3
67,Смоленская обл.,1,4
69,Тверская обл.,2,4
37,Ивановская обл.,3,4
52,Нижегородская обл.,4,4
12,Респ. Марий Эл,5,4
18,Удмуртская Респ.,6,4
74,Челябинская обл.,7,4
55,Омская обл.,8,4
54,Новосибирская обл.,9,4
42,Кемеровская обл.,10,4
03,Респ. Бурятия,11,4
32,Брянская обл.,0,5
40,Калужская обл.,1,5
77,Москва,2,5
33,Владимирская обл.,3,5
21,Чувашская Респ.,4,5
16,Респ. Татарстан,5,5
02,Респ. Башкортостан,6,5
45,Курганская обл.,7,5
22,Алтайский край,9,5
04,Респ. Алтай,10,5
17,Респ. Тыва,11,5
57,Орловская обл.,1,6
50,Московская обл.,2,6
62,Рязанская обл.,3,6
13,Респ. Мордовия,4,6
73,Ульяновская обл.,5,6
63,Самарская обл.,6,6
56,Оренбургская обл.,7,6
46,Курская обл.,1,7
71,Тульская обл.,2,7
48,Липецкая обл.,3,7
68,Тамбовская обл.,4,7
58,Пензенская обл.,5,7
64,Саратовская обл.,6,7
81,Луганская Народная Респ.,0,8
31,Белгородская обл.,1,8
36,Воронежская обл.,2,8
34,Волгоградская обл.,3,8
85,Запорожская обл.,0,9
80,Донецкая Народная Респ.,1,9
61,Ростовская обл.,2,9
08,Респ. Калмыкия,3,9
30,Астраханская обл.,4,9
84,Херсонская обл.,0,10
23,Краснодарский край,1,10
26,Ставропольский край,2,10
07,Кабардино-Балкарская Респ.,3,10
20,Чеченская Респ.,4,10
05,Респ. Дагестан,5,10
91,Респ. Крым,0,11
01,Респ. Адыгея,1,11
09,Карачаево-Черкесская Респ.,2,11
15,Респ. Северная Осетия — Алания,3,11
06,Респ. Ингушетия,4,11
92,Севастополь,0,12
"""

TILE = 46  # px, the side of a tile
GAP = 3  # px between tiles
# One hue, light to dark, so that the classes stay apart when printed in grey.
PALETTE = ("#edf8e9", "#c7e9c0", "#74c476", "#31a354", "#006d2c")
DARK_FROM = 3  # classes from this one on carry white text
NO_DATA_FILL = "#bdbdbd"


def grid() -> pd.DataFrame:
    """The grid: ``code, name, col, row`` — one row per region."""
    return pd.read_csv(StringIO(GRID), dtype={"code": str, "name": str, "col": int, "row": int})


@dataclass
class Scale:
    """Classes of a value for the map: ``bounds`` of ``len(PALETTE) + 1`` edges (the last class
    includes its upper edge) and how a value is written (``fmt``)."""

    bounds: tuple[float, ...] = (0.0, 0.5, 0.7, 0.85, 0.95, 1.0)
    percent: bool = True

    def klass(self, value: float) -> int:
        for index, upper in enumerate(self.bounds[1:-1]):
            if value < upper:
                return index
        return len(self.bounds) - 2

    def text(self, value: float) -> str:
        return f"{value:.0%}" if self.percent else f"{value:g}"

    def legend(self) -> list[str]:
        edges = [self.text(b) for b in self.bounds]
        out = [f"до {edges[1]}"]
        out += [f"{edges[i]} – {edges[i + 1]}" for i in range(1, len(edges) - 2)]
        out.append(f"{edges[-2]} и выше")
        return out


_HATCH = """<pattern id="h" width="6" height="6" patternUnits="userSpaceOnUse"
 patternTransform="rotate(45)"><rect width="6" height="6" fill="{{ no_data }}"/>
<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern>"""

# The map is a standalone SVG document shown as an image (``data:`` URI): a page's body holds no
# SVG markup of its own, and what the image draws cannot run or load anything.
_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="{{ width }}" height="{{ height }}"
 viewBox="0 0 {{ width }} {{ height }}" font-family="DejaVu Sans, Arial, sans-serif">
<title>{{ title }}</title>
<defs>HATCH</defs>
<rect width="{{ width }}" height="{{ height }}" fill="#ffffff"/>
{% for t in tiles %}
<g class="tile{% if t.missing %} no-data{% endif %}">
<rect x="{{ t.x }}" y="{{ t.y }}" width="{{ size }}" height="{{ size }}" rx="3"
 fill="{{ t.fill }}" stroke="#616161" stroke-width="0.6"/>
<text x="{{ t.x + 4 }}" y="{{ t.y + 13 }}" font-size="11" font-weight="bold"
 fill="{{ t.ink }}">{{ t.code }}</text>
{% for line in t.lines %}
<text x="{{ t.x + size - 4 }}" y="{{ t.y + size - 7 - 10 * (t.lines|length - loop.index) }}"
 font-size="{{ t.font }}" text-anchor="end" fill="{{ t.ink }}">{{ line }}</text>
{% endfor %}
</g>
{% endfor %}
{% if extra %}
<text x="0" y="{{ extra_y - 6 }}" font-size="11" fill="#212121">Коды регионов вне сетки карты:</text>
{% endif %}
</svg>""".replace("HATCH", _HATCH)

_SWATCH = """<svg xmlns="http://www.w3.org/2000/svg" width="14" height="14" viewBox="0 0 14 14">
<defs>HATCH</defs><rect width="14" height="14" fill="{{ fill }}" stroke="#616161" stroke-width="1"/>
</svg>""".replace("HATCH", _HATCH)

_FIGURE = """
<figure class="tilemap" style="break-inside: avoid; margin: 1em 0">
<img src="{{ src }}" width="{{ width }}" height="{{ height }}" alt="{{ alt }}"
 style="max-width: 100%; height: auto">
<figcaption>
<p class="legend">{{ legend_title }}:
{% for item in legend %}
<span class="swatch"><img src="{{ item.src }}" width="14" height="14" alt=""> {{ item.text }}</span>
{% endfor %}
</p>
<p>{{ caption }}</p>
</figcaption>
</figure>
"""

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True)


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def tiles(values: pd.DataFrame, scale: Scale) -> list[dict]:
    """One record per tile: every region of the grid, then any code of ``values`` the grid does
    not know (a row of its own). ``values`` has ``region_code``, ``value`` (NaN: no data) and may
    have ``name``. A tile without data says «нет данных» in two short lines."""
    known = grid()
    values = values.drop_duplicates("region_code").set_index("region_code")
    extra = sorted(set(values.index) - set(known["code"]))
    last_row = int(known["row"].max())
    strays = pd.DataFrame(
        {
            "code": extra,
            "name": [str(values.at[c, "name"]) if "name" in values.columns else c for c in extra],
            "col": range(len(extra)),
            "row": [last_row + 2] * len(extra),
        }
    )
    out = []
    for row in pd.concat([known, strays], ignore_index=True).itertuples(index=False):
        value = values.at[row.code, "value"] if row.code in values.index else math.nan
        missing = value is None or pd.isna(value)
        if missing:
            fill, ink, lines, font, text = "url(#h)", "#212121", ["нет", "данных"], 8.5, NO_RATE
        else:
            klass = scale.klass(float(value))
            fill, ink = PALETTE[klass], "#ffffff" if klass >= DARK_FROM else "#212121"
            text = scale.text(float(value))
            lines, font = [text], 10.5
        out.append(
            {
                "code": row.code,
                "name": row.name,
                "x": row.col * (TILE + GAP),
                "y": row.row * (TILE + GAP),
                "fill": fill,
                "ink": ink,
                "value": text,
                "lines": lines,
                "font": font,
                "missing": missing,
                "stray": row.code in extra,
            }
        )
    return out


def svg(values: pd.DataFrame, title: str, scale: Scale | None = None) -> str:
    """The map alone, as an SVG document (every text escaped): see :func:`tile_map`."""
    scale = scale or Scale()
    drawn = tiles(values, scale)
    return _ENV.from_string(_SVG).render(
        title=title,
        tiles=drawn,
        size=TILE,
        width=max(t["x"] for t in drawn) + TILE,
        height=max(t["y"] for t in drawn) + TILE,
        extra=any(t["stray"] for t in drawn),
        extra_y=min((t["y"] for t in drawn if t["stray"]), default=0),
        no_data=NO_DATA_FILL,
    )


def alt_text(values: pd.DataFrame, title: str, scale: Scale | None = None) -> str:
    """What the map shows, in words: every region with a value, then how many have none."""
    scale = scale or Scale()
    drawn = tiles(values, scale)
    shown = [f"{t['code']} {t['name']} — {t['value']}" for t in drawn if not t["missing"]]
    missing = sum(1 for t in drawn if t["missing"])
    return f"{title}. " + "; ".join(shown) + (f". Нет данных: {missing} регионов." if missing else ".")


def tile_map(
    values: pd.DataFrame,
    title: str,
    legend_title: str,
    caption: str = "",
    scale: Scale | None = None,
) -> HTML:
    """The map as a figure with its legend. ``values``: ``region_code``, ``value`` (a share 0–1 by
    default; NaN or absent: «нет данных») and optional ``name`` (for a code the grid does not
    know). The SVG is shown as an image; its alternative text lists every region with a value."""
    scale = scale or Scale()
    drawn = tiles(values, scale)
    document = svg(values, title, scale)
    swatch = _ENV.from_string(_SWATCH)
    legend = [
        {"src": _data_uri(swatch.render(fill=f, no_data=NO_DATA_FILL)), "text": t}
        for f, t in zip(PALETTE, scale.legend(), strict=True)
    ]
    legend.append(
        {"src": _data_uri(swatch.render(fill="url(#h)", no_data=NO_DATA_FILL)), "text": f"{NO_RATE} (н/д)"}
    )
    return markup.fragment(
        _FIGURE,
        src=_data_uri(document),
        width=max(t["x"] for t in drawn) + TILE,
        height=max(t["y"] for t in drawn) + TILE,
        alt=alt_text(values, title, scale),
        legend_title=legend_title,
        legend=legend,
        caption=caption,
    )
