"""``body_html`` made safe to render: an allow-list, enforced by ammonia (through ``nh3``).

The page objects strip what they know to be executable (scripts, event handlers, comments)
and make ``href``/``src`` absolute; that is a deny-list, and a body can hold anything else an
editor or an intruder put there: SVG and MathML links and animations, ``<base>``, ``<meta
refresh>``, stylesheets, a page-covering ``style``. Here markup is parsed as a browser parses
it (html5ever) and only the elements, attributes, URL schemes and CSS properties listed below
are written back; everything else goes, its text kept unless it is never shown (script, style…).

The lists hold what the portal's bodies carry (paragraphs, headings, lists, layout tables,
figures, images, links, inline emphasis) and the editors' presentational leftovers
(``align``, ``<font>``, cell sizes); nothing that can run, load a document or leave the flow.
"""

from __future__ import annotations

import nh3

#: Elements kept. Anything else is unwrapped (its children kept) unless in ``DROPPED``.
TAGS: frozenset[str] = frozenset({
    "p", "div", "span", "br", "hr", "center", "address", "pre", "blockquote",
    "section", "article", "header", "footer", "aside", "nav", "main",
    "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "dl", "dt", "dd",
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "td", "th",
    "figure", "figcaption", "img", "a",
    "strong", "b", "em", "i", "u", "s", "strike", "del", "ins", "mark", "small", "big", "font",
    "sub", "sup", "abbr", "cite", "q", "code", "kbd", "samp", "var", "tt", "dfn", "time", "wbr", "bdi", "bdo",
})

#: Elements removed with everything inside: their content is never shown as text (or they hold
#: whole documents or controls). The page objects drop most of these already.
DROPPED: frozenset[str] = frozenset({
    "script", "style", "template", "noscript", "iframe", "frame", "frameset", "noframes", "noembed",
    "object", "embed", "applet", "form", "button", "select", "textarea", "title", "xmp",
})

_ALIGN = {"align"}
_CELL = {"align", "valign", "width", "height", "bgcolor", "colspan", "rowspan", "nowrap"}
_SECTION = {"align", "valign"}

#: Attributes kept, by element ("*": on every kept element). No ``on*``, ``srcset``, ``data-*``,
#: ``target``, ``name``, ``xlink:*``, ``formaction``, ``background``, ``cite``: only ``href`` and
#: ``src`` take an address, and only the schemes in ``URL_SCHEMES``.
ATTRIBUTES: dict[str, frozenset[str]] = {
    tag: frozenset(names)
    for tag, names in {
        "*": {"id", "class", "style", "title", "lang", "dir"},
        "a": {"href"},
        "img": {"src", "alt", "width", "height", "border", "align", "hspace", "vspace"},
        "table": {"align", "width", "height", "border", "cellpadding", "cellspacing", "bgcolor", "summary"},
        "td": _CELL, "th": _CELL | {"scope"},
        "tr": _SECTION | {"bgcolor"}, "tbody": _SECTION, "thead": _SECTION, "tfoot": _SECTION,
        "col": _SECTION | {"span", "width"}, "colgroup": _SECTION | {"span", "width"},
        "p": _ALIGN, "div": _ALIGN, "caption": _ALIGN,
        "h1": _ALIGN, "h2": _ALIGN, "h3": _ALIGN, "h4": _ALIGN, "h5": _ALIGN, "h6": _ALIGN,
        "hr": {"align", "width", "size", "noshade"},
        "ol": {"start", "type", "reversed"}, "ul": {"type"}, "li": {"value", "type"},
        "font": {"face", "size", "color"},
        "time": {"datetime"}, "del": {"datetime"}, "ins": {"datetime"},
    }.items()
}

#: Schemes an ``href``/``src`` may have; relative addresses are kept as they are (the page
#: objects have made them absolute already). ``mailto:`` is not kept: ``scraper.urls.absolute``
#: has always dropped it (with ``tel:``, ``data:`` and script addresses) before this.
URL_SCHEMES: frozenset[str] = frozenset({"http", "https"})

#: CSS properties a ``style`` keeps: alignment, type, colour and size, the editors' formatting.
#: Nothing that takes an element out of the flow or over the page (position, top/left, z-index,
#: transform, margin, display, overflow…) nor loads anything (background, ``url()`` values are
#: dropped by ammonia). CSS names are case-insensitive but ammonia compares them exactly: the
#: upper-case forms are what old IE-based editors wrote ("TEXT-ALIGN: center").
_STYLE_NAMES = (
    "text-align", "vertical-align", "text-decoration", "text-indent", "line-height",
    "font-family", "font-size", "font-style", "font-weight", "color", "background-color", "width", "height",
)
STYLE_PROPERTIES: frozenset[str] = frozenset(_STYLE_NAMES) | frozenset(n.upper() for n in _STYLE_NAMES)

_CLEANER = nh3.Cleaner(
    tags=set(TAGS),
    clean_content_tags=set(DROPPED),
    attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
    url_schemes=set(URL_SCHEMES),
    filter_style_properties=set(STYLE_PROPERTIES),
    strip_comments=True,
    link_rel=None,  # no rel added: no target is kept, so nothing opens a window to protect
)


def safe_html(fragment: str) -> str:
    """``fragment`` with only the allowed elements, attributes, URL schemes and CSS properties.

    U+00A0 is written as itself, as the page objects write it (html5ever writes ``&nbsp;``).
    """
    if not fragment:
        return fragment
    return _CLEANER.clean(fragment).replace("&nbsp;", "\xa0")
