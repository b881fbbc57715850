"""Discovery against hand-built NukeViet sites, one per address scheme, with hand-written goldens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scraper import urls
from scraper.sites.addresses import Form, Kind, article_key, parse
from scraper.sites.discovery import Discovery, discover

SITES = Path(__file__).resolve().parents[2] / "fixtures" / "sites"


def load(name: str, *, module_pages: bool = True) -> Discovery:
    folder = SITES / name
    spec = json.loads((folder / "site.json").read_text("utf-8"))
    pages = {url: (folder / file).read_text("utf-8") for url, file in spec["module_pages"].items()} if module_pages else {}
    sitemap = (folder / spec["sitemap"]).read_text("utf-8") if spec["sitemap"] else None
    return discover((folder / "root.html").read_bytes(), spec["root_url"], sitemap, pages)


@pytest.mark.parametrize("name", sorted(p.parent.name for p in SITES.glob("*/site.json")))
def test_golden(name: str) -> None:
    expected = json.loads((SITES / name / "expected.json").read_text("utf-8"))
    assert load(name).to_json() == expected


def test_every_fixture_has_a_golden() -> None:
    names = {p.parent.name for p in SITES.glob("*/site.json")}
    assert names == {p.parent.name for p in SITES.glob("*/expected.json")}
    assert {"lang-module", "index-php", "query-form", "two-news", "laichau"} <= names


def test_a_crawl_stays_in_the_news_modules() -> None:
    d = load("two-news")
    h = "https://congan.tinhmau.gov.vn"
    for url in (
        f"{h}/tin-tuc/an-ninh-trat-tu/triet-pha-duong-day-danh-bac-qua-mang-2051.html",
        f"{h}/thong-bao/print/tuyen-sinh/thong-bao-tuyen-sinh-vao-cac-truong-cong-an-nhan-dan-88.html",
        f"{h}/tin-tuc/an-ninh-trat-tu/page-4/", f"{h}/thong-bao/", f"{h}/tin-tuc/rss/", f"{h}/sitemap.xml",
    ):
        assert d.allows(url), url
    for url in (
        f"{h}/van-ban/detail/quyet-dinh-so-15-2024-qd-ca/", f"{h}/van-ban/quyet-dinh/",
        f"{h}/tai-lieu/bieu-mau/mau-to-khai-thay-doi-thong-tin-cu-tru-2024.html",  # shaped like an article
        f"{h}/gioi-thieu/thanh-tich-khen-thuong-3.html", f"{h}/lien-he/", f"{h}/users/login/",
        f"{h}/hoi-dap/cau-hoi/cau-12.html",  # a module discovery never saw
        f"{h}/uploads/tin-tuc/anh-1.html", "https://congan.tinhkhac.gov.vn/tin-tuc/an-ninh-trat-tu/bai-1.html",
    ):
        assert not d.allows(url), url


def test_the_portal_itself() -> None:
    d = load("laichau")
    h = "https://congan.laichau.gov.vn"
    assert d.allows(f"{h}/an-ninh-trat-tu/bat-giu-doi-tuong-van-chuyen-trai-phep-chat-ma-tuy-5427.html")
    assert d.allows(f"{h}/thong-bao/page-2/") and d.allows(f"{h}/print/thong-bao/lich-truc-5388.html")
    # the page module's items and the contact page look like a category and an article: refused
    assert not d.allows(f"{h}/gioi-thieu/so-do-trang-2.html") and not d.allows(f"{h}/lien-he/")
    assert not d.allows(f"{h}/gioi-thieu/an-ninh/bai-1.html")


def test_the_discovered_profile_keeps_todays_keys_on_the_portal() -> None:
    """With the profile discovery finds for congan.laichau.gov.vn, every article address on its
    pages gets the key and canonical address today's rule (scraper.urls, no profile) gives it."""
    d = load("laichau")
    folder = SITES / "laichau"
    hrefs = [
        line.split('href="')[1].split('"')[0]
        for file in folder.glob("*.html") for line in file.read_text("utf-8").splitlines() if 'href="/' in line
    ]
    articles = [u for h in hrefs if (u := urls.absolute(d.root_url, h)) and urls.is_article_url(u)]
    assert len(articles) >= 6
    for url in articles:
        assert parse(url, d.profile).is_article
        assert article_key(url, d.profile) == urls.article_key(url) == f"id:{urls.article_id(url)}"
        assert parse(url, d.profile).canonical == urls.canonical_article_url(url)
        assert d.allows(url)


def test_a_module_page_tells_a_download_module_from_news() -> None:
    """By address alone, a download module whose file names end in a number is news-shaped: its
    own page (with its upload function) settles it."""
    without = load("two-news", module_pages=False)
    assert "tai-lieu" in {m.name for m in without.news}
    with_pages = load("two-news")
    assert "tai-lieu" not in {m.name for m in with_pages.news}
    assert {m.name: m.kind for m in with_pages.other}["tai-lieu"] == "download"
    # the article page of the second news module shows its news-only functions
    thong_bao = next(m for m in with_pages.news if m.name == "thong-bao")
    assert {"print", "savefile", "sendmail"} <= set(thong_bao.evidence)


