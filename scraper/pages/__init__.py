"""Page objects: one per page type, each a pure function of (HTML, address)."""

from __future__ import annotations

from ..items import ArticleItem
from .base import ArticlePage, NotAnArticle, page_bytes, parse
from .dom import ExtractionLimit, NestingTooDeep, parse_dom
from .legacy import LegacyArticlePage
from .nukeviet import NukeVietArticlePage
from .print_view import PrintPage

#: Every NukeViet layout names one of these (its body's id, class or microdata, the print view's
#: id): a page holding none is no NukeViet page, and is not looked at as one.
_NUKEVIET_MARKERS = (b"bodytext", b"news-bodyhtml", b"articleBody", b"print")

__all__ = [
    "ArticlePage", "ExtractionLimit", "NestingTooDeep", "NotAnArticle", "article_page", "extract_article", "parse",
]


def article_page(data: bytes, url: str) -> ArticlePage:
    """Recognise which layout a page (``page_bytes``) has; NotAnArticle when none fits.

    One tree for every layout: the print markup is the most specific, the 2021 layout's text
    anchors the loosest. A page nested too deep to parse in bounded time is refused
    (``NestingTooDeep``, see ``dom.check_nesting``).
    """
    tree = parse_dom(data)
    if any(marker in data for marker in _NUKEVIET_MARKERS):
        for page_type in (PrintPage, NukeVietArticlePage):
            page = page_type(tree, url)  # finds the elements its layout is recognised by, once
            if page.matches():
                return page
    page = LegacyArticlePage(tree, url)
    if page.matches():
        return page
    raise NotAnArticle("no known article layout")


def extract_article(markup: str | bytes, url: str, content_type: str | None = None) -> ArticleItem:
    """One page in, one raw record out (before the record pipelines)."""
    return article_page(page_bytes(markup, content_type), url).to_item()
