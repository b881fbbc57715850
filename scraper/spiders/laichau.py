"""The Lai Châu provincial police portal's preset of the ``nukeviet`` spider.

Its defaults (the live portal's address), and its own way in: the site's menu names its
categories (its news module is the home module, left out of every address), the home page lists
the newest articles, and ``-a mode=latest`` reads the sitemap and RSS besides. Its 2021 layout is
read by the same page objects; its archived copies by the ``wayback`` spider.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any

from parsel import Selector
from scrapy.http import Request, Response
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from ..errors import Refused
from ..pages.listing import ListingEntry
from ..sites.addresses import SiteProfile
from ..urls import category_alias, same_site
from .nukeviet import NukeVietSpider

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://congan.laichau.gov.vn"
#: The portal's addresses: its one news module is the home module, left out of every address, and it
#: runs no other module with articles: ``/<x>/<cat>/<slug>-<id>.html`` is none of its articles.
PROFILE = SiteProfile(modules_known=True)


class LaichauSpider(NukeVietSpider):
    name = "laichau"

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        categories: str | None = None,
        mode: str = "full",
        since: str | None = None,
        refresh: str | None = None,
        **kwargs: Any,
    ) -> None:
        if "," in base_url or base_url.startswith("@"):
            raise Refused(f"-a base_url={base_url}: the laichau spider crawls one portal; several: the nukeviet spider")
        super().__init__(base_url=base_url, categories=categories, mode=mode, since=since, refresh=refresh, **kwargs)
        for portal in self.portals.values():
            portal.profile = PROFILE

    async def start(self) -> AsyncIterator[Request]:
        yield Request(self.base_url + "/", callback=self.parse_home, errback=self.failed, priority=100)
        if self.mode == "latest":
            yield Request(self.base_url + "/sitemap.xml", callback=self.parse_sitemap, errback=self.failed, priority=90)
            yield Request(self.base_url + "/rss/", callback=self.parse_rss, errback=self.failed, priority=90)

    def parse_home(self, response: Response) -> Iterable[Request]:
        """The menu's categories, each walked; the home page's own articles followed."""
        page = self.listing_page(response)
        if page is None:
            return []
        cats = page.categories()
        if self.only_categories is not None:
            cats = [c for c in cats if category_alias(c)[0] in self.only_categories]
            missing = self.only_categories - {category_alias(c)[0] for c in cats}
            if missing:
                menu = ", ".join(sorted(category_alias(c)[0] for c in page.categories()))
                self.refuse(f"-a categories: not on the site's menu: {', '.join(sorted(missing))}; the menu has: {menu}")
                return []
        self.crawler.stats.set_value("crawl/categories", len(cats))
        logger.info("found %d categories: %s", len(cats), ", ".join(category_alias(c)[0] for c in cats))
        for portal in self.portals.values():
            portal.categories = cats
        if self.only_categories is None:
            self.follow_entries(page.entries_to_follow())
        return self.walk_requests(cats)

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
