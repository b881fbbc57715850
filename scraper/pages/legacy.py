"""The 2021-era portal (ASP.NET): only its visible text is known, not its markup.

Everything is anchored on text the seed page shows: the "(Ngày đăng :…)" line,
the "Trang chủ" breadcrumb, the related-list headings and the footer. The body is
whatever lies between the date line and the first related list, whether the page
is built of tables or divs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property

from selectolax.lexbor import LexborNode

from ..dates import find_time
from ..items import ArticleItem, Crumb
from ..text import clean
from ..urls import absolute
from .base import LABELLED, ArticlePage, NotAnArticle
from .body import BLOCK, extract_body_nodes
from .dom import ancestors, common_ancestor, preceding, text_of
from .related import LABELS, find_headings

_DATE_LABEL = re.compile("Ngày đăng|Ngày cập nhật")
_SEPARATORS = re.compile(r"\s*[›»>|/\\→•]+\s*")
_HOME = "Trang chủ"
#: What may follow "Trang chủ" in a trail written as one text ("Trang chủ » Tin tức").
_TRAIL_MARKS = "›»>|/\\→•"
_TITLE_NAME = re.compile(r"(?i)title|tieude")
_PAGE_EDGES = ("body", "html", "form")


def _is_footer_text(text: str) -> bool:
    """The portal's footer, where a page without related lists ends its body."""
    shown = " ".join(text.split())
    return ("TRANG THÔNG TIN ĐIỆN TỬ" in text or shown.startswith(("Giấy phép", "Bản quyền"))
            or "Ghi rõ nguồn" in text)


def _starts_trail(text: str) -> bool:
    """"Trang chủ" alone, or the start of a trail written as one text."""
    shown = " ".join(text.split())
    if shown == _HOME:
        return True
    rest = " ".join(text.partition(_HOME)[2].split()) if shown.startswith(_HOME) else ""
    return bool(rest) and rest[0] in _TRAIL_MARKS


def _shows_only(parent: LexborNode, child: LexborNode) -> bool:
    """Whether ``parent`` shows no text besides ``child``'s (stops at the first other text)."""
    target = child.mem_id
    for other in parent.iter(include_text=True):
        if other.is_text_node:
            if other.text(deep=False).strip():
                return False
        elif other.is_element_node and other.mem_id != target and other.text().strip():
            return False
    return True


def _outermost_same_text(el: LexborNode) -> LexborNode:
    """Climb while the parent shows nothing but ``el``'s text (wrapper spans, cells, rows)."""
    parent = el.parent
    while parent is not None and parent.is_element_node and parent.tag not in _PAGE_EDGES and _shows_only(parent, el):
        el, parent = parent, parent.parent
    return el


def _text_shorter_than(el: LexborNode, limit: int) -> bool:
    """Whether ``el``'s text is under ``limit`` characters (each text node's stripped), without
    joining a long text."""
    total = 0
    for node in el.traverse(include_text=True):
        if node.is_text_node:
            total += len(node.text(deep=False).strip())
            if total >= limit:
                return False
    return True


def _info_line(el: LexborNode) -> LexborNode:
    """The short block around the date ("(Ngày đăng :…) | Lượt xem: N"): all of it precedes the body."""
    for anc in (el, *ancestors(el)):
        if anc.tag in _PAGE_EDGES:
            break
        if anc.tag in BLOCK:
            return anc if _text_shorter_than(anc, 200) else el
    return el


class _Nodes:
    """The body's nodes in document order (elements, texts, comments), for the axes the 2021
    anchors need: the texts before or after an element, and the run of nodes between two."""

    def __init__(self, scope: LexborNode) -> None:
        self.all = list(scope.traverse(include_text=True))
        self.at = {node.mem_id: i for i, node in enumerate(self.all)}

    def end(self, el: LexborNode) -> int:
        """The position of ``el``'s last descendant (``el``'s own when it has none)."""
        node: LexborNode | None = el
        while node is not None and node.mem_id in self.at:
            if node.next is not None and node.next.mem_id in self.at:
                return self.at[node.next.mem_id] - 1
            node = node.parent
        return len(self.all) - 1

    def texts_before(self, el: LexborNode) -> Iterator[LexborNode]:
        """Text nodes before ``el``, nearest first (XPath's ``preceding::text()``)."""
        all_ = self.all
        for i in range(self.at.get(el.mem_id, 0) - 1, -1, -1):
            if all_[i].is_text_node:
                yield all_[i]

    def texts_after(self, el: LexborNode) -> Iterator[LexborNode]:
        """Text nodes after ``el`` and all it holds, in document order (``following::text()``)."""
        all_ = self.all
        for i in range(self.end(el) + 1, len(all_)):
            if all_[i].is_text_node:
                yield all_[i]

    def between(self, start: LexborNode, stop: LexborNode | None) -> list[LexborNode]:
        """The largest subtrees lying wholly after ``start`` and before ``stop``, each with the
        text that follows it up to the next element."""
        scope = common_ancestor(start, stop) if stop is not None else self.all[0]
        lo = self.end(start)
        hi = self.at.get(stop.mem_id, len(self.all)) if stop is not None else len(self.all)
        at, end = self.at, self.end

        def collect(node: LexborNode) -> list[LexborNode]:
            out: list[LexborNode] = []
            taken = False
            for child in node.iter(include_text=True):
                if child.is_text_node:
                    if taken:
                        out.append(child)
                    continue
                first = at[child.mem_id]
                last = end(child)
                taken = first > lo and last < hi
                if taken:
                    out.append(child)
                elif first <= lo <= last or first <= hi <= last:
                    out.extend(collect(child))
            return out

        return collect(scope)


