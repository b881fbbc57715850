"""NukeViet's print and savefile views: one fixed markup whatever the site theme.

Its canonical link names the print address itself, so the record's ``url`` comes
from the "URL của bản tin này" footer (a link, or in print.tpl the address as plain text) or
from the address with the view removed. print.tpl puts the home image and its caption inside
``#hometext``, before the lead: the summary leaves that box out, the images list keeps it.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..items import ArticleItem
from ..text import clean
from ..urls import absolute, is_article_url, is_web_url
from .base import ArticlePage, NotAnArticle, declared_canonical
from .dom import first_by_id, first_css, text_of

#: The home image's box: print.tpl writes it (image and caption) inside ``#hometext``, before the lead.
IMGHOME = '[class*="imghome"]'
#: The template's boxes a record is read from, found at once (``boxes``).
_BOXES = ("bodytext", "content", "hometext", "author")
_ADDRESS = re.compile(r"https?://[^\s<>\"']+")


def lead_text(hometext: LexborNode | None) -> str | None:
    """``#hometext``'s text without the home image's box it may hold (its caption is no lead)."""
    if hometext is None:
        return None
    boxes = hometext.css(f"{IMGHOME}, figure")
    if not boxes:
        return text_of(hometext)
    skipped = {node.mem_id for box in boxes for node in box.traverse(include_text=True)}
    return clean("".join(node.text(deep=False) for node in hometext.traverse(include_text=True)
                         if node.is_text_node and node.mem_id not in skipped))


class PrintPage(ArticlePage):
    """The view shows the article alone: title, date, lead, body, author and the article's
    address; no related lists, no breadcrumbs, no tags (NukeViet's core template, whatever the
    theme), so none are looked for."""

    layout = "nukeviet-print"

    def __init__(self, tree: LexborHTMLParser, url: str) -> None:
        super().__init__(tree, url)
        self.print_el = self.root.css_first("#print")
        #: the template's boxes by id, each the first of its id: one query, not one each (5 us
        #: instead of 7-8 us on the print fixtures). Read before the body is, which edits the
        #: tree (``#url`` is looked for after it).
        self.boxes = first_by_id(self.root, _BOXES) if self.print_el is not None else {}
        self.body_el = self.boxes.get("bodytext")

    def matches(self) -> bool:
        """NukeViet's print markup: ``#print`` around ``#bodytext`` (or at least ``#content``)."""
        return self.print_el is not None and (self.body_el is not None or self.boxes.get("content") is not None)

    def canonical_url(self) -> str:
        """The footer's article address: a link, or (print.tpl) the address as plain text."""
        box = self.root.css_first("#url")
        if box is not None:
            found = [absolute(self.url, link.attrs.get("href")) for link in box.css("a[href]")]
            found += _ADDRESS.findall(box.text())
            for url in found:
                if url and is_web_url(url) and is_article_url(url):
                    return declared_canonical(url)
        return super().canonical_url()

    def to_item(self) -> ArticleItem:
        root = self.root
        content = self.boxes.get("content") or self.print_el or root
        body_el = self.body_el
        if body_el is None:
            raise NotAnArticle("print view without #bodytext")
        images = []
        for img in content.css(f"{IMGHOME} img"):
            holder = img.parent
            cap = text_of(first_css(holder, "figcaption", "p")) if holder is not None and holder.is_element_node else None
            image = self.image(img, cap)
            if image:
                images.append(image)
        fields = dict(
            title=text_of(first_css(content, "h1", "h2")),
            published_at_raw=text_of(content.css_first('ul[class*="list-inline"] li')),
            summary=lead_text(self.boxes.get("hometext")),
        )
        labelled = self.labelled(self.boxes.get("author") or content)
        body = self.body_of(body_el)  # last: it edits the tree
        item = self.new_item(body, images=images + body.images, **fields)
        self.fill(item, labelled)
        return item