def test_a_language_with_the_news_module_left_out() -> None:
    root = """<html lang="vi"><head><meta name="generator" content="NukeViet v4.5">
    <link rel="alternate" type="application/rss+xml" href="/vi/rss/"></head><body>
    <div id="menu-site-default"><ul>
      <li><a href="/vi/">Trang nhất</a></li><li><a href="/vi/an-ninh/">An ninh</a></li>
      <li><a href="/vi/doi-song/">Đời sống</a></li><li><a href="/vi/gioi-thieu/lich-su.html">Lịch sử</a></li>
      <li><a href="/en/">English</a></li></ul></div>
    <a href="/vi/an-ninh/canh-giac-mua-mua-lu-31.html">Cảnh giác mùa mưa lũ</a>
    <a href="/vi/doi-song/cho-phien-vung-cao-30.html">Chợ phiên vùng cao</a>
    <a href="/vi/doi-song/page-2/">Trang sau</a></body></html>"""
    d = discover(root, "https://xa.mau.gov.vn/vi/")
    p = d.profile
    assert (p.lang_in_path, p.language, p.drops_home, p.home_module, p.form) == (True, "vi", True, None, Form.REWRITE)
    assert [(m.name, m.dropped) for m in d.news] == [("", True)]
    assert [(c.alias, c.title, c.url) for c in d.news[0].categories] == [
        ("an-ninh", "An ninh", "https://xa.mau.gov.vn/vi/an-ninh/"),
        ("doi-song", "Đời sống", "https://xa.mau.gov.vn/vi/doi-song/"),
    ]
    assert [(m.name, m.kind) for m in d.other] == [("gioi-thieu", "page")]
    assert article_key("https://xa.mau.gov.vn/vi/an-ninh/canh-giac-mua-mua-lu-31.html", p) == "id:31"
    assert parse("https://xa.mau.gov.vn/en/", p).kind is Kind.MODULE


def test_no_news_module_and_no_nukeviet() -> None:
    pages_only = """<html><head><meta name="generator" content="NukeViet v4.5"></head><body>
    <a href="/gioi-thieu/">Giới thiệu</a><a href="/gioi-thieu/lich-su.html">Lịch sử</a><a href="/lien-he/">Liên hệ</a>
    </body></html>"""
    d = discover(pages_only, "https://mau.gov.vn/")
    assert d.nukeviet and d.news == [] and {m.name for m in d.other} == {"gioi-thieu", "lien-he"}
    other_cms = '<html><head><meta name="generator" content="WordPress 6.5"></head><body><a href="/blog/">Blog</a></body></html>'
    d = discover(other_cms, "https://mau.example.com/")
    assert not d.nukeviet and d.generator == "WordPress 6.5"
    assert discover(b"", "https://mau.gov.vn/").nukeviet is False


def test_every_form_of_the_sitemap_index_names_its_module() -> None:
    """nv_xmlSitemapIndex_generate writes sitemap-<lang>.<module>.xml with rewrite rules,
    index.php/[<lang>/]<module>/sitemap/ without them, and the query form with rewriting off."""
    sitemap = """<sitemapindex>
    <sitemap><loc>https://mau.gov.vn/sitemap-vi.mot.xml</loc></sitemap>
    <sitemap><loc>https://mau.gov.vn/sitemap-vi.hai.phan-a.xml</loc></sitemap>
    <sitemap><loc>https://mau.gov.vn/index.php/ba/sitemap/</loc></sitemap>
    <sitemap><loc>https://mau.gov.vn/index.php/vi/bon/sitemap/</loc></sitemap>
    <sitemap><loc>https://mau.gov.vn/index.php?language=vi&amp;nv=nam&amp;op=sitemap</loc></sitemap>
    <sitemap><loc>https://noi-khac.gov.vn/sitemap-vi.sau.xml</loc></sitemap>
    </sitemapindex>"""
    d = discover("<html><body></body></html>", "https://mau.gov.vn/", sitemap)
    named = {m.name: m.evidence for m in d.other}
    assert set(named) == {"mot", "hai", "ba", "bon", "nam"}
    assert all("sitemap" in e for e in named.values())


def test_a_module_page_no_page_links_to() -> None:
    """A module page fetched on its own (its address linked from nowhere) still names a module."""
    folder = SITES / "laichau"
    d = discover(
        (folder / "root.html").read_text("utf-8"), "https://congan.laichau.gov.vn/", None,
        {"https://congan.laichau.gov.vn/hoi-dap/": "<html><body><h1>Hỏi đáp</h1><p>Chưa có câu hỏi.</p></body></html>"},
    )
    assert "hoi-dap" in {m.name for m in d.other}
    assert "hoi-dap" not in {c.alias for m in d.news for c in m.categories}
    assert not d.allows("https://congan.laichau.gov.vn/hoi-dap/")
