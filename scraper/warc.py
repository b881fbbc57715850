"""WARC capture: every response the crawl receives, with its request, as gzipped WARC 1.1.

The middleware sits next to the downloader (its ``process_response`` runs before
decompression, redirects and retries), so the body stored is the body the server sent,
content-encoding and all; redirects, errors and robots.txt are captured too. Header
names are as Scrapy keeps them (title-cased) and a de-chunked body has its
``Transfer-Encoding`` header dropped, since the stored body is no longer chunked.
"""

from __future__ import annotations

import io
import logging
import os
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)

_IMAGE_TYPES = (b"image/",)


def _headers(scrapy_headers) -> list[tuple[str, str]]:
    out = []
    for name, values in scrapy_headers.items():
        key = name.decode("latin-1")
        if key.lower() == "transfer-encoding":
            continue
        for value in values:
            out.append((key, value.decode("latin-1")))
    return out


class WarcWriterFiles:
    """Rolling gzipped WARC files: ``<prefix>-<stamp>-<serial>.warc.gz``, a new one past ``max_size``."""

    def __init__(self, directory: Path, prefix: str, stamp: str, max_size: int, software: str) -> None:
        self.directory = directory
        self.prefix = prefix
        self.stamp = stamp
        self.max_size = max_size
        self.software = software
        self.serial = 0
        self.paths: list[Path] = []
        self.fh: io.BufferedWriter | None = None
        self.writer: WARCWriter | None = None
        directory.mkdir(parents=True, exist_ok=True)

    def _open(self) -> None:
        self.serial += 1
        path = self.directory / f"{self.prefix}-{self.stamp}-{self.serial:05d}.warc.gz"
        self.fh = path.open("ab")
        self.writer = WARCWriter(self.fh, gzip=True, warc_version="1.1")
        self.paths.append(path)
        info = {"software": self.software, "format": "WARC File Format 1.1", "isPartOf": f"{self.prefix}-{self.stamp}"}
        self.writer.write_record(self.writer.create_warcinfo_record(path.name, info))
        self.fh.flush()

    def current(self) -> WARCWriter:
        """The writer of the file being filled; a new file once past ``max_size``."""
        if self.fh is None or self.fh.tell() >= self.max_size:
            self.close()
            self._open()
        return self.writer

    def write(self, *records) -> None:
        self.current()
        for record in records:
            self.writer.write_record(record)
        self.fh.flush()  # each record is its own gzip member: a kill leaves earlier ones readable

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None


class WarcCaptureMiddleware:
    """Downloader middleware: ``-s WARC_DIR=PATH`` turns it on."""

    def __init__(self, crawler) -> None:
        settings = crawler.settings
        directory = settings.get("WARC_DIR")
        if not directory:
            raise NotConfigured
        self.crawler = crawler
        self.images = settings.getbool("WARC_IMAGES", False)
        self.files = WarcWriterFiles(
            Path(directory),
            settings.get("WARC_PREFIX", "laichau"),
            settings.get("RUN_STAMP") or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
            settings.getint("WARC_MAX_SIZE", 1024**3),
            settings.get("USER_AGENT", "laichau-scraper"),
        )
        self.index = settings.getbool("WARC_CDXJ", True)

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def process_response(self, request: Request, response: Response) -> Response:
        content_type = response.headers.get(b"Content-Type", b"") or b""
        if not self.images and content_type.startswith(_IMAGE_TYPES):
            return response
        try:
            self.capture(request, response)
        except Exception:  # an archive problem must not cost the crawl its records
            logger.exception("WARC: could not store %s", response.url)
            self.crawler.stats.inc_value("warc/errors")
        return response

    def capture(self, request: Request, response: Response) -> None:
        writer = self.files
        w = writer.current()
        protocol = response.protocol or "HTTP/1.1"
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = ""
        http_headers = StatusAndHeaders(f"{response.status} {reason}".strip(), _headers(response.headers), protocol=protocol)
        resp = w.create_warc_record(
            response.url, "response", payload=io.BytesIO(response.body), length=len(response.body), http_headers=http_headers
        )
        target = request.url.split("://", 1)[-1]
        path = "/" + target.split("/", 1)[1] if "/" in target else "/"
        req_headers = StatusAndHeaders(f"{request.method} {path} {protocol}", _headers(request.headers), is_http_request=True)
        host = request.url.split("://", 1)[-1].split("/", 1)[0]
        if not any(k.lower() == "host" for k, _ in req_headers.headers):
            req_headers.headers.insert(0, ("Host", host))
        req = w.create_warc_record(
            request.url, "request", payload=io.BytesIO(request.body or b""), length=len(request.body or b""),
            http_headers=req_headers,
            warc_headers_dict={"WARC-Concurrent-To": resp.rec_headers.get_header("WARC-Record-ID")},
        )
        writer.write(resp, req)
        self.crawler.stats.inc_value("warc/records", 2)

    def spider_closed(self) -> None:
        self.files.close()
        if not self.files.paths:
            return
        if self.index:
            index_path = self.files.directory / f"{self.files.prefix}-{self.files.stamp}.cdxj"
            write_cdxj(self.files.paths, index_path)
            logger.info("WARC: %d file(s), index %s", len(self.files.paths), index_path)


def write_cdxj(warcs: list[Path], out: Path) -> None:
    """A sorted CDXJ index (pywb's format) of the given WARC files, via cdxj-indexer."""
    from cdxj_indexer import CDXJIndexer

    tmp = out.with_suffix(".cdxj.tmp")
    CDXJIndexer(output=str(tmp), inputs=[str(p) for p in warcs], sort=True).process_all()
    os.replace(tmp, out)
