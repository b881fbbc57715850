"""The lexbor tree (selectolax) and the helpers every page object reading it shares.

lxml's element-by-element walks were most of an article's extraction time. lexbor parses in
about half lxml's time and runs selectors in C, so today's portal is read by asking CSS for the
subtree that holds each field. The 2021 layout's anchors need XPath's axes and stay on lxml
(``base.LxmlArticlePage``).
"""

from __future__ import annotations

import ctypes
from bisect import bisect_right
from collections.abc import Iterator
from functools import cached_property
from itertools import accumulate, count
from operator import add

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..text import clean
from .base import _FURNITURE

_SEP = "\x00"


def parse_dom(data: bytes) -> LexborHTMLParser:
    """lexbor's tree of bytes ``base.page_bytes`` made (UTF-8: lexbor reads no charset then)."""
    return LexborHTMLParser(data)


def tune_malloc() -> bool:
    """Keep lexbor's parse time steady: glibc's defaults hand each page's arena back to the
    system and fetch it again (a parse then costs 0.4-1.4x lxml's instead of a steady 0.45x).

    Process-wide, so called where a process does nothing but extract (the ``extract`` command,
    crawl workers, the benchmark); a no-op off glibc.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(mallopt(m_mmap_threshold, 4 << 20) and mallopt(m_trim_threshold, 64 << 20))


def first_css(scope: LexborNode | None, *selectors: str) -> LexborNode | None:
    """The first element found by a cascade of selectors, most specific first."""
    if scope is None:
        return None
    for selector in selectors:
        found = scope.css_first(selector)
        if found is not None:
            return found
    return None


def text_of(node: LexborNode | None) -> str | None:
    """A node's visible text, cleaned; None for no node."""
    return None if node is None else clean(node.text())


def ancestors(node: LexborNode) -> Iterator[LexborNode]:
    node = node.parent
    while node is not None and node.is_element_node:
        yield node
        node = node.parent


def following_text(el: LexborNode) -> Iterator[tuple[str, LexborNode]]:
    """Text after ``el`` in document order, each with the element that holds it, lazily."""
    node: LexborNode | None = el
    while node is not None and node.is_element_node:
        sib = node.next
        while sib is not None:
            if sib.is_text_node:
                yield sib.text(deep=False), sib.parent
            elif sib.is_element_node:
                for sub in sib.traverse(include_text=True):
                    if sub.is_text_node:
                        yield sub.text(deep=False), sub.parent
            sib = sib.next
        node = node.parent


class PageText:
    """A page's text nodes in document order: their strings from one C-level call, the nodes
    themselves (one traversal) only when a caller needs the element holding a text.

    lexbor's own text search (``:lexbor-contains``) costs a whole-page pass per label; the
    anchors here (related-list headings, "Tác giả:", "Từ khóa:") are found in the strings.
    """

    def __init__(self, scope: LexborNode) -> None:
        self.scope = scope
        self.joined = scope.text(separator=_SEP)  # page_bytes removed every control character
        self.parts = self.joined.split(_SEP)

    @cached_property
    def nodes(self) -> list[LexborNode] | None:
        """The text nodes the strings came from; None if the two ever disagree in number."""
        nodes = [node for node in self.scope.traverse(include_text=True) if node.is_text_node]
        return nodes if len(nodes) == len(self.parts) else None

    @cached_property
    def starts(self) -> list[int]:
        """Where each string starts in ``joined``."""
        ends = accumulate(map(len, self.parts))
        return [0, *map(add, ends, count(1))][:-1]

    def holding(self, labels: tuple[str, ...], longest: int = 160) -> list[tuple[str, LexborNode]] | None:
        """(text, element holding it) for each text node of at most ``longest`` characters
        that contains one of ``labels``, in document order; None if the nodes are unknown."""
        found: set[int] = set()
        joined = self.joined
        for label in labels:
            at = joined.find(label)
            while at >= 0:
                found.add(bisect_right(self.starts, at) - 1)
                at = joined.find(label, at + 1)
        hits = [i for i in sorted(found) if len(self.parts[i]) <= longest]
        if not hits:
            return []
        nodes = self.nodes
        if nodes is None:
            return None
        return [(self.parts[i], nodes[i].parent) for i in hits if nodes[i].parent is not None]


def holding(scope: LexborNode, labels: tuple[str, ...]) -> list[LexborNode]:
    """Elements inside ``scope`` whose own text holds one of ``labels``, in document order
    (lexbor's text search, for the labels the scope's text shows: :class:`PageText`'s fallback)."""
    text = scope.text()
    shown = [label for label in labels if label in text and '"' not in label]
    return scope.css(", ".join(f':lexbor-contains("{label}")' for label in shown)) if shown else []


def inside(node: LexborNode, scope: LexborNode) -> bool:
    """Whether ``node`` is ``scope`` or lies within it."""
    target = scope.mem_id
    while node is not None and node.is_element_node:
        if node.mem_id == target:
            return True
        node = node.parent
    return False


class Furniture:
    """Whether an element lies in the article body or the page's navigation, header or footer.

    Asked for each heading candidate; their ancestors are mostly shared, so each ancestor's
    answer is kept for the page.
    """

    def __init__(self, body: LexborNode | None) -> None:
        self.known: dict[int, bool] = {} if body is None else {body.mem_id: True}

    def __call__(self, node: LexborNode) -> bool:
        known = self.known
        seen: list[int] = []
        answer = False
        node = node.parent
        while node is not None and node.is_element_node:
            key = node.mem_id
            if key in known:
                answer = known[key]
                break
            seen.append(key)
            if node.tag in ("nav", "header", "footer") or ((ident := node.id) and _FURNITURE.search(ident)):
                answer = True
                break
            node = node.parent
        for key in seen:
            known[key] = answer
        return answer
