"""The run report: what a crawl captured and what went wrong, in the log and in a JSON file.

Counters only (no records kept in memory): articles by category and year, field coverage,
warnings by kind, HTTP errors by status with their addresses, requests and duration.
"""

from __future__ import annotations

import collections
import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.http import Response

from .corpus.html_report import write_crawl_report
from .items import FIELDS, ArticleItem

logger = logging.getLogger(__name__)

#: Fields whose coverage is reported; every field of the record, less those a spider never fills.
COVERED = tuple(f for f in FIELDS if f not in ("lang", "warnings"))
#: How many failing addresses are listed per status (the counts are always complete).
MAX_ADDRESSES = 200


def covered_fields(spider: object) -> tuple[str, ...]:
    """The fields a run of ``spider`` counts: all but those it says it never fills (its
    ``never_fills``; a live crawl's archive fields). Those would read 0% on every run and warn
    of a loss that is not one, and warnings that are not true teach users to ignore warnings."""
    never = set(getattr(spider, "never_fills", ()))
    return tuple(f for f in COVERED if f not in never)


#: Sent by spiders' errbacks for a request that got no response after its retries.
download_failed = object()


class RunReport:
    """Collects counters through signals; writes ``<OUTPUT_DIR>/report-<stamp>.json`` at the end."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.floor = settings.getfloat("REPORT_COVERAGE_FLOOR", 0.9)
        self.floors: dict[str, float] = {**settings.getdict("REPORT_COVERAGE_FLOORS")}
        self.covered = covered_fields(crawler.spider)
        self.path = Path(settings.get("REPORT_PATH") or Path(settings.get("OUTPUT_DIR", "output")) / f"report-{settings.get('RUN_STAMP')}.json")
        self.records = 0
        self.by_category: collections.Counter[str] = collections.Counter()
        self.by_year: collections.Counter[str] = collections.Counter()
        self.by_month: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)  # YYYY-MM → categories: the HTML chart
        self.coverage: collections.Counter[str] = collections.Counter()
        self.warnings: collections.Counter[str] = collections.Counter()
        self.flagged = 0
        self.http_errors: dict[int, list[str]] = collections.defaultdict(list)
        self.http_error_counts: collections.Counter[int] = collections.Counter()
        self.failures: collections.Counter[str] = collections.Counter()
        self.failed_urls: list[str] = []
        self.started = datetime.now(UTC)

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.download_failed, signal=download_failed)
        return ext

    def item_scraped(self, item: ArticleItem) -> None:
        if not isinstance(item, ArticleItem):
            return
        self.records += 1
        self.by_category[item.category or "(none)"] += 1
        self.by_year[(item.published_at or "unknown")[:4]] += 1
        if item.published_at:
            self.by_month[item.published_at[:7]][item.category or "(none)"] += 1
        for name in self.covered:
            if item.filled(name):
                self.coverage[name] += 1
        if item.warnings:
            self.flagged += 1
        for flag in item.warnings:
            self.warnings[flag.split(":", 1)[0]] += 1

    def response_received(self, response: Response) -> None:
        if response.status >= 400:
            self.http_error_counts[response.status] += 1
            if len(self.http_errors[response.status]) < MAX_ADDRESSES:
                self.http_errors[response.status].append(response.url)

    def download_failed(self, url: str, reason: str) -> None:
        """Called by spiders' errbacks: a request that never got a response (after retries)."""
        self.failures[reason] += 1
        if len(self.failed_urls) < MAX_ADDRESSES:
            self.failed_urls.append(f"{url} ({reason})")

    def summary(self, reason: str) -> dict[str, Any]:
        stats = self.crawler.stats.get_stats()
        coverage = {name: round(self.coverage[name] / self.records, 4) if self.records else 0.0 for name in self.covered}
        low = {name: share for name, share in coverage.items() if self.records and share < self.floors.get(name, self.floor)}
        finished = datetime.now(UTC)
        return {
            "spider": self.crawler.spider.name if self.crawler.spider else None,
            "finish_reason": reason,
            "state_error": stats.get("state/error"),
            "started_at": self.started.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "finished_at": finished.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration_seconds": round((finished - self.started).total_seconds(), 3),
            "requests": stats.get("downloader/request_count", 0),
            "responses": stats.get("downloader/response_count", 0),
            "records": self.records,
            "records_flagged": self.flagged,
            "feeds": stats.get("feed/paths", []),
            "articles_by_category": dict(self.by_category.most_common()),
            "articles_by_year": dict(sorted(self.by_year.items())),
            "articles_by_month_category": {month: dict(cats.most_common()) for month, cats in sorted(self.by_month.items())},
            "coverage": coverage,
            "coverage_floor": self.floor,
            "coverage_below_floor": low,
            "coverage_not_counted": [name for name in COVERED if name not in self.covered],
            "warnings_by_kind": dict(self.warnings.most_common()),
            "http_errors_by_status": {str(k): v for k, v in sorted(self.http_error_counts.items())},
            "http_error_addresses": {str(k): v for k, v in sorted(self.http_errors.items())},
            "download_failures": dict(self.failures.most_common()),
            "download_failure_addresses": self.failed_urls,
            "articles_gone": {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("articles/gone/")},
            "not_article_pages": stats.get("articles/not_an_article", 0),
            "captures_skipped": {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("wayback/skipped/")},
            "captures_listed": stats.get("wayback/captures_listed"),
        }

    def spider_closed(self, spider, reason: str) -> None:
        report = self.summary(reason)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(report, ensure_ascii=False, indent=2), "utf-8")
        os.replace(tmp, self.path)  # a reader never sees half a report
        write_crawl_report(report, self.path.with_suffix(".html"))  # the same report at a glance, beside it
        logger.info(
            "run report: %d records (%d flagged), %d requests in %.1f s; HTTP errors %s; failures %s; report in %s",
            report["records"], report["records_flagged"], report["requests"], report["duration_seconds"],
            report["http_errors_by_status"] or "none", report["download_failures"] or "none", self.path,
        )
        for name, share in report["coverage_below_floor"].items():
            logger.warning("coverage of %s is %.1f%%, below the floor of %.0f%%", name, share * 100, self.floors.get(name, self.floor) * 100)
        self.crawler.stats.set_value("report/path", str(self.path))
