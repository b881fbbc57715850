"""Shared page-object helpers: the lazy following-text walk equals its plain definition;
line-by-line NFC equals NFC of the whole."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.pages import parse
from scraper.pages.base import nfc_lines, page_bytes
from scraper.pages.dom import following_text, parse_dom
from tests.conftest import golden_cases


@pytest.mark.parametrize("page", golden_cases(), ids=lambda p: p.stem)
def test_following_text_is_every_later_text_node_on_every_element(page) -> None:
    """The lazy walk equals its plain definition: the document's text nodes after the element's
    own subtree, in document order."""
    root = parse_dom(page_bytes(page.with_suffix(".html").read_bytes())).root
    nodes = list(root.traverse(include_text=True))
    elements = [(i, el) for i, el in enumerate(nodes) if el.is_element_node]
    assert len(elements) > 30
    for i, el in elements:
        after = nodes[i + len(list(el.traverse(include_text=True))):]
        assert [text for text, _ in following_text(el)] == [n.text(deep=False) for n in after if n.is_text_node]


def test_following_text_steps_over_comments_and_names_the_holder() -> None:
    tree = parse_dom(page_bytes(
        "<html><body><div><h1>Tiêu đề</h1><!-- ngày --><?php x ?> sau chú thích"
        "<span class='h5'>Thứ ba - 05/12/2023 10:15</span></div><p>cuối</p></body></html>"
    ))
    walked = [(text, holder.tag) for text, holder in following_text(tree.css_first("h1"))]
    assert walked == [(" sau chú thích", "div"), ("Thứ ba - 05/12/2023 10:15", "span"), ("cuối", "p")]


_PAGE = "<html><head><title>Tiêu đề</title></head><body><p>{}</p></body></html>"


@pytest.mark.parametrize(
    "data",
    [
        _PAGE.format("Công an tỉnh Lai Châu").encode(),
        b"\xef\xbb\xbf" + _PAGE.format("có BOM").encode(),
        _PAGE.format("hỏng \xff byte").encode("utf-8", "surrogateescape").replace(b"\xc3\xbf", b"\xff"),
        _PAGE.format("Cong\u0302 an tie\u0309nh").encode(),  # decomposed: NFC first
        _PAGE.format("điều\x1b khiển\x7f").encode(),
        _PAGE.format("không\ufffe ký tự\uffff").encode(),
        _PAGE.format("tham chiếu &#27; &#x1B &amp; &#273;").encode(),
        _PAGE.format("chỉ dấu &amp; và \uf8ff riêng").encode(),
    ],
    ids=["plain", "bom", "invalid", "nfd", "controls", "nonchars", "refs", "harmless"],
)
def test_bytes_parse_as_their_decoded_text(data: bytes) -> None:
    """Bytes given to the parser as they came (no second encoding) read exactly as the decoded,
    cleaned text would: the shortcut is only taken where nothing needs mending."""
    from scraper.pages.base import _CONTROL_CHARS, _CONTROL_REFS

    text = data.decode("utf-8", "replace").lstrip("\ufeff")
    expected = _CONTROL_REFS.sub("", _CONTROL_CHARS.sub("", unicodedata.normalize("NFC", text)))
    got = parse(data).html
    assert got == parse(expected).html
    assert not any(ord(c) < 32 and c not in "\t\n\r" or c in "\ufffe\uffff" for c in got)
    assert "Tiêu đề" in got


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["a", "o", "ư", "\u0301", "\u0302", "\u0323", "\u031b", "\n", "\r", " ", "<p>", "ᄀ", "\u1161", "\u212b", "e\u0301\u0323", "Ω"]), max_size=30).map("".join))
def test_nfc_line_by_line_equals_nfc_of_the_whole(text: str) -> None:
    assert nfc_lines(text) == unicodedata.normalize("NFC", text)
