"""The replica behaves like the portal over real HTTP: routes, redirects, traps, feeds, log.

Crawler tests trust the replica as ground truth, so its own behaviour is pinned here.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime

import pytest

from scraper.replica import ReplicaServer, Site
from scraper.replica.render import WEEKDAYS, visible_date

ITEM = re.compile(r'<h[23]><a href="([^"]+)"')
NEXT = re.compile(r'<link rel="next" href="([^"]+)">')
ID = re.compile(r"-(\d+)\.html$")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """Status, headers and decoded body, without following redirects."""
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with _OPENER.open(req, timeout=5) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8")


@pytest.fixture(scope="module")
def big() -> Iterator[tuple[Site, ReplicaServer]]:
    site = Site(n_articles=1050, n_categories=7, per_page=20, seed=3)
    with ReplicaServer(site) as srv:
        yield site, srv


@pytest.fixture()
def small() -> Iterator[tuple[Site, ReplicaServer]]:
    site = Site(n_articles=60, n_categories=3, per_page=10, seed=1)
    with ReplicaServer(site) as srv:
        yield site, srv


def test_deterministic_and_well_formed() -> None:
    a, b = Site(seed=0), Site(seed=0)
    assert [(x.id, x.title, x.published) for x in a.articles] == [(x.id, x.title, x.published) for x in b.articles]
    assert a.missing_ids == b.missing_ids and a.wrong_slug_ids == b.wrong_slug_ids
    assert [x.title for x in Site(seed=1).articles] != [x.title for x in a.articles]
    ids = [x.id for x in a.articles]
    assert ids[0] >= 2665 and ids == sorted(set(ids))
    assert [x.published for x in a.articles] == sorted(x.published for x in a.articles)
    assert a.articles[-1].published.strftime("%Y-%m") in ("2026-10", "2026-11")
    assert a.missing_ids and a.wrong_slug_ids and not (a.missing_ids & a.wrong_slug_ids)
    assert a.expected_ids() == set(ids) - a.missing_ids
    assert [c.alias for c in Site(n_categories=9).categories][6] == "chong-dien-bien-hoa-binh-22"
    art = a.articles[0]
    assert visible_date(art).startswith(WEEKDAYS[art.published.weekday()] + " - ")
    assert visible_date(Site(n_articles=1).articles[0]).split(" - ")[0] in WEEKDAYS
    assert WEEKDAYS[datetime(2023, 12, 5).weekday()] == "Thứ ba"


def test_pagination_covers_each_category(big: tuple[Site, ReplicaServer]) -> None:
    site, srv = big
    for cat in site.categories:
        url, pages, ids = srv.base_url + f"/{cat.alias}/", 0, []
        while url:
            status, _, body = fetch(url)
            assert status == 200
            pages += 1
            main = body.split("Các tin khác")[0]
            ids += [int(ID.search(h)[1]) for h in ITEM.findall(main)]
            m = NEXT.search(body)
            url = srv.base_url + m[1] if m else ""
        assert pages == site.page_count(cat.alias) > 1
        assert ids == [a.id for a in site.category_articles(cat.alias)]


def test_listing_markup(big: tuple[Site, ReplicaServer]) -> None:
    site, srv = big
    cat = site.categories[0]
    _, _, body = fetch(srv.base_url + f"/{cat.alias}/page-2/")
    assert body.count("<h2><a") == 1 and body.count("<h3><a") == site.per_page - 1
    assert f'<link rel="prev" href="/{cat.alias}/">' in body
    assert '<ul class="pagination">' in body and 'rel="next"' in body
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}</li>", body)
    assert "Phản hồi: 0" in body and "Các tin khác" in body
    a = site.category_page(cat.alias, 2)[0]
    views = f"{a.views:,}".replace(",", ".")
    assert f"Đã xem: {views}</li>" in body


def test_page_redirects(big: tuple[Site, ReplicaServer]) -> None:
    site, srv = big
    alias = site.categories[1].alias
    last = site.page_count(alias)
    status, headers, _ = fetch(srv.base_url + f"/{alias}/page-{last + 1}/")
    assert status == 302 and headers["Location"] == srv.base_url + f"/{alias}/"
    status, headers, _ = fetch(srv.base_url + f"/{alias}/page-1/")
    assert status == 301 and headers["Location"] == srv.base_url + f"/{alias}/"
    assert fetch(srv.base_url + f"/{alias}/page-{last}/")[0] == 200


def test_wrong_slug_redirects_and_missing_is_404(big: tuple[Site, ReplicaServer]) -> None:
    site, srv = big
    wrong = site.article(min(site.wrong_slug_ids))
    assert wrong is not None
    listed = site.listing_url_path(wrong)
    assert listed != site.article_url_path(wrong)
    status, headers, _ = fetch(srv.base_url + listed)
    assert status == 301 and headers["Location"] == srv.base_url + site.article_url_path(wrong)
    other = next(c for c in site.categories if c != wrong.category)
    status, headers, _ = fetch(srv.base_url + f"/{other.alias}/{wrong.slug}-{wrong.id}.html")
    assert status == 301 and headers["Location"] == srv.base_url + site.article_url_path(wrong)
    missing = site.article(min(site.missing_ids))
    assert missing is not None
    status, headers, body = fetch(srv.base_url + site.article_url_path(missing))
    assert status == 404 and headers["Content-Type"].startswith("text/html") and "404" in body
    page = next(p for p in range(1, 100) if missing in site.category_page(missing.category.alias, p))
    _, _, listing = fetch(srv.base_url + site.category_page_path(missing.category.alias, page))
    assert site.listing_url_path(missing) in listing
    assert fetch(srv.base_url + "/no-such-thing/at/all")[0] == 404


def test_article_print_and_index_php(big: tuple[Site, ReplicaServer]) -> None:
    site, srv = big
    a = next(x for x in reversed(site.articles) if x.id in site.expected_ids() and x.id not in site.wrong_slug_ids)
    canonical = srv.base_url + site.article_url_path(a)
    status, _, body = fetch(canonical)
    assert status == 200 and f'<link rel="canonical" href="{canonical}">' in body
    assert f'<span class="h5">{visible_date(a)}</span>' in body
    assert 'id="news-bodyhtml"' in body and "Những tin cũ hơn" in body and "Tin mới nhất" in body
    published_iso = re.search(r'itemprop="datePublished">([^<]+)<', body)[1]
    assert published_iso != a.published.isoformat()
    status, _, via_index = fetch(srv.base_url + "/index.php" + site.article_url_path(a))
    assert status == 200 and f'<link rel="canonical" href="{canonical}">' in via_index
    for kind in ("print", "savefile"):
        status, _, view = fetch(srv.base_url + site.print_url_path(a, kind))
        assert status == 200 and '<div id="print">' in view and '<div id="content">' in view
        assert f'<div id="url"><strong>URL của bản tin này: </strong><a href="{canonical}"' in view
        assert f"<li>{visible_date(a)}</li>" in view


def test_feeds_and_robots(big: tuple[Site, ReplicaServer]) -> None:
    site, srv = big
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    _, _, index = fetch(srv.base_url + "/sitemap.xml")
    locs = [e.text for e in ET.fromstring(index).findall("s:sitemap/s:loc", ns)]
    assert locs == [srv.base_url + "/sitemap-vi.news.xml"]
    _, headers, news = fetch(srv.base_url + "/sitemap-vi.news.xml")
    assert headers["Content-Type"].startswith("application/xml")
    urls = ET.fromstring(news).findall("s:url", ns)
    assert len(urls) == 1000 < len(site.articles)
    got = [int(ID.search(u.find("s:loc", ns).text)[1]) for u in urls]
    assert got == [a.id for a in site.latest(1000)]
    assert all(u.find("s:lastmod", ns) is not None for u in urls)
    _, _, rss = fetch(srv.base_url + "/rss/")
    items = ET.fromstring(rss).findall("channel/item")
    assert len(items) == 30 and items[0].find("link").text == srv.base_url + site.article_url_path(site.latest(1)[0])
    cat = site.categories[2]
    _, _, rss_cat = fetch(srv.base_url + f"/rss/{cat.alias}/")
    assert len(ET.fromstring(rss_cat).findall("channel/item")) == min(30, len(site.category_articles(cat.alias)))
    _, _, robots = fetch(srv.base_url + "/robots.txt")
    assert "Disallow: /modules/" in robots and f"Sitemap: {srv.base_url}/sitemap.xml" in robots


def test_head_gzip_media_and_tags(big: tuple[Site, ReplicaServer]) -> None:
    site, srv = big
    status, headers, body = fetch(srv.base_url + "/", method="HEAD")
    assert status == 200 and body == "" and int(headers["Content-Length"]) > 1000
    req = urllib.request.Request(srv.base_url + "/", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=5) as r:
        assert r.headers["Content-Encoding"] == "gzip"
        assert 'id="menu-site-default"' in gzip.decompress(r.read()).decode("utf-8")
    with urllib.request.urlopen(srv.base_url + "/uploads/news/2024_01/anh-1.jpg", timeout=5) as r:
        assert r.headers["Content-Type"] == "image/jpeg" and r.read()[:2] == b"\xff\xd8"
    with urllib.request.urlopen(srv.base_url + "/assets/news/2024_01/anh-1.png", timeout=5) as r:
        assert r.read()[:4] == b"\x89PNG"
    alias, tag = next(iter(site.tags.items()))
    status, _, body = fetch(srv.base_url + f"/tag/{alias}")
    assert status == 200 and tag.name in body and len(ITEM.findall(body)) == len(site.tag_articles(alias))


def test_add_articles_appear_first(small: tuple[Site, ReplicaServer]) -> None:
    site, srv = small
    before = max(a.id for a in site.articles)
    newest_before = site.latest(1)[0]
    for path in (f"/{c.alias}/" for c in site.categories):  # rendered and cached before the change
        fetch(srv.base_url + path)
    _, _, home = fetch(srv.base_url + "/")
    assert int(ID.search(ITEM.findall(home)[0])[1]) == newest_before.id
    new = site.add_articles(5)
    assert len(new) == 5 and min(a.id for a in new) > before
    assert all(n.published > site.articles[-6].published for n in new)
    newest = new[-1]
    _, _, page1 = fetch(srv.base_url + f"/{newest.category.alias}/")
    first = ITEM.findall(page1)[0]
    assert int(ID.search(first)[1]) == newest.id
    _, _, home = fetch(srv.base_url + "/")
    assert int(ID.search(ITEM.findall(home)[0])[1]) == newest.id
    again = Site(n_articles=60, n_categories=3, per_page=10, seed=1)
    assert [a.title for a in again.add_articles(5)] == [a.title for a in new]


def test_growing_keeps_every_article_and_adds_the_newest() -> None:
    """``--articles`` grown by k is the same portal plus k newer articles: ids, addresses, content and
    404/stale-slug fates are functions of (seed, position), across block boundaries too."""
    for n, k in [(100, 20), (190, 30), (400, 250)]:
        a, b = Site(n_articles=n, seed=4), Site(n_articles=n + k, seed=4)
        old = [(x.id, a.listing_url_path(x), x.title, x.published, x.body_text) for x in a.articles]
        assert old == [(x.id, b.listing_url_path(x), x.title, x.published, x.body_text) for x in b.articles[:n]]
        assert a.missing_ids == {i for i in b.missing_ids if a.article(i)}
        assert a.wrong_slug_ids == {i for i in b.wrong_slug_ids if a.article(i)}
        assert b.latest(k) == b.articles[n:][::-1]  # the new ones head the listings
        assert [x.id for x in a.add_articles(k)] == [x.id for x in b.articles[n:]]
        assert (a.missing_ids, a.wrong_slug_ids) == (b.missing_ids, b.wrong_slug_ids)
    # every 200 positions hold the rates' share: 600 articles, 6 answering 404 (tests count on it)
    big = Site(n_articles=600, n_categories=3, seed=5)
    assert (len(big.missing_ids), len(big.wrong_slug_ids)) == (6, 12)


def test_the_default_site_is_the_one_it_always_was() -> None:
    """The default size's articles, addresses and traps are pinned: benchmarks and recorded figures use them."""
    s = Site(seed=0)
    shown = repr([(a.id, s.listing_url_path(a), a.title, a.published.isoformat(), a.body_text) for a in s.articles])
    traps = repr((sorted(s.missing_ids), sorted(s.wrong_slug_ids)))
    assert hashlib.sha256(shown.encode() + traps.encode()).hexdigest() == (
        "536fd4dd9c6faf5339ff35315a8c78fee359b8ff69d84db801f5ebb27b08edd5"
    )


