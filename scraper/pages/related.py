"""Related-link lists: a heading followed by links, each ``title (date)``.

Themes relabel and rewrap these blocks, so they are found by their heading's
text (known labels) or by heading-like elements whose section holds article links.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from lxml import etree

from ..dates import find_time, find_time_raw
from ..items import RelatedLink
from ..text import clean

if TYPE_CHECKING:
    from .base import PageIndex

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


def heading_label(el: etree._Element) -> str | None:
    """The element's text when it is short enough to be a heading."""
    return label_of("".join(el.itertext()))


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


def related_link(section: str, link_text: str, link_title: str | None, url: str, item_text: str) -> RelatedLink | None:
    """One entry of a list: the link's title, and the date its item shows ("Title (26/02/2021)")."""
    title = clean(link_text) or clean(link_title) or ""
    date_raw = find_time_raw(item_text)
    if date_raw and date_raw in title:  # the date written inside the link: "Title(26/02/2021 7:49:19 SA)"
        title = clean(title.replace(date_raw, "").rstrip("( )")) or ""
    return RelatedLink(section=section, title=title, url=url, published_at_raw=date_raw) if title else None


Candidates = tuple[list[etree._Element], list[etree._Element], dict[etree._Element, int]]


def heading_candidates(root: etree._Element) -> Candidates:
    """Known-label and heading-like elements, and each one's position in document order.

    One pass over the text-bearing elements; measured faster than any XPath with string
    functions, which libxml2 evaluates slowly.
    """
    body = root.find("body")
    scope = body if body is not None else root
    known: list[etree._Element] = []
    likely: list[etree._Element] = []
    order: dict[etree._Element, int] = {}  # scan position of each candidate: document order
    for i, el in enumerate(scope.iter(_TEXT_TAGS)):
        if is_known_label(el.text):
            known.append(el)
            order[el] = i
            continue
        tag = el.tag
        if looks_like_heading(tag, None if tag in _HEADING_TAGS else el.get("class")):
            likely.append(el)
            order[el] = i
    return known, likely, order


def page_heading_candidates(root: etree._Element, ids: PageIndex | None) -> Candidates:
    """The page's :func:`heading_candidates`, made once per page when there is a page index."""
    return ids.once("heading_candidates", lambda: heading_candidates(root)) if ids is not None else heading_candidates(root)


def find_headings(
    root: etree._Element, exclude: Callable[[etree._Element], bool], candidates: Candidates | None = None
) -> list[tuple[etree._Element, str]]:
    """Headings in document order: known labels, and heading-like elements that are not list items.

    A heading-like element inside or around a known-label heading is the same heading.
    ``candidates`` is the page's :func:`heading_candidates`, where already made.
    """
    known, likely, order = candidates or heading_candidates(root)
    known = [el for el in known if not exclude(el)]
    known_set = set(known)
    found: dict[etree._Element, str] = {}
    for el in known:
        found[el] = heading_label(el) or (el.text or "").strip().rstrip(":")
    for el in likely:  # cheapest test first: most heading-like elements are linked list items
        if el in found or _links_to_page(el) or exclude(el):
            continue
        if known_set and (
            any(a in known_set for a in el.iterancestors()) or any(d in known_set for d in el.iterdescendants())
        ):
            continue
        label = heading_label(el)
        if label and find_time(label) is None:  # a date shown: a list item too
            found[el] = label
    if known and likely:  # restore document order across the two kinds
        return sorted(found.items(), key=lambda kv: order[kv[0]])
    return list(found.items())


def _links_to_page(node: etree._Element) -> bool:
    """A heading-like element that links to a page is really a list item."""
    return any(links_to_page(a.get("href") or "") for a in node.iter("a"))


def _link_counts(section: etree._Element) -> dict[etree._Element, int]:
    """How many addresses the links inside each element of ``section`` name: one walk, not a
    search per ancestor. A thumbnail and a title linking to one article are one item's links."""
    hrefs: dict[etree._Element, set[str | None]] = {}
    for a in section.iter("a"):
        href = a.get("href")
        for anc in a.iterancestors():
            if anc is section:
                break
            hrefs.setdefault(anc, set()).add(href)
    return {el: len(found) for el, found in hrefs.items()}


def _item_text(link: etree._Element, section: etree._Element, counts: dict[etree._Element, int]) -> str:
    """The text of the link's item (its highest ancestor holding no link to another address)."""
    item = link
    for anc in link.iterancestors():
        if anc is section or counts.get(anc, 0) > 1:
            break
        item = anc
    if item is link:
        return "".join(link.itertext()) + (link.tail or "").split("\n")[0]
    return "".join(item.itertext())


def related_lists(
    root: etree._Element,
    base_url: str,
    is_link: Callable[[str], bool],
    exclude: Callable[[etree._Element], bool],
    absolute: Callable[[str, str | None], str | None],
    ids: PageIndex | None = None,
) -> list[RelatedLink]:
    """Every related list on the page, in page order.

    A heading's section is its nearest ancestor that holds links after it; it ends at
    the next heading. ``is_link`` decides which addresses count as article links.
    """
    headings = find_headings(root, exclude, page_heading_candidates(root, ids))
    heading_set = {h for h, _ in headings}
    out: list[RelatedLink] = []
    claimed: set[etree._Element] = set()
    for heading, label in headings:
        section = heading
        links: list[etree._Element] = []
        for _ in range(5):
            parent = section.getparent()
            if parent is None or parent.tag in ("body", "html"):
                break
            section = parent
            links = _links_after(section, heading, heading_set)
            if links:
                break
        items = []
        for link in links:
            url = absolute(base_url, link.get("href"))
            if url is None or not is_link(url) or link in claimed:
                continue
            items.append((link, url))
        if not items:
            continue
        counts = _link_counts(section)
        listed: set[str] = set()  # a broken end tag can make a parser repeat a link: one entry
        for link, url in items:
            claimed.add(link)
            entry = related_link(label, "".join(link.itertext()), link.get("title"), url, _item_text(link, section, counts))
            if entry is not None and url not in listed:
                listed.add(url)
                out.append(entry)
    return out


def _links_after(section: etree._Element, heading: etree._Element, headings: set[etree._Element]) -> list[etree._Element]:
    """Links in ``section`` after ``heading`` (not inside it), up to the next heading."""
    inside = set(heading.iter())
    links = []
    seen_heading = False
    for el in section.iter():
        if el is heading:
            seen_heading = True
            continue
        if not seen_heading or el in inside:
            continue
        if el in headings:
            break
        if el.tag == "a" and el.get("href"):
            links.append(el)
    return links
