"""Markup the page objects once misread (issue 18): an unlabelled eye-icon view count, a 2021
breadcrumb written as plain text, print.tpl's home image inside ``#hometext`` and its plain-text
``#url``, and related items whose date follows the title's ``<h4>``. The fixtures hold one page of
each; these hold the rules' edges."""

from __future__ import annotations

import pytest

from scraper.pages import extract_article
from scraper.pipelines import build_record
from tests.pages.test_related import _lists

URL = "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-viet-1.html"


def _article(header: str, side: str = "") -> str:
    return (
        '<html><body><div class="panel"><h1 class="title" itemprop="headline">Tiêu đề bài viết</h1>'
        f'<div class="meta"><span class="h5">Thứ ba - 05/12/2023 10:15</span>{header}</div>'
        '<div id="news-bodyhtml"><p>Nội dung <em class="fa fa-eye"></em> 99 bài viết.</p></div></div>'
        f'<div class="side">{side}</div></body></html>'
    )


@pytest.mark.parametrize(("header", "views"), [
    ('<span><em class="fa fa-eye"></em> 1.254</span>', 1254),
    ('<span><em class="fa fa-comment-o"></em> 12</span> <span><em class="fa fa-star"></em> 4</span>'
     '<span><i class="fa-solid fa-eye"></i><b>830</b></span>', 830),
    ('<span title="Lượt xem">2.015</span>', 2015),
    ('<span><i class="icon-eye-open"></i> 47</span>', 47),
    ('<span><em class="fa fa-comments"></em> 5</span> <span><em class="fa fa-star"></em> 3</span>', None),
    ('<span><em class="fa fa-eye-slash"></em> 6</span>', None),
    ('<span>Lượt xem: 42</span> <span><em class="fa fa-eye"></em> 1.254</span>', 42),  # a label wins
])
def test_view_count_from_the_eye_icon_in_the_header_only(header, views) -> None:
    side = '<ul><li><a href="/a/b-2.html">Tin khác</a> <span><em class="fa fa-eye"></em> 3.870</span></li></ul>'
    assert build_record(extract_article(_article(header, side), URL)).views == views


@pytest.mark.parametrize(("trail", "crumbs"), [
    ("Trang chủ &raquo; Tin tức &raquo; Xã hội", [("Trang chủ", None), ("Tin tức", None), ("Xã hội", None)]),
    ("Trang chủ › Chuyên mục tin tức › An ninh", [("Trang chủ", None), ("Chuyên mục tin tức", None), ("An ninh", None)]),
    ('Trang chủ » <a href="/TinTuc.aspx">Tin tức</a> » <a href="/CM.aspx?ID=3">An ninh</a>',
     [("Trang chủ", None), ("Tin tức", "http://congan.laichau.gov.vn/TinTuc.aspx"),
      ("An ninh", "http://congan.laichau.gov.vn/CM.aspx?ID=3")]),
])
def test_legacy_breadcrumb_written_as_text(trail, crumbs) -> None:
    page = (
        '<html><body><div class="menu"><a href="/">Trang chủ</a> <a href="/LienHe.aspx">Liên hệ</a></div>'
        f"<div>{trail}</div><h2>Tiêu đề bài</h2><div>(Ngày đăng :22/02/2021 9:05:31 SA)</div>"
        "<div><p>Nội dung bài viết.</p></div></body></html>"
    )
    item = extract_article(page, "http://congan.laichau.gov.vn/ChiTietTin.aspx?ID=5")
    assert [(c.name, c.url) for c in item.breadcrumbs] == crumbs
    assert item.category == crumbs[-1][0]


def _print(hometext: str, url_box: str) -> str:
    return (
        '<html><body><div id="print"><div id="content"><h1>Tiêu đề</h1>'
        '<ul class="list-inline"><li>Thứ tư - 20/03/2024 16:05</li></ul>'
        f'<div id="hometext">{hometext}</div><div id="bodytext"><p>Thân bài.</p></div></div>'
        f'<div id="footer"><div id="url">{url_box}</div></div></div></body></html>'
    )


ARTICLE = "https://congan.laichau.gov.vn/xa-hoi/tieu-de-77.html"
PRINTED = "https://congan.laichau.gov.vn/print/an-ninh/tieu-de-77.html"


@pytest.mark.parametrize("box", [
    f"<strong>URL của bản tin này: </strong>{ARTICLE}",
    f'<strong>URL của bản tin này: </strong><a href="{ARTICLE}">{ARTICLE}</a>',
])
def test_print_view_address_from_the_footer_as_text_or_link(box) -> None:
    assert extract_article(_print("Lời dẫn.", box), PRINTED).url == ARTICLE


def test_print_view_address_falls_back_to_the_view_removed() -> None:
    box = "<strong>URL của bản tin này: </strong>https://congan.laichau.gov.vn/tag/an-ninh"
    assert extract_article(_print("Lời dẫn.", box), PRINTED).url == "https://congan.laichau.gov.vn/an-ninh/tieu-de-77.html"


def test_print_view_lead_leaves_out_the_home_image_box() -> None:
    hometext = ('<div class="imghome"><img src="/uploads/a.jpg" alt="Ảnh"><p><em>Chú thích ảnh.</em></p></div>'
                " Lời dẫn của bài.")
    item = extract_article(_print(hometext, ""), PRINTED)
    assert item.summary == "Lời dẫn của bài."
    assert [(i.url, i.caption) for i in item.images] == [("https://congan.laichau.gov.vn/uploads/a.jpg", "Chú thích ảnh.")]


@pytest.mark.parametrize("item", [
    '<li><em class="fa fa-angle-right">&nbsp;</em><h4><a href="/an/bai-{n}.html" title="Bài {n}">Bài số {n}</a></h4> <em>(0{n}/12/2023)</em></li>',
    '<li><a href="/an/bai-{n}.html"><img src="/assets/{n}.jpg"></a><h4><a href="/an/bai-{n}.html">Bài số {n}</a></h4>\n<em>(0{n}/12/2023)</em></li>',
    '<div class="thumbnail"><a href="/an/bai-{n}.html"><img src="/{n}.jpg"></a><h4>\n<a href="/an/bai-{n}.html">Bài số {n}</a>\n</h4>\n<em>(0{n}/12/2023)</em></div>',
])
def test_related_date_after_the_title_heading(item) -> None:
    section = '<div><p class="h3"><strong>Những tin cũ hơn</strong></p><ul>' + "".join(item.format(n=n) for n in (2, 3)) + "</ul></div>"
    new = _lists(section)
    assert [(r.title, r.published_at_raw) for r in new] == [("Bài số 2", "02/12/2023"), ("Bài số 3", "03/12/2023")]
