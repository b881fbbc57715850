"""Page objects: one per page type, each a pure function of (HTML, address)."""

from __future__ import annotations

from lxml import etree

from ..items import ArticleItem
from ..urls import view_of
from .base import ArticlePage, NotAnArticle, id_index, parse
from .legacy import LegacyArticlePage
from .nukeviet import NukeVietArticlePage
from .print_view import PrintPage

__all__ = ["ArticlePage", "NotAnArticle", "article_page", "extract_article", "parse"]

#: Tried in this order: the print markup is the most specific, the legacy anchors the loosest.
PAGE_TYPES: tuple[type[ArticlePage], ...] = (PrintPage, NukeVietArticlePage, LegacyArticlePage)


def article_page(root: etree._Element, url: str) -> ArticlePage:
    """Recognise which layout a parsed page has; NotAnArticle when none fits."""
    ids = id_index(root)
    if view_of(url) and PrintPage.matches(root, ids):
        return PrintPage(root, url, ids)
    for page_type in PAGE_TYPES:
        if page_type.matches(root, ids):
            return page_type(root, url, ids)
    raise NotAnArticle("no known article layout")


def extract_article(markup: str | bytes, url: str, content_type: str | None = None) -> ArticleItem:
    """One page in, one raw record out (before the record pipelines)."""
    return article_page(parse(markup, content_type), url).to_item()
