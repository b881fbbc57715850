"""Item pipelines, each doing one thing.

``RECORD_PIPELINES`` turn a page object's raw record into the final one; they are
pure and run unchanged by the offline ``extract`` command, so a record never
depends on how its page was obtained. The crawl adds the stateful ones after them.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from functools import cache
from typing import Any

import fastjsonschema
import orjson

from .dates import parse_time
from .items import FIELDS, NESTED, ArticleItem, Crumb, Image, schema
from .safe_html import safe_html
from .state import WrittenTable
from .text import clean, clean_lines, parse_count
from .urls import site_key, site_of

logger = logging.getLogger(__name__)
_TEXT_FIELDS = ("title", "published_at_raw", "category", "summary", "author", "source")


class TextPipeline:
    """NFC, entities decoded, white space collapsed, in every text field."""

    def process_item(self, item: ArticleItem) -> ArticleItem:
        for name in _TEXT_FIELDS:
            setattr(item, name, clean(getattr(item, name)))
        item.body_text = "\n\n".join(p for p in (clean_lines(p) for p in item.body_text.split("\n\n")) if p)
        item.breadcrumbs = [Crumb(n, c.url) for c in item.breadcrumbs if (n := clean(c.name))]
        item.images = [Image(i.url, clean(i.caption), clean(i.alt)) for i in item.images]
        sections: dict[str, str | None] = {}  # a list's links share its heading: cleaned once
        related = []
        for link in item.related:
            if link.section not in sections:
                sections[link.section] = clean(link.section)
            section, title = sections[link.section], clean(link.title)
            if section and title:
                link.section, link.title, link.published_at_raw = section, title, clean(link.published_at_raw)
                related.append(link)
        item.related = related
        item.tags = list(dict.fromkeys(t for t in map(clean, item.tags) if t))
        return item


class DatesPipeline:
    """Shown times → ISO 8601 with +07:00 at the precision shown; unparseable ones flagged."""

    def process_item(self, item: ArticleItem) -> ArticleItem:
        parsed = parse_time(item.published_at_raw)
        if parsed is None:
            item.published_at = None
            item.warn("no_published_at")
        else:
            item.published_at_raw = parsed.raw
            item.published_at = parsed.iso
            if parsed.value is None:
                item.warn("published_at_unparsed", parsed.raw)
        for link in item.related:
            shown = parse_time(link.published_at_raw)
            link.published_at = shown.iso if shown else None
        return item


class CountsPipeline:
    """View counts as shown ("1.254") → int."""

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if isinstance(item.views, str):
            count = parse_count(item.views)
            if count is None:
                item.warn("views_unparsed", item.views)
            item.views = count
        return item


class DerivedFieldsPipeline:
    """Fields computed from others: word count, content hash, fetch time, language, site."""

    def process_item(self, item: ArticleItem) -> ArticleItem:
        item.word_count = len(item.body_text.split())
        item.content_hash = hashlib.sha256(item.body_text.encode("utf-8")).hexdigest()
        item.fetched_at = item.fetched_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        item.lang = "vi"
        item.site = site_of(item.url) or site_of(item.fetched_url) or None
        if not item.body_text:
            item.warn("empty_body")
        if not item.title:
            item.warn("no_title")
        return item


class SafeHtmlPipeline:
    """``body_html`` through the allow-list sanitizer (``safe_html``), so no record carries markup
    that runs, loads or covers a page where it is rendered. Text fields are left as they are."""

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if item.body_html:
            item.body_html = safe_html(item.body_html)
        return item


def inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with every local ``$ref`` replaced by its definition.

    fastjsonschema compiles each ``$ref`` to a call whose error-path name it formats with
    ``**locals()`` for every array element, error or not: 180 µs a record against 27 µs inlined.
    """
    if isinstance(node, list):
        return [inline_refs(v, defs) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: inline_refs(v, defs) for k, v in node.items() if k not in ("$ref", "$defs")}
    if "$ref" in node:
        ref = node["$ref"]
        if "#/$defs/" not in ref:
            raise ValueError(f"only local $defs references can be inlined, not {ref!r}")
        out = {**inline_refs(defs[ref.rsplit("/", 1)[-1]], defs), **out}
    return out


