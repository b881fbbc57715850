"""Category listings (and the home page): which articles a page lists, and where the next page is.

Custom themes rename wrappers, so entries are found by their address pattern; each
entry's listing date ("05/12/2023 10:15:32") and "Đã xem: N" are read from the
smallest block that holds its links and nothing of another article.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..dates import find_time_raw
from ..text import clean, parse_count
from ..urls import absolute, canonical_article_url, category_alias, is_article_url, is_web_url, same_site
from .base import parse
from .dom import ancestors, text_of

_VIEWS = re.compile(r"(?:Đã xem|Lượt xem|Lượt đọc)\s*:?\s*([\d.,]+)", re.I)
_NEXT_TEXT = frozenset(("»", "›", "next", "tiếp", "trang sau", ">", ">>"))


@dataclass
class ListingEntry:
    url: str
    title: str | None
    published_raw: str | None = None
    views_raw: str | None = None

    @property
    def primary(self) -> bool:
        """A main listing item (with its time or view count), not a side-block or "Các tin khác" link."""
        return self.views_raw is not None or bool(self.published_raw and ":" in self.published_raw)


class ListingPage:
    """A category page or the home page: entries, pager and the site menu's categories."""

    def __init__(self, tree: LexborHTMLParser, url: str) -> None:
        self.tree = tree
        self.root = tree.root
        self.url = url

    @classmethod
    def from_html(cls, markup: str | bytes, url: str) -> ListingPage:
        return cls(parse(markup), url)

    @staticmethod
    def _in_furniture(el: LexborNode) -> bool:
        return any(a.tag in ("nav", "header", "footer") for a in ancestors(el))

    def entries(self) -> list[ListingEntry]:
        """Article links with their listing date/views, in page order, one per article."""
        seen: dict[str, ListingEntry] = {}
        keys: dict[str | None, str | None] = {}  # href → canonical address, once per distinct href

        def key_of(href: str | None) -> str | None:
            if href not in keys:
                url = absolute(self.url, href)
                keys[href] = canonical_article_url(url) if url else None
            return keys[href]

        body = self.tree.body
        for link in body.css("a[href]") if body is not None else ():
            url = absolute(self.url, link.attrs.get("href"))
            if not url or not is_article_url(url) or not same_site(url, self.url) or self._in_furniture(link):
                continue
            key = canonical_article_url(url)
            entry = seen.get(key)
            if entry is not None and entry.title and entry.published_raw and entry.views_raw:
                continue  # an entry's second link (its picture's, say): nothing left to learn
            box = _entry_box(link, key, key_of)
            text = text_of(box) or ""
            shown = find_time_raw(text)  # parsed once, in the record chain
            views = _VIEWS.search(text)
            if entry is None:
                entry = seen[key] = ListingEntry(url=url, title=text_of(link) or clean(link.attrs.get("title")))
            entry.title = entry.title or text_of(link) or clean(link.attrs.get("title"))
            if shown and entry.published_raw is None:
                entry.published_raw = shown
            if views and entry.views_raw is None:
                entry.views_raw = views.group(1)
        return list(seen.values())

    def next_url(self) -> str | None:
        """``link[rel=next]``, the pager's rel=next, or a pager link reading "»"."""
        for el in self.root.css('link[rel="next"][href], a[rel="next"][href]'):
            url = absolute(self.url, el.attrs.get("href"))
            if url:
                return url
        for a in self.root.css('[class*="pagination"] a[href], [class*="pager"] a[href]'):
            if (text_of(a) or "").casefold() in _NEXT_TEXT:
                return absolute(self.url, a.attrs.get("href"))
        return None

    def last_page(self) -> int | None:
        """The highest page number the pager links to."""
        numbers = [
            cat[1] for a in self.root.css('[class*="pagination"] a[href]')
            if (url := absolute(self.url, a.attrs.get("href"))) and (cat := category_alias(url))
        ]
        return max(numbers) if numbers else None

    def categories(self) -> list[str]:
        """Category addresses from the site menu (any link shaped ``/<alias>/``), in menu order."""
        menus = {}
        for el in self.root.css("[id]"):  # the first element of each id naming a menu
            ident = el.attrs.get("id") or ""
            if "menu" in ident.lower():
                menus.setdefault(ident, el)
        scopes = list(menus.values()) or self.root.css("nav, header") or [self.root]
        out: list[str] = []
        for scope in scopes:
            for a in scope.css("a[href]"):
                url = absolute(self.url, a.attrs.get("href"))
                if not url or not is_web_url(url) or not same_site(url, self.url):
                    continue
                cat = category_alias(url)
                if cat and cat[1] == 1 and url not in out:
                    out.append(url.split("?")[0].split("#")[0])
        return list(dict.fromkeys(out))

    def entries_to_follow(self) -> list[ListingEntry]:
        """A category page's main items (side blocks and "Các tin khác" are other pages' items,
        which come with their listing time and views there); every entry elsewhere (home, tags)."""
        entries = self.entries()
        here = category_alias(self.url)
        if here is None:
            return entries
        return [e for e in entries if e.primary] or entries


@dataclass
class ListingSummary:
    """What the crawl needs of one category page: its entries and its pager."""

    entries: list[ListingEntry]
    next_url: str | None
    last_page: int | None


def summarize_listing(markup: str | bytes, url: str, content_type: str | None = None) -> ListingSummary:
    """A category page read in one go (in the crawl or in an extraction worker); NotAnArticle
    when the page is empty or unreadable."""
    page = ListingPage(parse(markup, content_type), url)
    return ListingSummary(page.entries_to_follow(), page.next_url(), page.last_page())


def _entry_box(link: LexborNode, key: str, key_of: Callable[[str | None], str | None]) -> LexborNode:
    """The largest ancestor whose links all point at this one article (``key``)."""
    box = link
    for anc in ancestors(link):
        if anc.tag in ("body", "html", "ul", "ol", "table", "tbody"):
            break
        for a in anc.css("a"):
            href = a.attrs.get("href")
            if href and not href.startswith("#") and key_of(href) != key:
                return box
        box = anc
    return box


def merge_entry(into: ListingEntry, other: ListingEntry) -> None:
    """Keep the richest listing data, the same whatever order the listings came in: a time with
    its time of day (a main listing item's) over a day alone, the larger view count (the later
    reading), the fuller title; each a maximum, so merging is commutative and associative."""
    into.published_raw = _richest(into.published_raw, other.published_raw, lambda r: (":" in r, len(r), r))
    into.views_raw = _richest(into.views_raw, other.views_raw, lambda r: (parse_count(r) or -1, r))
    into.title = _richest(into.title, other.title, lambda t: (len(t), t))


def _richest(a: str | None, b: str | None, rank: Callable[[str], tuple]) -> str | None:
    return b if a is None else a if b is None else max(a, b, key=rank)


def apply_listing(item, entry: ListingEntry | None):
    """The listing fills what the article page does not show; it never overrides the page."""
    if entry is not None:
        if not item.published_at_raw and entry.published_raw:
            item.published_at_raw = entry.published_raw
        if item.views is None and entry.views_raw:
            item.views = entry.views_raw
    return item
