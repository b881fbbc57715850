"""The related-list rule on generated markup: every heading form themes use, known labels and
others, each section stating the entries it must give."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

import scraper.pages.related as related
from scraper.pages.base import page_bytes
from scraper.pages.dom import Furniture, PageText, parse_dom
from scraper.pages.related import related_lists
from scraper.text import clean
from scraper.urls import is_article_url
from tests.conftest import ARTICLES

URL = "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-viet-1.html"
WORDS = st.sampled_from(["Công an", "tỉnh", "Lai Châu", "bắt giữ", "đối tượng", "ma túy", "&amp;"])
TEXT = st.lists(WORDS, min_size=1, max_size=6).map(" ".join)
#: (date shown after the link, the raw date the entry must keep)
DATES = st.sampled_from([("", None), (" (05/12/2023)", "05/12/2023"), (" 06/12/2023 10:15", "06/12/2023 10:15")])
#: one item per address (an address listed twice is the unclosed-link test's case)
ITEMS = st.lists(st.tuples(st.integers(1, 9999), TEXT, DATES), min_size=1, max_size=4, unique_by=lambda item: item[0])
#: (markup, whether it is a heading whatever its text): plain blocks are headings only by a known label
HEADINGS = st.sampled_from([
    ('<p class="h3"><strong>{label}</strong></p>', True), ("<h3>{label}</h3>", True),
    ('<div class="panel-heading">{label}</div>', True), ("<div>{label}</div>", False),
    ('<h4 class="box-title">{label}:</h4>', True), ("<table><tr><td>{label}</td></tr></table>", False),
])
#: (label, whether it is one of the labels themes give related lists)
LABELS = st.sampled_from([("Tin liên quan", True), ("TIN MỚI NHẤT", True), ("Những tin cũ hơn", True),
                          ("Chuyên mục khác", False), ("Xem thêm", True)])
SECTIONS = st.tuples(HEADINGS, LABELS, ITEMS)


def _markup(section) -> str:
    (heading, _), (label, _), items = section
    return '<div class="box">' + heading.format(label=label) + "<ul>" + "".join(
        f'<li><a href="/an-ninh-trat-tu/bai-{n}-{n}.html">{html.escape(t)}</a>{d}</li>' for n, t, (d, _) in items
    ) + "</ul></div>"


def _expected(section) -> list[tuple[str, str, str, str | None]]:
    (_, heading_form), (label, known), items = section
    if not (heading_form or known):
        return []
    return [(label, clean(t), f"https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-{n}-{n}.html", raw)
            for n, t, (_, raw) in items]


def _lists(markup: str):
    data = page_bytes(f'<html><body><div id="x"><div id="news-bodyhtml"><p>Thân bài</p></div>{markup}</div></body></html>')
    tree = parse_dom(data)
    return related_lists(tree.body, URL, is_article_url, Furniture(tree.css_first("#news-bodyhtml")))


@settings(max_examples=200, deadline=None)
@given(st.lists(SECTIONS, min_size=1, max_size=4))
def test_generated_related_lists_give_the_entries_their_sections_state(sections) -> None:
    found = _lists("".join(map(_markup, sections)))
    assert [(r.section, r.title, r.url, r.published_at_raw) for r in found] == [e for s in sections for e in _expected(s)]


def test_related_list_repeats_no_link_an_unclosed_tag_repeats() -> None:
    # HTML5 parsers re-open an unclosed <a> in each following item: one entry per address
    found = _lists('<h3>Tin mới nhất</h3><ul><li><a href="/a/b-1.html">Một</li><li>Hai</li></ul>')
    assert [r.url for r in found] == ["https://congan.laichau.gov.vn/a/b-1.html"]


def test_links_inside_the_body_or_the_page_furniture_are_no_related_list() -> None:
    found = _lists('<nav><h3>Tin liên quan</h3><ul><li><a href="/a/b-1.html">Một</a></li></ul></nav>'
                   '<div><h3>Tin khác</h3><ul><li><a href="/a/c-2.html">Hai</a></li></ul></div>')
    assert [(r.section, r.title) for r in found] == [("Tin khác", "Hai")]


@settings(max_examples=100, deadline=None)
@given(st.lists(SECTIONS, min_size=1, max_size=4), st.sampled_from([
    "", '<p><a href="/x.html">Xem thêm</a></p>', '<div class="panel-heading"><h3><strong>Tin khác</strong></h3></div>',
]))
def test_heading_candidates_alike_with_and_without_the_first_child_shortcut(sections, extra) -> None:
    """Known labels found down the heading-like elements' first children, or (where those do not
    own every label text) among all the page's text nodes: the same candidates, in document order."""
    for markup in [*(p.read_bytes() for p in sorted(ARTICLES.glob("*.html"))), "".join(map(_markup, sections)) + extra]:
        body = parse_dom(page_bytes(markup)).body
        fast = related._candidates(body, PageText(body))
        original = related._likely_and_known
        related._likely_and_known = lambda *args: None
        try:
            slow = related._candidates(body, PageText(body))
        finally:
            related._likely_and_known = original
        assert [el.mem_id for el in fast] == [el.mem_id for el in slow]
