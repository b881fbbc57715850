"""Related-link lists on lexbor's tree: the rules of ``related.py``, found with CSS.

The same headings (a known label as an element's own text, or a heading-like element that
is no list item), the same sections (a heading's nearest ancestor holding links after it, up
to the next heading) and the same entries; lexbor's selectors find the candidates in C, in
document order, instead of a Python walk over every element.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from selectolax.lexbor import LexborNode

from ..dates import find_time
from ..items import RelatedLink
from ..urls import absolute
from .dom import PageText, ancestors
from .related import (
    _LONGEST_LABEL,
    _TEXT_TAGS,
    LABELS,
    is_known_label,
    label_of,
    links_to_page,
    looks_like_heading,
    related_link,
)

_TEXT_TAG_SET = frozenset(_TEXT_TAGS)
#: First letters of the known labels, either case.
_INITIALS = frozenset(c for label in LABELS for c in (label[0], label[0].upper()))
_LIKELY = 'h2, h3, h4, h5, p[class~="h3"], [class*="title"], [class*="heading"]'
_HREF = re.compile(r'<a\s[^>]*?href="([^"]*)"')
_MARK = "data-scraper-heading"
_KNOWN = "data-scraper-known"


def _own_text(node: LexborNode) -> str | None:
    """The text before an element's first child (lxml's ``.text``)."""
    child = node.first_child
    return child.text(deep=False) if child is not None and child.is_text_node else None


def _label_texts(text: PageText) -> set[str]:
    """The page's text nodes that are a known label, as shown (white space and ":" included)."""
    # most text nodes are the same few runs of white space between tags: each string tested once
    return {part for part in set(text.parts)
            if len(part) < 70 and (bare := part.strip()) and bare[0] in _INITIALS
            # a stripped text longer than every label is none, unless a ":" ends it
            and (len(bare) <= _LONGEST_LABEL or bare[-1] == ":") and is_known_label(bare)}


def _known(text: PageText, labels: set[str]) -> list[LexborNode] | None:
    """Elements whose own text (before any child) is one of ``labels``; None if unknown."""
    if not labels:
        return []
    hits = [i for i, part in enumerate(text.parts) if part in labels]
    nodes = text.nodes
    if nodes is None:
        return None
    return [node.parent for node in (nodes[i] for i in hits)
            if node.prev is None and node.parent is not None and node.parent.tag in _TEXT_TAG_SET]


def _candidates(scope: LexborNode, text: PageText) -> list[LexborNode]:
    """Known-label and heading-like elements, in document order, each once."""
    labels = _label_texts(text)
    known = _known(text, labels)
    if known is None:  # lexbor's text search, for the labels the page shows
        shown = sorted({part.strip() for part in labels})
        selector = ", ".join(f':lexbor-contains("{label}")' for label in shown if '"' not in label)
        found = scope.css(f"{_LIKELY}, {selector}" if selector else _LIKELY)
    else:
        for el in known:  # marked for one query: it keeps document order across the two kinds
            el.attrs[_KNOWN] = ""
        found = scope.css(f"{_LIKELY}, [{_KNOWN}]" if known else _LIKELY)
        for el in known:
            if _KNOWN in el.attrs:
                del el.attrs[_KNOWN]
    return list({el.mem_id: el for el in found}.values())  # an element matching two selectors comes once


def find_headings(
    scope: LexborNode, exclude: Callable[[LexborNode], bool], text: PageText
) -> list[tuple[LexborNode, str]]:
    """Headings in document order: known labels, and heading-like elements that are not list items."""
    candidates = _candidates(scope, text)
    known: list[LexborNode] = []
    likely: list[LexborNode] = []
    for el in candidates:
        tag = el.tag
        if tag in _TEXT_TAG_SET and is_known_label(_own_text(el)):
            if not exclude(el):
                known.append(el)
        elif looks_like_heading(tag, el.attrs.get("class")):
            likely.append(el)
    known_ids = {el.mem_id for el in known}
    around_known = {anc.mem_id for el in known for anc in ancestors(el)}
    labels = {el.mem_id: label_of(el.text()) or (_own_text(el) or "").strip().rstrip(":") for el in known}
    for el in likely:  # cheapest test first: most heading-like elements are linked list items
        if el.mem_id in labels or any(links_to_page(href) for href in _HREF.findall(el.html or "")):
            continue
        if known_ids and (el.mem_id in around_known or any(a.mem_id in known_ids for a in ancestors(el))):
            continue
        label = label_of(el.text())
        if label and find_time(label) is None and not exclude(el):  # a date shown: a list item too
            labels[el.mem_id] = label
    return [(el, labels[el.mem_id]) for el in candidates if el.mem_id in labels]  # document order


