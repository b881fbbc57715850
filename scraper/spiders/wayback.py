"""Recover the portal from the Internet Archive: list captures with the CDX API, fetch each
capture's original bytes (``/web/<timestamp>id_/<url>``) and extract them with the same page
objects, whichever generation of the site a capture shows.

``scrapy crawl wayback -a to=2021`` recovers the 2021-era portal. One record per article (its
latest capture) by default; ``-a all_captures=1`` gives one per distinct capture.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import urlencode, urlsplit

from scrapy.http import Request, Response

from ..decoding import response_text
from ..errors import Refused
from ..pages import NotAnArticle, extract_article
from ..urls import is_article_url, is_legacy_article_url, site_key
from .base import StatefulSpider, flag

logger = logging.getLogger(__name__)

CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")


def archived_at(timestamp: str) -> str:
    """CDX's 14-digit UTC timestamp as ISO 8601."""
    t = timestamp.ljust(14, "0")
    return f"{t[0:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:14]}Z"


class WaybackSpider(StatefulSpider):
    name = "wayback"
    extra_args = ("from", "to")
    # The archive asks for a low request rate; -s still overrides these for a local replica.
    custom_settings = {
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_DELAY": 2.0,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": 2.0,
        "RETRY_TIMES": 6,
        "RETRY_BACKOFF_BASE": 5.0,
        "ROBOTSTXT_OBEY": False,  # the archive's robots.txt is for its site crawlers, not its API
    }

    def __init__(
        self,
        host: str = "congan.laichau.gov.vn",
        archive_base: str = "https://web.archive.org",
        all_captures: str | None = None,
        refresh: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.year_from = kwargs.pop("from", None)
        self.year_to = kwargs.pop("to", None)
        super().__init__(**kwargs)
        self.host = host.strip().strip("/")
        self.archive_base = self.base_url = archive_base.rstrip("/")
        archive_host = urlsplit(self.archive_base).hostname
        if not archive_host:
            raise Refused(f"-a archive_base={archive_base}: an http(s) address is needed")
        self.allowed_domains = [archive_host]
        self.all_captures = flag(all_captures, "all_captures")
        self.refresh = flag(refresh, "refresh")
        self.rows: list[dict[str, str]] = []

    # -- listing captures ---------------------------------------------------------------------
    def cdx_url(self, resume_key: str | None = None) -> str:
        params: list[tuple[str, str]] = [
            ("url", f"{self.host}/*"), ("output", "json"), ("fl", ",".join(CDX_FIELDS)),
            ("filter", "statuscode:200"), ("filter", "mimetype:text/html"), ("collapse", "digest"),
            ("limit", str(self.settings.getint("CDX_PAGE_SIZE", 5000))), ("showResumeKey", "true"),
        ]
        if self.year_from:
            params.append(("from", str(self.year_from)))
        if self.year_to:
            params.append(("to", str(self.year_to)))
        if resume_key:
            params.append(("resumeKey", resume_key))
        return f"{self.archive_base}/cdx/search/cdx?{urlencode(params)}"

    async def start(self) -> AsyncIterator[Request]:
        yield Request(self.cdx_url(), callback=self.parse_cdx, errback=self.failed, dont_filter=True)

    def parse_cdx(self, response: Response) -> Iterable[Request]:
        try:
            rows = json.loads(response.text or "[]")
        except ValueError:
            logger.error("%s: the CDX answer is not JSON; stopping", response.url)
            self.crawler.stats.inc_value("wayback/bad_cdx_pages")
            return
        resume = None
        if len(rows) >= 2 and rows[-2] == [] and len(rows[-1]) == 1:
            resume = rows[-1][0]
            rows = rows[:-2]
        if rows:
            header, *body = rows
            self.rows.extend(dict(zip(header, row, strict=False)) for row in body)
        self.crawler.stats.set_value("wayback/captures_listed", len(self.rows))
        if resume:
            yield Request(self.cdx_url(resume), callback=self.parse_cdx, errback=self.failed, dont_filter=True)
            return
        yield from self.fetch_captures()

    def fetch_captures(self) -> Iterable[Request]:
        """All captures are listed: choose which to fetch (the latest per article by default)."""
        chosen: dict[str, dict[str, str]] = {}
        for row in self.rows:
            original = row.get("original", "")
            if not (is_article_url(original) or is_legacy_article_url(original)):
                self.crawler.stats.inc_value("wayback/skipped/not_an_article_address")
                continue
            group = row["urlkey"] + ("@" + row["timestamp"] if self.all_captures else "")
            if group not in chosen or row["timestamp"] > chosen[group]["timestamp"]:
                chosen[group] = row
        rows = sorted(chosen.values(), key=lambda r: (r["urlkey"], r["timestamp"]))
        keys = [f"{site_key(r['original'])}@{archived_at(r['timestamp'])}" for r in rows]
        known = set() if self.refresh or self.state is None else self.state.known(keys)
        logger.info("%d captures listed, %d article captures chosen, %d already recovered", len(self.rows), len(rows), len(known))
        for row, key in zip(rows, keys, strict=True):
            if key in known:
                continue
            url = f"{self.archive_base}/web/{row['timestamp']}id_/{row['original']}"
            yield Request(url, callback=self.parse_capture, errback=self.failed, cb_kwargs={"row": row})

    # -- captures -----------------------------------------------------------------------------
    def parse_capture(self, response: Response, row: dict[str, str]):
        try:
            item = extract_article(response_text(response), row["original"])
        except NotAnArticle as exc:
            logger.info("%s: capture is not an article (%s)", row["original"], exc)
            self.crawler.stats.inc_value("articles/not_an_article")
            return
        except AttributeError:  # a binary body has no .text
            self.crawler.stats.inc_value("articles/not_an_article")
            return
        item.archived_at = archived_at(row["timestamp"])
        item.archive_url = response.url
        item.fetched_url = response.url
        yield item
