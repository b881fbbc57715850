"""A response's text as Scrapy decodes it, never failing on a page's bogus charset.

A page may declare any codec name: ``<meta charset="uu">`` names a bytes-to-bytes codec and
Python refuses to decode text with it. Such a page is read as UTF-8 (with replacements)
rather than lost.
"""

from __future__ import annotations

from scrapy.http import HtmlResponse, Response


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
    headers = {"Content-Type": content_type} if content_type else {}
    return response_text(HtmlResponse(url=url, body=body, headers=headers))
