"""lexbor's page objects keep the rules of lxml's: body, related lists and label anchors.

The 2021 layout's body and related lists are read from lxml's tree, today's portal's from
lexbor's; each rule is written for both trees. These tests hold the two to one behaviour on
every fixture and on generated markup, so they cannot drift apart.
"""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.pages import body, body_dom, related, related_dom
from scraper.pages.base import page_bytes, parse_bytes, xpath
from scraper.pages.dom import Furniture, PageText, parse_dom, tune_malloc
from scraper.urls import absolute, is_article_url
from tests.conftest import ARTICLES

URL = "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-viet-1.html"
FIXTURE_PAGES = sorted(ARTICLES.glob("*.html"))

# -- generated article bodies: the three caption forms, line breaks, furniture to strip ------
WORDS = st.sampled_from(["Công an", "tỉnh", "Lai Châu", "bắt giữ", "đối tượng", "ma túy", "&amp;", "Tác giả:", "Nguồn:"])
TEXT = st.lists(WORDS, min_size=1, max_size=6).map(" ".join)
IMG = st.sampled_from(['<img src="/uploads/a.jpg" alt="Ảnh">', '<img data-src="b.png">', '<img src="javascript:x">'])
BLOCKS = st.one_of(
    TEXT.map(lambda t: f"<p>{t}</p>"),
    st.tuples(TEXT, TEXT).map(lambda p: f"<p>{p[0]}<br>{p[1]}<br><br>{p[0]}</p>"),
    st.tuples(IMG, TEXT).map(lambda p: f'<p style="text-align:center">{p[0]}</p><p><em>{p[1]}</em></p>'),
    st.tuples(IMG, TEXT).map(lambda p: f"<figure>{p[0]}<figcaption>{p[1]}</figcaption></figure>"),
    st.tuples(IMG, TEXT).map(lambda p: f"<table><tr><td>{p[0]}</td></tr><tr><td>{p[1]}</td></tr></table>"),
    st.tuples(IMG, TEXT).map(lambda p: f'<div>{p[0]}</div><p class="chu-thich">{p[1]}</p>'),
    st.tuples(IMG, TEXT).map(lambda p: f"<p>{p[0]} {p[1]}</p>"),
    TEXT.map(lambda t: f'<div onclick="x()"><script>var a = 1;</script><!-- {t} --><span>{t}</span></div>'),
    TEXT.map(lambda t: f'<ul><li><a href="/a/b-2.html">{t}</a></li><li>{t}</li></ul>'),
    st.just("<p>&nbsp;</p>"),
    IMG.map(lambda i: f"<p><span>{i}</span></p>"),  # image-only: alone, the whole body is the image
)
BODIES = st.lists(BLOCKS, min_size=1, max_size=8).map("".join)


def _page(body_markup: str, extra: str = "") -> bytes:
    return page_bytes(f'<html><head><title>t</title></head><body><div id="x"><div id="news-bodyhtml">{body_markup}</div>{extra}</div></body></html>')


def _both_bodies(data: bytes, ident: str = "news-bodyhtml") -> tuple[body.Body, body.Body]:
    root = parse_bytes(data)
    lxml_body = body.extract_body(xpath(f"//*[@id='{ident}']")(root), URL)
    dom_body = body_dom.extract_body(parse_dom(data).css_first(f"#{ident}"), URL)
    return lxml_body, dom_body


def _same(a: body.Body, b: body.Body) -> None:
    assert b.paragraphs == a.paragraphs
    assert b.images == a.images
    assert b.meta_lines == a.meta_lines


@pytest.mark.parametrize("page", [p for p in FIXTURE_PAGES if not p.stem.startswith("legacy")], ids=lambda p: p.stem)
def test_fixture_bodies_read_alike_from_both_trees(page) -> None:
    data = page_bytes(page.read_bytes())
    ident = "news-bodyhtml" if b"news-bodyhtml" in data else "bodytext"
    _same(*_both_bodies(data, ident))


@settings(max_examples=300, deadline=None)
@given(BODIES)
def test_generated_bodies_read_alike_from_both_trees(markup: str) -> None:
    lxml_body, dom_body = _both_bodies(_page(markup))
    _same(lxml_body, dom_body)
    # nothing executable survives in the fragment, and every address in it is absolute
    assert "<script" not in dom_body.html and "onclick" not in dom_body.html and "<!--" not in dom_body.html
    assert 'src="/' not in dom_body.html and 'href="/' not in dom_body.html


def test_caption_forms_on_lexbor() -> None:
    markup = (
        '<figure><img src="/1.jpg"><figcaption>Một</figcaption></figure>'
        '<p><img src="/2.jpg"></p><p><em>Hai</em></p>'
        '<table><tr><td><img src="/3.jpg"></td></tr><tr><td>Ba</td></tr></table>'
        "<p>Thân bài.</p>"
    )
    _, dom_body = _both_bodies(_page(markup))
    assert [(i.url.rsplit("/", 1)[1], i.caption) for i in dom_body.images] == [("1.jpg", "Một"), ("2.jpg", "Hai"), ("3.jpg", "Ba")]
    assert dom_body.paragraphs == ["Thân bài."]  # captions are never repeated in the text
    assert "\xa0" not in dom_body.html or "&nbsp;" not in dom_body.html


