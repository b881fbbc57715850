"""The framework's ceiling for ``bench/crawl.py``: the laichau spider's navigation and nothing else.

home → menu categories (``/<alias>/``) → ``rel=next`` pages → article links
(``/<alias>/<slug>-<id>.html``); article pages are fetched and dropped. No page objects, no items,
no pipelines, no state. Run by the benchmark as
``python -m scrapy runspider bench/bare_spider.py -a base_url=…`` under the project settings, so
reactor, middlewares, robots.txt and concurrency are the real crawl's.

``StatsFile`` is the benchmark's stats probe for both crawls: with ``-s BENCH_STATS_FILE=…`` it
writes the crawl's final Scrapy stats as JSON (the stats dump is logged at INFO, under the
benchmark's LOG_LEVEL=WARNING it never reaches the log).
"""

from __future__ import annotations

import json
import re
import resource
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response

_CATEGORY = re.compile(r"^/[A-Za-z0-9_-]+/$")
_ARTICLE = re.compile(r"^/[A-Za-z0-9_-]+/[A-Za-z0-9_.-]*-\d+\.html$")


class BareSpider(scrapy.Spider):
    name = "bare"
    custom_settings = {"ITEM_PIPELINES": {}}

    def __init__(self, base_url: str = "http://127.0.0.1:8000", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    async def start(self) -> AsyncIterator[Request]:
        # Same priorities as the real spider, so both walk the site in the same order.
        yield Request(self.base_url + "/", callback=self.parse_home, priority=100)

    def parse_home(self, response: Response) -> Iterable[Request]:
        for href in response.css("nav a::attr(href)").getall():
            if _CATEGORY.match(href):
                yield response.follow(href, self.parse_listing, cb_kwargs={"page": 1}, priority=50)
        yield from self._articles(response)

    def parse_listing(self, response: Response, page: int) -> Iterable[Request]:
        yield from self._articles(response)
        nxt = response.css("link[rel=next]::attr(href)").get()
        if nxt:
            yield response.follow(nxt, self.parse_listing, cb_kwargs={"page": page + 1}, priority=40 - page)

    def _articles(self, response: Response) -> Iterable[Request]:
        for href in response.css("a::attr(href)").getall():
            if _ARTICLE.match(href):
                yield response.follow(href, self.parse_article, meta={"handle_httpstatus_list": [404, 410]})

    def parse_article(self, response: Response) -> None:
        return None


class StatsFile:
    """Extension: on spider close, write the crawl's stats to ``BENCH_STATS_FILE`` as JSON."""

    def __init__(self, crawler: Any, path: Path) -> None:
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Any) -> StatsFile:
        path = crawler.settings.get("BENCH_STATS_FILE")
        if not path:
            raise NotConfigured("BENCH_STATS_FILE not set")
        ext = cls(crawler, Path(path))
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def engine_started(self) -> None:
        self.cpu_at_start = _own_cpu()

    def spider_closed(self, spider: scrapy.Spider, reason: str) -> None:
        stats = dict(self.crawler.stats.get_stats())
        stats["finish_reason"] = reason
        # the crawl process's own CPU (no workers) from engine start to close: start-up excluded
        stats["bench/crawl_process_cpu"] = _own_cpu() - getattr(self, "cpu_at_start", 0.0)
        self.path.write_text(json.dumps(stats, default=str, indent=1, sort_keys=True), "utf-8")


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
