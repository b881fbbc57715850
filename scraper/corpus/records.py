"""A feed's record as the corpus keeps it: NFC text, its site, its identity and its times.

Feeds written by older versions, by CSV or by hand may lack a field the crawl writes today
(``site`` is one); everything the corpus needs is derived here, once, from what is there.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from .. import urls

#: The portal's zone: every ``published_at`` is written at +07:00 and stays so.
LOCAL = timezone(timedelta(hours=7))
_HASH = re.compile(r"^[0-9a-f]{64}$")


def nfc(value: Any) -> Any:
    """``value`` with every string in it NFC (feeds are; a hand-made or old CSV may not be)."""
    if isinstance(value, str):
        return value if value.isascii() or unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: nfc(v) for k, v in value.items()}
    return value


def site_of(record: dict[str, Any]) -> str:
    """The record's ``site``; for a feed written before records carried one, what the crawl sets
    it to now (``urls.site_of``: the host of ``url``, else of ``fetched_url``, without ``www.``)."""
    site = record.get("site")
    if isinstance(site, str) and site:
        return site
    return urls.site_of(record.get("url") or "") or urls.site_of(record.get("fetched_url") or "")


def identity(record: dict[str, Any]) -> str:
    """An article's key, as ``urls.site_key`` makes it: its site, then the key the crawl's state
    remembers it by within the site (today's portal's id, so a slug or category changed by an edit
    is the same article; else its canonical address)."""
    return f"{site_of(record)} {urls.article_key(record.get('url') or '')}"


def parse_time(value: Any) -> datetime | None:
    """An ISO time of a record as an aware datetime: ``…Z`` in UTC, ``…+07:00`` as written, a
    bare day as its local midnight; None for anything else."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=LOCAL) if parsed.tzinfo is None else parsed


def sort_key(value: datetime | None) -> str:
    """A time as a string that sorts as the instant does ("" for none): SQLite orders by it."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") if value else ""


#: The partition of articles with neither a publication nor a capture time.
UNDATED = "undated"


def partition(order_sort: str) -> str:
    """The output file an article goes in: the month, at the portal's +07:00, of its order time
    (publication, else first capture; a ``sort_key``), or ``UNDATED``. By month because a nightly
    run adds articles published that day or the day before: it rewrites one or two months, and a
    month holds as many articles as the portal publishes in one, however long the history."""
    if not order_sort:
        return UNDATED
    return datetime.fromisoformat(order_sort).replace(tzinfo=UTC).astimezone(LOCAL).strftime("%Y-%m")


def captured_at(record: dict[str, Any]) -> str | None:
    """When this copy of the page was made: the archive's capture time, else the fetch time. A
    page recovered from the archive today is as old as its capture, not as its fetch."""
    return record.get("archived_at") or record.get("fetched_at") or None


def prepared(record: dict[str, Any]) -> dict[str, Any]:
    """The record NFC, with its ``site`` (after its fields when the feed had none) and a
    ``content_hash`` true to its body: the feed's, unless NFC changed the body or it has none."""
    body = record.get("body_text")
    out = nfc(record)
    if not out.get("site"):
        out["site"] = site_of(out) or None
    given = out.get("content_hash")
    if out.get("body_text") != body or not isinstance(given, str) or not _HASH.match(given):
        out["content_hash"] = hashlib.sha256((out.get("body_text") or "").encode("utf-8")).hexdigest()
    return out
