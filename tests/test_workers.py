"""Extraction workers decode the raw body as Scrapy would: the header's charset first."""

from __future__ import annotations

from scraper.pages import extract_article
from scraper.pipelines import build_record
from scraper.workers import build_article

URL = "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-viet-1.html"


def test_worker_decodes_the_body_by_the_content_type_header(fixtures_dir) -> None:
    page = (fixtures_dir / "articles" / "nukeviet-plain.html").read_text("utf-8")
    mislabelled = page.replace("<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">', 1)
    body = mislabelled.encode("utf-8")
    by_header = build_article(body, URL, None, "text/html; charset=utf-8")
    from_text = build_record(extract_article(page, URL))
    assert by_header.built is True
    assert by_header.title == from_text.title and by_header.body_text == from_text.body_text
    assert "ệ" in by_header.body_text or "ư" in by_header.body_text
    by_meta = build_article(body, URL, None, None)  # no header: the page's (wrong) declaration wins
    assert by_meta.title != from_text.title
