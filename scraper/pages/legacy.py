"""The 2021-era portal (ASP.NET): only its visible text is known, not its markup.

Everything is anchored on text the seed page shows: the "(Ngày đăng :…)" line,
the "Trang chủ" breadcrumb, the related-list headings and the footer. The body is
whatever lies between the date line and the first related list, whether the page
is built of tables or divs.
"""

from __future__ import annotations

import re

from lxml import etree

from ..dates import find_time
from ..items import ArticleItem, Crumb
from ..text import clean
from ..urls import absolute
from .base import LxmlArticlePage, NotAnArticle, PageIndex, common_ancestor, first, text_holder, text_of, xpath
from .body import BLOCK as _BLOCKS
from .body import extract_body
from .related import LABELS, find_headings, page_heading_candidates

_DATE_LABEL = re.compile("Ngày đăng|Ngày cập nhật")


def date_anchors(root: etree._Element) -> list:
    """Text nodes holding the "(Ngày đăng :…)" label: a Python scan with one regex is several
    times faster than XPath ``contains()`` over a page of long paragraphs."""
    return [t for t in xpath("//body//text()")(root) if len(t) < 200 and _DATE_LABEL.search(t)]


def page_date_anchors(root: etree._Element, ids: PageIndex) -> list:
    """The page's :func:`date_anchors`, made once: recognising the layout needs them, then the date."""
    return ids.once("date_anchors", lambda: date_anchors(root))


_FOOTER_ANCHOR = (
    "following::text()[contains(., 'TRANG THÔNG TIN ĐIỆN TỬ') or starts-with(normalize-space(), 'Giấy phép')"
    " or starts-with(normalize-space(), 'Bản quyền') or contains(., 'Ghi rõ nguồn')][1]"
)
_SEPARATORS = re.compile(r"\s*[›»>|/\\→•]+\s*")
#: The nearest text before the title that is "Trang chủ", or starts a trail with it and a separator.
_HOME = (
    "preceding::text()[normalize-space()='Trang chủ' or (starts-with(normalize-space(), 'Trang chủ')"
    " and contains('›»>|/\\→•', substring(normalize-space(substring-after(., 'Trang chủ')), 1, 1))"
    " and string-length(normalize-space(substring-after(., 'Trang chủ'))) > 0)][1]"
)
_TITLE_NAME = re.compile(r"(?i)title|tieude")


def _preceding(el: etree._Element):
    """Elements before ``el`` in reverse document order, its ancestors excepted (XPath's ``preceding``)."""
    node = el
    while node is not None:
        for sib in node.itersiblings(preceding=True):
            if isinstance(sib.tag, str):
                yield from reversed([d for d in sib.iter() if isinstance(d.tag, str)])
        node = node.getparent()


def _shows_only(parent: etree._Element, child: etree._Element) -> bool:
    """Whether ``parent`` shows no text besides ``child``'s (stops at the first other text)."""
    if (parent.text or "").strip():
        return False
    for other in parent:
        if (other.tail or "").strip():
            return False
        if other is not child and isinstance(other.tag, str) and any(t.strip() for t in other.itertext()):
            return False  # (a comment or processing instruction shows nothing but its tail)
    return True


def _outermost_same_text(el: etree._Element) -> etree._Element:
    """Climb while the parent shows nothing but ``el``'s text (wrapper spans, cells, rows)."""
    parent = el.getparent()
    while parent is not None and parent.tag not in ("body", "html", "form") and _shows_only(parent, el):
        el, parent = parent, parent.getparent()
    return el


def _text_shorter_than(el: etree._Element, limit: int) -> bool:
    """Whether ``el``'s text is under ``limit`` characters, without joining a long text."""
    total = 0
    for piece in el.itertext():
        total += len(piece.strip())
        if total >= limit:
            return False
    return True


def _info_line(el: etree._Element) -> etree._Element:
    """The short block around the date ("(Ngày đăng :…) | Lượt xem: N"): all of it precedes the body."""
    for anc in [el, *el.iterancestors()]:
        if anc.tag in ("body", "html", "form"):
            break
        if anc.tag in _BLOCKS:
            return anc if _text_shorter_than(anc, 200) else el
    return el


