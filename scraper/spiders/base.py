"""What every spider of the project shares: the state it skips by, the distributed switch,
and failures counted for the run report."""

from __future__ import annotations

import inspect
import ipaddress
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import deferred_from_coro

from ..distributed import apply_preset
from ..errors import Refused
from ..redis_state import RedisStateStore
from ..report import download_failed
from ..state import StateDamaged, StateStore
from ..workers import ExtractionPool

logger = logging.getLogger(__name__)


def user_agent(contact_url: str) -> str:
    """A User-Agent naming the project and where its operator can be reached."""
    return f"laichau-scraper/1.0 (+{contact_url}; research news corpus)"


_YES, _NO = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off", "none")


def flag(value: Any, name: str = "flag") -> bool:
    """A yes/no spider argument (``-a refresh=1``); any other word is refused, not read as no."""
    word = str(value).strip().lower()
    if word not in _YES + _NO:
        raise Refused(f"-a {name}={value}: say 1 or 0 (yes/no, true/false, on/off)")
    return word in _YES


def is_loopback(url: str) -> bool:
    """An address on this machine (a replica, a local mirror), where the live site's politeness
    only slows the crawl down."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


#: What a crawl of a loopback address uses instead of the live site's politeness (``-s`` still wins).
LOOPBACK_SETTINGS = {
    "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "RETRY_AFTER_MAX": 2, "RETRY_BACKOFF_BASE": 0,
}


def extraction_bounded(settings) -> bool:
    """Whether a page's extraction is bounded (``EXTRACT_TIMEOUT``, ``EXTRACT_WORKER_MEMORY_MB``):
    only a worker process can be stopped in the middle of lexbor's parse."""
    return settings.getfloat("EXTRACT_TIMEOUT", 0) > 0 or settings.getint("EXTRACT_WORKER_MEMORY_MB", 0) > 0


def extraction_workers(settings) -> int:
    """``EXTRACT_WORKERS`` resolved: a count, or "auto" (see ``settings.py``): one worker wherever
    extraction is bounded; else one where the crawl is set loose on a machine of two cores or more."""
    value = settings.get("EXTRACT_WORKERS", 0)
    if str(value).strip().lower() != "auto":
        return settings.getint("EXTRACT_WORKERS", 0)
    if extraction_bounded(settings):
        return 1
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
        return RedisStateStore(settings.get("REDIS_URL"), worker=settings.get("WORKER_ID"), crawl=settings.get("CRAWL_ID"))
    path = settings.get("STATE_PATH") or str(Path(settings.get("OUTPUT_DIR", "output")) / "state.sqlite")
    return StateStore(path)


class StatefulSpider(scrapy.Spider):
    #: ``-a`` names a spider reads from its keyword arguments itself (``wayback``'s from/to).
    extra_args: tuple[str, ...] = ()
    #: The address the spider crawls, for the loopback check (set by the spider).
    base_url = ""
    #: Record fields the spider never fills: the run report neither counts nor warns of them.
    never_fills: tuple[str, ...] = ()

    def __init__(self, **kwargs: Any) -> None:
        unknown = sorted(set(kwargs) - {"name"})
        if unknown:
            raise Refused(f"-a {unknown[0]}: no such argument of the {self.name} spider; it takes {', '.join(self.arguments())}")
        super().__init__(**kwargs)

    @classmethod
    def arguments(cls) -> list[str]:
        taken = inspect.signature(cls.__init__).parameters
        return sorted([n for n, p in taken.items() if n != "self" and p.kind is p.POSITIONAL_OR_KEYWORD] + list(cls.extra_args))

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
        if spider.base_url and is_loopback(spider.base_url) and not crawler.settings.frozen:  # a crawl's are not yet
            relaxed = []
            for name, value in LOOPBACK_SETTINGS.items():
                if crawler.settings.getpriority(name) <= SETTINGS_PRIORITIES["spider"]:
                    crawler.settings.set(name, value, priority="spider")
                    relaxed.append(name)
            logger.info("%s is a loopback address: the live site's politeness is off (%s); -s sets it back", spider.base_url, ", ".join(relaxed) or "all set by -s")
        spider.state = open_state(crawler.settings)
        workers = extraction_workers(crawler.settings) if cls.uses_extraction_pool else 0
        # bounded, a page waits for its worker: here nothing could stop it
        bounded = extraction_bounded(crawler.settings)
        spider.local_backlog = 0 if bounded else crawler.settings.getint("EXTRACT_LOCAL_BACKLOG", 0)
        if workers > 0:
            settings = crawler.settings
            try:
                spider.extraction_pool = ExtractionPool(
                    workers, settings.getint("EXTRACT_WORKER_NICE", 0),
                    timeout=settings.getfloat("EXTRACT_TIMEOUT", 0), memory_mb=settings.getint("EXTRACT_WORKER_MEMORY_MB", 0),
                )
            except (OSError, ValueError) as exc:  # no process to start here (limits, a platform without fd passing)
                unbounded = "; pages are bounded by the nesting guard only" if bounded else ""
                logger.warning("extraction workers could not start (%s); extracting in the crawl process%s", exc, unbounded)
                crawler.stats.inc_value("crawl/workers_not_started")
        crawler.signals.connect(spider.close_state, signal=scrapy.signals.spider_closed)
        crawler.signals.connect(spider.state_failed, signal=scrapy.signals.spider_error)
        crawler.signals.connect(spider.state_failed, signal=scrapy.signals.item_error)
        return spider

    def settle_walks(self) -> None:
        """At the end of a run that finished normally: what the spider's walks proved (none here)."""

    def close_state(self, reason: str = "finished") -> None:
        if self.state is not None:
            try:
                if reason == "finished":
                    self.settle_walks()
                self.state.close()
            except (sqlite3.DatabaseError, StateDamaged) as exc:  # the run is over; say why its state is not
                logger.error("state: could not be closed: %s", exc)
        if self.extraction_pool is not None:
            self.crawler.stats.set_value("extract/workers_replaced", self.extraction_pool.replaced)
            self.extraction_pool.close()

    def state_failed(self, failure) -> None:
        """A state that breaks under the crawl (a damaged page, a full disk): nothing it says can be
        trusted, so the run stops at once, named as such (cron: exit 2), not as a site problem."""
        if not failure.check(sqlite3.DatabaseError, StateDamaged) or self.crawler.stats.get_value("state/error"):
            return
        error = failure.value
        if not isinstance(error, StateDamaged):
            error = StateDamaged(Path(getattr(self.state, "path", "state")), str(error))
        logger.error("%s", error)
        self.crawler.stats.set_value("state/error", str(error))
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="state_damaged"))

    def refuse(self, message: str) -> None:
        """A bad argument found only once the site answered (a category not on its menu): the run
        stops before it fetches anything more, with the one line (``crawl``: exit 2)."""
        if self.crawler.stats.get_value("refused"):
            return
        logger.error("%s", message)
        self.crawler.stats.set_value("refused", message)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="refused"))

    def extraction_failed(self, url: str, exc: Exception) -> None:
        """A page past an extraction bound (``ExtractionLimit``: the nesting guard, ``EXTRACT_TIMEOUT``,
        ``EXTRACT_WORKER_MEMORY_MB``): a failure for the run report, by kind, with its address."""
        reason = type(exc).__name__
        logger.error("%s: not extracted: %s", url, exc)
        self.crawler.stats.inc_value(f"failures/{reason}")
        self.crawler.signals.send_catch_log(signal=download_failed, url=url, reason=reason)

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
