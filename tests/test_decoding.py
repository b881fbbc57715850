"""Decoding responses: Scrapy's rules, and a bogus declared codec never loses the page."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse

from scraper.decoding import body_text, response_text, worker_markup
from scraper.pages import extract_article
from scraper.pages.base import page_bytes

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


_CHARSETS = [None, "utf-8", "UTF8", "windows-1258", "cp1252", "latin-1", "utf-16", "uu", "bogus-codec"]
_BOMS = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyÁÀẢÃẠẮẰẲẴẶĐÉÊẾỀỂỄỆÍÓỐỒỔỖỘỚỜỞỠỢÚỨỪỬỮỰÝ&<>;#x0123 \n\t\x00é€", max_size=60),
    encoding=st.sampled_from(["utf-8", "cp1258", "cp1252", "utf-16-le"]),
    header=st.sampled_from(_CHARSETS),
    meta=st.sampled_from([None, "utf-8", "windows-1258", "uu"]),
    bom=st.sampled_from(_BOMS),
)
def test_a_workers_bytes_read_as_the_crawl_reads_them(text: str, encoding: str, header: str | None, meta: str | None, bom: bytes) -> None:
    """``worker_markup``'s shortcut (the bytes as they came) never changes what the page objects
    read: the same bytes ``page_bytes`` makes from Scrapy's ``response.text``, whatever the
    header, the page's own declaration, a BOM or the real encoding say."""
    head = f'<meta charset="{meta}">' if meta else ""
    page = f"<html><head>{head}<title>Tin</title></head><body><p>{text}</p></body></html>"
    body = bom + page.encode(encoding, "replace")
    content_type = "text/html" + (f"; charset={header}" if header else "")
    crawl = response_text(HtmlResponse(url=URL, body=body, headers={"Content-Type": content_type}))
    assert page_bytes(worker_markup(body, URL, content_type), content_type) == page_bytes(crawl)


def test_the_shortcut_is_taken_for_the_portals_pages() -> None:
    body = "<html><body><p>Công an tỉnh Lai Châu</p></body></html>".encode()
    assert worker_markup(body, URL, "text/html; charset=utf-8") is body
    assert worker_markup(body, URL, "text/html") == body.decode()
