"""Page objects: one per page type, each a pure function of (HTML, address)."""

from __future__ import annotations

from ..items import ArticleItem
from .base import ArticlePage, NotAnArticle, id_index, page_bytes, parse, parse_bytes
from .dom import ExtractionLimit, NestingTooDeep, parse_dom
from .legacy import LegacyArticlePage
from .nukeviet import NukeVietArticlePage
from .print_view import PrintPage

#: Every NukeViet layout names one of these (its body's id, class or microdata, the print view's
#: id): a page holding none is no NukeViet page, and goes to lxml without a lexbor parse.
_NUKEVIET_MARKERS = (b"bodytext", b"news-bodyhtml", b"articleBody", b"print")

__all__ = [
    "ArticlePage", "ExtractionLimit", "NestingTooDeep", "NotAnArticle", "article_page", "extract_article", "parse",
]


def article_page(data: bytes, url: str) -> ArticlePage:
    """Recognise which layout a page (``page_bytes``) has; NotAnArticle when none fits.

    Today's portal is read on lexbor's tree; only a page neither NukeViet layout fits is parsed
    by lxml, for the 2021 layout's text anchors. The print markup is the most specific, the
    legacy anchors the loosest. A page nested too deep for lexbor to parse in bounded time is
    refused (``NestingTooDeep``, see ``dom.check_nesting``): no layout is looked for on lxml's
    tree instead, which stops reading at its 256th level and would give a record without its body.
    """
    if any(marker in data for marker in _NUKEVIET_MARKERS):
        tree = parse_dom(data)
        for page_type in (PrintPage, NukeVietArticlePage):
            page = page_type(tree, url)  # finds the elements its layout is recognised by, once
            if page.matches():
                return page
    root = parse_bytes(data)
    ids = id_index(root)
    if LegacyArticlePage.matches(root, ids):
        return LegacyArticlePage(root, url, ids)
    raise NotAnArticle("no known article layout")


def extract_article(markup: str | bytes, url: str, content_type: str | None = None) -> ArticleItem:
    """One page in, one raw record out (before the record pipelines)."""
    return article_page(page_bytes(markup, content_type), url).to_item()
