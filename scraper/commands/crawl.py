"""``scrapy crawl`` that ends a refused run in one line.

A ``Refused`` raised while the crawl starts (a damaged state file, …) is printed alone on
stderr, without Scrapy's traceback, and the exit code is 2; so is a run the spider stopped
for such a cause (finish reason ``state_damaged``). Scrapy's warning that ``-o``/``-O`` feeds go
unwritten (its FeedExporter is off) is given only when ours does not write them either.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.defer import Deferred

from ..errors import Refused
from ..feeds import FeedPipeline, feed_targets

#: Finish reasons that mean the run could not be trusted to go on.
REFUSED_REASONS = frozenset({"state_damaged", "refused"})


class Command(ScrapyCrawl):
    def _warn_if_feeds_unused(self, sender: Crawler, **kwargs: Any) -> None:
        """Scrapy's check (at engine start) sees only its own FeedExporter, which the project turns
        off: ``FeedPipeline`` writes the feeds. Warn only if that pipeline is not running."""
        running = sender.engine.scraper.itemproc.middlewares if sender.engine else ()
        if not any(isinstance(stage, FeedPipeline) for stage in running):
            super()._warn_if_feeds_unused(sender, **kwargs)

    def run(self, args: list[str], opts: Any) -> None:
        if len(args) != 1:
            return super().run(args, opts)
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        try:  # a feed nobody can write is refused now, not after the whole crawl
            feed_targets(crawler.settings)
        except NotConfigured as exc:
            sys.stderr.write(f"error: -o/-O: {exc}\n")
            self.exitcode = 2
            return None
        refused: list[BaseException] = []

        def take(error: BaseException | None) -> None:
            if isinstance(error, Refused):
                refused.append(error)

        started = self.crawler_process.crawl(crawler, **opts.spargs)
        if isinstance(started, asyncio.Future):
            started.add_done_callback(lambda task: take(None if task.cancelled() else task.exception()))
        elif isinstance(started, Deferred):
            started.addErrback(lambda failure: take(failure.value) if failure.check(Refused) else failure)
        self.crawler_process.start()
        if refused:
            sys.stderr.write(f"error: {refused[0]}\n")
            self.exitcode = 2
        elif self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        elif crawler.stats and crawler.stats.get_value("finish_reason") in REFUSED_REASONS:
            said = crawler.stats.get_value("refused") or crawler.stats.get_value("state/error")
            if said:
                sys.stderr.write(f"error: {said}\n")
            self.exitcode = 2
        return None
