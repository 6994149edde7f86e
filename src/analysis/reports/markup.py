"""The HTML a report displays, escaped by construction.

Every text that came from an input file — registry, participants, submissions, plans — reaches a
page through one of two doors, and both escape it: ``table`` (a pandas Styler with
``escape="html"`` for cells and headers) and ``fragment`` (a Jinja2 template with autoescape).
Markup is written only in the templates of this package; a value is never pasted into HTML or
Markdown by hand. ``link`` is the one formatter that builds an element, and it escapes both parts.

Styler tables get a stable id (``uuid``) so that two builds of the same inputs give the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

import jinja2
import pandas as pd
from IPython.display import HTML
from pandas.io.formats.style import Styler

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True)


def fragment(template: str, **context) -> HTML:
    """An HTML block rendered from ``template`` (Jinja2, autoescape on) with ``context``."""
    return HTML(_ENV.from_string(template).render(**context))


def link(text: str, href: str) -> str:
    """``<a href="…">…</a>`` with both the text and the address escaped."""
    return f'<a href="{escape(href, quote=True)}">{escape(str(text))}</a>'


def table(
    frame: pd.DataFrame,
    uuid: str,
    left: Iterable[str] = (),
    keep: Iterable[str] = (),
    links: dict[str, list[str | None]] | None = None,
    labels: Iterable[str] = (),
) -> Styler:
    """A report table: no index, every cell and heading escaped, a stable id ``T_<uuid>``.

    ``left`` names the columns of text: aligned left with their headings, and (class ``text``)
    free to break a word longer than the column when printed; ``keep`` the columns never
    wrapped (codes such as 1.1.2, class ``keep``); numbers stay right. ``labels`` names columns
    of our own words (statuses, states: class ``label``): aligned left, wrapped between words,
    never inside one. ``links`` maps a column to one address per row (None: plain text) — its
    cells become links.
    """
    frame = frame.reset_index(drop=True)
    labels = [c for c in labels if c in frame.columns]
    left = [c for c in left if c in frame.columns and c not in labels]
    keep = [c for c in keep if c in frame.columns]
    styler = (
        frame.style.format(escape="html", na_rep="—")
        .format_index(escape="html", axis=1)
        .hide(axis="index")
        .set_uuid(uuid)
    )
    for column, hrefs in (links or {}).items():
        for row, href in enumerate(hrefs):
            if isinstance(href, str) and href:
                markup = link(frame.at[row, column], href)
                styler = styler.format(lambda _v, m=markup: m, subset=pd.IndexSlice[[row], [column]])
    classes = pd.DataFrame("", index=frame.index, columns=frame.columns)
    for column in left:
        classes[column] = "text"
    for column in labels:
        classes[column] = "label"
    for column in keep:
        classes[column] = (classes[column] + " keep").str.strip()
    styler = styler.set_td_classes(classes)
    if left or labels:
        styler = styler.set_table_styles(
            {c: [{"selector": "", "props": "text-align: left"}] for c in [*left, *labels]}, overwrite=False
        )
    return styler
