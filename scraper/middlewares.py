"""Downloader middlewares."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, but a 429/503 waits as long as its Retry-After asks, or backs off
    exponentially (RETRY_BACKOFF_BASE × 2^retries) when it does not say.

    Waiting inside the middleware holds one download slot, which is the point: the
    host said it is overloaded, so the crawl slows down rather than piling on.
    """

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX", 300)
        self.backoff = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is None and response.status in (429, 503) and self.backoff > 0:
            wait = self.backoff * 2 ** request.meta.get("retry_times", 0)  # exponential back-off
        if wait is not None and response.status in (429, 503):
            wait = min(wait, self.max_wait)
            logger.info("%s answered %s; waiting %.1f s before retrying", request.url, response.status, wait)
            self.crawler.stats.inc_value("retry_after/waits")
            await asyncio.sleep(wait)
        return self._retry(request, f"{response.status}") or response
