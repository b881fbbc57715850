"""The portal crawl: menu → categories → pages → articles, incremental and resumable.

Navigation only: every page is handed to a page object, and every record to the
pipelines. ``-a base_url=…`` points the same spider at a replica or a sister NukeViet portal.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlsplit

from parsel import Selector
from scrapy.http import Request, Response
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from ..dates import parse_time
from ..decoding import content_type, response_text
from ..items import ArticleItem
from ..pages import NotAnArticle, extract_article, parse
from ..pages.listing import ListingEntry, ListingPage, ListingSummary, apply_listing, merge_entry, summarize_listing
from ..urls import article_key, canonical_article_url, category_alias, is_article_url, same_site
from ..workers import ExtractionPool, WorkerLost
from .base import StatefulSpider, flag

logger = logging.getLogger(__name__)
T = TypeVar("T")

MODES = ("full", "latest")
DEFAULT_BASE_URL = "https://congan.laichau.gov.vn"


class LaichauSpider(StatefulSpider):
    name = "laichau"
    uses_extraction_pool = True

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
            raise ValueError(f"base_url must be an http(s) address, not {base_url!r}")
        # Scrapy's offsite filter drops any request, redirects included, to another host.
        self.allowed_domains = [host.removeprefix("www.")]
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.mode = mode
        self.only_categories = {c.strip().strip("/") for c in categories.split(",") if c.strip()} if categories else None
        try:
            self.since: date | None = date.fromisoformat(since) if since else None
        except ValueError:
            raise ValueError(f"since must be a day as YYYY-MM-DD, not {since!r}") from None
        self.refresh = flag(refresh)
        self.scheduled: set[str] = set()  # article keys requested in this run
        #: What listings said of each scheduled article (date, views), merged across listings.
        self.listed: dict[str, ListingEntry] = {}
        #: Per category, (page reached, last page its pager shows): what remains is knowable.
        self.pager: dict[str, tuple[int, int]] = {}
        self.per_page_seen = 20
        self.listings_seen = False

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
            for alias in sorted(missing):  # asked for but not in the menu: still walk it
                cats.append(f"{self.base_url}/{alias}/")
        self.crawler.stats.set_value("crawl/categories", len(cats))
        logger.info("found %d categories: %s", len(cats), ", ".join(category_alias(c)[0] for c in cats))
        for url in cats:
            yield Request(url, callback=self.parse_listing, errback=self.failed, cb_kwargs={"page": 1}, priority=50)
        if self.only_categories is None:
            yield from self.follow_entries(page.entries_to_follow())

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

    async def parse_listing(self, response: Response, page: int) -> list[Request]:
        """A coroutine returning its requests, not an async generator: Scrapy then runs its spider
        middlewares over a plain list, a measurable saving per page of a fast crawl."""
        here = category_alias(response.url)
        if page > 1 and (here is None or here[1] == 1):
            logger.debug("%s redirected back to page 1: end of category", response.request.url)
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
        requests = list(self.follow_entries(primary))
        stop = self.stop_reason(next_url, primary)
        if stop:
            logger.info("%s: %s; this category's walk ends here", response.url, stop)
            self.pager.pop(here[0] if here else "", None)
            return requests
        requests.append(Request(
            next_url, callback=self.parse_listing, errback=self.failed, cb_kwargs={"page": page + 1}, priority=40 - page
        ))
        return requests

    def stop_reason(self, next_url: str | None, primary: list[ListingEntry]) -> str | None:
        """Why a category walk ends at this page, or None to go on to ``next_url``."""
        if self.mode == "latest":
            return "latest mode reads first pages only"
        if not next_url or not primary:
            return "no next page"
        if not same_site(next_url, self.base_url):
            return "the next page is on another host"
        if self.since and self._all_before_since(primary):
            return f"every article is older than {self.since}"
        if not self.refresh and self.state is not None:
            keys = {article_key(e.url) for e in primary}
            if keys <= self.state.known(keys):
                return "every article is already captured"
        return None

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
            yield from self.follow_entries(ListingEntry(url=loc, title=None) for loc in locs)

    def parse_rss(self, response: Response) -> Iterable[Request]:
        links = Selector(text=response.text, type="xml").xpath("//item/link/text()").getall()
        # RSS pubDate is wrong on NukeViet (GMT, month in the minutes): discovery only.
        yield from self.follow_entries(ListingEntry(url=link.strip(), title=None) for link in links)

    # -- articles ------------------------------------------------------------------------------
    def follow_entries(self, entries: Iterable[ListingEntry]) -> Iterable[Request]:
        fresh = [e for e in entries if is_article_url(e.url) and same_site(e.url, self.base_url)]
        keys = {article_key(e.url) for e in fresh}
        known = set() if self.refresh or self.state is None else self.state.known(keys)
        for entry in fresh:
            key = article_key(entry.url)
            if key in self.listed:
                merge_entry(self.listed[key], entry)
            if key in known or key in self.scheduled:
                continue
            self.scheduled.add(key)
            self.listed[key] = entry
            yield Request(
                canonical_article_url(entry.url),
                callback=self.parse_article,
                errback=self.failed,
                cb_kwargs={"key": key, "listed": entry},
                meta={"handle_httpstatus_list": [404, 410]},
            )

    async def parse_article(self, response: Response, key: str, listed: ListingEntry | None = None) -> list[ArticleItem]:
        """A coroutine returning its one record (see ``parse_listing``)."""
        # this worker's merged listing data; the copy in the request serves a worker that did not list it
        entry = self.listed.pop(key, None) or listed
        if response.status in (404, 410):
            logger.warning("%s: %d, remembered as gone", response.url, response.status)
            self.crawler.stats.inc_value(f"articles/gone/{response.status}")
            if self.state is not None:
                self.state.mark_gone(key, response.url, response.status, self.settings.getfloat("GONE_RETRY_DAYS", 7))
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
            return []
        return [item]

    async def extracted(
        self, response: Response, in_worker: Callable[[ExtractionPool], Awaitable[T]], here: Callable[[], T]
    ) -> T:
        """A page read by an extraction worker where there is a pool, else in this process; also
        here when its worker died (logged, counted), and while the workers are ``local_backlog``
        pages behind (counted): the crawl process would otherwise soon wait for them, idle."""
        pool = self.extraction_pool
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

    def _all_before_since(self, entries: list[ListingEntry]) -> bool:
        days = []
        for e in entries:
            parsed = parse_time(e.published_raw)
            if parsed is None or parsed.value is None:
                return False
            value = parsed.value
            days.append(value.date() if hasattr(value, "date") else value)
        return bool(days) and all(d < self.since for d in days)
