"""What every spider of the project shares: the state it skips by, the distributed switch,
and failures counted for the run report."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError

from ..distributed import apply_preset
from ..redis_state import RedisStateStore
from ..report import download_failed
from ..state import StateStore
from ..workers import ExtractionPool

logger = logging.getLogger(__name__)


def user_agent(contact_url: str) -> str:
    """A User-Agent naming the project and where its operator can be reached."""
    return f"laichau-scraper/1.0 (+{contact_url}; research news corpus)"


def flag(value: Any) -> bool:
    """A yes/no spider argument (``-a refresh=1``)."""
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def extraction_workers(settings) -> int:
    """``EXTRACT_WORKERS`` resolved: a count, or "auto" (see ``settings.py``)."""
    value = settings.get("EXTRACT_WORKERS", 0)
    if str(value).strip().lower() != "auto":
        return settings.getint("EXTRACT_WORKERS", 0)
    loose = (
        settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") >= 8
        and settings.getfloat("DOWNLOAD_DELAY") == 0
        and not settings.getbool("AUTOTHROTTLE_ENABLED")
    )
    return 1 if loose and (os.cpu_count() or 1) >= 2 else 0


def open_state(settings) -> StateStore | RedisStateStore:
    """Redis state for a distributed crawl; else the SQLite file named by STATE_PATH
    (default ``<OUTPUT_DIR>/state.sqlite``)."""
    if settings.get("STATE_BACKEND") == "redis":
        return RedisStateStore(settings.get("REDIS_URL"), worker=settings.get("WORKER_ID"))
    path = settings.get("STATE_PATH") or str(Path(settings.get("OUTPUT_DIR", "output")) / "state.sqlite")
    return StateStore(path)


class StatefulSpider(scrapy.Spider):
    state: StateStore | RedisStateStore | None = None
    extraction_pool: ExtractionPool | None = None
    #: Whether the spider hands its pages to ``extraction_pool`` (``EXTRACT_WORKERS``).
    uses_extraction_pool = False
    #: ``EXTRACT_LOCAL_BACKLOG``: from this many pages waiting for the workers, extract here.
    local_backlog = 0

    @classmethod
    def update_settings(cls, settings) -> None:
        super().update_settings(settings)
        apply_preset(settings)
        # -s CONTACT_URL=… alone must reach the User-Agent (an explicit -s USER_AGENT still wins)
        if settings.getpriority("USER_AGENT") < settings.getpriority("CONTACT_URL"):
            settings.set("USER_AGENT", user_agent(settings.get("CONTACT_URL")), priority=settings.getpriority("CONTACT_URL"))

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.state = open_state(crawler.settings)
        workers = extraction_workers(crawler.settings) if cls.uses_extraction_pool else 0
        spider.local_backlog = crawler.settings.getint("EXTRACT_LOCAL_BACKLOG", 0)
        if workers > 0:
            try:
                spider.extraction_pool = ExtractionPool(workers, crawler.settings.getint("EXTRACT_WORKER_NICE", 0))
            except (OSError, ValueError) as exc:  # no process to start here (limits, a platform without fd passing)
                logger.warning("extraction workers could not start (%s); extracting in the crawl process", exc)
                crawler.stats.inc_value("crawl/workers_not_started")
        crawler.signals.connect(spider.close_state, signal=scrapy.signals.spider_closed)
        return spider

    def close_state(self) -> None:
        if self.state is not None:
            self.state.close()
        if self.extraction_pool is not None:
            self.extraction_pool.close()

    def failed(self, failure) -> None:
        """A request that got no usable response after its retries: counted for the run report."""
        if failure.check(HttpError):
            return  # the response came; the report already counts it by status
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        reason = failure.type.__name__ if failure.type else "error"
        logger.warning("%s: failed: %s", url, failure.getErrorMessage())
        self.crawler.stats.inc_value(f"failures/{reason}")
        self.crawler.signals.send_catch_log(signal=download_failed, url=url, reason=reason)