# -- related lists ---------------------------------------------------------------------------
LIST_ITEMS = st.lists(st.tuples(st.integers(1, 9999), TEXT, st.sampled_from(["", " (05/12/2023)", " 06/12/2023 10:15"])), min_size=1, max_size=4)
HEADINGS = st.sampled_from([
    '<p class="h3"><strong>{label}</strong></p>', "<h3>{label}</h3>", '<div class="panel-heading">{label}</div>',
    "<div>{label}</div>", '<h4 class="box-title">{label}:</h4>', "<table><tr><td>{label}</td></tr></table>",
])
LABELS = st.sampled_from(["Tin liên quan", "TIN MỚI NHẤT", "Những tin cũ hơn", "Chuyên mục khác", "Xem thêm"])
SECTIONS = st.tuples(HEADINGS, LABELS, LIST_ITEMS).map(
    lambda s: '<div class="box">' + s[0].format(label=s[1]) + "<ul>" + "".join(
        f'<li><a href="/an-ninh-trat-tu/bai-{n}-{n}.html">{html.escape(t)}</a>{d}</li>' for n, t, d in s[2]
    ) + "</ul></div>"
)


def _both_related(data: bytes) -> tuple[list, list]:
    root = parse_bytes(data)
    lxml_body = xpath("//*[@id='news-bodyhtml']")(root)[0]

    def excluded(el) -> bool:
        return any(anc is lxml_body or anc.tag in ("nav", "header", "footer") for anc in el.iterancestors())

    old = related.related_lists(root, URL, is_article_url, excluded, absolute)
    tree = parse_dom(data)
    new = related_dom.related_lists(tree.body, URL, is_article_url, Furniture(tree.css_first("#news-bodyhtml")))
    return old, new


@settings(max_examples=200, deadline=None)
@given(st.lists(SECTIONS, min_size=1, max_size=4).map("".join))
def test_generated_related_lists_read_alike_from_both_trees(sections: str) -> None:
    old, new = _both_related(_page("<p>Thân bài</p>", sections))
    assert new == old


def test_related_list_repeats_no_link_an_unclosed_tag_repeats() -> None:
    # HTML5 parsers re-open an unclosed <a> in each following item: one entry per address
    sections = '<h3>Tin mới nhất</h3><ul><li><a href="/a/b-1.html">Một</li><li>Hai</li></ul>'
    _, new = _both_related(_page("<p>x</p>", sections))
    assert [r.url for r in new] == ["https://congan.laichau.gov.vn/a/b-1.html"]


# -- the page's text index ---------------------------------------------------------------------
@pytest.mark.parametrize("page", FIXTURE_PAGES, ids=lambda p: p.stem)
def test_page_text_strings_are_its_text_nodes(page) -> None:
    text = PageText(parse_dom(page_bytes(page.read_bytes())).body)
    assert text.nodes is not None
    assert [n.text(deep=False) for n in text.nodes] == text.parts
    assert all(text.joined[start:].startswith(part) for start, part in zip(text.starts, text.parts, strict=True))


def test_page_text_holding_finds_short_label_texts_in_document_order() -> None:
    data = page_bytes(
        "<html><body><p><strong>Tác giả:</strong> Thu Hà</p><div>Nguồn: Phòng Tham mưu</div>"
        f"<p>{'Tác giả: ' + 'x' * 200}</p><span>Tác giả: B</span></body></html>"
    )
    held = PageText(parse_dom(data).body).holding(("Tác giả", "Nguồn"))
    assert [(t.strip(), el.tag) for t, el in held] == [("Tác giả:", "strong"), ("Nguồn: Phòng Tham mưu", "div"), ("Tác giả: B", "span")]


def test_furniture_memo_answers_as_a_fresh_walk_does() -> None:
    data = page_bytes(
        '<html><body><header><h3>a</h3></header><div id="footer-x"><p><b>b</b></p></div>'
        '<div id="news-bodyhtml"><h3>c</h3></div><div><h3>d</h3><nav><h4>e</h4></nav></div></body></html>'
    )
    tree = parse_dom(data)
    shared = Furniture(tree.css_first("#news-bodyhtml"))
    for el in tree.body.css("h3, h4, b, p") * 2:  # asked twice: the second answers come from the memo
        assert shared(el) == Furniture(tree.css_first("#news-bodyhtml"))(el), el.html
    assert [shared(el) for el in tree.body.css("h3")] == [True, True, False]


def test_malloc_tuning_leaves_parsing_alone() -> None:
    data = (ARTICLES / "nukeviet-default.html").read_bytes()
    before = parse_dom(page_bytes(data)).body.text()
    tune_malloc()  # True on glibc; either way the tree is the same
    assert parse_dom(page_bytes(data)).body.text() == before


@pytest.mark.parametrize("page", [p for p in FIXTURE_PAGES if not p.stem.startswith("legacy")], ids=lambda p: p.stem)
def test_records_alike_when_text_nodes_cannot_be_indexed(page, monkeypatch) -> None:
    """If lexbor's text nodes ever disagree with its text in number, the anchors are found with its
    own text search instead: the same record."""
    from scraper.pages import extract_article

    indexed = extract_article(page.read_bytes(), URL)
    monkeypatch.setattr(PageText, "nodes", property(lambda self: None))
    assert extract_article(page.read_bytes(), URL) == indexed
