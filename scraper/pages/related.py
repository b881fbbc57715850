"""Related-link lists: a heading followed by links, each ``title (date)``.

Themes relabel and rewrap these blocks, so they are found by their heading's text (known
labels, as an element's own text) or by heading-like elements that are no list items; a
heading's section is its nearest ancestor holding links after it, up to the next heading.
lexbor's selectors find the candidates in C, in document order, instead of a walk over every element.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from selectolax.lexbor import LexborNode

from ..dates import find_time, find_time_raw
from ..items import RelatedLink
from ..text import clean
from ..urls import absolute
from .dom import PageText, ancestors

#: Headings the portal's themes have used for related lists (compared case-insensitively).
LABELS = frozenset(
    label.casefold()
    for label in (
        "Tin liên quan", "Tin mới nhất", "Tin cùng chuyên mục", "Những tin mới hơn", "Những tin cũ hơn",
        "Theo dòng sự kiện", "Tin xem nhiều", "Tin nổi bật", "Tin khác", "Các tin khác", "Tin đã đưa",
        "Tin đã đăng", "Bài viết liên quan", "Tin bài liên quan", "Xem thêm", "Tin mới", "Đọc nhiều",
        "Tin đọc nhiều", "Tin tức liên quan", "Cùng chuyên mục",
    )
)
_LONGEST_LABEL = max(map(len, LABELS))
_HEADING_TAGS = frozenset(("h2", "h3", "h4", "h5"))
_HEADING_CLASS = re.compile(r"panel-heading|block-title|title-block|block-heading|box-title")
# heading_candidates tests for "title"/"heading" before this expression: every alternative holds one
assert all("title" in alt or "heading" in alt for alt in _HEADING_CLASS.pattern.split("|"))
_TEXT_TAGS = ("h2", "h3", "h4", "h5", "h6", "p", "div", "span", "strong", "b", "td", "th", "li", "em", "label", "header")


def label_of(shown: str) -> str | None:
    """A text, cleaned, when it is short enough to be a heading ("Tin liên quan:" → "Tin liên quan")."""
    text = clean(shown)
    if not text or len(text) > 60:
        return None
    return text.rstrip(":").strip() or None


def is_known_label(own_text: str | None) -> bool:
    """Whether an element's own text is one of the headings themes give related lists."""
    if not own_text or len(own_text) >= 70:
        return False
    core = own_text.strip().rstrip(":").strip()
    # casefolding never shortens a text: one longer than every label is none of them
    return len(core) <= _LONGEST_LABEL and core.casefold() in LABELS


def looks_like_heading(tag: str, cls: str | None) -> bool:
    """A heading tag, a heading class, or NukeViet's ``<p class="h3">``.

    Each heading class holds "title" or "heading": a substring test spares most classes the
    regular expression.
    """
    return tag in _HEADING_TAGS or bool(cls and (
        (("title" in cls or "heading" in cls) and _HEADING_CLASS.search(cls)) or (tag == "p" and " h3 " in f" {cls} ")
    ))


def links_to_page(href: str) -> bool:
    """A link to an article page (a heading-like element holding one is a list item)."""
    return ".html" in href or "aspx" in href.lower()


def related_link(section: str, link: LexborNode, url: str, item_text: str) -> RelatedLink | None:
    """One entry of a list: the link's title, and the date its item shows ("Title (26/02/2021)").

    The title is the link's text, else its ``title`` attribute: read only then, as selectolax finds
    an absent attribute by raising and catching a KeyError (0.4 us a link).
    """
    title = clean(link.text()) or clean(link.attrs.get("title")) or ""
    date_raw = find_time_raw(item_text)
    if date_raw and date_raw in title:  # the date written inside the link: "Title(26/02/2021 7:49:19 SA)"
        title = clean(title.replace(date_raw, "").rstrip("( )")) or ""
    return RelatedLink(section=section, title=title, url=url, published_at_raw=date_raw) if title else None


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


