"""The body's paragraph splitter: its one-pass form gives exactly what the plain definition gives."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.pages.body import _BR, _PB, split_paragraphs
from scraper.text import clean_lines
from tests.test_text import PIECES

#: A stream comes from a parsed page, which is NFC already (parse() sees to it).
NFC_PIECES = PIECES.filter(lambda piece: unicodedata.is_normalized("NFC", piece))
STREAMS = st.lists(st.one_of(NFC_PIECES, st.sampled_from([_PB, _BR, f"{_BR} {_BR}", f"{_BR}\n\t{_BR}"])), max_size=16).map("".join)


def reference_split(stream: str) -> list[str]:
    """Blocks and runs of line breaks end a paragraph; one line break stays "\\n"; each line is
    cleaned on its own."""
    out = []
    for chunk in re.sub(f"{_BR}(?:\\s*{_BR})+", _PB, stream).split(_PB):
        lines = [" ".join(part.split()) for part in chunk.split(_BR)]
        text = clean_lines("\n".join(line for line in lines if line))
        if text:
            out.append(text)
    return out


@settings(max_examples=600, deadline=None)
@given(STREAMS)
def test_split_paragraphs_matches_its_plain_definition(stream: str) -> None:
    assert split_paragraphs(stream) == reference_split(stream)


def test_split_paragraphs_on_a_marked_body() -> None:
    stream = f"{_PB} Công an  tỉnh{_BR} Lai Châu {_PB}{_PB}\n Đoạn &amp; hai{_BR}\n{_BR}Đoạn ba\u200b "
    assert split_paragraphs(stream) == ["Công an tỉnh\nLai Châu", "Đoạn & hai", "Đoạn ba"]


# -- the body rule on generated markup: each block states the paragraphs and images it must give --
BASE = "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-viet-1.html"
WORDS = st.sampled_from(["Công an", "tỉnh", "Lai Châu", "bắt giữ", "đối tượng", "ma túy", "&amp;", "Tác giả:", "Nguồn:"])
TEXT = st.lists(WORDS, min_size=1, max_size=6).map(" ".join)
#: (markup, address the image must have, or None where the address is refused)
IMGS = st.sampled_from([
    ('<img src="/uploads/a.jpg" alt="Ảnh">', "https://congan.laichau.gov.vn/uploads/a.jpg"),
    ('<img data-src="b.png">', "https://congan.laichau.gov.vn/an-ninh-trat-tu/b.png"),
    ('<img src="javascript:x">', None),
])


def _shown(markup_text: str) -> str:
    return " ".join(markup_text.replace("&amp;", "&").split())


def _block(markup: str, paragraphs: list[str] = (), images: list[tuple[str | None, str | None]] = ()):
    return markup, list(paragraphs), list(images)


BLOCKS = st.one_of(
    TEXT.map(lambda t: _block(f"<p>{t}</p>", [_shown(t)])),
    st.tuples(TEXT, TEXT).map(lambda p: _block(f"<p>{p[0]}<br>{p[1]}<br><br>{p[0]}</p>",
                                               [f"{_shown(p[0])}\n{_shown(p[1])}", _shown(p[0])])),
    st.tuples(IMGS, TEXT).map(lambda p: _block(f'<p style="text-align:center">{p[0][0]}</p><p><em>{p[1]}</em></p>',
                                               images=[(p[0][1], _shown(p[1]))])),
    st.tuples(IMGS, TEXT).map(lambda p: _block(f"<figure>{p[0][0]}<figcaption>{p[1]}</figcaption></figure>",
                                               images=[(p[0][1], _shown(p[1]))])),
    st.tuples(IMGS, TEXT).map(lambda p: _block(f"<table><tr><td>{p[0][0]}</td></tr><tr><td>{p[1]}</td></tr></table>",
                                               images=[(p[0][1], _shown(p[1]))])),
    st.tuples(IMGS, TEXT).map(lambda p: _block(f'<div>{p[0][0]}</div><p class="chu-thich">{p[1]}</p>',
                                               images=[(p[0][1], _shown(p[1]))])),
    st.tuples(IMGS, TEXT).map(lambda p: _block(f"<p>{p[0][0]} {p[1]}</p>", [_shown(p[1])], [(p[0][1], None)])),
    TEXT.map(lambda t: _block(f'<div onclick="x()"><script>var a = 1;</script><!-- {t} --><span>{t}</span></div>', [_shown(t)])),
    TEXT.map(lambda t: _block(f'<ul><li><a href="/a/b-2.html">{t}</a></li><li>{t}</li></ul>', [_shown(t)] * 2)),
    st.just(_block("<p>&nbsp;</p>")),
    IMGS.map(lambda i: _block(f"<p><span>{i[0]}</span></p>", images=[(i[1], None)])),
)


def _body_of(markup: str, ident: str = "news-bodyhtml"):
    from scraper.pages.base import page_bytes
    from scraper.pages.body import extract_body
    from scraper.pages.dom import parse_dom

    data = page_bytes(f'<html><body><div id="x"><div id="{ident}">{markup}</div></div></body></html>')
    return extract_body(parse_dom(data).css_first(f"#{ident}"), BASE)


def _is_meta(paragraph: str) -> bool:
    return paragraph.startswith(("Tác giả:", "Nguồn:"))


@settings(max_examples=300, deadline=None)
@given(st.lists(BLOCKS, min_size=1, max_size=8))
def test_generated_bodies_give_the_paragraphs_and_captions_their_blocks_state(blocks) -> None:
    body = _body_of("".join(markup for markup, _, _ in blocks))
    paragraphs = [p for _, paras, _ in blocks for p in paras]
    assert body.paragraphs == [p for p in paragraphs if not _is_meta(p)]
    assert body.meta_lines == [p for p in paragraphs if _is_meta(p)]  # "Label: value" lines kept out of the text
    assert [(i.url, i.caption) for i in body.images] == [(url, cap) for _, _, imgs in blocks for url, cap in imgs if url]
    # nothing executable survives in the fragment, and every address in it is absolute
    assert "<script" not in body.html and "onclick" not in body.html and "<!--" not in body.html
    assert 'src="/' not in body.html and 'href="/' not in body.html


def test_a_run_of_nodes_reads_as_the_container_holding_them() -> None:
    """The 2021 layout's body is a run of nodes between two anchors, rows of a layout table among
    them: copied into a wrapper, they give what the same markup in one container gives."""
    from scraper.pages.base import page_bytes
    from scraper.pages.body import extract_body_nodes
    from scraper.pages.dom import parse_dom

    inner = ('<p>Một<br>hai</p><table><tr><td><img src="/1.jpg"></td></tr>\n<tr><td>Chú thích</td></tr>\n</table>'
             '<p><img src="/2.jpg"></p><p><em>Ảnh hai</em></p> đuôi')
    page = parse_dom(page_bytes(f"<html><body><div id='a'>{inner}</div><p id='after'>sau</p></body></html>"))
    rows = [n for n in page.css_first("tbody").iter(include_text=True)]
    nodes = [page.css_first("#a p"), *rows, *list(page.css_first("#a").iter(include_text=True))[2:]]
    body = extract_body_nodes(nodes, BASE)
    assert body.paragraphs == ["Một\nhai", "đuôi"]
    assert [(i.url.rsplit("/", 1)[1], i.caption) for i in body.images] == [("1.jpg", "Chú thích"), ("2.jpg", "Ảnh hai")]
    assert body.html.count("<table>") == 1 and "sau" not in body.html
    assert page.css_first("#a").html.count("<img") == 2  # the page's own tree is left whole
