"""Data embedded in a page: JSON that can sit inside a ``<script>`` element whatever its
text says (the lecture deck and the explorer carry their data this way, so they open from
``file://`` with nothing fetched, and a sentence is always data, never markup)."""

from __future__ import annotations

import json

# Characters escaped in the JSON embedded in the page's <script> element. Inside a
# script element the HTML parser looks for more than "</script>": "<!--" followed by
# "<script" hides the next "</script>" from it, so the page's code would end up inside
# the data. No "<" at all reaches the page; ">" and "&" go too (harmless in JSON, and
# then no markup-like text at all), and U+2028/U+2029, which old JavaScript parsers
# took for line ends.
_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def script_json(value: object) -> str:
    """``value`` as JSON that can sit inside a ``<script>`` element whatever its text says;
    ``JSON.parse`` of it gives the same value."""
    text = json.dumps(value, ensure_ascii=False)
    return text.translate(str.maketrans(_SCRIPT_ESCAPES))


__all__ = ["script_json"]
