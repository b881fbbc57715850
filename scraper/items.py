"""The article record (see ``schema/RECORD.md``).

Page objects fill it with values *as shown* (raw strings for times and counts);
the record pipelines then normalise it in place, so the same chain serves the
crawl and offline extraction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from functools import cache
from importlib import resources
from operator import attrgetter
from typing import Any

FIELDS: tuple[str, ...]  # set below, in schema order


@dataclass
class Image:
    url: str
    caption: str | None = None
    alt: str | None = None


@dataclass
class Crumb:
    name: str
    url: str | None = None


@dataclass
class RelatedLink:
    section: str
    title: str
    url: str | None
    #: ISO at the precision shown (set by DatesPipeline from the raw string).
    published_at: str | None = None
    #: The date as shown beside the link ("26/02/2021 7:49:19 SA", "06/12/2023").
    published_at_raw: str | None = None


@dataclass
class ArticleItem:
    url: str
    fetched_url: str
    layout: str
    title: str | None = None
    article_id: str | None = None
    published_at: str | None = None
    published_at_raw: str | None = None
    category: str | None = None
    breadcrumbs: list[Crumb] = field(default_factory=list)
    summary: str | None = None
    body_text: str = ""
    body_html: str = ""
    images: list[Image] = field(default_factory=list)
    related: list[RelatedLink] = field(default_factory=list)
    author: str | None = None
    source: str | None = None
    tags: list[str] = field(default_factory=list)
    #: Shown text ("1.254") from the page object; int after CountsPipeline.
    views: int | str | None = None
    word_count: int = 0
    content_hash: str = ""
    fetched_at: str = ""
    lang: str = "vi"
    warnings: list[str] = field(default_factory=list)
    #: Set only for pages recovered from a web archive (the ``wayback`` spider).
    archived_at: str | None = None
    archive_url: str | None = None
    #: The portal's host (``urls.site_of``), set by DerivedFieldsPipeline: ids are per site.
    site: str | None = None

    def warn(self, code: str, detail: str | None = None) -> None:
        """Flag the record; each flag once."""
        flag = code if detail is None else f"{code}:{detail}"
        if flag not in self.warnings:
            self.warnings.append(flag)

    def filled(self, name: str) -> bool:
        """Whether the field holds a value (the run report's coverage)."""
        return is_filled(getattr(self, name))

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as tuples of plain values: an extraction worker sends every record to the crawl
        process, where unpickling twenty related links as dataclass instances, each rebuilt
        attribute by attribute, was two thirds of a record's cost (50-69 against 35 us)."""
        state = self.__dict__
        values = tuple(
            [_NESTED_GET[kind](x) if type(x) is kind else x for x in state[name]]
            if (kind := NESTED.get(name)) else state[name]
            for name in FIELD_ORDER
        )
        return _item_from_wire, (values,), extra_attributes(state)

    def __copy__(self) -> ArticleItem:
        """A shallow copy, as without ``__reduce__``: the same nested objects."""
        new = object.__new__(ArticleItem)
        new.__dict__.update(self.__dict__)
        return new


def is_filled(value: Any) -> bool:
    return value is not None and value != "" and value != []


#: The dataclass's fields in its own order (``FIELDS`` is the schema's), and as a set.
FIELD_ORDER = tuple(f.name for f in fields(ArticleItem))
FIELD_SET = frozenset(FIELD_ORDER)


def extra_attributes(state: dict[str, Any]) -> dict[str, Any] | None:
    """An item's attributes beyond its fields (a worker's ``built`` mark), from its ``__dict__``;
    None when there are none."""
    return {k: v for k, v in state.items() if k not in FIELD_SET} or None


#: The record's lists of dataclasses, and the one attribute getter per kind that makes a tuple.
NESTED: dict[str, type] = {"breadcrumbs": Crumb, "images": Image, "related": RelatedLink}
_NESTED_GET = {kind: attrgetter(*(f.name for f in fields(kind))) for kind in NESTED.values()}
assert all(len(fields(kind)) > 1 for kind in NESTED.values()), "attrgetter of one name gives no tuple"


def _item_from_wire(values: tuple[Any, ...]) -> ArticleItem:
    """An ``ArticleItem`` from its ``__reduce__`` form."""
    item = object.__new__(ArticleItem)
    state = item.__dict__
    state.update(zip(FIELD_ORDER, values, strict=True))
    for name, kind in NESTED.items():
        state[name] = [kind(*x) if type(x) is tuple else x for x in state[name]]
    return item


@cache
def schema() -> dict[str, Any]:
    """The record's JSON Schema, shipped in the package."""
    return json.loads(resources.files("scraper.schema").joinpath("article.schema.json").read_text("utf-8"))


FIELDS = tuple(schema()["required"])
assert set(FIELDS) == {f.name for f in fields(ArticleItem)}, "items.py and the schema disagree"
