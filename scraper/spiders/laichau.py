"""The portal crawl: menu → categories → pages → articles, incremental and resumable.

Navigation only: every page is handed to a page object, and every record to the
pipelines. ``-a base_url=…`` points the same spider at a replica or a sister NukeViet portal.

Two phases: every listing of the run is read first, then (when the crawl falls idle) the
articles they found are requested, each carrying what every listing said of it, so a record
never depends on the order pages arrived in. A category walk stops early only on what a
completed walk proved (``scraper.walks``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from parsel import Selector
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request, Response
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from ..dates import parse_time
from ..decoding import content_type, response_text
from ..errors import Refused
from ..items import ArticleItem
from ..pages import ExtractionLimit, NotAnArticle, extract_article, parse
from ..pages.listing import ListingEntry, ListingPage, ListingSummary, apply_listing, merge_entry, summarize_listing
from ..urls import article_key, canonical_article_url, category_alias, is_article_url, same_site
from ..walks import WalkLedger
from ..workers import ExtractionPool, WorkerLost
from .base import StatefulSpider, flag

logger = logging.getLogger(__name__)
T = TypeVar("T")

MODES = ("full", "latest")
DEFAULT_BASE_URL = "https://congan.laichau.gov.vn"


@dataclass
class Found:
    """An article found by the listings, not yet requested."""

    entry: ListingEntry  #: what every listing of the run said of it, merged
    walk: str | None  #: the category walk that answers for it (None: home page, sitemap, RSS)


class LaichauSpider(StatefulSpider):
    name = "laichau"
    uses_extraction_pool = True
    #: A live fetch: the archive fields stay null (RECORD.md); only ``wayback`` fills them.
    never_fills = ("archived_at", "archive_url")

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        categories: str | None = None,
        mode: str = "full",
        since: str | None = None,
        refresh: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        host = urlsplit(self.base_url).hostname
        if not host or urlsplit(self.base_url).scheme not in ("http", "https"):
            raise Refused(f"-a base_url={base_url}: an http(s) address is needed, e.g. http://127.0.0.1:8000")
        # Scrapy's offsite filter drops any request, redirects included, to another host.
        self.allowed_domains = [host.removeprefix("www.")]
        if mode not in MODES:
            raise Refused(f"-a mode={mode}: the modes are {', '.join(MODES)}")
        self.mode = mode
        self.only_categories = {c.strip().strip("/") for c in categories.split(",") if c.strip()} if categories else None
        try:
            self.since: date | None = date.fromisoformat(since) if since else None
        except ValueError:
            raise Refused(f"-a since={since}: a day as YYYY-MM-DD is needed, e.g. 2025-01-01") from None
        self.refresh = flag(refresh, "refresh")
        self.host = host
        self.scheduled: set[str] = set()  # article keys found in this run
        #: Articles found and not yet requested (see ``request_articles``).
        self.found: dict[str, Found] = {}
        #: This run's category walks, by alias (the state's ledger once the crawler is known).
        self.walks = WalkLedger()
        #: Per category, (page reached, last page its pager shows): what remains is knowable.
        self.pager: dict[str, tuple[int, int]] = {}
        self.per_page_seen = 20
        self.listings_seen = False

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.state is not None:
            spider.walks = spider.state.ledger()
        crawler.signals.connect(spider.request_articles, signal=signals.spider_idle)
        crawler.signals.connect(spider.record_lost, signal=signals.item_error)
        return spider

    def record_lost(self, response: Response) -> None:
        """A record that never reached the feed: its walk cannot vouch for it next time."""
        request = getattr(response, "request", None)
        self.walks.failed(request.cb_kwargs.get("walk") if request is not None else None)

    # -- start ---------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        yield Request(self.base_url + "/", callback=self.parse_home, errback=self.failed, priority=100)
        if self.mode == "latest":
            yield Request(self.base_url + "/sitemap.xml", callback=self.parse_sitemap, errback=self.failed, priority=90)
            yield Request(self.base_url + "/rss/", callback=self.parse_rss, errback=self.failed, priority=90)

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

    def parse_home(self, response: Response) -> Iterable[Request]:
        page = self.listing_page(response)
        if page is None:
            return
        cats = page.categories()
        if self.only_categories is not None:
            cats = [c for c in cats if category_alias(c)[0] in self.only_categories]
            missing = self.only_categories - {category_alias(c)[0] for c in cats}
            if missing:
                menu = ", ".join(sorted(category_alias(c)[0] for c in page.categories()))
                self.refuse(f"-a categories: not on the site's menu: {', '.join(sorted(missing))}; the menu has: {menu}")
                return
        self.crawler.stats.set_value("crawl/categories", len(cats))
        logger.info("found %d categories: %s", len(cats), ", ".join(category_alias(c)[0] for c in cats))
        for url in cats:
            yield Request(
                url, callback=self.parse_listing, errback=self.failed,
                cb_kwargs={"page": 1, "walk": category_alias(url)[0]}, priority=50,
            )
        if self.only_categories is None:
            self.follow_entries(page.entries_to_follow())

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

    async def parse_listing(self, response: Response, page: int, walk: str | None = None) -> list[Request]:
        """A coroutine returning its requests, not an async generator: Scrapy then runs its spider
        middlewares over a plain list, a measurable saving per page of a fast crawl."""
        if page == 1 and walk is not None:
            mark = self.state.open_walk(f"{self.host}/{walk}") if self.state is not None else None
            self.walks.open(walk, None if self.refresh else mark)
        here = category_alias(response.url)
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
        stop = self.stop_reason(next_url, primary, self.walks.mark(walk))
        if stop:
            reason, complete = stop
            logger.info("%s: %s; this category's walk ends here", response.url, reason)
            self.pager.pop(here[0] if here else "", None)
            if complete:
                self.walks.end(walk)
            return []
        return [Request(
            next_url, callback=self.parse_listing, errback=self.failed,
            cb_kwargs={"page": page + 1, "walk": walk}, priority=40 - page,
        )]

    def stop_reason(self, next_url: str | None, primary: list[ListingEntry], mark: str | None) -> tuple[str, bool] | None:
        """Why a category walk ends at this page and whether it ended complete (it saw every
        article it had to), or None to go on to ``next_url``. ``mark``: see ``scraper.walks``."""
        if not next_url:
            return "no next page", True
        if mark and self.state is not None:
            keys = {article_key(e.url) for e in primary}
            if keys and keys <= self.state.known(keys) and (
                _shown_before(primary, mark) or self.state.captured_before(keys, mark)
            ):
                return "every article from here on was captured by the last complete walk", True
        if self.mode == "latest":
            return "latest mode reads first pages only", False
        if not primary:
            return "a next page but no articles", False
        if not same_site(next_url, self.base_url):
            return "the next page is on another host", False
        if self.since and self._all_before_since(primary):
            return f"every article is older than {self.since}", False
        return None

    def settle_walks(self) -> None:
        """At the end of a run that finished: mark the walks that proved themselves complete."""
        done = [(f"{self.host}/{alias}", began) for alias, began in self.walks.completed()]
        self.state.complete_walks(done)
        logger.info("category walks complete: %d of %d", len(done), len(self.walks))

    def pages_ahead(self) -> int | None:
        """Listing pages still ahead across categories, from their pagers (None before any)."""
        if not self.listings_seen:
            return None
        return sum(last - page for page, last in self.pager.values())

    def parse_sitemap(self, response: Response) -> Iterable[Request]:
        body = response.body
        try:
            if body[:2] == b"\x1f\x8b":  # bounded: a small .gz can expand to gigabytes
                body = gunzip(body, max_size=self.settings.getint("SITEMAP_MAX_SIZE", 64 * 1024 * 1024))
            sitemap = Sitemap(body)
        except Exception as exc:  # malformed XML: log, keep crawling the categories
            logger.warning("%s: unreadable sitemap: %s", response.url, exc)
            self.crawler.stats.inc_value("crawl/bad_sitemaps")
            return
        locs = [entry.get("loc", "") for entry in sitemap]
        if sitemap.type == "sitemapindex":
            for loc in locs:
                if same_site(loc, self.base_url):
                    yield Request(loc, callback=self.parse_sitemap, errback=self.failed, priority=90)
        else:
            self.follow_entries(ListingEntry(url=loc, title=None) for loc in locs)

    def parse_rss(self, response: Response) -> list[Request]:
        links = Selector(text=response.text, type="xml").xpath("//item/link/text()").getall()
        # RSS pubDate is wrong on NukeViet (GMT, month in the minutes): discovery only.
        self.follow_entries(ListingEntry(url=link.strip(), title=None) for link in links)
        return []

    # -- articles ------------------------------------------------------------------------------
    def follow_entries(self, entries: Iterable[ListingEntry], walk: str | None = None) -> None:
        """Note the articles a listing shows; they are requested once every listing is read."""
        fresh = [e for e in entries if is_article_url(e.url) and same_site(e.url, self.base_url)]
        keys = {article_key(e.url) for e in fresh}
        known = set() if self.refresh or self.state is None else self.state.known(keys)
        for entry in fresh:
            key = article_key(entry.url)
            found = self.found.get(key)
            if found is not None:
                merge_entry(found.entry, entry)
                found.walk = found.walk or walk
            elif key not in known and key not in self.scheduled:
                self.scheduled.add(key)
                self.found[key] = Found(entry, walk)

    def request_articles(self) -> None:
        """When the crawl falls idle, every listing is read: request the articles they found.

        Each request carries everything the run's listings said of its article, so its record
        is the same whatever order the pages came in, and equal to ``extract``'s from a WARC.
        """
        if not self.found:
            return
        found, self.found = self.found, {}
        logger.info("listings read: requesting %d articles", len(found))
        for key, article in found.items():
            self.walks.requested(article.walk)
            self.crawler.engine.crawl(Request(
                canonical_article_url(article.entry.url),
                callback=self.parse_article,
                errback=self.article_failed,
                cb_kwargs={"key": key, "listed": article.entry, "walk": article.walk},
                meta={"handle_httpstatus_list": [404, 410]},
            ))
        raise DontCloseSpider

    def article_failed(self, failure) -> None:
        """An article that got no response: its walk cannot be trusted next time."""
        self.failed(failure)
        self.walks.failed(failure.request.cb_kwargs.get("walk") if getattr(failure, "request", None) else None)

    async def parse_article(
        self, response: Response, key: str, listed: ListingEntry | None = None, walk: str | None = None
    ) -> list[ArticleItem]:
        """A coroutine returning its one record (see ``parse_listing``)."""
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