def _holder(text: LexborNode) -> LexborNode | None:
    parent = text.parent
    return parent if parent is not None and parent.is_element_node else None


class LegacyArticlePage(ArticlePage):
    layout = "legacy"

    def matches(self) -> bool:
        """A "(Ngày đăng :…)" line with a date: the one anchor every 2021 page shows."""
        text = self.text
        return bool(_DATE_LABEL.search(text.joined)) and any(
            find_time(part) for part in text.parts if len(part) < 200 and _DATE_LABEL.search(part)
        )

    @cached_property
    def nodes(self) -> _Nodes:
        return _Nodes(self.tree.body or self.root)

    def date_element(self) -> tuple[LexborNode, str] | None:
        for node in self.nodes.all:
            if not node.is_text_node:
                continue
            text = node.text(deep=False)
            if len(text) >= 200 or not _DATE_LABEL.search(text) or (parent := _holder(node)) is None:
                continue
            for el in (parent, parent.parent):
                found = find_time(text_of(el) or "") if el is not None and el.is_element_node else None
                if found:
                    return _info_line(_outermost_same_text(parent)), found[0]
        return None

    def title_element(self, date_el: LexborNode) -> LexborNode | None:
        """The nearest h1 before the date line, else the nearest element named like a title
        (``title``, ``TieuDe``), else the block of the nearest text before the date."""
        named = None
        for el in preceding(date_el):
            if el.tag == "h1" and (text_of(el) or ""):
                return el
            if (
                named is None and el.tag != "title"
                and _TITLE_NAME.search(f"{el.attrs.get('class') or ''} {el.attrs.get('id') or ''}") and text_of(el)
            ):
                named = el
        if named is not None:
            return named
        shown = next((t for t in self.nodes.texts_before(date_el) if t.text(deep=False).strip()), None)
        return _holder(shown) if shown is not None else None

    def breadcrumbs(self, before: LexborNode) -> list[Crumb]:
        """The nearest "Trang chủ" before the title: a crumb of its own (a link), or the start
        of a trail written as one text ("Trang chủ » Tin tức » An ninh trật tự")."""
        home = next((t for t in self.nodes.texts_before(before) if _starts_trail(t.text(deep=False))), None)
        holder = _holder(home) if home is not None else None
        if holder is None:
            return []
        title_text = text_of(before) or ""
        while holder.parent is not None and holder.parent.is_element_node and len(self._pieces(holder)) < 2:
            parent = holder.parent
            if parent.tag in ("body", "form") or (title_text and title_text in (text_of(parent) or "")):
                break
            holder = parent
        return self._pieces(holder)

    def _pieces(self, holder: LexborNode) -> list[Crumb]:
        crumbs = []
        for node in holder.traverse(include_text=True):
            if not node.is_text_node or not (text := node.text(deep=False)).strip() or (owner := _holder(node)) is None:
                continue
            link = owner if owner.tag == "a" else next((a for a in ancestors(owner) if a.tag == "a"), None)
            for piece in _SEPARATORS.split(text):
                name = clean(piece)
                if name:
                    href = link.attrs.get("href") if link is not None else None
                    crumbs.append(Crumb(name=name, url=absolute(self.url, href) if link is not None else None))
        return crumbs

    def body_end(self, date_el: LexborNode) -> LexborNode | None:
        """The first related-list heading after the date line, else the footer."""
        for heading, label in find_headings(self.text.scope, lambda el: False, self.text):
            if label.casefold() in LABELS and self.nodes.at.get(heading.mem_id, -1) > self.nodes.at[date_el.mem_id]:
                return heading
        footer = next((t for t in self.nodes.texts_after(date_el) if _is_footer_text(t.text(deep=False))), None)
        holder = _holder(footer) if footer is not None else None
        return _outermost_same_text(holder) if holder is not None else None

    def to_item(self) -> ArticleItem:
        found = self.date_element()
        if found is None:
            raise NotAnArticle("no 'Ngày đăng' date line")
        date_el, date_raw = found
        title_el = self.title_element(date_el)
        body = extract_body_nodes(self.nodes.between(date_el, self.body_end(date_el)), self.url)
        title = text_of(title_el) or self.meta("og:title") or text_of(self.root.css_first("title"))
        item = self.new_item(
            body,
            title=title,
            published_at_raw=date_raw,
            breadcrumbs=self.breadcrumbs(title_el if title_el is not None else date_el),
            images=body.images,
            related=self.related(None),
        )
        self.fill(item, self.anchored(self.tree.body or self.root, {
            name: labels for name, labels in LABELLED.items() if getattr(item, name) is None
        }))
        return item

    def is_related_link(self, url: str) -> bool:
        return url.startswith(("http://", "https://"))
