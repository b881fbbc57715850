"""A worker's finished record, sealed with its JSON Lines line, for the crawl process.

An extraction worker sends each record to the crawl process, which writes it to the feeds.
Decoding the record's text there (unpickling) and encoding it again (the feed line) were the
largest per-record costs left in the crawl process. So the worker encodes the line once, and
the crawl process gets a :class:`SealedItem`: an ``ArticleItem`` whose scalar fields and warnings
are ready, and whose lists and ``body_html`` stay in the line until some code asks for them.

The feeds write the worker's line only while it is provably the record: no field was set, no
lazy field was handed out (whoever holds a list may change it) and the warnings are the sealed
ones (``DedupPipeline`` adds one to a copy of another article's text). Otherwise the record is
encoded afresh, as for any item. Writing to an item's ``__dict__`` directly goes unseen: set
attributes, as ``ItemAdapter`` and every pipeline here do.
"""

from __future__ import annotations

from typing import Any

import orjson

from .items import FIELD_ORDER, FIELDS, NESTED, ArticleItem, extra_attributes, is_filled
from .pipelines import record_fields, record_line

#: Left in the line until asked for: the lists (mutable, and most of a record's objects) and the
#: page's HTML, which nothing in the crawl process reads.
LAZY = ("breadcrumbs", "body_html", "images", "related", "tags")  # each a _Lazy on SealedItem
_LAZY_SET = frozenset(LAZY)
#: Sent as values: immutable scalars, and ``warnings``, a list compared with its sealed copy.
EAGER = tuple(name for name in FIELDS if name not in _LAZY_SET)


class SealedRecord:
    """What a worker sends for a finished item: the line, the eager values, whether each lazy
    field holds something (for the run report), and the item's extra attributes."""

    __slots__ = ("extra", "filled", "line", "values")

    def __init__(self, item: ArticleItem) -> None:
        state = item.__dict__
        self.line = record_line(record_fields(item))
        self.values = tuple(state[name] for name in EAGER)
        self.filled = tuple(is_filled(state[name]) for name in LAZY)
        self.extra = extra_attributes(state)

    def __reduce__(self) -> tuple[Any, ...]:
        return _unseal, (self.line, self.values, self.filled, self.extra)


class _Seal:
    __slots__ = ("assigned", "filled", "line", "opened", "warnings")

    def __init__(self, line: bytes, warnings: tuple[str, ...], filled: dict[str, bool]) -> None:
        self.line = line
        self.warnings = warnings
        self.filled = filled
        self.opened = False  # the lazy fields were read out of the line
        self.assigned = False  # an attribute was set


def _unseal(line: bytes, values: tuple[Any, ...], filled: tuple[bool, ...], extra: dict[str, Any] | None) -> SealedItem:
    item = object.__new__(SealedItem)
    state = item.__dict__
    state.update(zip(EAGER, values, strict=True))
    if extra:
        state.update(extra)
    state["_seal"] = _Seal(line, tuple(state["warnings"]), dict(zip(LAZY, filled, strict=True)))
    return item


class _Lazy:
    """A lazy field, read out of the line when first asked for. A non-data descriptor: once the
    instance holds the value, the instance's own wins. (A dataclass keeps a field's plain default
    on the class, ``body_html = ""``: ``__getattr__`` would never be asked.)"""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, item: SealedItem | None, owner: type | None = None) -> Any:
        if item is None:
            return self
        seal = item.__dict__.get("_seal")
        if seal is None or seal.opened:  # deleted, or never set: as on a plain item (its default)
            return getattr(ArticleItem, self.name)
        item._open(seal)
        return item.__dict__[self.name]


class SealedItem(ArticleItem):
    """An ``ArticleItem`` received from an extraction worker (see the module's docstring)."""

    breadcrumbs = _Lazy()
    body_html = _Lazy()
    images = _Lazy()
    related = _Lazy()
    tags = _Lazy()

    def __setattr__(self, name: str, value: Any) -> None:
        self._changing(name)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._changing(name)
        object.__delattr__(self, name)

    def _changing(self, name: str) -> None:
        """An attribute is set or deleted: the line no longer vouches. A lazy field is read out
        first, so the others are kept as sealed."""
        seal = self.__dict__.get("_seal")
        if seal is not None:
            if name in _LAZY_SET and not seal.opened:
                self._open(seal)
            seal.assigned = True

    def _open(self, seal: _Seal) -> None:
        """Read the lazy fields out of the line; from now on the line no longer vouches."""
        data = orjson.loads(seal.line)
        state = self.__dict__
        for name in LAZY:
            kind = NESTED.get(name)
            state[name] = [kind(**x) for x in data[name]] if kind is not None else data[name]
        seal.opened = True

    def sealed_line(self) -> bytes | None:
        """The worker's line, while it is the record; None once it may no longer be."""
        seal = self.__dict__.get("_seal")
        if seal is None or seal.opened or seal.assigned or tuple(self.warnings) != seal.warnings:
            return None
        return seal.line

    def filled(self, name: str) -> bool:
        seal = self.__dict__.get("_seal")
        if seal is not None and not seal.opened and name in _LAZY_SET:
            return seal.filled[name]
        return super().filled(name)

    def plain(self) -> ArticleItem:
        """The record as a plain ``ArticleItem`` (the same field values and extra attributes)."""
        state = {name: getattr(self, name) for name in FIELD_ORDER}
        state.update((k, v) for k, v in (extra_attributes(self.__dict__) or {}).items() if k != "_seal")
        item = object.__new__(ArticleItem)
        item.__dict__.update(state)
        return item

    def __repr__(self) -> str:
        """As a dataclass's, the lazy fields shown as ``<sealed>`` until read: a repr (a log
        line, an asyncio task's) must not unseal the record."""
        state = self.__dict__
        shown = (f"{name}=<sealed>" if name in _LAZY_SET and name not in state else f"{name}={state.get(name)!r}"
                 for name in FIELD_ORDER)
        return f"{type(self).__name__}({', '.join(shown)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ArticleItem):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in FIELDS)

    def __copy__(self) -> ArticleItem:
        return self.plain()

    def __reduce__(self) -> tuple[Any, ...]:
        return self.plain().__reduce__()


def sealed_line(item: Any) -> bytes | None:
    """The JSON Lines line a worker sealed with ``item``, while it still is the record."""
    return item.sealed_line() if type(item) is SealedItem else None


assert {name for name, value in vars(SealedItem).items() if isinstance(value, _Lazy)} == _LAZY_SET
