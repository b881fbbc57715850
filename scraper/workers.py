"""Extraction in worker processes: ``-s EXTRACT_WORKERS=N``.

A crawl of a fast server is CPU-bound on one core: parsing and building records compete
with Scrapy's own networking. With workers, each article page is turned into its finished
record (page object, listing join, the record chain), and each category page into its entries
and pager, in another process; the crawl process keeps only networking, dedup, feeds and
state. The live portal, fetched two pages at a time, never needs this; a replica, a mirror or
a sister portal on a fast link does.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor

from .items import ArticleItem
from .pages import extract_article
from .pages.listing import ListingEntry, ListingSummary, apply_listing, summarize_listing
from .pipelines import build_record


def build_article(
    markup: str | bytes, url: str, entry: ListingEntry | None, content_type: str | None = None
) -> ArticleItem:
    """The whole record path for one page, as the crawl process would run it; from the raw body,
    so decoding it is the worker's work too."""
    item = build_record(apply_listing(extract_article(markup, url, content_type), entry))
    item.built = True  # the crawl's RecordPipeline will not run the chain a second time
    return item


def die_with_crawl(crawl_pid: int) -> None:
    """Pool initializer: a worker is killed with the crawl that started it (Linux), so a
    SIGKILLed crawl, which never shuts its pool down, leaves no worker behind."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != crawl_pid:  # the crawl died before the line above took effect
        os._exit(1)


class ExtractionPool:
    """A process pool of clean interpreters (spawn): the crawl's event loop and its threads
    are never forked, and each worker is the crawl's own child, tied to its life."""

    def __init__(self, workers: int) -> None:
        self.pool = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=die_with_crawl, initargs=(os.getpid(),)
        )

    async def build(
        self, markup: str | bytes, url: str, entry: ListingEntry | None, content_type: str | None = None
    ) -> ArticleItem:
        return await asyncio.wrap_future(self.pool.submit(build_article, markup, url, entry, content_type))

    async def listing(self, markup: str | bytes, url: str, content_type: str | None = None) -> ListingSummary:
        return await asyncio.wrap_future(self.pool.submit(summarize_listing, markup, url, content_type))

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
