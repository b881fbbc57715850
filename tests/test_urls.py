"""Address patterns: every view of an article collapses to one canonical address and key."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.urls import (
    absolute,
    article_id,
    article_key,
    canonical_article_url,
    category_alias,
    is_article_url,
    is_legacy_article_url,
    same_site,
    view_of,
)

BASE = "https://congan.laichau.gov.vn"
CANON = f"{BASE}/an-ninh-trat-tu/bat-giu-doi-tuong-5427.html"


@pytest.mark.parametrize("variant", [
    CANON,
    f"{BASE}/index.php/an-ninh-trat-tu/bat-giu-doi-tuong-5427.html",
    f"{BASE}/print/an-ninh-trat-tu/bat-giu-doi-tuong-5427.html",
    f"{BASE}/savefile/an-ninh-trat-tu/bat-giu-doi-tuong-5427.html",
    f"{BASE}/an-ninh-trat-tu/bat-giu-doi-tuong-5427.html?utm_source=x#top",
])
def test_views_collapse_to_the_canonical_address(variant) -> None:
    assert canonical_article_url(variant) == CANON
    assert article_key(variant) == "id:5427"
    assert article_id(variant) == "5427"


def test_a_wrong_slug_keeps_the_id_key() -> None:
    assert article_key(f"{BASE}/thong-bao/slug-cu-5427.html") == "id:5427"


def test_views_are_recognised() -> None:
    assert view_of(f"{BASE}/print/a/b-1.html") == "print"
    assert view_of(f"{BASE}/savefile/a/b-1.html") == "savefile"
    assert view_of(CANON) is None


def test_categories_and_pages() -> None:
    assert category_alias(f"{BASE}/chong-dien-bien-hoa-binh-22/") == ("chong-dien-bien-hoa-binh-22", 1)
    assert category_alias(f"{BASE}/an-ninh-trat-tu/page-7/") == ("an-ninh-trat-tu", 7)
    assert category_alias(f"{BASE}/tag/ma-tuy") is None
    assert category_alias(f"{BASE}/rss/") is None
    assert not is_article_url(f"{BASE}/print/x.html") and not is_article_url(f"{BASE}/uploads/news/2023_12/a-1.html")


def test_legacy_addresses() -> None:
    url = "http://congan.laichau.gov.vn/ChiTietTin.aspx?ID=1893"
    assert is_legacy_article_url(url) and not is_legacy_article_url("http://congan.laichau.gov.vn/ChuyenMuc.aspx?ID=7")
    assert article_id(url) == "1893"
    assert article_key(url) == f"url:{url}"  # not id:1893: the 2021 ids are another numbering


@pytest.mark.parametrize(("href", "expected"), [
    ("/a/b-1.html", f"{BASE}/a/b-1.html"),
    ("b-2.html", f"{BASE}/an-ninh-trat-tu/b-2.html"),
    ("  /a\\t/b\\n-3.html ".replace("\\t", "\t").replace("\\n", "\n"), f"{BASE}/a/b-3.html"),
    ("javascript:void(0)", None), ("JAVASCRIPT:x", None), ("mailto:a@b.vn", None), ("data:text/html,x", None),
    ("#top", None), ("", None), (None, None), ("http://[::1", None),
    ("/a/../b-4.html", f"{BASE}/b-4.html"),  # a dot segment is resolved, as urljoin does
])
def test_absolute(href, expected) -> None:
    assert absolute(CANON, href) == expected


@pytest.mark.parametrize(("url", "same"), [
    (f"{BASE}/x", True), ("https://www.congan.laichau.gov.vn/x", True), ("http://congan.laichau.gov.vn/x", True),
    ("https://congan.laichau.gov.vn.evil.vn/x", False), ("https://evil.vn/congan.laichau.gov.vn", False),
    ("https://congan.laichau.gov.vn@evil.vn/x", False), ("https://sub.congan.laichau.gov.vn/x", False),
    # a mistyped or non-web scheme names no page of the site (found by the listing fuzz run, seed 3)
    ("htfps://congan.laichau.gov.vn/x", False), ("ftp://congan.laichau.gov.vn/x", False),
    ("file://congan.laichau.gov.vn/x", False),
])
def test_same_site(url, same) -> None:
    assert same_site(url, BASE) is same


def reference_absolute(base: str, href: str | None) -> str | None:
    """absolute() by its plain definition: every address through urljoin."""
    if not href:
        return None
    href = re.sub(r"[\x00-\x1f\x7f]", "", href).strip()
    if not href or href[0] == "#" or re.match(r"(?i)\s*(javascript|mailto|tel|data|vbscript):", href):
        return None
    try:
        url = urljoin(base, href)
        urlsplit(url).port  # noqa: B018
    except ValueError:
        return None
    return url


_HREF_PIECES = st.sampled_from(
    ["a", "Tin", ".html", "ChiTietTin.aspx", "?ID=1893", "#top", "/", "./", "../", ".", "..", ";p", ":", "\\", " ", "%20", "//", "đ", "x-12"]
)
_BASES = st.sampled_from([
    "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-viet-1.html",
    "http://congan.laichau.gov.vn/ChiTietTin.aspx?ID=1893#x",
    "http://congan.laichau.gov.vn",
    "http://congan.laichau.gov.vn:8080/a/b/",
    "http://congan.laichau.gov.vn/a/../b/c.aspx",
    "file:///tmp/page.html",
])


#: Absolute beginnings: good, with a port, a port out of range, a broken IPv6 host, a control.
_PREFIXES = st.sampled_from([
    "", "", "", "https://congan.laichau.gov.vn", "http://congan.laichau.gov.vn:8080", "http://h:99999",
    "https://[::1", "https://[::1]:80", "HTTP://Congan.laichau.gov.vn", "https://congan.laichau.gov.vn\t",
])


@settings(max_examples=1500, deadline=None)
@given(_BASES, st.tuples(_PREFIXES, st.lists(_HREF_PIECES, max_size=8).map("".join)).map("".join))
def test_absolute_equals_its_plain_definition(base: str, href: str) -> None:
    """The shortcuts (root-relative and plain relative addresses appended, absolute ones kept)
    give exactly what urljoin gives."""
    assert absolute(base, href) == reference_absolute(base, href)
