"""Address patterns: every view of an article collapses to one canonical address and key."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.sites.addresses import DEFAULT_LANGUAGES, NEWS_FUNCS
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


# --- one rule for every NukeViet scheme (scraper.sites.addresses) ----------------------------------

OTHER = "https://sotuphap.tinhmau.gov.vn"


@pytest.mark.parametrize("variant", [
    f"{OTHER}/vi/tin-tuc/an-ninh/bai-viet-12.html",
    f"{OTHER}/vi/tin-tuc/print/an-ninh/bai-viet-12.html",
    f"{OTHER}/index.php/vi/tin-tuc/savefile/an-ninh/bai-viet-12.html?x=1#y",
])
def test_another_portals_scheme(variant) -> None:
    assert is_article_url(variant)
    assert canonical_article_url(variant) == f"{OTHER}/vi/tin-tuc/an-ninh/bai-viet-12.html"
    assert article_id(variant) == "12"
    assert article_key(variant) == "tin-tuc:id:12"  # another module's ids are another numbering
    assert view_of(variant) == (None if "print" not in variant and "savefile" not in variant else variant.split("/")[-3])


def test_the_query_form() -> None:
    url = f"{OTHER}/index.php?language=vi&nv=tin-tuc&op=print%2Fan-ninh%2Fbai-viet-12"
    assert is_article_url(url) and view_of(url) == "print" and article_id(url) == "12"
    assert canonical_article_url(url) == f"{OTHER}/index.php?language=vi&nv=tin-tuc&op=an-ninh/bai-viet-12.html"
    assert category_alias(f"{OTHER}/index.php?language=vi&nv=tin-tuc&op=an-ninh") is None  # a named module's


def test_addresses_the_portal_never_served_as_articles() -> None:
    """Where today's rule read more than NukeViet serves: <cat>/page-N is a category's page
    (modules/news/functions.php reads it first), news functions and folders are no categories,
    /page-N/ is the home module's own page, /vi/ the home page in Vietnamese."""
    assert not is_article_url(f"{BASE}/an-ninh-trat-tu/page-2.html")
    assert article_id(f"{BASE}/tag/bai-12.html") is None and view_of(f"{BASE}/print/about/bai-12.html") is None
    assert article_key(f"{BASE}/about/gioi-thieu-2.html") == f"url:{BASE}/about/gioi-thieu-2.html"
    assert category_alias(f"{BASE}/topic/") is None and category_alias(f"{BASE}/content/") is None
    assert category_alias(f"{BASE}/page-2/") is None and category_alias(f"{BASE}/vi/") is None


_TODAY_ARTICLE = re.compile(
    r"^/(?:index\.php/)?(?:(?P<view>print|savefile)/)?"
    r"(?P<alias>[A-Za-z0-9_-]+)/(?P<slug>[A-Za-z0-9_.-]*?)-?(?P<id>\d+)\.html?$"
)
_TODAY_CATEGORY = re.compile(r"^/(?:index\.php/)?(?P<alias>[A-Za-z0-9_-]+)/(?:page-(?P<page>\d+)/?)?$")
_TODAY_RESERVED = {
    "print", "savefile", "tag", "rss", "sitemap", "search", "seek", "users", "contact", "about", "feeds",
    "statistics", "uploads", "assets", "themes", "data", "includes", "modules", "install", "js", "index.php",
    "banners", "comment", "voting", "page",
}


def today(url: str) -> tuple:
    """What scraper.urls answered before it read every scheme (the portal's own rule, verbatim)."""
    parts = urlsplit(url)
    m = _TODAY_ARTICLE.match(parts.path)
    c = _TODAY_CATEGORY.match(parts.path)
    canonical = (
        f"{parts.scheme}://{parts.netloc}/{m['alias']}/{m['slug'] + '-' + m['id'] if m['slug'] else m['id']}.html"
        if m else f"{parts.scheme}://{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")
    )
    return (
        m is not None and m["alias"] not in _TODAY_RESERVED, canonical, m["id"] if m else None, m["view"] if m else None,
        (c["alias"], int(c["page"] or 1)) if c and c["alias"] not in _TODAY_RESERVED else None,
        f"id:{m['id']}" if m else f"url:{canonical}",
    )


#: Category aliases as the portal writes them: not a folder, module or function name, not a language
#: code, not "page-N" (the corrections above are tested on their own).
_PORTAL_ALIASES = st.from_regex(r"[a-z0-9][a-z0-9_]{0,8}(-[a-z0-9_]{1,8}){0,4}", fullmatch=True).filter(
    lambda s: s not in _TODAY_RESERVED and s not in NEWS_FUNCS and s not in DEFAULT_LANGUAGES and not s.startswith("page-")
)


@settings(max_examples=800, deadline=None)
@given(
    index=st.booleans(), view=st.sampled_from(["", "print/", "savefile/"]), alias=_PORTAL_ALIASES,
    last=st.one_of(
        st.tuples(
            st.from_regex(r"[A-Za-z0-9_.-]{0,20}", fullmatch=True).map(lambda s: f"x{s}" if s.startswith("page-") else s),
            st.sampled_from(["-", "", "--"]), st.integers(0, 10**6).map(str), st.sampled_from([".html", ".htm", ".HTML", ""]),
        ).map("".join),
        st.sampled_from(["", "page-3", "page-3/", "page-12/", "x/", "a-1.html/"]),
    ),
    tail=st.sampled_from(["", "?utm_source=x", "#top", "?a=1#b"]),
)
def test_todays_portal_addresses_answer_as_before(index, view, alias, last, tail) -> None:
    """Every address of today's portal (its articles, their views, its categories and their pages,
    with index.php/, queries and fragments) gets exactly the answers it got before."""
    url = f"{BASE}/{'index.php/' if index else ''}{view}{alias}/{last}{tail}"
    now = (is_article_url(url), canonical_article_url(url), article_id(url), view_of(url), category_alias(url), article_key(url))
    assert now == today(url)
