"""Decoding responses: Scrapy's rules, and a bogus declared codec never loses the page."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from scraper.decoding import body_text, response_text
from scraper.pages import extract_article

URL = "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-viet-1.html"


def test_an_undeclared_body_is_read_as_scrapy_reads_it() -> None:
    """No charset anywhere and not UTF-8: a worker's bytes decode exactly as ``response.text``."""
    page = ("<html><head><title>Café du Théâtre</title></head><body><div id='news-bodyhtml'>"
            "<p>Déjà vu à la crème brûlée, façade élève.</p></div></body></html>")
    body = page.encode("cp1252")
    scrapy_text = HtmlResponse(url=URL, body=body, headers={"Content-Type": "text/html"}).text
    assert body_text(body, URL, "text/html") == scrapy_text
    assert "\ufffd" not in scrapy_text  # detected, not UTF-8 with replacements


def test_a_page_declaring_a_codec_that_is_not_text_is_read_as_utf8(fixtures_dir) -> None:
    html = (fixtures_dir / "articles" / "nukeviet-plain.html").read_text("utf-8")
    bogus = html.replace('<meta charset="utf-8">', '<meta charset="uu">', 1).encode("utf-8")
    response = HtmlResponse(url=URL, body=bogus, headers={"Content-Type": "text/html"})
    with pytest.raises(LookupError):  # what the crawl met: Scrapy itself refuses the page
        _ = response.text
    assert response_text(response) == bogus.decode("utf-8")
    assert body_text(bogus, URL, "text/html") == bogus.decode("utf-8")
    assert extract_article(bogus, URL).title == extract_article(html, URL).title  # parse() falls back too
