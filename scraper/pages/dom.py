"""The lexbor tree (selectolax): today's portal read through CSS cascades.

lxml's element-by-element walks were most of an article's extraction time. lexbor parses in
about half lxml's time and runs selectors in C, so the NukeViet page objects ask CSS for the
subtree that holds each field and read only that. The 2021 layout's anchors need XPath's axes
and stay on lxml (``base.LxmlArticlePage``); the body's captions and paragraphs are one
implementation for every layout, so a NukeViet body is handed to lxml as a fragment.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Iterator
from functools import cached_property

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..items import ArticleItem, Crumb, Image
from ..text import clean
from ..urls import absolute
from .base import INLINE_LABEL_TAGS, LABELLED, ArticlePage, _label_pattern, label_value
from .body import Body, make_image
from .body_dom import extract_body

_FURNITURE = re.compile(r"^(footer|header|hd_print|menu|nav)", re.I)
_UNSEEN = frozenset(("script", "style", "title", "option"))


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


def holding(scope: LexborNode, labels: tuple[str, ...]) -> list[LexborNode]:
    """Elements inside ``scope`` whose own text holds one of ``labels``, in document order.

    lexbor's text search runs for each label on every element, so it is asked only for the
    labels the scope's text shows (a substring test is cheap; the page shows one or two).
    """
    text = scope.text()
    shown = [label for label in labels if label in text and '"' not in label]
    return scope.css(", ".join(f':lexbor-contains("{label}")' for label in shown)) if shown else []


def is_furniture(node: LexborNode, body: LexborNode | None) -> bool:
    """Inside the article body, or the page's navigation, header or footer."""
    body_id = body.mem_id if body is not None else None
    for anc in ancestors(node):
        if anc.mem_id == body_id or anc.tag in ("nav", "header", "footer"):
            return True
        ident = anc.attrs.get("id")
        if ident and _FURNITURE.search(ident):
            return True
    return False


class DomArticlePage(ArticlePage):
    """A page object reading lexbor's tree."""

    def __init__(self, tree: LexborHTMLParser, url: str) -> None:
        self.tree = tree
        self.root = tree.root
        self.url = url

    @cached_property
    def head(self) -> dict[str, str]:
        found: dict[str, str] = {}
        head = self.tree.head
        tags = head.css("meta, link") if head is not None else []
        if "link:canonical" not in self._read_head(tags, found) and self.tree.body is not None:
            # a stray tag in the head ends it for an HTML5 parser: what follows lands in <body>
            self._read_head(self.tree.body.css("body > meta, body > link"), found)
        return found

    @staticmethod
    def _read_head(tags: list[LexborNode], found: dict[str, str]) -> dict[str, str]:
        for el in tags:
            attrs = el.attrs
            if el.tag == "meta":
                key, value = attrs.get("property") or attrs.get("name"), attrs.get("content")
            else:
                key, value = f"link:{(attrs.get('rel') or '').lower()}", attrs.get("href")
            if key and value is not None:
                found.setdefault(key, value)
        return found

    def body_of(self, node: LexborNode) -> Body:
        """The body's record fields. Edits the tree: every other field is read first."""
        return extract_body(node, self.url)

    def image(self, img: LexborNode, caption: str | None) -> Image | None:
        return make_image(img.attrs, self.url, caption)

    def related(self, body: LexborNode | None) -> list:
        from .related_dom import related_lists

        scope = self.tree.body or self.root
        return related_lists(scope, self.url, self.is_related_link, lambda el: is_furniture(el, body))

    def crumbs_from(self, items: list[LexborNode]) -> list[Crumb]:
        out = []
        for li in items:
            name = text_of(li.css_first('[itemprop="name"]') or li)
            link = li.css_first("a[href]")
            href = link.attrs.get("href") if link is not None else None
            if name:
                out.append(Crumb(name=name, url=absolute(self.url, href) if href else None))
        return out

    def anchored(self, scope: LexborNode, labels: dict[str, tuple[str, ...]]) -> dict[str, str]:
        """Values after visible labels ("Tác giả:" → author) inside ``scope``.

        ``labels`` maps a field to the labels that announce it; a value runs to a "|" separator.
        """
        every = tuple(label for group in labels.values() for label in group)
        pattern = _label_pattern(every)
        found: dict[str, str] = {}
        for holder in holding(scope, every):
            if holder.tag in _UNSEEN or not any(
                child.is_text_node and len(own := child.text(deep=False)) <= 160 and pattern.search(own)
                for child in holder.iter(include_text=True)
            ):
                continue
            block = holder
            while block.tag in INLINE_LABEL_TAGS and block.parent is not None and block.parent.is_element_node:
                block = block.parent
            text = text_of(block) or ""
            for name, group in labels.items():
                if name not in found and (value := label_value(text, group)):
                    found[name] = value
            if len(found) == len(labels):
                break
        return found

    def labelled(self, scope: LexborNode) -> dict[str, str]:
        """Author, source and views from labelled lines: read before the body is, which edits
        the tree; they fill only what the body's own lines leave empty (``fill``)."""
        return self.anchored(scope, LABELLED)

    @staticmethod
    def fill(item: ArticleItem, labelled: dict[str, str]) -> None:
        for name, value in labelled.items():
            if getattr(item, name) is None:
                setattr(item, name, value)