def test_request_log(small: tuple[Site, ReplicaServer]) -> None:
    site, srv = small
    srv.reset_log()
    fetch(srv.base_url + "/robots.txt")
    fetch(srv.base_url + "/nope.html?x=1")
    fetch(srv.base_url + "/", method="HEAD")
    assert srv.requests == [("GET", "/robots.txt", 200), ("GET", "/nope.html?x=1", 404), ("HEAD", "/", 200)]
    srv.reset_log()
    assert srv.requests == []


def test_warm_serves_what_a_fresh_render_would(small: tuple[Site, ReplicaServer]) -> None:
    """The page cache changes how fast, never what: warmed responses equal fresh renders, and
    the gzipped body is that same page."""
    site, srv = small
    targets = srv.router.targets()
    assert srv.warm() == len(targets) == len(set(targets))
    assert set(targets) >= {site.listing_url_path(a) for a in site.articles} | {"/", "/robots.txt", "/rss/"}
    for target in targets:
        cached, fresh = srv.router.route(target), srv.router.render(target)
        assert cached is srv.router.route(target)  # served from memory
        assert (cached.status, cached.body, cached.headers) == (fresh.status, fresh.body, fresh.headers)
    page = site.article_url_path(site.latest(1)[0])
    for _ in range(2):  # compressed once, served twice alike
        req = urllib.request.Request(srv.base_url + page, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req, timeout=5) as r:
            assert r.headers["Content-Encoding"] == "gzip"
            assert gzip.decompress(r.read()) == srv.router.render(page).body
