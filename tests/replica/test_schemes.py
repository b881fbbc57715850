"""The replica in every address scheme, over real HTTP on 127.0.0.1: the ``nukeviet`` spider's tests
trust it as the ground truth of another NukeViet portal, so its addresses are held to the project's
one address rule (``scraper.sites.addresses``: what ``build_url`` writes answers, what the pages link
``parse`` reads back to the right article) and its pages to the project's page objects (each article
extracts to the record the replica states). ``laichau`` stays today's replica byte for byte.
"""

from __future__ import annotations

import hashlib
import html
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from scraper.pages import extract_article
from scraper.replica import SCHEMES, Portal, ReplicaServer, Site
from scraper.replica.portal import LAWS_MODULE, PAGE_MODULE
from scraper.replica.routes import Router
from scraper.sites.addresses import ARTICLE_KINDS, Kind, build_url, parse

DEFAULT_THEME = [name for name in SCHEMES if name != "laichau"]
_HREF = re.compile(r'\bhref="([^"]*)"|nv_open_browse\(\'([^\']*)\'')
_LOC = re.compile(r"<loc>([^<]+)</loc>")
_ID = re.compile(r"-(\d+)\.html")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one GET, redirects not followed."""
    try:
        with _OPENER.open(url, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


@pytest.fixture(scope="module", params=list(SCHEMES))
def served(request: pytest.FixtureRequest) -> Iterator[tuple[Portal, ReplicaServer]]:
    portal = Portal(n_articles=90, n_categories=3, per_page=10, seed=2, scheme=request.param)
    with ReplicaServer(portal) as srv:
        yield portal, srv


def _op(alias: str, page: int = 1) -> str:
    """A category's page as the news module's op."""
    return alias if page == 1 else f"{alias}/page-{page}"


def test_every_page_answers_at_the_address_build_url_gives(served: tuple[Portal, ReplicaServer]) -> None:
    """Categories page by page, every article with its print and savefile views: 200 where
    ``build_url`` (the spider's way of writing an address) puts them; a 404 id answers 404."""
    portal, srv = served
    base, profile = srv.base_url, portal.profile
    for m in portal.news:
        site = m.site
        for cat in site.categories:
            for page in range(1, site.page_count(cat.alias) + 1):
                status, _, body = fetch(build_url(base, profile, _op(cat.alias, page), module=m.name))
                assert status == 200, (m.name, cat.alias, page)
                listed = {int(i) for i in _ID.findall(body.decode().split("Tin mới nhất")[0])}
                assert {a.id for a in site.category_page(cat.alias, page)} <= listed
        for a in site.articles:
            op = f"{a.category.alias}/{a.slug}-{a.id}.html"
            status, _, body = fetch(build_url(base, profile, op, module=m.name))
            if a.id in site.missing_ids:
                assert status == 404
                continue
            assert status == 200 and f'<link rel="canonical" href="{html.escape(base + portal.article_path(m.name, a))}">'.encode() in body
            for view in ("print", "savefile"):
                status, _, body = fetch(build_url(base, profile, f"{view}/{op}", module=m.name))
                assert status == 200 and b'<div id="print">' in body, (view, a.id)


def test_pages_past_the_last_redirect_to_the_first(served: tuple[Portal, ReplicaServer]) -> None:
    portal, srv = served
    base, profile = srv.base_url, portal.profile
    for m in portal.news:
        for cat in m.site.categories:
            last = m.site.page_count(cat.alias)
            status, headers, _ = fetch(build_url(base, profile, f"{cat.alias}/page-{last + 1}", module=m.name))
            assert status in (301, 302) and headers["Location"] == build_url(base, profile, cat.alias, module=m.name)
        if not portal.scheme.laichau:  # a module's own listing too, and the legal documents' pager
            last = portal.module_page_count(m.name)
            status, headers, _ = fetch(base + portal.module_path(m.name, last + 1))
            assert status == 301 and headers["Location"] == base + portal.module_path(m.name)
    if portal.documents:
        status, headers, _ = fetch(base + portal.laws_path(portal.laws_page_count() + 1))
        assert status == 301 and headers["Location"] == base + portal.laws_path()
        assert fetch(base + portal.laws_path(portal.laws_page_count()))[0] == 200


def _links(body: bytes) -> list[str]:
    return [html.unescape(a or b) for a, b in _HREF.findall(body.decode("utf-8"))]


def test_parse_reads_every_linked_article_back_to_its_module_and_id(served: tuple[Portal, ReplicaServer]) -> None:
    """Every address the replica's pages link to that ``parse`` (with the portal's profile) takes
    for an article is one of the portal's articles, (module, id); a print or savefile view names
    the article's own address; every article is linked; no document of a module that is not news
    is taken for an article."""
    portal, srv = served
    base, profile = srv.base_url, portal.profile
    articles = {(m.name, a.id): a for m in portal.news for a in m.site.articles}
    pages = ["/", *srv.router.targets(), *sorted(portal.document_paths() | portal.other_module_paths())]
    pages += [portal.view_path(m.name, a) for m in portal.news for a in m.site.articles[:3]]
    seen: dict[str, str] = {}
    for page in pages:
        resp = srv.router.route(page)
        if resp.status == 200 and resp.content_type.startswith("text/html"):
            seen.update((link, page) for link in _links(resp.body) if link.startswith("/"))
    linked, views = set(), 0
    for link, page in seen.items():
        a = parse(base + link, profile)
        if a.kind not in ARTICLE_KINDS:
            assert not (_ID.search(link) and link not in portal.document_paths()), (link, page, a)
            continue
        key = (a.module or profile.home_module, int(a.id))
        assert key in articles, (link, page)
        article = articles[key]
        assert (a.category, a.id) == (article.category.alias, str(article.id))
        if a.kind is Kind.ARTICLE:
            linked.add(key)
        else:
            views += 1
            assert a.canonical == base + portal.article_path(key[0], article), link
    assert linked == set(articles)
    # the default theme's article page links its print view (a script's argument) and its savefile copy
    assert views == (0 if portal.scheme.laichau else 2 * len(portal.expected_articles()))
    assert portal.document_paths() <= set(seen)
    for doc in portal.document_paths():
        assert parse(base + doc, profile).kind not in ARTICLE_KINDS, doc


def _record(item: object, view: str | None) -> dict:
    got = {k: getattr(item, k) for k in ("url", "article_id", "title", "published_at_raw", "summary", "body_text", "author", "source")}
    if view is None:
        got["tags"] = item.tags  # type: ignore[attr-defined]
        got["breadcrumbs"] = [(c.name, c.url) for c in item.breadcrumbs]  # type: ignore[attr-defined]
        got["related"] = [(r.section, r.title, r.url, r.published_at_raw) for r in item.related]  # type: ignore[attr-defined]
    return got


def _extracted(portal: Portal, srv: ReplicaServer, module: str, article_id: int, view: str | None) -> tuple[dict, dict]:
    a = portal.module(module).site.article(article_id)
    assert a is not None
    path = portal.article_path(module, a) if view is None else portal.view_path(module, a, view)
    status, headers, body = fetch(srv.base_url + path)
    assert status == 200
    item = extract_article(body, srv.base_url + path, headers["Content-Type"])
    return portal.expected_record(module, a, srv.base_url, view), _record(item, view)


def test_article_pages_extract_to_the_record_the_replica_states(served: tuple[Portal, ReplicaServer]) -> None:
    """Title, shown time, lead, body, author, source, tags, breadcrumbs (the module named), the
    related lists with their dates: the page objects read each page as the replica wrote it, and
    its print and savefile views to the article's own address."""
    portal, srv = served
    compared = 0
    for m in portal.news:
        for a in m.site.articles:
            if a.id in m.site.missing_ids:
                continue
            for view in (None, "print", "savefile"):
                want, got = _extracted(portal, srv, m.name, a.id, view)
                assert got == want, (m.name, a.id, view)
                compared += 1
    assert compared == 3 * len(portal.expected_articles())
    last = portal.news[-1]
    sample = portal.expected_record(last.name, last.site.articles[len(last.site.articles) // 2], srv.base_url)
    if not portal.scheme.laichau:  # the crumbs name the module; the related lists carry their dates
        assert [c[0] for c in sample["breadcrumbs"]][:2] == ["Trang nhất", portal.news[-1].title]
    assert any(r[3] for r in sample["related"]) and any(r[3] is None for r in sample["related"])


def test_news_modules_share_ids_but_not_articles() -> None:
    """Two news modules number their articles apart: the same id names two articles, told apart by
    module (and by ``article_key``)."""
    for name in DEFAULT_THEME:
        portal = Portal(n_articles=80, seed=2, scheme=name)
        first, second = portal.news
        shared = {a.id for a in first.site.articles} & {a.id for a in second.site.articles}
        assert len(shared) >= 10
        aid = min(shared)
        a, b = first.site.article(aid), second.site.article(aid)
        assert a is not None and b is not None and a.title != b.title
        expected = portal.expected_articles()
        assert len({e.key for e in expected}) == len(expected)
        assert len({(e.module, e.id) for e in expected}) == len(expected) > len({e.id for e in expected})
        assert {e.module for e in expected} == {first.name, second.name}
        assert all(parse("http://h" + e.path, portal.profile).module == e.module for e in expected)


@pytest.mark.parametrize("name", list(SCHEMES))
def test_a_portal_grows_as_a_site_does(name: str) -> None:
    """``Portal(n).add_articles(k)`` is ``Portal(n + k)``: every article keeps its module, id and
    address, and a server's pages follow (an incremental crawl test publishes articles this way)."""
    portal = Portal(60, per_page=10, seed=2, scheme=name)
    before = portal.expected_articles()
    with ReplicaServer(portal) as srv:
        first = portal.news[0]
        fetch(srv.base_url + "/")  # rendered and cached before the change
        new = portal.add_articles(25)
        assert set(before) < set(portal.expected_articles())
        assert portal.expected_articles() == Portal(85, per_page=10, seed=2, scheme=name).expected_articles()
        assert len(new) == 25 and {m for m, _ in new} == {m.name for m in portal.news}
        newest = max((a for m, a in new if m == first.name), key=lambda a: a.published)
        _, _, body = fetch(srv.base_url + "/")
        assert html.escape(portal.listing_path(first.name, newest)) in body.decode().split("Tin mới nhất")[0]
    assert portal.module_of(portal.expected_articles()[0].path) == first.name and portal.module_of("/robots.txt") is None


def test_sitemap_index_names_each_module_sitemap(served: tuple[Portal, ReplicaServer]) -> None:
    """``/sitemap.xml`` names one sitemap per module that has one, in the form the server's
    rewriting writes; a news module's lists its articles at their own addresses."""
    portal, srv = served
    base = srv.base_url
    status, headers, body = fetch(base + "/sitemap.xml")
    assert status == 200 and headers["Content-Type"].startswith("application/xml")
    locs = [html.unescape(loc) for loc in _LOC.findall(body.decode())]
    assert locs == [base + portal.sitemap_path(m) for m in portal.sitemap_modules()]
    shape = {"laichau": "/sitemap-vi.news.xml", "index-php": "/index.php/vi/news/sitemap/",
             "query": "/index.php?language=vi&nv=news&op=sitemap"}.get(portal.scheme.name, "/sitemap-vi.")
    assert locs[0].startswith(base + shape)
    listed: set[str] = set()
    for name, loc in zip(portal.sitemap_modules(), locs, strict=True):
        found = parse(loc, portal.profile)
        assert (found.module or portal.profile.home_module) == name, loc
        assert found.kind is Kind.SITEMAP or not portal.is_news(name), loc  # parse reads news modules' ops only
        status, _, sitemap = fetch(loc)
        assert status == 200 and b"<urlset" in sitemap
        listed |= {html.unescape(u) for u in _LOC.findall(sitemap.decode())}
    assert {base + e.path for e in portal.expected_articles()} <= listed
    if portal.documents:  # the page module's and the legal documents' sitemaps
        assert {base + d for d in portal.document_paths()} <= listed


def test_discovery_finds_the_news_modules_and_keeps_out_of_documents(served: tuple[Portal, ReplicaServer]) -> None:
    """What the ``nukeviet`` spider will do first: ``discover`` on the root page, ``/sitemap.xml``
    and the pages of the modules the menu names finds exactly the portal's news modules with their
    categories (at the addresses the replica serves), and allows every article and view but no
    document of a module that is not news."""
    from scraper.sites.discovery import discover

    portal, srv = served
    base = srv.base_url
    pages = {base + portal.module_path(n): fetch(base + portal.module_path(n))[2] for n in portal.module_names}
    found = discover(fetch(base + "/")[2], base + "/", fetch(base + "/sitemap.xml")[2], {} if portal.scheme.laichau else pages)
    news = {m.name or portal.profile.home_module: [c.url for c in m.categories] for m in found.news}
    assert news == {
        m.name: [base + portal.category_path(m.name, c.alias) for c in m.site.categories] for m in portal.news
    }
    assert set(portal.other_modules) <= {m.name for m in found.other}
    assert all(found.allows(base + e.path) for e in portal.expected_articles())
    assert all(found.allows(base + portal.view_path(m.name, a, "savefile")) for m in portal.news for a in m.site.articles)
    assert not any(found.allows(base + d) for d in portal.document_paths())


@pytest.mark.parametrize("name", DEFAULT_THEME)
def test_home_menu_names_every_module_and_category(name: str) -> None:
    """The home page's menu (the default theme's ``#menu-site-default``) links each module and
    each news category; the page itself shows the first module's newest articles."""
    portal = Portal(n_articles=60, n_categories=4, per_page=10, seed=2, scheme=name)
    with ReplicaServer(portal) as srv:
        status, _, body = fetch(srv.base_url + "/")
        assert status == 200 and fetch(srv.base_url + portal.home_path())[0] == 200
    text = body.decode()
    menu = text[text.index('id="menu-site-default"'): text.index("</nav>")]
    links = set(_links(menu.encode()))
    assert {portal.module_path(n) for n in portal.module_names} <= links
    assert {portal.category_path(m.name, c.alias) for m in portal.news for c in m.site.categories} <= links
    assert {portal.about_path(p) for p in portal.about} <= links
    assert portal.listing_path(portal.news[0].name, portal.news[0].site.latest(1)[0]) in _links(body)
    assert 'rel="next"' not in text and 'title="Trang sau"' in text and "&raquo;</a>" in text


@pytest.mark.parametrize("name", DEFAULT_THEME)
def test_listing_layouts_and_pager(name: str) -> None:
    """Categories alternate ``viewcat_page`` (times with seconds, views) and ``viewcat_list``
    (numbered titles only); the pager is ``ul.pagination > li.page-item > a.page-link`` with ``«``
    titled "Trang trước" and ``»`` titled "Trang sau", and no ``rel=next``/``rel=prev`` anywhere."""
    portal = Portal(n_articles=120, n_categories=2, per_page=5, seed=2, scheme=name)
    m = portal.news[0]
    with ReplicaServer(portal) as srv:
        pages = {c.alias: fetch(srv.base_url + portal.category_path(m.name, c.alias, 2))[2].decode() for c in m.site.categories}
    dated, titles = (pages[c.alias] for c in m.site.categories)
    assert portal.category_layout(m.name, m.site.categories[0].alias) == "page"
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}</li>", dated) and "Đã xem: " in dated
    assert '<a class="show h4"' in titles and "Đã xem" not in titles.split("Tin mới nhất")[0]
    assert not re.search(r"\d{2}/\d{2}/\d{4}", titles.split("Tin mới nhất")[0])
    for page in (dated, titles):
        assert '<li class="page-item"><a class="page-link" title="Trang trước"' in page
        assert 'title="Trang sau"' in page and not re.search(r'\srel="(?:next|prev)"', page)


def test_other_forms_of_an_address_redirect_to_the_scheme_s_own() -> None:
    """One address per page: the forms a NukeViet server also reads answer 301 to it (a stale
    slug, the query form or ``index.php/`` on a site with rewrite rules, the language left out, the
    wrong trailing slash, an op without ``.html`` in the query form); forms it cannot read, 404."""
    cases = {  # scheme: (address, what it answers: A = 301 to the article, C = 301 to its category, 404)
        "lang-module": [("/index.php?language=vi&nv=tin-tuc&op={op}", "A"), ("/index.php/vi/tin-tuc/{op}", "A"),
                        ("/vi/tin-tuc/{cat}", "C"), ("/vi/tin-tuc/{cat}/{bare}", 404)],
        "index-php": [("/index.php?language=vi&nv=news&op={op}", "A"), ("/index.php/news/{op}", "A"),
                      ("/index.php/vi/news/{cat}", "C"), ("/vi/news/{op}", 404)],
        "query": [("/index.php?language=vi&nv=news&op={bare}", "A"), ("/index.php?nv=news&language=vi&op={cat}", "C"),
                  ("/vi/news/{op}", 404), ("/index.php/vi/news/{op}", 404)],
        "no-slash": [("/index.php/vi/news/{op}", "A"), ("/vi/news/{cat}/", "C"), ("/news/{cat}/x-y-z", 404)],
    }
    for name, forms in cases.items():
        portal = Portal(n_articles=40, per_page=10, seed=2, scheme=name)
        m = portal.news[0]
        a = next(x for x in m.site.articles if x.id not in m.site.missing_ids)
        fill = dict(op=portal.article_op(a), bare=portal.article_op(a).removesuffix(".html"), cat=a.category.alias)
        stale = portal.url(portal.article_op(a, "ten-cu"), m.name)
        with ReplicaServer(portal) as srv:
            base = srv.base_url
            targets = {"A": base + portal.article_path(m.name, a), "C": base + portal.category_path(m.name, a.category.alias)}
            for form, answer in [*forms, (stale, "A")]:
                status, headers, _ = fetch(base + form.format(**fill))
                got = status if status == 404 else (status, headers.get("Location"))
                assert got == (answer if answer == 404 else (301, targets[answer])), (name, form)


@pytest.mark.parametrize("name", DEFAULT_THEME)
def test_modules_that_are_not_news_answer_and_the_request_log_tells_them_apart(name: str) -> None:
    """The page module's items, the legal documents (``detail/<slug>-<id>.html``: an article's
    shape) and the contact page answer 200; ``module_of`` reads a logged request back to its module,
    which is how a crawl test proves no document of those modules was asked for."""
    portal = Portal(n_articles=30, per_page=10, seed=2, scheme=name)
    with ReplicaServer(portal) as srv:
        for path in sorted(portal.document_paths() | portal.other_module_paths()):
            status, _, body = fetch(srv.base_url + path)
            assert status == 200 and b'id="news-bodyhtml"' not in body, path
        expected = portal.expected_articles()[:5]
        for e in expected:
            fetch(srv.base_url + e.path)
        logged = srv.requests
    modules = [portal.module_of(target) for _, target, _ in logged]
    docs = [target for _, target, _ in logged if target in portal.document_paths()]
    assert len(docs) == len(portal.documents) + len(portal.about) > 0
    assert {portal.module_of(d) for d in docs} == {PAGE_MODULE, LAWS_MODULE}
    assert modules[-5:] == [e.module for e in expected]
    assert portal.module_of("/robots.txt") is None and portal.module_of(portal.home_path()) is None


def _digest(router: Router, site: Site) -> str:
    """Every page a crawl of today's portal may ask for, with its status and headers, hashed."""
    targets = list(router.targets())
    for a in site.articles:
        targets += [site.print_url_path(a, "print"), site.print_url_path(a, "savefile"), "/index.php" + site.article_url_path(a)]
    for c in site.categories:
        last = site.page_count(c.alias)
        targets += [f"/rss/{c.alias}/", f"/{c.alias}", f"/{c.alias}/page-1/", f"/{c.alias}/page-{last + 1}/", f"/{c.alias}/page-2"]
    targets += [f"/tag/{t}" for t in sorted(site.tags)]
    targets += ["/rss", "/nope", "/uploads/news/2024_01/x.jpg", "/index.php", "/index.php?language=vi&nv=news"]
    h = hashlib.sha256()
    for t in dict.fromkeys(targets):
        resp = router.render(t)
        h.update(repr((t, resp.status, resp.content_type, sorted(resp.headers.items()))).encode() + resp.body)
    return h.hexdigest()


def test_laichau_scheme_is_todays_replica_byte_for_byte() -> None:
    """The default scheme renders every page exactly as the replica did before schemes existed
    (hash taken from that code: 867 pages of ``Site()``), whether built as ``Site`` or as
    ``Portal(scheme="laichau")``; its addresses are ``build_url``'s for the laichau profile."""
    pinned = "4b0262c2351798c77d148cf6d29f8cb2cc2172af423e40e553658de31b280e0c"
    site = Site()
    assert _digest(Router(site, "http://127.0.0.1:8000"), site) == pinned
    portal = Portal(scheme="laichau")
    router = portal.router("http://127.0.0.1:8000")
    assert isinstance(router, Router) and _digest(router, portal.site) == pinned
    assert {e.id for e in portal.expected_articles()} == site.expected_ids()
    profile, base = portal.profile, "http://127.0.0.1:8000"
    for a in site.articles[:50]:
        op = f"{a.category.alias}/{a.slug}-{a.id}.html"
        assert build_url(base, profile, op, module="news") == base + site.article_url_path(a)
        assert build_url(base, profile, "print/" + op) == base + site.print_url_path(a)
    c = site.categories[0].alias
    assert build_url(base, profile, f"{c}/page-3") == base + site.category_page_path(c, 3)


def test_command_line_serves_a_scheme() -> None:
    """``python -m scraper.replica --scheme query`` prints its address first and serves that scheme."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "scraper.replica", "--scheme", "query", "--port", "0", "--articles", "20"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        base = proc.stdout.readline().strip()  # type: ignore[union-attr]
        assert base.startswith("http://127.0.0.1:")
        assert "news modules news (15 articles), thong-bao (5 articles)" in proc.stdout.readline()  # type: ignore[union-attr]
        portal = Portal(20, scheme="query")
        e = portal.expected_articles()[0]
        status, _, body = fetch(base + e.path)
        assert status == 200 and b"?language=vi&amp;nv=news&amp;op=" in body
        assert fetch(base + "/vi/news/")[0] == 404  # no rewriting on this site
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    bad = subprocess.run([sys.executable, "-m", "scraper.replica", "--scheme", "query", "--faults", "chaos"],
                         capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2 and "--faults needs --scheme laichau" in bad.stderr
