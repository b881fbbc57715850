"""Another NukeViet portal for the ``nukeviet`` spider's tests: any address scheme, two news
modules whose ids overlap, and modules that are not news.

``Portal(scheme="laichau")`` is today's replica (one ``Site``, its markup byte for byte). Every
other scheme is a district police portal in NukeViet's default theme with two copies of the news
module (``tin-tuc`` or ``news``, and ``thong-bao``; each a ``Site`` with its own categories and its
own ids, which overlap: article 2670 of one is not article 2670 of the other) beside a page module
``gioi-thieu`` (``<alias>.html``, one alias ending in a number), a legal-documents module
``van-ban`` (``detail/<slug>-<id>.html``: an article's shape; its own pager) and a contact module
``lien-he``. Addresses are written by ``scraper.sites.addresses.build_url`` with the scheme's
profile; what a crawl should find is stated by ``expected_articles`` and ``expected_record``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil
from typing import TYPE_CHECKING

from ..sites.addresses import Kind, article_key, build_url, parse
from . import words as W
from .render import visible_date
from .schemes import LANGUAGE, Scheme, find_scheme
from .site import VN_TZ, Article, Site, nfc, slugify, wrong_slug

if TYPE_CHECKING:
    from .portal_routes import PortalRouter
    from .routes import Router

#: The modules that are not news, by name: what each is (NukeViet's module file) and its title.
PAGE_MODULE, LAWS_MODULE, CONTACT_MODULE = "gioi-thieu", "van-ban", "lien-he"
OTHER_MODULES: dict[str, tuple[str, str]] = {
    PAGE_MODULE: ("page", "Giới thiệu"),
    LAWS_MODULE: ("laws", "Văn bản"),
    CONTACT_MODULE: ("contact", "Liên hệ"),
}
#: Titles of the news modules as their names suggest.
_NEWS_TITLES = {"tin-tuc": "Tin tức", "news": "Tin tức", "thong-bao": "Thông báo"}
_MODULE_CATEGORIES = [(a, n) for a, n in W.KNOWN_CATEGORIES if a != "thong-bao"] + [
    (slugify(n), n) for n in W.EXTRA_CATEGORIES
]
#: Home label of NukeViet's default language file (today's portal's theme says "Trang chủ").
HOME_LABEL = "Trang nhất"
LAICHAU_HOME_LABEL = "Trang chủ"


@dataclass(frozen=True)
class NewsModule:
    """One copy of the news module: its name in addresses, its title, its content and how its
    main page lists articles (``page``: NukeViet's ``viewcat_page``, with dates; ``list``:
    ``viewcat_list``, titles only)."""

    name: str
    title: str
    site: Site
    layout: str


@dataclass(frozen=True)
class AboutPage:
    """An item of the page module, at ``<module>/<alias>.html``."""

    alias: str
    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Document:
    """A legal document of the laws module, at ``<module>/detail/<slug>-<id>.html``."""

    id: int
    slug: str
    number: str
    kind: str
    title: str
    issued: datetime
    signer: str


@dataclass(frozen=True)
class ExpectedArticle:
    """An article a complete crawl must record once: its module's name, its id (per module), its
    canonical address (a path: prefix the server's ``base_url``) and the key
    ``scraper.sites.addresses.article_key`` gives it with the portal's profile."""

    module: str
    id: int
    path: str
    key: str


class Portal:
    """A NukeViet portal in one address scheme; serve it with ``ReplicaServer(portal)``.

    ``n_articles`` is shared by the news modules (a quarter, rounded down, to the second); each
    module's ``Site`` grows as ``Site`` does, so ``Portal(n + k)`` is ``Portal(n)`` after
    ``add_articles(k)``. ``n_categories`` is the first module's (the second has three, one alias
    shared with the first).
    """

    def __init__(
        self,
        n_articles: int = 200,
        n_categories: int = 5,
        per_page: int = 20,
        seed: int = 0,
        scheme: str | Scheme = "lang-module",
        *,
        missing_rate: float = 0.01,
        wrong_slug_rate: float = 0.02,
        n_documents: int = 25,
        documents_per_page: int = 10,
        host_label: str | None = None,
    ) -> None:
        self.scheme = find_scheme(scheme)
        self.seed = seed
        self.n_articles = n_articles
        self.per_page = per_page
        rates = dict(missing_rate=missing_rate, wrong_slug_rate=wrong_slug_rate)
        if self.scheme.laichau:
            site = Site(n_articles, n_categories, per_page=per_page, seed=seed, **rates,
                        **({"host_label": host_label} if host_label else {}))
            self.news = [NewsModule(self.scheme.news[0], "Tin tức", site, "page")]
            self.host_label = site.host_label
            self.about: list[AboutPage] = []
            self.documents: list[Document] = []
            self.other_modules: dict[str, tuple[str, str]] = {}
        else:
            self.host_label = host_label or "Công an huyện Tam Đường"
            counts = _shares(n_articles)
            cats = (_MODULE_CATEGORIES[: max(1, n_categories)], W.NOTICE_CATEGORIES)
            self.news = [
                NewsModule(
                    name, _NEWS_TITLES.get(name, name), layout=("page", "list")[i % 2],
                    site=Site(counts[i], per_page=per_page, seed=f"{seed}:m{i}", host_label=self.host_label,
                              categories=cats[i], upload_dir=name, **rates),
                )
                for i, name in enumerate(self.scheme.news)
            ]
            self.about = [AboutPage(a, t, tuple(ps)) for a, t, ps in W.ABOUT_PAGES]
            self.documents = _documents(seed, n_documents)
            self.other_modules = dict(OTHER_MODULES)
        self.documents_per_page = documents_per_page
        self.profile = self.scheme.profile(frozenset(self.other_modules))
        self._by_name = {m.name: m for m in self.news}

    def add_articles(self, k: int) -> list[tuple[str, Article]]:
        """Publish ``k`` newer articles, shared as the constructor shares them: (module, article)."""
        if self.scheme.laichau:
            self.n_articles += k
            return [(self.news[0].name, a) for a in self.site.add_articles(k)]
        before, self.n_articles = _shares(self.n_articles), self.n_articles + k
        return [(m.name, a) for m, old, new in zip(self.news, before, _shares(self.n_articles), strict=True)
                for a in m.site.add_articles(new - old)]

    # ----- what the portal holds ---------------------------------------------------------------

    @property
    def site(self) -> Site:
        """The first news module's content (today's portal's ``Site`` under ``laichau``)."""
        return self.news[0].site

    @property
    def generation(self) -> int:
        """Changes whenever any module's content does (a server's page cache follows it)."""
        return sum(m.site.generation for m in self.news)

    @property
    def module_names(self) -> list[str]:
        """Every module the addresses may name: the news modules first."""
        return [m.name for m in self.news] + list(self.other_modules)

    def module(self, name: str) -> NewsModule:
        return self._by_name[name]

    def is_news(self, name: str | None) -> bool:
        return name in self._by_name

    def document(self, doc_id: int) -> Document | None:
        return next((d for d in self.documents if d.id == doc_id), None)

    def about_page(self, alias: str) -> AboutPage | None:
        return next((p for p in self.about if p.alias == alias), None)

    # ----- addresses (paths: the server's base_url goes in front) ----------------------------

    def url(self, op: str, module: str = "") -> str:
        """``op`` of ``module`` in the portal's scheme, as NukeViet's rewriter writes it."""
        return build_url("", self.profile, op, module=module)

    def home_path(self) -> str:
        """The home page's own address (``/`` answers too)."""
        return "/" if self.scheme.laichau else self.url("")

    def module_path(self, module: str, page: int = 1) -> str:
        return self.url("" if page <= 1 else f"page-{page}", module)

    def category_path(self, module: str, alias: str, page: int = 1) -> str:
        if self.scheme.laichau:
            return self.site.category_page_path(alias, page)
        return self.url(alias if page <= 1 else f"{alias}/page-{page}", module)

    def article_op(self, a: Article, slug: str | None = None) -> str:
        """The news module's op for an article: ``<cat>/<slug>-<id>.html`` (``rewrite_exturl``
        included in the query form too, as NukeViet writes it)."""
        return f"{a.category.alias}/{a.slug if slug is None else slug}-{a.id}.html"

    def article_path(self, module: str, a: Article) -> str:
        """The article's canonical address."""
        if self.scheme.laichau:
            return self.site.article_url_path(a)
        return self.url(self.article_op(a), module)

    def listing_path(self, module: str, a: Article) -> str:
        """What listings link to: the canonical address, or a stale slug (``wrong_slug_ids``)."""
        site = self.module(module).site
        if self.scheme.laichau:
            return site.listing_url_path(a)
        if a.id in site.wrong_slug_ids:
            return self.url(self.article_op(a, wrong_slug(a.slug)), module)
        return self.article_path(module, a)

    def view_path(self, module: str, a: Article, kind: str = "print") -> str:
        """The print or savefile view (``kind``) of an article."""
        if self.scheme.laichau:
            return self.site.print_url_path(a, kind)
        return self.url(f"{kind}/{self.article_op(a)}", module)

    def tag_path(self, module: str, alias: str) -> str:
        return f"/tag/{alias}" if self.scheme.laichau else self.url(f"tag/{alias}", module)

    def rss_path(self, module: str, alias: str | None = None) -> str:
        if self.scheme.laichau:
            return f"/rss/{alias}/" if alias else "/rss/"
        return self.url(f"rss/{alias}" if alias else "rss", module)

    def sitemap_path(self, module: str) -> str:
        """A module's sitemap as NukeViet's sitemap index names it: ``/sitemap-vi.<module>.xml``
        with the server's rewrite rules, else the module's ``sitemap`` op."""
        if self.scheme.rewrite_file:
            return f"/sitemap-{LANGUAGE}.{module}.xml"
        return self.url("sitemap", module)

    def about_path(self, item: AboutPage) -> str:
        return self.url(f"{item.alias}.html", PAGE_MODULE)

    def document_path(self, doc: Document) -> str:
        return self.url(f"detail/{doc.slug}-{doc.id}.html", LAWS_MODULE)

    def laws_path(self, page: int = 1) -> str:
        return self.module_path(LAWS_MODULE, page)

    def laws_page_count(self) -> int:
        return max(1, ceil(len(self.documents) / self.documents_per_page))

    def sitemap_modules(self) -> list[str]:
        """Modules the sitemap index names (NukeViet lists every module with a sitemap function:
        news, pages, legal documents; contact has none)."""
        if self.scheme.laichau:
            return [self.news[0].name]
        return [m.name for m in self.news] + [PAGE_MODULE, LAWS_MODULE]

    # ----- listings ------------------------------------------------------------------------------

    def module_articles(self, module: str) -> list[Article]:
        """A module's main page lists all its articles, newest first."""
        return self.module(module).site.latest()

    def module_page_count(self, module: str) -> int:
        return max(1, ceil(len(self.module_articles(module)) / self.per_page))

    def category_layout(self, module: str, alias: str) -> str:
        """NukeViet's per-category ``viewcat``: ``page`` (dates, views) or ``list`` (titles only),
        alternating along each module's menu."""
        site = self.module(module).site
        index = next(i for i, c in enumerate(site.categories) if c.alias == alias)
        return ("page", "list")[index % 2]

    # ----- what a crawl must find --------------------------------------------------------------

    def expected_articles(self) -> list[ExpectedArticle]:
        """Every article a complete crawl records once (the 404 ones left out), module by module."""
        out = []
        for m in self.news:
            for a in m.site.articles:
                if a.id in m.site.missing_ids:
                    continue
                path = self.article_path(m.name, a)
                out.append(ExpectedArticle(m.name, a.id, path, article_key("http://replica" + path, self.profile)))
        return out

    def document_paths(self) -> set[str]:
        """The documents of the modules that are not news (page items, legal documents): a news
        crawl must never ask for one."""
        return {self.about_path(p) for p in self.about} | {self.document_path(d) for d in self.documents}

    def other_module_paths(self) -> set[str]:
        """The roots and listing pages of the modules that are not news: what discovery may read."""
        paths = {self.module_path(name) for name in self.other_modules}
        if self.documents:
            paths |= {self.laws_path(n) for n in range(2, self.laws_page_count() + 1)}
        return paths

    def module_of(self, target: str) -> str | None:
        """The module a request target (as the server logs it) belongs to, by the portal's own
        reading of its addresses (under ``laichau``, by the address rule's: its one module's
        addresses name none); None for the home page, feeds, files and unknown addresses."""
        if self.scheme.laichau:
            found = parse("http://replica" + target, self.profile)
            return self.news[0].name if found.module == "" and found.kind not in (Kind.OTHER, Kind.MODULE) else None
        from .portal_routes import decode

        found = decode(self, target)
        return found.module if found is not None else None

    def breadcrumbs(self, module: str, a: Article, base: str) -> list[tuple[str, str]]:
        """The article page's breadcrumbs, (name, absolute address): home, the module (when it is
        not the one its addresses leave out), the category."""
        cat = a.category
        if self.scheme.laichau:
            return [(LAICHAU_HOME_LABEL, base + "/"), (cat.name, base + f"/{cat.alias}/")]
        m = self.module(module)
        return [
            (HOME_LABEL, base + self.home_path()),
            (m.title, base + self.module_path(module)),
            (cat.name, base + self.category_path(module, cat.alias)),
        ]

    def side_articles(self) -> list[tuple[str, Article]]:
        """The "Tin mới nhất" block every page shows: the first module's newest."""
        m = self.news[0]
        return [(m.name, a) for a in m.site.latest(m.site.latest_count)]

    def related(self, module: str, a: Article, base: str) -> list[tuple[str, str, str, str | None]]:
        """The article page's link lists in page order: (section, title, absolute address, date as
        shown or None)."""
        site = self.module(module).site
        out: list[tuple[str, str, str, str | None]] = []
        for label, lst in (("Những tin mới hơn", site.newer_in_category(a)), ("Những tin cũ hơn", site.older_in_category(a))):
            out += [(label, r.title, base + self.article_path(module, r), f"{r.published:%d/%m/%Y}") for r in lst]
        out += [("Tin mới nhất", r.title, base + self.article_path(m, r), None) for m, r in self.side_articles()]
        return out

    def expected_record(self, module: str, a: Article, base: str, view: str | None = None) -> dict:
        """The record the article's page (or its ``print``/``savefile`` ``view``) states, as the
        project's page objects should read it: what a test compares ``extract_article`` with."""
        record: dict = {
            "url": base + self.article_path(module, a),
            "article_id": str(a.id),
            "title": a.title,
            "published_at_raw": visible_date(a),
            "summary": a.hometext,
            "body_text": a.body_text,
            "author": a.author,
            "source": a.source,
        }
        if view is None:
            record["tags"] = [t.name for t in a.tags]
            record["breadcrumbs"] = self.breadcrumbs(module, a, base)
            record["related"] = self.related(module, a, base)
        return record

    # ----- serving -------------------------------------------------------------------------------

    def router(self, base: str) -> Router | PortalRouter:
        """The router a ``ReplicaServer`` serves this portal with: today's for ``laichau``."""
        if self.scheme.laichau:
            from .routes import Router

            return Router(self.site, base)
        from .portal_routes import PortalRouter

        return PortalRouter(self, base)


def _shares(n: int) -> tuple[int, int]:
    """Articles of the two news modules: three quarters to the first."""
    return n - n // 4, n // 4


def _documents(seed: int, n: int) -> list[Document]:
    """Legal documents, newest last, ids from 1 with gaps (deleted drafts), dated a week or more apart."""
    rng = random.Random(f"{seed}:documents")
    when = datetime(2022, 1, 10, 8, 0, tzinfo=VN_TZ)
    out, doc_id = [], 0
    for _ in range(n):
        doc_id += rng.choice([1, 1, 1, 2])
        when += timedelta(days=rng.randint(7, 40))
        code, kind = rng.choice(W.DOCUMENT_KINDS)
        subject = rng.choice(W.DOCUMENT_SUBJECTS).format(place=rng.choice(W.PLACES), y=when.year)
        title = nfc(f"{kind} về việc {subject}")
        number = f"{rng.randint(10, 999)}/{code}-CAH"
        out.append(Document(doc_id, slugify(f"{number} {kind}"), number, kind, title, when, rng.choice(W.SIGNERS)))
    return out
