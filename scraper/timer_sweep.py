"""Cancelled timers swept every second, so a fast crawl's memory does not follow its length.

Every download arms a Twisted timer for its timeout (``reactor.callLater(DOWNLOAD_TIMEOUT, …)``
in Scrapy's HTTP handler) and cancels it when the response arrives. A cancelled timer stays in
the reactor's heap until ``runUntilCurrent`` sweeps it, and Twisted's asyncio reactor runs that
only when one of its own timers falls due: Scrapy schedules its engine on asyncio directly, so
in a crawl that is the progress line, every 30 s. On a fast replica 31,000 cancelled timers (five
small objects each) piled up between two progress lines; freed together, they left Python's small-
object arenas fragmented, and the crawl process never gave those pages back. A timer due every
second makes the reactor sweep them (it does when over 50 are cancelled and over half its heap).

Measured by ``bench/crawl.py``'s peak RSS (crawl process), 2,000 and 20,000-article replicas: see
``TIMER_SWEEP_INTERVAL`` in settings.py.
"""

from __future__ import annotations

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class TimerSweep:
    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("TIMER_SWEEP_INTERVAL", 0.0)
        if interval <= 0:
            raise NotConfigured("TIMER_SWEEP_INTERVAL is 0")
        ext = cls(interval)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_started(self) -> None:
        if self.loop is None:
            self.loop = task.LoopingCall(lambda: None)  # its firing is the sweep
            self.loop.start(self.interval, now=False)

    def engine_stopped(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.loop = None
