"""Hypothesis strategies that damage real fixture pages: shared by the property test and the long bench run."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PAGES = {p.stem: p.read_bytes() for p in sorted((FIXTURES / "articles").glob("*.html"))}
#: Category pages; the article pages too, as a crawl may be handed a page of the wrong kind.
LISTINGS = {p.stem: p.read_bytes() for p in sorted((FIXTURES / "listings").glob("*.html"))} | PAGES
URLS = [
    "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-viet-1234.html",
    "https://congan.laichau.gov.vn/an-ninh-trat-tu/page-2/",
    "https://congan.laichau.gov.vn/print/an-ninh-trat-tu/bai-viet-1234.html",
    "http://congan.laichau.gov.vn/ChiTietTin.aspx?ID=1893",
    "file:///tmp/page.html",
]
FRAGMENTS = [
    b"<", b">", b"</div>", b"<table><tr><td>", b"</p>", b"<br><br>", b"&#x002F;", b"&amp;#", b"\x00", b"\xff\xfe",
    b"<script>", b"<!--", b"]]>", b"<figure><img src=''>", b"<figcaption>", b"Ng\xc3\xa0y \xc4\x91\xc4\x83ng :",
    b"(Ng\xc3\xa0y \xc4\x91\xc4\x83ng :31/02/2021 25:61:61 CH)", b"Tin li\xc3\xaan quan", b"<a href='javascript:x'>",
    b"<a href='http://[::1'>", b"<img src='//'>", b"<h1 itemprop='headline'></h1>", b"<meta charset='windows-1258'>",
    b"\xe1\xba", "Th\u1ee9 ba - 05/13/2023 10:15".encode(), b"<li>" * 50, b"</html>", b"<html>",
]


@st.composite
def damaged_pages(draw, pages: dict[str, bytes] = PAGES) -> tuple[bytes, str]:
    data = bytearray(pages[draw(st.sampled_from(sorted(pages)))])
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["cut", "delete", "insert", "flip", "duplicate", "fragment"]))
        n = len(data)
        at = draw(st.integers(0, max(0, n)))
        if op == "cut":
            del data[at:]
        elif op == "delete" and n:
            del data[at : at + draw(st.integers(1, 2000))]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif op == "flip" and n:
            i = min(at, n - 1)
            data[i] ^= draw(st.integers(1, 255))
        elif op == "duplicate" and n:
            data[at:at] = data[max(0, at - 500) : at]
        else:
            data[at:at] = draw(st.sampled_from(FRAGMENTS))
    return bytes(data), draw(st.sampled_from(URLS))
