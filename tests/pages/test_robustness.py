"""Truncated and mutated pages: a record or NotAnArticle, never another exception."""

from __future__ import annotations

import random
import re

import pytest

from scraper.items import ArticleItem
from scraper.pages import NotAnArticle, extract_article
from scraper.pipelines import build_record
from tests.conftest import ARTICLES

PAGES = sorted(ARTICLES.glob("*.html"))
URL = "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-viet-1234.html"


def _outcome(data: bytes) -> str:
    try:
        item = build_record(extract_article(data, URL))
    except NotAnArticle:
        return "not-an-article"
    assert isinstance(item, ArticleItem)
    assert item.url.startswith("https://")
    return "record"


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_truncated_pages(page) -> None:
    data = page.read_bytes()
    outcomes = {_outcome(data[:cut]) for cut in range(0, len(data), max(1, len(data) // 40))}
    assert outcomes <= {"record", "not-an-article"}
    assert "record" in outcomes  # late cuts still give a record


MUTATIONS = [
    lambda s, r: s.replace("</div>", "", r.randint(1, 20)),
    lambda s, r: s.replace("<p", "<p <<", r.randint(1, 5)),
    lambda s, r: s[: r.randint(0, len(s))] + "<table><tr><td>" + s[r.randint(0, len(s)) :],
    lambda s, r: s.replace("/", "", r.randint(1, 50)),
    lambda s, r: s.replace("Ngày đăng", "Ngày đăng :99/99/9999 99:99:99 XX", 1),
    lambda s, r: "".join(c for c in s if r.random() > 0.02),
    lambda s, r: s.replace("<img", "<img src='javascript:alert(1)'", 3),
    lambda s, r: s.encode("utf-8")[: r.randint(1, len(s))].decode("latin-1"),
    lambda s, r: s.replace("href=\"", "href=\"http://[::1", 5),
    lambda s, r: "\x00" + s + "\udcff".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
]


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_mutated_pages(page) -> None:
    text = page.read_text("utf-8")
    rnd = random.Random(page.name)
    for _ in range(3):
        for mutate in MUTATIONS:
            assert _outcome(mutate(text, rnd).encode("utf-8", "replace")) in {"record", "not-an-article"}


@pytest.mark.parametrize("data", [b"", b"   ", b"\x00\x01\x02", b"<html></html>", b"<?xml version='1.0'?><rss/>", b"\xff\xfe" * 100])
def test_junk_is_not_an_article(data: bytes) -> None:
    assert _outcome(data) == "not-an-article"


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_forbidden_characters_written_as_references_or_raw_never_reach_the_text(page) -> None:
    """A character HTML forbids, raw or as a character reference (";" optional, as a cut
    "&#273;" leaves it), is dropped before parsing: lxml would refuse it in edited text."""
    html = page.read_text("utf-8")
    # the last two only become references once what they hide is removed
    poison = "&#27ột &#x1B; &#0011; &#65535; &#xfffe \ufffe\x1b &#\x002O3; &#&#27;27;"
    first_p = html.find("<p>", html.find("<body"))
    damaged = html[: first_p + 3] + poison + html[first_p + 3 :]
    item = build_record(extract_article(damaged.encode("utf-8"), URL))
    everything = " ".join(str(v) for v in vars(item).values())
    assert not any((ord(c) < 32 and c not in "\t\n\r") or c in "\ufffe\uffff" for c in everything)
    assert build_record(extract_article(html, URL)).title == item.title


@pytest.mark.parametrize("page", [p for p in PAGES if p.stem.startswith("legacy")], ids=lambda p: p.stem)
def test_anchor_texts_that_follow_comments_still_anchor(page) -> None:
    """lxml gives a text after a comment the comment as its parent: the text anchors ("Ngày đăng",
    "Trang chủ", the title before the date) must step over it to the element that holds them."""
    html = page.read_text("utf-8")
    commented = html.replace("Ngày đăng", "<!-- d -->Ngày đăng").replace("Trang chủ", "<!-- h -->Trang chủ")
    # and a comment beside the element that holds the date line
    commented = re.sub(r"(<span id=\"ctl00_ContentPlaceHolder1_lblNgayDang\"[^>]*>.*?</span>)", r"\1<!-- s -->", commented)
    assert all(commented.count(f"<!-- {c} -->") >= 1 for c in "dhs")
    want = build_record(extract_article(html, URL))
    got = build_record(extract_article(commented, URL))
    assert (got.title, got.published_at, [c.name for c in got.breadcrumbs]) == (
        want.title, want.published_at, [c.name for c in want.breadcrumbs]
    )


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_a_body_left_outside_html_is_still_the_page(page) -> None:
    """An early "</html>" leaves the body beside the root element; it is moved back in, so the
    page reads as it would whole."""
    html = page.read_text("utf-8")
    broken = html.replace("</head>", "</head></html>", 1)
    assert broken != html
    want = build_record(extract_article(html, URL))
    got = build_record(extract_article(broken, URL))
    assert (got.title, got.published_at, got.body_text) == (want.title, want.published_at, want.body_text)
