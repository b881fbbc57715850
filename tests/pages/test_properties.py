"""Property: whatever damage a page has, a page object returns a record or says "not an article"."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from scraper.items import ArticleItem
from scraper.pages import NotAnArticle, extract_article
from scraper.pipelines import build_record
from tests.pages.mutations import damaged_pages


def outcome(data: bytes, url: str) -> str:
    """'record' or 'not-an-article'; any other exception escapes and fails the property."""
    try:
        item = build_record(extract_article(data, url))
    except NotAnArticle:
        return "not-an-article"
    assert isinstance(item, ArticleItem)
    assert item.fetched_url == url
    return "record"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(damaged_pages())
def test_damaged_pages_never_raise(page) -> None:
    assert outcome(*page) in {"record", "not-an-article"}
