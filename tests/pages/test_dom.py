"""lexbor's tree helpers: the page's text index, the furniture memo, the malloc tuning, and the
fallback when text nodes cannot be indexed. (The body and related-list rules have their own
tests: test_body.py, test_related.py.)"""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.pages.base import page_bytes
from scraper.pages.dom import Furniture, PageText, parse_dom, preceding, tune_malloc
from tests.conftest import ARTICLES

URL = "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-viet-1.html"
FIXTURE_PAGES = sorted(ARTICLES.glob("*.html"))


# -- the page's text index ---------------------------------------------------------------------
@pytest.mark.parametrize("page", FIXTURE_PAGES, ids=lambda p: p.stem)
def test_page_text_strings_are_its_text_nodes(page) -> None:
    text = PageText(parse_dom(page_bytes(page.read_bytes())).body)
    assert text.nodes is not None
    assert [n.text(deep=False) for n in text.nodes] == text.parts
    # holding() places each find by the separators before it: it names exactly the strings holding a label
    labels = tuple(dict.fromkeys(part.strip()[:4] for part in text.parts if len(part.strip()) >= 4))[:6]
    expected = [part for part in text.parts if len(part) <= 160 and any(label in part for label in labels)]
    assert labels and [shown for shown, _ in text.holding(labels)] == expected


def test_page_text_leaves_out_white_space_only_text() -> None:
    # "\xa0" is no ASCII white space: kept, as every text a label could be part of
    text = PageText(parse_dom(page_bytes("<html><body>\n <p>Tin mới</p>\n\t<p>\xa0</p> <b> x </b></body></html>")).body)
    assert text.parts == ["Tin mới", "\xa0", " x "]
    assert [n.parent.tag for n in text.nodes] == ["p", "p", "b"]


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


def test_trees_share_one_selector_engine_and_answer_as_their_own() -> None:
    pages = [page_bytes(page.read_bytes()) for page in FIXTURE_PAGES[:4]]
    trees = [parse_dom(data) for data in pages]
    assert len({id(tree.selector) for tree in trees}) == 1
    queries = ("a[href]", 'h2, h3, h4, [class*="title"]', "#news-bodyhtml, #bodytext", "p:lexbor-contains(\"Công an\")")
    for _ in range(2):  # interleaved across trees, and again once one tree is gone
        for data, tree in zip(pages, trees, strict=True):
            own = LexborHTMLParser(data)
            for query in queries:
                assert [n.html for n in tree.root.css(query)] == [n.html for n in own.root.css(query)]
                first, own_first = tree.root.css_first(query), own.root.css_first(query)
                assert (first and first.html) == (own_first and own_first.html)
        del trees[0], pages[0]


@pytest.mark.parametrize("page", FIXTURE_PAGES, ids=lambda p: p.stem)
def test_records_alike_when_text_nodes_cannot_be_indexed(page, monkeypatch) -> None:
    """If lexbor's text nodes ever disagree with its text in number, the anchors are found with its
    own text search instead: the same record."""
    from scraper.pages import extract_article

    indexed = extract_article(page.read_bytes(), URL)
    monkeypatch.setattr(PageText, "nodes", property(lambda self: None))
    assert extract_article(page.read_bytes(), URL) == indexed


@pytest.mark.parametrize("page", FIXTURE_PAGES[:4], ids=lambda p: p.stem)
def test_preceding_is_every_earlier_element_but_ancestors_nearest_first(page) -> None:
    """The lazy walk equals XPath's ``preceding`` axis by its definition: elements that end
    before the element starts, in reverse document order."""
    root = parse_dom(page_bytes(page.read_bytes())).root
    elements = [el for el in root.traverse() if el.is_element_node]
    position = {el.mem_id: i for i, el in enumerate(elements)}
    for el in elements[::7]:
        ancestors = set()
        node = el.parent
        while node is not None and node.is_element_node:
            ancestors.add(node.mem_id)
            node = node.parent
        expected = [e.mem_id for e in reversed(elements[:position[el.mem_id]]) if e.mem_id not in ancestors]
        assert [e.mem_id for e in preceding(el)] == expected
