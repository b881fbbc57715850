"""NukeViet's print and savefile views: one fixed markup whatever the site theme.

Its canonical link names the print address itself, so the record's ``url`` comes
from the "URL của bản tin này" footer link or from the address with the view removed.
"""

from __future__ import annotations

from lxml import etree

from ..items import ArticleItem
from ..urls import absolute, canonical_article_url, is_article_url, is_web_url
from .base import ArticlePage, NotAnArticle, first, text_of
from .body import extract_body


class PrintPage(ArticlePage):
    layout = "nukeviet-print"

    @staticmethod
    def matches(root: etree._Element, ids: dict[str, etree._Element]) -> bool:
        return "print" in ids and ("bodytext" in ids or "content" in ids)

    def canonical_url(self) -> str:
        box = self.ids.get("url")
        for href in box.xpath(".//a/@href") if box is not None else ():
            url = absolute(self.url, href)
            if url and is_web_url(url) and is_article_url(url):
                return canonical_article_url(url)
        return super().canonical_url()

    def to_item(self) -> ArticleItem:
        root = self.root
        content = self.ids.get("content", self.ids.get("print", root))
        body_el = self.ids.get("bodytext")
        if body_el is None:
            raise NotAnArticle("print view without #bodytext")
        body = extract_body([body_el], self.url)
        images = []
        for img in content.xpath(".//*[contains(@class, 'imghome')]//img"):
            holder = next(img.iterancestors(), None)
            cap = text_of(first(holder, ".//figcaption", ".//p")) if holder is not None else None
            image = self.image(img, cap)
            if image:
                images.append(image)
        author_box = self.ids.get("author")
        item = self.new_item(
            body,
            title=text_of(first(content, ".//h1", ".//h2")),
            published_at_raw=text_of(first(content, ".//ul[contains(@class, 'list-inline')]/li[1]")),
            summary=text_of(self.ids.get("hometext")),
            images=images + body.images,
            related=self.related(body_el),
        )
        self.fill_from_labels(item, author_box if author_box is not None else content)
        return item