def _likely_and_known(likely: list[LexborNode], labels: set[str], shown: int) -> list[LexborNode] | None:
    """``likely``, each followed by the known-label elements down its line of first children
    (``<p class="h3"><strong>Những tin cũ hơn</strong></p>``), in document order: nothing comes
    between an element and its first child but that line's own (heading-like ones among them, met
    on the way down, are placed there). None unless these own all ``shown`` label texts.

    Themes put their labels there; where they do, the page's text nodes (``PageText.nodes``)
    and a second query are spared (find_headings 51 -> 42 us on nukeviet-custom; the nodes are made
    later only for a field that needs them).
    """
    out: list[LexborNode] = []
    heading_like = {el.mem_id for el in likely}
    added: set[int] = set()
    walked: set[int] = set()
    owned = 0
    for el in likely:
        node: LexborNode | None = el
        while node is not None and node.is_element_node and (key := node.mem_id) not in walked:
            walked.add(key)
            child = node.first_child
            known = child is not None and child.is_text_node and child.text(deep=False) in labels
            owned += known
            if key not in added and (key in heading_like or (known and node.tag in _TEXT_TAG_SET)):
                added.add(key)
                out.append(node)
            node = child
    return out if owned == shown else None


def _candidates(scope: LexborNode, text: PageText) -> list[LexborNode]:
    """Known-label and heading-like elements, in document order, each once."""
    labels = _label_texts(text)
    if not labels:
        return list({el.mem_id: el for el in scope.css(_LIKELY)}.values())
    found = _likely_and_known(scope.css(_LIKELY), labels, sum(map(labels.__contains__, text.parts)))
    if found is not None:
        return found
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
    # the same for every caller on the page (the 2021 layout asks twice: where its body ends, and
    # for its lists): found once
    key = ("heading_candidates", scope.mem_id)
    candidates = text.memo.get(key)
    if candidates is None:
        candidates = text.memo[key] = _candidates(scope, text)
    known: list[LexborNode] = []
    likely: list[LexborNode] = []
    for el in candidates:
        tag = el.tag
        if tag in _TEXT_TAG_SET and is_known_label(_own_text(el)):
            if not exclude(el):
                known.append(el)
        # the attributes as one dict: selectolax's ``get`` raises and catches a KeyError for an
        # absent one (0.5 us an element; most candidates have no class)
        elif looks_like_heading(tag, el.attributes.get("class")):
            likely.append(el)
    known_ids = {el.mem_id for el in known}
    around_known = {anc.mem_id for el in known for anc in ancestors(el)}
    labels = {el.mem_id: label_of(el.text()) or (_own_text(el) or "").strip().rstrip(":") for el in known}
    for el in likely:  # cheapest tests first: most heading-like elements are linked list items
        # or wrap a known label (``<p class="h3"><strong>Những tin cũ hơn</strong></p>``): a set
        # tells, before the element's markup is written for its links (1 us an element)
        if el.mem_id in labels or el.mem_id in around_known:
            continue
        if any(links_to_page(href) for href in _HREF.findall(el.html or "")):
            continue
        if known_ids and any(a.mem_id in known_ids for a in ancestors(el)):
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


def _element_after(node: LexborNode) -> bool:
    """Whether an element follows ``node`` among its siblings: where none follows the heading or
    its wrappers, a section holds no link after it, and is not asked for its links (a query a
    wrapper, 2 us; related() 154 -> 151 us on nukeviet-default, 99 -> 89 us on
    nukeviet-related-after)."""
    sib = node.next
    while sib is not None:
        if sib.is_element_node:
            return True
        sib = sib.next
    return False


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
    """Every related list on the page, in page order. ``is_link`` decides which addresses count
    as article links.

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
            followed = False  # whether an element comes after the heading inside ``section``
            for _ in range(5):
                parent = section.parent
                if parent is None or not parent.is_element_node or parent.tag in ("body", "html"):
                    break
                followed = followed or _element_after(section)
                section = parent
                if not followed:  # nothing after the heading here ("<p class="h3"><strong>…</strong></p>")
                    continue
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
                entry = related_link(label, link, url, _item_text(link, section, counts))
                if entry is not None and url not in listed:
                    listed.add(url)
                    out.append(entry)
    finally:
        for heading, _ in headings:
            del heading.attrs[_MARK]
    return out
