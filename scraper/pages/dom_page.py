"""What every page object reading lexbor's tree shares: head tags, labels, crumbs, lists."""

from __future__ import annotations

from functools import cached_property

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..items import ArticleItem, Crumb, Image
from ..urls import absolute
from .base import INLINE_LABEL_TAGS, LABELLED, ArticlePage, _label_pattern, head_entry, labelled_values
from .body import Body, make_image
from .body_dom import extract_body
from .dom import Furniture, PageText, holding, inside, text_of
from .related_dom import related_lists

_UNSEEN = frozenset(("script", "style", "title", "option"))


class DomArticlePage(ArticlePage):
    """A page object reading lexbor's tree."""

    def __init__(self, tree: LexborHTMLParser, url: str) -> None:
        self.tree = tree
        self.root = tree.root
        self.url = url
        self._head: dict[str, str | None] = {}

    def head_value(self, key: str) -> str | None:
        """The head's first tag for ``key``, asked of lexbor's selectors: a page object reads two or
        three keys, and a dict of the whole head cost more than all of them."""
        if key not in self._head:
            self._head[key] = self._find_head_value(key)
        return self._head[key]

    def _find_head_value(self, key: str) -> str | None:
        if key.startswith("link:"):
            selector = f'link[rel="{key[5:]}" i]'
        else:
            selector = f'meta[property="{key}"], meta[name="{key}"]'
        # a stray tag in the head ends it for an HTML5 parser: what follows lands in <body>, maybe
        # inside the stray element ("<metle><meta …><link rel=canonical …>")
        for scope, query in ((self.tree.head, selector), (self.tree.body, selector)):
            for el in scope.css(query) if scope is not None else ():
                found, value = head_entry(el.tag, el.attrs)
                if found == key and value is not None:
                    return value
        return None

    def body_of(self, node: LexborNode) -> Body:
        """The body's record fields. Edits the tree: every other field is read first."""
        return extract_body(node, self.url)

    def image(self, img: LexborNode, caption: str | None) -> Image | None:
        return make_image(img.attrs, self.url, caption)

    def related(self, body: LexborNode | None) -> list:
        return related_lists(self.text.scope, self.url, self.is_related_link, Furniture(body), self.text)

    def crumbs_from(self, items: list[LexborNode]) -> list[Crumb]:
        out = []
        for li in items:
            name = text_of(li.css_first('[itemprop="name"]') or li)
            link = li.css_first("a[href]")
            href = link.attrs.get("href") if link is not None else None
            if name:
                out.append(Crumb(name=name, url=absolute(self.url, href) if href else None))
        return out

    @cached_property
    def text(self) -> PageText:
        return PageText(self.tree.body or self.root)

    def anchored(self, scope: LexborNode, labels: dict[str, tuple[str, ...]]) -> dict[str, str]:
        """Values after visible labels ("Tác giả:" → author) inside ``scope``, in document order.

        ``labels`` maps a field to the labels that announce it; a value runs to a "|" separator.
        """
        every = tuple(label for group in labels.values() for label in group)
        return labelled_values((self._block_text(holder) for holder in self._label_holders(scope, every)
                                if holder.tag not in _UNSEEN), labels)

    @staticmethod
    def _block_text(holder: LexborNode) -> str:
        """The text of the block a label sits in ("<p><strong>Tác giả:</strong> Thu Hà</p>")."""
        block = holder
        while block.tag in INLINE_LABEL_TAGS and block.parent is not None and block.parent.is_element_node:
            block = block.parent
        return text_of(block) or ""

    def _label_holders(self, scope: LexborNode, labels: tuple[str, ...]) -> list[LexborNode]:
        """Elements in ``scope`` owning a short text (≤ 160 characters) that holds a label."""
        # the page's text index where related lists made one already; else the scope's own
        text = self.__dict__.get("text") or PageText(scope)
        held = text.holding(labels)
        if held is not None:
            return [holder for _, holder in held if inside(holder, scope)]
        pattern = _label_pattern(labels)
        return [holder for holder in holding(scope, labels) if any(
            child.is_text_node and len(own := child.text(deep=False)) <= 160 and pattern.search(own)
            for child in holder.iter(include_text=True)
        )]

    def labelled(self, scope: LexborNode) -> dict[str, str]:
        """Author, source and views from labelled lines: read before the body is, which edits
        the tree; they fill only what the body's own lines leave empty (``fill``)."""
        return self.anchored(scope, LABELLED)

    @staticmethod
    def fill(item: ArticleItem, labelled: dict[str, str]) -> None:
        for name, value in labelled.items():
            if getattr(item, name) is None:
                setattr(item, name, value)
