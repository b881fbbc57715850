"""A response's text as Scrapy decodes it, never failing on a page's bogus charset.

A page may declare any codec name: ``<meta charset="uu">`` names a bytes-to-bytes codec and
Python refuses to decode text with it. Such a page is read as UTF-8 (with replacements)
rather than lost.

Scrapy is imported only where a body needs its rules: an extraction worker, which gets raw
bytes, mostly hands them on as they are (``worker_markup``) and so starts without Scrapy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from w3lib.encoding import http_content_type_encoding

if TYPE_CHECKING:
    from scrapy.http import Response


def response_text(response: Response) -> str:
    """``response.text``: header charset, then the page's declaration, then detection."""
    try:
        return response.text
    except (LookupError, ValueError):
        return response.body.decode("utf-8", "replace")


def content_type(response: Response) -> str | None:
    """The response's Content-Type header, for decoding its body elsewhere (``body_text``)."""
    value = response.headers.get("Content-Type")
    return value.decode("latin-1") if value else None


def body_text(body: str | bytes, url: str, content_type: str | None) -> str:
    """A raw body read as the crawl reads its responses (for a worker, which gets bytes)."""
    if isinstance(body, str):
        return body
    from scrapy.http import HtmlResponse

    headers = {"Content-Type": content_type} if content_type else {}
    return response_text(HtmlResponse(url=url, body=body, headers=headers))


def worker_markup(body: str | bytes, url: str, content_type: str | None) -> str | bytes:
    """What a worker hands a page object: the bytes themselves where the page objects' own
    decoding (``page_bytes``: a BOM, then the header's charset) must read them as Scrapy's
    ``response.text`` does, that is wherever the header names a charset (every page of the
    portal); else Scrapy's text (``body_text``). Spares a decoding, a re-encoding and Scrapy."""
    if isinstance(body, bytes) and content_type and http_content_type_encoding(content_type):
        return body
    return body_text(body, url, content_type)
