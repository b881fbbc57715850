"""Property: whatever damage a page has, a page object returns a record (or a listing's summary)
or says "not an article"."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from scraper.items import ArticleItem
from scraper.pages import NotAnArticle, extract_article
from scraper.pages.listing import ListingSummary, summarize_listing
from scraper.pipelines import build_record
from tests.pages.mutations import LISTINGS, damaged_pages


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


def listing_outcome(data: bytes, url: str) -> str:
    """'listing' or 'not-an-article': the entries are article addresses on the page's own site."""
    try:
        summary = summarize_listing(data, url)
    except NotAnArticle:
        return "not-an-article"
    assert isinstance(summary, ListingSummary)
    assert all(entry.url.startswith(("http://", "https://")) for entry in summary.entries)
    assert summary.last_page is None or summary.last_page >= 1
    return "listing"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(damaged_pages(LISTINGS))
def test_damaged_category_pages_never_raise(page) -> None:
    assert listing_outcome(*page) in {"listing", "not-an-article"}
