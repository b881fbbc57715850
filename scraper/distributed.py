"""Distributed crawling on Redis through scrapy-redis: ``-s DISTRIBUTED=True``.

The switch turns on scrapy-redis's scheduler and duplicate filter (one shared request
queue and one set of seen requests per ``CRAWL_ID``) and moves the seen-article state to
Redis; each worker writes its own feed. Workers close once the shared queue has stayed
empty for ``DISTRIBUTED_IDLE_GRACE`` seconds, since another worker may still be parsing a
listing that will add requests.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

from .redis_state import worker_id

logger = logging.getLogger(__name__)


def apply_preset(settings) -> None:
    """Rewrite settings for a distributed crawl; called before they are frozen."""
    if not settings.getbool("DISTRIBUTED"):
        return
    crawl_id = settings.get("CRAWL_ID") or datetime.now(UTC).strftime("%Y%m%d")
    worker = settings.get("WORKER_ID") or worker_id()
    preset = {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,  # a worker that finishes must not wipe the queue the others use
        "SCHEDULER_QUEUE_KEY": f"laichau:{crawl_id}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"laichau:{crawl_id}:dupefilter",
        "STATE_BACKEND": "redis",
        "CRAWL_ID": crawl_id,
        "WORKER_ID": worker,
    }
    if not settings.get("FEED_PATH") and not settings.getdict("FEEDS"):
        output = settings.get("OUTPUT_DIR", "output")
        preset["FEED_PATH"] = f"{output}/articles-{settings.get('RUN_STAMP')}-{worker}.jsonl"
    preset["EXTENSIONS"] = {**settings.getdict("EXTENSIONS"), "scraper.distributed.SharedQueueIdle": 520}
    for name, value in preset.items():  # the spider layer: -s on the command line still wins
        settings.set(name, value, priority="spider")


class SharedQueueIdle:
    """Keep an idle worker alive while the shared crawl may still grow."""

    def __init__(self, crawler, grace: float) -> None:
        self.crawler = crawler
        self.grace = grace
        self.empty_since: float | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("DISTRIBUTED"):
            raise NotConfigured
        ext = cls(crawler, crawler.settings.getfloat("DISTRIBUTED_IDLE_GRACE", 15))
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_idle(self) -> None:
        scheduler = self.crawler.engine._slot.scheduler
        if len(scheduler):
            self.empty_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self.empty_since is None:
            self.empty_since = now
        if now - self.empty_since < self.grace:
            raise DontCloseSpider
        logger.info("shared queue empty for %.0f s: this worker is done", now - self.empty_since)

    def spider_closed(self) -> None:
        settings = self.crawler.settings
        try:  # the crawl's queue and seen-requests set go after a week; the article state stays
            server = self.crawler.engine._slot.scheduler.server
            for key in (settings.get("SCHEDULER_QUEUE_KEY"), settings.get("SCHEDULER_DUPEFILTER_KEY")):
                server.expire(key, 7 * 86400)
        except Exception:  # best effort
            logger.debug("could not set expiry on the crawl's Redis keys", exc_info=True)
