"""A progress line at a steady interval: pages, articles written, rate, errors, what remains.

What remains is estimated from what the crawl knows: requests waiting in the scheduler,
for each category the pages its pager says are still ahead (×20 articles a page), and the
articles the listings found that are not requested yet (the spider's ``found`` table).
"""

from __future__ import annotations

import contextlib
import logging
import time

from scrapy import signals
from twisted.internet import task

logger = logging.getLogger(__name__)


class Progress:
    def __init__(self, crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        self.started = time.monotonic()
        self.last_pages = 0
        self.last_time = self.started

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("PROGRESS_INTERVAL", 30.0)
        ext = cls(crawler, interval)
        if interval > 0:
            crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
            crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        self.started = self.last_time = time.monotonic()
        self.loop = task.LoopingCall(self.log)
        self.loop.start(self.interval, now=False)

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.log(final=True)

    def remaining(self) -> tuple[int, int | None]:
        """(requests queued, estimated articles still ahead or None when unknowable)."""
        engine = self.crawler.engine
        queued = 0
        with contextlib.suppress(AttributeError, TypeError):  # engine internals vary across Scrapy versions
            queued = len(engine._slot.scheduler) + len(engine.downloader.active)
        spider = self.crawler.spider
        pages_ahead = getattr(spider, "pages_ahead", None)
        estimate = None
        if callable(pages_ahead):
            ahead = pages_ahead()
            if ahead is not None:
                found = getattr(spider, "found", None)
                waiting = found.waiting() if found is not None else 0
                estimate = ahead * getattr(spider, "per_page_seen", 20) + waiting
        return queued, estimate

    def log(self, final: bool = False) -> None:
        stats = self.crawler.stats
        now = time.monotonic()
        pages = stats.get_value("response_received_count", 0)
        written = stats.get_value("feed/records", 0)
        errors = sum(v for k, v in stats.get_stats().items() if k.startswith(("failures/", "spider_exceptions/")))
        errors += sum(
            v for k, v in stats.get_stats().items()
            if k.startswith("downloader/response_status_count/") and int(k.rsplit("/", 1)[1]) >= 400
        )
        rate = (pages - self.last_pages) / max(now - self.last_time, 1e-9) * 60
        overall = pages / max(now - self.started, 1e-9) * 60
        self.last_pages, self.last_time = pages, now
        queued, estimate = self.remaining()
        ahead = f"{queued} requests queued" + (f", ~{estimate} articles ahead" if estimate is not None else "")
        eta = ""
        if estimate is not None and overall > 0:
            eta = f", ~{estimate / overall:.1f} min left"
        logger.info(
            "%s: %d pages fetched, %d articles written, %.0f pages/min (%.0f overall), %d errors; %s%s",
            "done" if final else "progress", pages, written, rate, overall, errors, ahead, eta,
        )
