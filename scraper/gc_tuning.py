"""Garbage collection sized for a crawl: the crawl process's collector was a fifth of its CPU.

Every page leaves short-lived cycles behind (deferreds, futures, failures), so collections run
often, and each older-generation pass walked every object Scrapy, Twisted and lxml made at
start-up. Once the crawl has started, those objects are frozen (``gc.freeze``: never scanned
again, never freed, as they live as long as the process anyway) and the youngest generation
collects every ``GC_GEN0_THRESHOLD`` allocations instead of Python's 700. Both are undone when
the engine stops, so a process that runs several crawls (the tests) gets its collector back.
"""

from __future__ import annotations

import gc

from scrapy import signals
from scrapy.exceptions import NotConfigured


class GcTuning:
    def __init__(self, gen0: int) -> None:
        self.gen0 = gen0
        self.saved: tuple[int, int, int] | None = None

    @classmethod
    def from_crawler(cls, crawler):
        gen0 = crawler.settings.getint("GC_GEN0_THRESHOLD", 0)
        if gen0 <= 0:
            raise NotConfigured("GC_GEN0_THRESHOLD is 0: Python's own collector settings")
        ext = cls(gen0)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_started(self) -> None:
        if self.saved is not None:
            return
        gc.collect()  # what is garbage now would otherwise be frozen for good
        gc.freeze()
        self.saved = gc.get_threshold()
        gc.set_threshold(self.gen0, *self.saved[1:])

    def engine_stopped(self) -> None:
        if self.saved is None:
            return
        gc.set_threshold(*self.saved)
        gc.unfreeze()
        self.saved = None
