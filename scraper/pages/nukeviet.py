"""Today's portal: a NukeViet 4.5 article page, default theme or a custom one.

The live theme's wrappers are unknown, so each field is found through a cascade:
stable ids and microdata first, then headings, og: tags and visible-text anchors.
"""

from __future__ import annotations

import re
from itertools import islice

from lxml import etree

from ..dates import find_time
from ..items import ArticleItem, Image
from ..text import clean
from .base import ArticlePage, NotAnArticle, common_ancestor, first, following_text, indexed, text_of
from .body import extract_body

#: Cascades: stable ids and microdata first (looked up in the page's index), then XPath.
BODY_IDS = ("news-bodyhtml", "itemprop:articleBody", "bodytext")
BODY_XPATHS = ("//*[contains(concat(' ', normalize-space(@class), ' '), ' bodytext ')]",)
TITLE_IDS = ("itemprop:headline",)
TITLE_XPATHS = (
    "//h1[contains(concat(' ', normalize-space(@class), ' '), ' title ')]",
    "//h1[normalize-space()][not(ancestor::header)][not(.//img)]",
)
LEAD_IDS = ("itemprop:description", "hometext")
LEAD_XPATHS = ("//*[contains(concat(' ', normalize-space(@class), ' '), ' hometext ')]",)
_WEEKDAY = re.compile(r"(Thứ\s+(?:hai|ba|tư|năm|sáu|bảy|bẩy|[2-7])|Chủ\s+nhật|CN)\b", re.I)


def shown_date(start: etree._Element, limit: int = 25) -> str | None:
    """The first visible date after ``start`` (the headline), as shown, weekday included.

    Hidden microdata is skipped: ``itemprop=datePublished`` holds the last edit time.
    """
    for node, parent in islice(((t, p) for t, p in following_text(start) if not t.isspace()), limit):
        if parent.get("itemprop") or parent.tag in ("script", "style"):
            continue
        text = clean(node) or ""
        found = find_time(text)
        if not found or found[1].value is None:
            continue
        begin = text.find(found[0])
        weekday = _WEEKDAY.search(text, 0, begin + 1)
        return clean(text[weekday.start() if weekday else begin: begin + len(found[0])])
    return None


class NukeVietArticlePage(ArticlePage):
    layout = "nukeviet"

    @staticmethod
    def body_element(root: etree._Element, ids: dict[str, etree._Element]) -> etree._Element | None:
        return indexed(ids, BODY_IDS, root, BODY_XPATHS)

    @classmethod
    def matches(cls, root: etree._Element, ids: dict[str, etree._Element]) -> bool:
        return cls.body_element(root, ids) is not None and (
            indexed(ids, TITLE_IDS, root, (*TITLE_XPATHS, "//meta[@property='og:title']")) is not None
        )

    def title_element(self) -> etree._Element | None:
        return indexed(self.ids, TITLE_IDS, self.root, TITLE_XPATHS)

    def title(self) -> str | None:
        return text_of(self.title_element()) or self.meta("og:title") or self._title_tag()

    def _title_tag(self) -> str | None:
        raw = text_of(first(self.root, "//title"))
        return clean(raw.split(" - ")[0]) if raw else None

    def lead_images(self, lead: etree._Element | None, body: etree._Element) -> list[Image]:
        """The lead image, shown beside the hometext (NukeViet's ``homeimg``)."""
        if lead is None:
            return []
        scope = lead.getparent()
        if scope is None:
            return []
        out = []
        for img in scope.iter("img"):
            if any(a is body for a in img.iterancestors()):
                continue
            fig = next(img.iterancestors("figure"), None)
            cap = text_of(first(fig, ".//figcaption")) if fig is not None else None
            image = self.image(img, cap)
            if image:
                out.append(image)
        return out

    def breadcrumbs(self):
        """BreadcrumbList microdata (NukeViet's hidden ``temp-breadcrumbs``), else a visible list."""
        first_item = self.ids.get("itemprop:itemListElement")
        holder = first_item.getparent() if first_item is not None else None
        if holder is not None and "BreadcrumbList" in (holder.get("itemtype") or ""):
            items = [el for el in holder if el.get("itemprop") == "itemListElement"]
        else:
            items = self.root.xpath(
                "//*[contains(@itemtype, 'BreadcrumbList')]//*[@itemprop='itemListElement']"
            ) or self.root.xpath("//ul[contains(@class, 'breadcrumb')]/li[normalize-space()]")
        return self.crumbs_from(items)

    def tags(self, scope: etree._Element) -> list[str]:
        keywords = self.ids.get("itemprop:keywords")
        links = keywords.xpath(".//a") if keywords is not None else []
        if not links:
            label = scope.xpath(".//text()[starts-with(normalize-space(), 'Từ khóa') or starts-with(normalize-space(), 'Từ khoá')]")
            if label:
                holder = label[0].getparent()
                for _ in range(3):
                    links = holder.xpath(".//a[contains(@href, '/tag/')]")
                    if links or holder.getparent() is None:
                        break
                    holder = holder.getparent()
        out: list[str] = []
        for a in links:
            name = text_of(a) or clean(a.get("title"))
            if name and name not in out:
                out.append(name)
        return out

    def to_item(self) -> ArticleItem:
        root = self.root
        body_el = self.body_element(root, self.ids)
        if body_el is None:
            raise NotAnArticle("no article body")
        title_el = self.title_element()
        lead_el = indexed(self.ids, LEAD_IDS, root, LEAD_XPATHS)
        body = extract_body([body_el], self.url)
        date_raw = shown_date(title_el) if title_el is not None else None
        scope = root.find("body") if root.find("body") is not None else root
        article = common_ancestor(title_el, body_el) if title_el is not None else body_el.getparent()
        item = self.new_item(
            body,
            title=self.title(),
            published_at_raw=date_raw,
            summary=text_of(lead_el),
            breadcrumbs=self.breadcrumbs(),
            images=self.lead_images(lead_el, body_el) + body.images,
            related=self.related(body_el),
            tags=self.tags(scope),
        )
        self.fill_from_labels(item, article)
        item.category = item.category or self.meta("article:section")
        return item