@cache
def full_validator():
    """jsonschema's validator, for the full list of a failing record's problems: imported on first
    need (a tenth of a second of start-up, in every crawl and worker, for records that pass)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


class ValidatePipeline:
    """Check the record against the JSON Schema; a failing record is kept and flagged.

    A compiled validator (fastjsonschema on the ref-inlined schema, ~40x faster) decides; only
    a failing record pays for jsonschema's full list of reasons.
    """

    fast = staticmethod(fastjsonschema.compile(inline_refs(schema(), schema()["$defs"])))

    def __init__(self, stats=None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        record = record_dict(item)
        try:
            self.fast(record)
            errors = []
        except fastjsonschema.JsonSchemaException:
            errors = list(full_validator().iter_errors(record))
        for error in errors:
            path = "/".join(str(p) for p in error.absolute_path) or "(record)"
            item.warn("schema", f"{path}: {error.message[:200]}")
        if errors:
            logger.warning("%s fails the schema (%d problems), written flagged: %s", item.url, len(errors), errors[0].message[:200])
        self.count(item)
        return item

    def count(self, item: ArticleItem) -> None:
        if self.stats is not None:
            invalid = any(w.startswith("schema:") for w in item.warnings)
            self.stats.inc_value("records/invalid" if invalid else "records/valid")
            if item.warnings:
                self.stats.inc_value("records/flagged")


class DedupPipeline:
    """One record per article in a run: by article id (or canonical address).

    Print, savefile and wrong-slug copies were already collapsed to one canonical address
    by the spider; this catches what slips through (the same id under two addresses). A
    different article with the very same body is kept but flagged, not silently dropped.
    What the run wrote is remembered in the spider's state (``state.WrittenTable``: TEMP
    tables, not a set and a dict that grew with every article); in memory only where
    there is no state.
    """

    def __init__(self, crawler=None) -> None:
        self.crawler = crawler
        self.fallback: WrittenTable | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def written(self) -> WrittenTable:
        state = getattr(getattr(self.crawler, "spider", None), "state", None)
        if state is not None:
            return state.written
        if self.fallback is None:
            self.fallback = WrittenTable.private()
        return self.fallback

    def process_item(self, item: ArticleItem) -> ArticleItem:
        from scrapy.exceptions import DropItem

        written = self.written
        key = site_key(item.url) + (f"@{item.archived_at}" if item.archived_at else "")
        if not written.first(key):
            raise DropItem(f"duplicate of an article already written in this run: {item.url}")
        if item.body_text:
            first = written.first_with_body(item.content_hash, item.url)
            if first != item.url:
                item.warn("duplicate_content", first)
        return item


RECORD_PIPELINES: tuple[type, ...] = (
    TextPipeline, DatesPipeline, CountsPipeline, DerivedFieldsPipeline, SafeHtmlPipeline, ValidatePipeline,
)


class RecordPipeline:
    """The record chain, ``RECORD_PIPELINES`` in order, as one Scrapy pipeline.

    The crawl and the offline ``extract`` run this very object's chain, so a record never
    depends on how its page was obtained; one Scrapy stage for the whole chain also spares the
    per-stage dispatch, a measurable share of a fast crawl's time.
    """

    def __init__(self, stats=None) -> None:
        self.chain = [ValidatePipeline(stats) if cls is ValidatePipeline else cls() for cls in RECORD_PIPELINES]

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if getattr(item, "built", False):  # built by this very chain in an extraction worker
            self.chain[-1].count(item)
            return item
        for stage in self.chain:
            item = stage.process_item(item)
        return item


_OFFLINE = RecordPipeline()


def build_record(item: ArticleItem) -> ArticleItem:
    """Run the record chain: the offline twin of the crawl's."""
    return _OFFLINE.process_item(item)


def record_dict(item: ArticleItem) -> dict[str, Any]:
    """The record as a plain dict in the schema's field order (the documented, stable order).

    Written out by hand: the record's shape is fixed, and a generic deep conversion was a
    measurable share of the crawl's time.
    """
    data = record_fields(item)
    for name in NESTED:
        data[name] = [dict(vars(x)) if not isinstance(x, dict) else dict(x) for x in data[name]]
    data["tags"] = list(data["tags"])
    data["warnings"] = list(data["warnings"])
    return data


def record_fields(item: ArticleItem) -> dict[str, Any]:
    """The record's fields in schema order, nested values still the item's own objects: what the
    feeds encode (orjson writes a dataclass as its fields, in order), without ``record_dict``'s
    copies of every image, crumb and related link."""
    return {name: getattr(item, name) for name in FIELDS}


def record_line(record: dict[str, Any]) -> bytes:
    """One JSON Lines line, UTF-8, the same bytes from the crawl's feeds and from ``extract``.

    orjson: compact, characters as themselves (no ``\\u`` escapes), and 20x quicker than
    ``json.dumps`` on a record (3 against 63 us), a cost every record paid in the crawl process.
    """
    return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)