def _links_after(found: list[LexborNode], heading: LexborNode, inside: set[int], headings: set[int]) -> list[LexborNode]:
    """Links after ``heading`` (not ``inside`` it) up to the next of ``headings``, among a section's
    links and headings ``found`` in document order."""
    links = []
    seen_heading = False
    here = heading.mem_id
    for el in found:
        key = el.mem_id
        if key == here:
            seen_heading = True
        elif not seen_heading or key in inside:
            continue
        elif key in headings:
            break
        elif el.tag == "a" and el.attrs.get("href"):
            links.append(el)
    return links


def _item_text(link: LexborNode, section: LexborNode, counts: dict[int, int]) -> str:
    """The text of the link's item (its highest ancestor holding no link to another address)."""
    item, stop = link, section.mem_id
    node = link.parent
    while node is not None and (key := node.mem_id) != stop and counts.get(key, 0) <= 1:
        item, node = node, node.parent
    if item is link:
        after = link.next
        tail = after.text(deep=False) if after is not None and after.is_text_node else ""
        return link.text() + tail.split("\n")[0]
    return item.text()


def _link_counts(found: list[LexborNode], section: LexborNode) -> dict[int, int]:
    """How many addresses the links inside each element of ``section`` name: one walk, not a
    query per ancestor. A thumbnail and a title linking to one article are one item's links."""
    hrefs: dict[int, set[str | None]] = {}
    stop = section.mem_id
    for a in found:
        if a.tag != "a":
            continue
        href = a.attrs.get("href")
        node = a.parent
        while node is not None and (key := node.mem_id) != stop:
            hrefs.setdefault(key, set()).add(href)
            node = node.parent
    return {key: len(named) for key, named in hrefs.items()}


def related_lists(
    scope: LexborNode,
    base_url: str,
    is_link: Callable[[str], bool],
    exclude: Callable[[LexborNode], bool],
    text: PageText | None = None,
) -> list[RelatedLink]:
    """Every related list on the page, in page order (see ``related.related_lists``).

    ``text`` is the page's :class:`PageText` of ``scope``, where already made.
    """
    headings = find_headings(scope, exclude, text or PageText(scope))
    heading_ids = {heading.mem_id for heading, _ in headings}
    for heading, _ in headings:  # marked for the section queries: a heading ends the list before it
        heading.attrs[_MARK] = ""
    out: list[RelatedLink] = []
    claimed: set[int] = set()
    # a section's links and headings, and its link counts, asked once: neighbouring lists share one
    found: dict[int, list[LexborNode]] = {}
    counted: dict[int, dict[int, int]] = {}
    try:
        for heading, label in headings:
            section = heading
            links: list[LexborNode] = []
            # the heading and what it holds; "<h3>Tin liên quan</h3>" holds one text: no query
            first = heading.first_child
            alone = first is None or (first.is_text_node and first.next is None)
            inside = {heading.mem_id} if alone else {el.mem_id for el in heading.css("*")}
            for _ in range(5):
                parent = section.parent
                if parent is None or not parent.is_element_node or parent.tag in ("body", "html"):
                    break
                section = parent
                if section.mem_id not in found:
                    found[section.mem_id] = section.css(f"a, [{_MARK}]")
                links = _links_after(found[section.mem_id], heading, inside, heading_ids)
                if links:
                    break
            items = []
            for link in links:
                url = absolute(base_url, link.attrs.get("href"))
                if url is None or not is_link(url) or link.mem_id in claimed:
                    continue
                items.append((link, url))
            if not items:
                continue
            if section.mem_id not in counted:
                counted[section.mem_id] = _link_counts(found[section.mem_id], section)
            counts = counted[section.mem_id]
            listed: set[str] = set()  # an unclosed <a> is repeated by an HTML5 parser: one entry
            for link, url in items:
                claimed.add(link.mem_id)
                entry = related_link(label, link.text(), link.attrs.get("title"), url, _item_text(link, section, counts))
                if entry is not None and url not in listed:
                    listed.add(url)
                    out.append(entry)
    finally:
        for heading, _ in headings:
            del heading.attrs[_MARK]
    return out
