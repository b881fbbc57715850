"""Any NukeViet 4.x portal: root → news modules and categories → pages → articles.

Navigation only: every page is handed to a page object, and every record to the pipelines.
``-a base_url=URL1,URL2`` (or ``-a base_url=@file`` of addresses) crawls several portals in one
run; Scrapy keeps its politeness per host. Each portal's news modules and categories come from
the site itself (``scraper.sites.discovery``: its root page and ``/sitemap.xml``), and no request
goes into a module that is not news beyond what discovery reads.

Two phases: every listing of the run is read first, then (when the crawl falls idle) the
articles they found are requested, each carrying what every listing said of it, so a record
never depends on the order pages arrived in. What the listings found waits in the state
(``state.FoundTable``), not in the spider, and goes to the scheduler a bounded batch at a time.
A category walk stops early only on what a completed walk proved (``scraper.walks``).
``laichau`` is this spider with the first portal's preset.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Request, Response

from ..dates import parse_time
from ..decoding import content_type, response_text
from ..errors import Refused
from ..items import ArticleItem
from ..pages import ExtractionLimit, NotAnArticle, extract_article, parse
from ..pages.listing import ListingEntry, ListingPage, ListingSummary, apply_listing, summarize_listing
from ..sites.addresses import CATEGORY_KINDS, DEFAULT, Kind, SiteProfile
from ..sites.addresses import parse as parse_address
from ..sites.discovery import NewsScope, discover
from ..state import FoundTable
from ..urls import canonical_article_url, is_article_url, same_site, site_key, site_of
from ..walks import WalkLedger
from ..workers import ExtractionPool, WorkerLost
from .base import StatefulSpider, flag

logger = logging.getLogger(__name__)
T = TypeVar("T")

MODES = ("full", "latest")


@dataclass
class Portal:
    """One site of the crawl: its root address and, once read, what its own pages say of it."""

    root: str  #: the root address, without a trailing "/"
    site: str  #: the record's ``site``: its host (``urls.site_of``)
    profile: SiteProfile = DEFAULT  #: how the site writes its addresses
    scope: NewsScope | None = None  #: its news modules, where discovery ran (``nukeviet``)
    categories: list[str] = field(default_factory=list)  #: the walks it starts, by listing address

    def allows(self, url: str) -> bool:
        """Whether an address may be asked for: one of the site's news modules where discovery
        found them; every address of the site otherwise (today's portal, read by its menu)."""
        return self.scope.allows(url) if self.scope is not None else True

    def adopt(self, scope: dict | None) -> None:
        """What discovery found, carried by a request (a distributed crawl's listings may reach
        a worker that did not run it)."""
        if scope is not None and self.scope is None:
            self.scope = NewsScope.from_json(scope)
            self.profile = self.scope.profile

    def carried(self) -> dict | None:
        return self.scope.to_json() if self.scope is not None else None


def portal_roots(value: str | None) -> list[str]:
    """``-a base_url=URL1,URL2`` or ``@file`` (one address a line, ``#`` comments): each an http(s)
    root, refused in one line otherwise."""
    if not value or not value.strip():
        raise Refused("-a base_url: the root address of a NukeViet portal is needed, e.g. https://example.gov.vn")
    if value.startswith("@"):
        try:
            lines = Path(value[1:]).read_text("utf-8").splitlines()
        except OSError as exc:
            raise Refused(f"-a base_url={value}: cannot read the file of addresses ({exc.strerror})") from None
        items = [line.split("#", 1)[0].strip() for line in lines]
    else:
        items = [item.strip() for item in value.split(",")]
    roots = []
    for item in filter(None, items):
        parts = urlsplit(item)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Refused(f"-a base_url={item}: an http(s) address is needed, e.g. http://127.0.0.1:8000")
        roots.append(item.rstrip("/"))
    if not roots:
        raise Refused(f"-a base_url={value}: no address in it")
    return list(dict.fromkeys(roots))


class NukeVietSpider(StatefulSpider):
    name = "nukeviet"
    uses_extraction_pool = True
    #: A live fetch: the archive fields stay null (RECORD.md); only ``wayback`` fills them.
    never_fills = ("archived_at", "archive_url")

    def __init__(
        self,
        base_url: str | None = None,
        categories: str | None = None,
        mode: str = "full",
        since: str | None = None,
        refresh: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        roots = portal_roots(base_url)
        self.portals = {site_of(root): Portal(root, site_of(root)) for root in roots}
        self.base_url = roots[0]
        # Scrapy's offsite filter drops any request, redirects included, to another host.
        self.allowed_domains = sorted({urlsplit(root).hostname.removeprefix("www.") for root in roots})
        if mode not in MODES:
            raise Refused(f"-a mode={mode}: the modes are {', '.join(MODES)}")
        self.mode = mode
        self.only_categories = {c.strip().strip("/") for c in categories.split(",") if c.strip()} if categories else None
        try:
            self.since: date | None = date.fromisoformat(since) if since else None
        except ValueError:
            raise Refused(f"-a since={since}: a day as YYYY-MM-DD is needed, e.g. 2025-01-01") from None
        self.refresh = flag(refresh, "refresh")
        self._found: FoundTable | None = None
        #: Article requests made and not yet answered (see ``top_up``); None: not counted (distributed).
        self.articles_out: int | None = 0
        self.articles_phase = False  #: every listing is read: articles are being requested
        #: This run's category walks, by name ("<site>/<category>"; the state's ledger once the crawler is known).
        self.walks = WalkLedger()
        #: Per walk, (page reached, last page its pager shows): what remains is knowable.
        self.pager: dict[str, tuple[int, int]] = {}
        self.per_page_seen = 20
        self.listings_seen = False
        self.unread: set[str] = set()  #: portals whose news modules are not known yet

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.state is not None:
            spider.walks = spider.state.ledger()
            if len(spider.portals) == 1:  # keys from before keys named their site can only be this portal's
                [site] = spider.portals
                moved = spider.state.adopt_unsited(site)
                if moved > 0:
                    logger.info("state: %d keys from before keys named their site given %s", moved, site)
        if crawler.settings.getbool("DISTRIBUTED"):
            spider.articles_out = None
        crawler.signals.connect(spider.request_articles, signal=signals.spider_idle)
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.redirected_article, signal=signals.request_scheduled)
        crawler.signals.connect(spider.record_lost, signal=signals.item_error)
        return spider

    def record_lost(self, response: Response) -> None:
        """A record that never reached the feed: its walk cannot vouch for it next time."""
        request = getattr(response, "request", None)
        self.walks.failed(request.cb_kwargs.get("walk") if request is not None else None)

    @property
    def found(self) -> FoundTable:
        """This run's articles found by the listings, merged: in the state (a private table without one)."""
        if self.state is not None:
            return self.state.found
        if self._found is None:
            self._found = FoundTable.private()
        return self._found

    # -- the portals -----------------------------------------------------------------------------
    def portal(self, url: str) -> Portal | None:
        return self.portals.get(site_of(url))

    def key(self, url: str) -> str:
        """The key an article is remembered by (``urls.site_key``), read with its portal's settings."""
        portal = self.portal(url)
        return site_key(url, portal.profile if portal is not None else None)

    def position(self, url: str) -> tuple[str, int] | None:
        """(walk, page) of a listing address: the walk is "<site>/<category>" in the site's home
        module, "<site>/<module>/<category>" in a named one, "<site>/<module>" for a module's own
        listing; None for any other address."""
        portal = self.portal(url)
        if portal is None:
            return None
        a = parse_address(url, portal.profile)
        if a.kind in CATEGORY_KINDS and a.category:
            return "/".join(filter(None, (portal.site, a.module, a.category))), a.page
        if a.kind is Kind.MODULE and a.module:
            return f"{portal.site}/{a.module}", a.page
        return None

    # -- start ---------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        for portal in self.portals.values():
            self.unread.add(portal.site)
            yield Request(portal.root + "/", callback=self.parse_root, errback=self.root_failed, priority=100,
                          cb_kwargs={"site": portal.site})

    def root_failed(self, failure) -> None:
        self.failed(failure)
        request = getattr(failure, "request", None)
        self.portal_unread(request.cb_kwargs.get("site") if request is not None else None, "its root page did not answer")

    def portal_unread(self, site: str | None, why: str) -> None:
        """A portal whose news modules could not be found: said in one line; a run where no portal
        could be read ends refused (exit 2), not as an empty success."""
        portal = self.portals.get(site or "")
        if portal is None or site not in self.unread:
            return
        self.unread.discard(site)
        self.crawler.stats.inc_value("crawl/portals_unread")
        message = f"no NukeViet news module found at {portal.root}/ ({why})"
        if not self.unread and not any(p.categories for p in self.portals.values()):
            self.refuse(message)
        else:
            logger.error("%s", message)

    # -- discovery -----------------------------------------------------------------------------
    def listing_page(self, response: Response) -> ListingPage | None:
        """The page object for a listing; None (logged, counted) when the page is unreadable."""
        try:
            return ListingPage(parse(response_text(response)), response.url)
        except (NotAnArticle, AttributeError) as exc:  # empty or binary body
            return self.unreadable_listing(response, exc)

    def unreadable_listing(self, response: Response, exc: Exception) -> None:
        logger.warning("%s: unreadable listing page (%s)", response.url, exc)
        self.crawler.stats.inc_value("crawl/unreadable_listings")

    def parse_root(self, response: Response, site: str) -> Iterable[Request]:
        """The root page; its sitemap index next, then discovery from both. What discovery reads
        travels in the requests (bytes, not responses): any worker of a distributed crawl may
        answer the next one."""
        root = self.portals[site].root
        yield Request(root + "/sitemap.xml", callback=self.parse_sitemap_index, errback=self.sitemap_failed,
                      cb_kwargs={"site": site, "home": (response.url, response.body)}, priority=100,
                      meta={"handle_httpstatus_list": [403, 404, 410, 500]})

    def sitemap_failed(self, failure) -> Iterable[Request]:
        """No sitemap index: discovery reads the root page alone."""
        kwargs = failure.request.cb_kwargs
        return self.discovered(kwargs["site"], kwargs["home"], None)

    def parse_sitemap_index(self, response: Response, site: str, home: tuple[str, bytes]) -> Iterable[Request]:
        return self.discovered(site, home, response.body if response.status == 200 else None)

    def parse_module_page(
        self, response: Response, site: str, home: tuple[str, bytes], sitemap: bytes | None,
        pages: dict[str, bytes], ahead: list[str],
    ) -> list[Request]:
        """A module the root page and sitemap could not tell apart: its own page, for discovery;
        one after another, so the pages read so far travel with the next request."""
        if response.status == 200:
            pages = {**pages, response.url: response.body}
        if ahead:
            return [self.module_page_request(site, home, sitemap, pages, ahead)]
        return self.discovered(site, home, sitemap, pages)

    def module_page_failed(self, failure) -> list[Request]:
        self.failed(failure)
        request = failure.request
        return self.parse_module_page(Response(request.url, status=0, request=request), **request.cb_kwargs)

    def module_page_request(
        self, site: str, home: tuple[str, bytes], sitemap: bytes | None, pages: dict[str, bytes], ahead: list[str]
    ) -> Request:
        return Request(ahead[0], callback=self.parse_module_page, errback=self.module_page_failed, priority=100,
                       cb_kwargs={"site": site, "home": home, "sitemap": sitemap, "pages": pages, "ahead": ahead[1:]},
                       meta={"handle_httpstatus_all": True})

    def discovered(
        self, site: str, home: tuple[str, bytes], sitemap: bytes | None, module_pages: dict[str, bytes] | None = None
    ) -> list[Request]:
        portal = self.portals[site]
        try:
            found = discover(home[1], home[0], sitemap, module_pages)
        except Exception as exc:  # a page no parser reads: said, never a crash of the crawl
            self.portal_unread(site, f"unreadable: {exc}")
            return []
        unknown = [m.url for m in found.other if m.kind == "unknown"]
        if module_pages is None and unknown:  # one page of each, then discovery again
            self.crawler.stats.inc_value("crawl/discovery_module_pages", len(unknown))
            return [self.module_page_request(site, home, sitemap, {}, unknown)]
        if not found.news:
            why = "it is not NukeViet" if not found.nukeviet else "NukeViet, but no news module"
            self.portal_unread(site, why)
            return []
        portal.scope, portal.profile = found.scope, found.profile
        listings = [(m.name, c.alias, c.url) for m in found.news for c in m.categories]
        listings += [(m.name, None, m.url) for m in found.news if not m.categories]
        if self.only_categories is not None:
            names = {alias for _, alias, _ in listings if alias}
            missing = self.only_categories - names
            if missing:
                self.refuse(f"-a categories: not among {portal.root}'s categories: {', '.join(sorted(missing))}; "
                            f"it has: {', '.join(sorted(names))}")
                return []
            listings = [x for x in listings if x[1] in self.only_categories]
        portal.categories = [url for _, _, url in listings]
        self.unread.discard(site)
        modules = ", ".join(m.name or "(home)" for m in found.news)
        logger.info("%s: news modules %s; %d listings to walk", portal.root, modules, len(listings))
        self.crawler.stats.inc_value("crawl/categories", len(listings))
        return self.walk_requests(portal.categories)

    def walk_requests(self, urls: Iterable[str]) -> list[Request]:
        """Page 1 of each walk."""
        out = []
        for url in urls:
            at = self.position(url)
            portal = self.portal(url)
            kwargs = {"page": 1, "walk": at[0] if at else None}
            if portal is not None and portal.scope is not None:
                kwargs["scope"] = portal.carried()
            out.append(Request(url, callback=self.parse_listing, errback=self.failed, cb_kwargs=kwargs, priority=50))
        return out

    async def read_listing(self, response: Response) -> ListingSummary | None:
        """A category page's entries and pager, from an extraction worker where there is a pool;
        None (logged, counted) when the page is unreadable."""
        try:
            return await self.extracted(
                response,
                lambda pool: pool.listing(response.body, response.url, content_type(response)),
                lambda: summarize_listing(response_text(response), response.url),
            )
        except (NotAnArticle, AttributeError) as exc:  # empty or binary body
            return self.unreadable_listing(response, exc)

    async def parse_listing(
        self, response: Response, page: int, walk: str | None = None, scope: dict | None = None
    ) -> list[Request]:
        """A coroutine returning its requests, not an async generator: Scrapy then runs its spider
        middlewares over a plain list, a measurable saving per page of a fast crawl. ``scope``:
        what discovery found of the portal, wherever it ran."""
        if scope is not None and (portal := self.portal(response.url)) is not None:
            portal.adopt(scope)
        if page == 1 and walk is not None:
            mark = self.state.open_walk(walk) if self.state is not None else None
            self.walks.open(walk, None if self.refresh else mark)
        here = self.position(response.url)
        if page > 1 and (here is None or here[1] == 1):
            logger.debug("%s redirected back to page 1: end of category", response.request.url)
            self.walks.end(walk)
            return []
        summary = await self.read_listing(response)
        if summary is None:
            return []
        next_url = summary.next_url
        self.crawler.stats.inc_value("crawl/listing_pages")
        primary = summary.entries
        self.listings_seen = True
        if here is not None:
            self.pager[here[0]] = (page, max(page, summary.last_page or page))
            if page == 1 and next_url and primary:
                self.per_page_seen = len(primary)
        self.follow_entries(primary, walk)
        stop = self.stop_reason(response.url, next_url, primary, self.walks.mark(walk))
        if stop:
            reason, complete = stop
            logger.info("%s: %s; this category's walk ends here", response.url, reason)
            self.pager.pop(here[0] if here else "", None)
            if complete:
                self.walks.end(walk)
            return []
        return [Request(
            next_url, callback=self.parse_listing, errback=self.failed,
            cb_kwargs={"page": page + 1, "walk": walk, **({"scope": scope} if scope is not None else {})},
            priority=40 - page,
        )]

    def stop_reason(
        self, url: str, next_url: str | None, primary: list[ListingEntry], mark: str | None
    ) -> tuple[str, bool] | None:
        """Why a category walk ends at this page and whether it ended complete (it saw every
        article it had to), or None to go on to ``next_url``. ``mark``: see ``scraper.walks``."""
        if not next_url:
            return "no next page", True
        if mark and self.state is not None:
            keys = {self.key(e.url) for e in primary}
            if keys and keys <= self.state.known(keys) and (
                _shown_before(primary, mark) or self.state.captured_before(keys, mark)
            ):
                return "every article from here on was captured by the last complete walk", True
        if self.mode == "latest":
            return "latest mode reads first pages only", False
        if not primary:
            return "a next page but no articles", False
        portal = self.portal(url)
        if portal is None or not same_site(next_url, portal.root):
            return "the next page is on another host", False
        if not portal.allows(next_url):
            return "the next page is outside the site's news modules", False
        if self.since and self._all_before_since(primary):
            return f"every article is older than {self.since}", False
        return None

    def settle_walks(self) -> None:
        """At the end of a run that finished: mark the walks that proved themselves complete."""
        done = list(self.walks.completed())
        self.state.complete_walks(done)
        logger.info("category walks complete: %d of %d", len(done), len(self.walks))

    def pages_ahead(self) -> int | None:
        """Listing pages still ahead across categories, from their pagers (None before any)."""
        if not self.listings_seen:
            return None
        return sum(last - page for page, last in self.pager.values())

    # -- articles ------------------------------------------------------------------------------
    def follow_entries(self, entries: Iterable[ListingEntry], walk: str | None = None) -> None:
        """Note the articles a listing shows, in the found table; they are requested once every
        listing is read."""
        fresh = []
        for e in entries:
            portal = self.portal(e.url)
            if portal is not None and is_article_url(e.url, portal.profile) and portal.allows(e.url):
                fresh.append((self.key(e.url), e))
        known = set() if self.refresh or self.state is None else self.state.known({k for k, _ in fresh})
        self.found.add(((k, e) for k, e in fresh if k not in known), walk)

    #: Article requests out at once (requested, not yet answered), as a multiple of
    #: CONCURRENT_REQUESTS; refilled by halves, so the downloader never waits for the next batch.
    ARTICLE_BATCH_FACTOR = 4

    def article_batch(self) -> int:
        return max(2, self.ARTICLE_BATCH_FACTOR * self.crawler.settings.getint("CONCURRENT_REQUESTS", 16))

    def request_articles(self) -> None:
        """When the crawl falls idle, every listing is read: request the articles they found, a
        batch at a time (``top_up``).

        Each request carries everything the run's listings said of its article, so its record
        is the same whatever order the pages came in, and equal to ``extract``'s from a WARC.
        """
        if not self.articles_phase:
            waiting = self.found.waiting()
            if not waiting:
                return
            self.articles_phase = True
            logger.info("listings read: requesting %d articles", waiting)
        if self.articles_out is not None:
            self.articles_out = 0  # idle: none is out
        if self.top_up():
            raise DontCloseSpider

    def top_up(self) -> int:
        """Request found articles until a batch (``article_batch``) is out; returns how many.

        The scheduler holds at most a batch of article requests, not every article found (a
        request, its listing entry and Scrapy's caches of it cost about 2 KB an article, and the
        dupefilter's fingerprint more: the table dedups article requests, which skip it). In a
        distributed crawl the queue is in Redis: everything found goes there at once, and the
        shared dupefilter keeps two workers (each with its own table) from fetching one article.
        """
        if self.articles_out is None:
            sent = 0
            while rows := self.found.take(500):
                self.request_found(rows, dont_filter=False)
                sent += len(rows)
            return sent
        batch = self.article_batch()
        if batch - self.articles_out < batch // 2:
            return 0
        rows = self.found.take(batch - self.articles_out)
        if rows:
            self.articles_out += len(rows)
            self.request_found(rows, dont_filter=True)
            stats = self.crawler.stats
            stats.max_value("crawl/articles_out_max", self.articles_out)
            with contextlib.suppress(AttributeError, TypeError):  # the engine's internals vary across Scrapy versions
                stats.max_value("crawl/scheduler_max", len(self.crawler.engine._slot.scheduler))
        return len(rows)

    def request_found(self, rows: list[tuple[str, ListingEntry, str | None]], dont_filter: bool) -> None:
        """A request per found article, carrying what every listing said of it (``rows``: ``FoundTable.take``)."""
        for key, entry, walk in rows:
            self.walks.requested(walk)
            portal = self.portal(entry.url)
            self.crawler.engine.crawl(Request(
                canonical_article_url(entry.url, portal.profile if portal is not None else None),
                callback=self.parse_article,
                errback=self.article_failed,
                cb_kwargs={"key": key, "listed": entry, "walk": walk},
                meta={"handle_httpstatus_list": [404, 410], "article": True},
                dont_filter=dont_filter,
            ))

    def article_answered(self) -> None:
        """An article request left the crawl (answered, failed, dropped): the next batch may go."""
        if self.articles_out is not None:
            self.articles_out = max(0, self.articles_out - 1)
            if self.articles_phase:
                self.top_up()

    def request_dropped(self, request: Request) -> None:
        """An article request the scheduler refused: only a distributed crawl's shared dupefilter
        refuses one (ours skip it), when another request for that article went first, from this
        worker or another, under another walk or none (a home page's). That request answers for
        the article, so this one's walk is not left waiting for it and is not spoiled for the next run."""
        if request.meta.get("article"):
            self.article_answered()
            self.walks.answered(request.cb_kwargs.get("walk"))

    def redirected_article(self, request: Request) -> None:
        """An article request redirected to another host is dropped here, as Scrapy's offsite
        filter drops any other request: it lets pass whatever has ``dont_filter`` (the article
        requests', which Scrapy copies to their redirects and retries)."""
        host = urlsplit(request.url).hostname or ""
        if request.meta.get("article") and not any(host == d or host.endswith("." + d) for d in self.allowed_domains):
            logger.info("%s: an article redirected to another host, not followed", request.url)
            self.crawler.stats.inc_value("crawl/offsite_redirects")
            if self.articles_out:
                self.articles_out -= 1
            raise IgnoreRequest(f"redirected to another host: {request.url}")

    def article_failed(self, failure) -> None:
        """An article that got no response: its walk cannot be trusted next time."""
        self.article_answered()
        self.failed(failure)
        self.walks.failed(failure.request.cb_kwargs.get("walk") if getattr(failure, "request", None) else None)

    async def parse_article(
        self, response: Response, key: str, listed: ListingEntry | None = None, walk: str | None = None
    ) -> list[ArticleItem]:
        """A coroutine returning its one record (see ``parse_listing``)."""
        self.article_answered()
        entry = listed
        if response.status in (404, 410):
            logger.warning("%s: %d, remembered as gone", response.url, response.status)
            self.crawler.stats.inc_value(f"articles/gone/{response.status}")
            if self.state is not None:
                self.state.mark_gone(key, response.url, response.status, self.settings.getfloat("GONE_RETRY_DAYS", 7))
            self.walks.answered(walk)
            return []
        try:
            item = await self.extracted(
                response,
                lambda pool: pool.build(response.body, response.url, entry, content_type(response)),
                lambda: apply_listing(extract_article(response_text(response), response.url), entry),
            )
        except NotAnArticle as exc:
            logger.warning("%s: not an article page (%s)", response.url, exc)
            self.crawler.stats.inc_value("articles/not_an_article")
            self.walks.answered(walk)
            return []
        self.walks.answered(walk)
        if item is None:  # past an extraction bound: reported; its walk is tried again next run
            self.walks.failed(walk)
            return []
        return [item]

    async def extracted(
        self, response: Response, in_worker: Callable[[ExtractionPool], Awaitable[T]], here: Callable[[], T]
    ) -> T | None:
        """A page read by an extraction worker where there is a pool, else in this process; also
        here when its worker died (logged, counted), and while the workers are ``local_backlog``
        pages behind (counted): the crawl process would otherwise soon wait for them, idle.

        None for a page past an extraction bound (``ExtractionLimit``: the nesting guard, the
        workers' ``EXTRACT_TIMEOUT`` or memory limit): a failure in the run report, and never
        extracted again here, where nothing could stop it. Scrapy skips a None in a callback's output.
        """
        pool = self.extraction_pool
        try:
            if pool is not None:
                if not self.local_backlog or pool.backlog() < self.local_backlog:
                    try:
                        return await in_worker(pool)
                    except WorkerLost as exc:
                        logger.error("%s: %s; extracting it in the crawl process", response.url, exc)
                        self.crawler.stats.inc_value("crawl/worker_lost")
                else:
                    self.crawler.stats.inc_value("crawl/extracted_locally")
            return here()
        except ExtractionLimit as exc:
            self.extraction_failed(response.url, exc)
            return None

    def _all_before_since(self, entries: list[ListingEntry]) -> bool:
        days = []
        for e in entries:
            parsed = parse_time(e.published_raw)
            if parsed is None or parsed.value is None:
                return False
            value = parsed.value
            days.append(value.date() if hasattr(value, "date") else value)
        return bool(days) and all(d < self.since for d in days)


def _shown_before(entries: list[ListingEntry], mark: str) -> bool:
    """Whether a listing shows one of ``entries`` published before ``mark`` (UTC, as the state keeps it)."""
    when = datetime.strptime(mark, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    for entry in entries:
        parsed = parse_time(entry.published_raw)
        value = parsed.value if parsed is not None else None
        if isinstance(value, datetime):
            if value < when:
                return True
        elif value is not None and value < when.date():  # a day alone: strictly before the mark's day
            return True
    return False