class LegacyArticlePage(LxmlArticlePage):
    layout = "legacy"

    @staticmethod
    def matches(root: etree._Element, ids: PageIndex) -> bool:
        return any(find_time(str(t)) for t in page_date_anchors(root, ids))

    def date_element(self) -> tuple[etree._Element, str] | None:
        for node in page_date_anchors(self.root, self.ids):
            parent = text_holder(node)
            if parent is None:
                continue
            for el in (parent, parent.getparent()):
                found = find_time(text_of(el) or "") if el is not None else None
                if found:
                    return _info_line(_outermost_same_text(parent)), found[0]
        return None

    def title_element(self, date_el: etree._Element) -> etree._Element | None:
        """The nearest h1 before the date line, else the nearest element named like a title
        (``title``, ``TieuDe``), else the block of the nearest text before the date."""
        named = None
        for el in _preceding(date_el):
            if el.tag == "h1" and (text_of(el) or ""):
                return el
            if (
                named is None and el.tag != "title"
                and _TITLE_NAME.search(f"{el.get('class', '')} {el.get('id', '')}") and text_of(el)
            ):
                named = el
        if named is not None:
            return named
        texts = date_el.xpath("preceding::text()[normalize-space()][1]")
        return text_holder(texts[0]) if texts else None

    def breadcrumbs(self, before: etree._Element) -> list[Crumb]:
        """The nearest "Trang chủ" before the title: a crumb of its own (a link), or the start
        of a trail written as one text ("Trang chủ » Tin tức » An ninh trật tự")."""
        homes = before.xpath(_HOME)
        if not homes:
            return []
        holder = text_holder(homes[0])
        if holder is None:
            return []
        title_text = text_of(before) or ""
        while holder.getparent() is not None and len(self._pieces(holder)) < 2:
            parent = holder.getparent()
            if parent.tag in ("body", "form") or (title_text and title_text in (text_of(parent) or "")):
                break
            holder = parent
        return self._pieces(holder)

    def _pieces(self, holder: etree._Element) -> list[Crumb]:
        crumbs = []
        for node in holder.xpath(".//text()[normalize-space()]"):
            owner = text_holder(node)
            if owner is None:
                continue
            link = owner if owner.tag == "a" else next((a for a in owner.iterancestors() if a.tag == "a"), None)
            for piece in _SEPARATORS.split(str(node)):
                name = clean(piece)
                if name:
                    crumbs.append(Crumb(name=name, url=absolute(self.url, link.get("href")) if link is not None else None))
        return crumbs

    def body_nodes(self, start: etree._Element, stop: etree._Element | None) -> list[etree._Element]:
        """The largest subtrees lying wholly between the date line and the first related list."""
        scope = common_ancestor(start, stop) if stop is not None else start.getroottree().getroot().find("body")
        if scope is None:
            return []
        order: dict[etree._Element, int] = {}
        for i, el in enumerate(scope.iter()):
            order[el] = i
        end: dict[etree._Element, int] = {}
        for el in reversed(list(order)):
            last = el[-1] if len(el) else None
            end[el] = end[last] if last is not None else order[el]
        lo = end.get(start, -1)
        hi = order.get(stop, len(order)) if stop is not None else len(order)

        def collect(node: etree._Element) -> list[etree._Element]:
            out: list[etree._Element] = []
            for child in node:
                if order[child] > lo and end[child] < hi:
                    out.append(child)
                elif order[child] <= lo <= end[child] or order[child] <= hi <= end[child]:
                    out.extend(collect(child))
            return out

        return collect(scope)

    def to_item(self) -> ArticleItem:
        found = self.date_element()
        if found is None:
            raise NotAnArticle("no 'Ngày đăng' date line")
        date_el, date_raw = found
        title_el = self.title_element(date_el)
        order = {el: i for i, el in enumerate(self.root.iter())}
        headings = [
            h for h, label in find_headings(self.root, lambda el: False, page_heading_candidates(self.root, self.ids))
            if label.casefold() in LABELS and order.get(h, -1) > order[date_el]
        ]
        stop = min(headings, key=order.__getitem__) if headings else None
        if stop is None:
            footer = date_el.xpath(_FOOTER_ANCHOR)
            footer_el = text_holder(footer[0]) if footer else None
            stop = _outermost_same_text(footer_el) if footer_el is not None else None
        body = extract_body(self.body_nodes(date_el, stop), self.url)
        title = text_of(title_el) or self.meta("og:title") or text_of(first(self.root, "//title"))
        item = self.new_item(
            body,
            title=title,
            published_at_raw=date_raw,
            breadcrumbs=self.breadcrumbs(title_el if title_el is not None else date_el),
            images=body.images,
            related=self.related(None),
        )
        self.fill_from_labels(item, self.root.find("body") if self.root.find("body") is not None else self.root)
        return item

    def is_related_link(self, url: str) -> bool:
        return url.startswith(("http://", "https://"))
