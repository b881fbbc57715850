"""Counts over the corpus gathered while its Parquet files are written, a batch at a time with Arrow's
compute functions (no record kept, no Python object per record): what the dataset card and
``report.html`` show. Counted per output month and kept in ``manifest.json``, so a run that rewrites
one month adds up the others' counts instead of reading them again."""

from __future__ import annotations

import collections
from dataclasses import dataclass, field, fields
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .columns import names
from .parquet import lit

#: Fields whose coverage is shown: every column but the ones every record has by construction.
COVERED = tuple(n for n in names() if n not in ("lang", "warnings", "revision_count"))
NO_CATEGORY = "(none)"
_SEP = "\x1f"
#: Flagged pairs kept to show.
EXAMPLES = 50


def _counts(array: pa.Array) -> collections.Counter[str]:
    return collections.Counter({v["values"]: v["counts"] for v in pc.value_counts(array).to_pylist()})


def filled(column: pa.Array) -> int:
    """How many values are not null, not "" and not [] (``items.is_filled``)."""
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pc.sum(pc.greater(pc.utf8_length(column), lit(0))).as_py() or 0
    if pa.types.is_list(kind):
        return pc.sum(pc.greater(pc.list_value_length(column), lit(0))).as_py() or 0
    return len(column) - column.null_count


def _min(a: str | None, b: str | None) -> str | None:
    return b if a is None else a if b is None else min(a, b)


def _max(a: str | None, b: str | None) -> str | None:
    return b if a is None else a if b is None else max(a, b)


@dataclass
class CorpusStats:
    articles: int = 0
    revised: int = 0  # articles seen with more than one body
    earlier_versions: int = 0
    near_duplicates: int = 0
    undated: int = 0
    published_min: str | None = None
    published_max: str | None = None
    seen_min: str | None = None
    seen_max: str | None = None
    sites: collections.Counter[str] = field(default_factory=collections.Counter)
    layouts: collections.Counter[str] = field(default_factory=collections.Counter)
    by_year: collections.Counter[str] = field(default_factory=collections.Counter)
    by_category: collections.Counter[str] = field(default_factory=collections.Counter)
    by_month_category: collections.Counter[tuple[str, str]] = field(default_factory=collections.Counter)
    filled: collections.Counter[str] = field(default_factory=collections.Counter)
    #: A few flagged pairs (copy, original) to show; the count above is complete.
    examples: list[tuple[str, str]] = field(default_factory=list)

    def add_batch(self, batch: pa.RecordBatch) -> None:
        """Count a batch of the articles' JSON Lines as Arrow's JSON reader gives it (times as strings)."""
        self.articles += batch.num_rows
        published = batch.column("published_at")
        dated = pc.and_kleene(pc.is_valid(published), pc.greater_equal(pc.utf8_length(published), lit(10)))  # null: false
        category = pc.fill_null(batch.column("category"), lit(NO_CATEGORY))
        self.sites.update(_counts(pc.fill_null(batch.column("site"), lit(""))))
        self.layouts.update(_counts(pc.fill_null(batch.column("layout"), lit("?"))))
        self.by_category.update(_counts(category))
        self.by_year.update(_counts(pc.if_else(dated, pc.utf8_slice_codeunits(published, 0, 4), lit("unknown"))))
        undated = batch.num_rows - (pc.sum(dated).as_py() or 0)
        self.undated += undated
        months = pc.binary_join_element_wise(pc.utf8_slice_codeunits(published, 0, 7), category, lit(_SEP))
        for key, n in _counts(pc.filter(months, dated)).items():
            month, cat = key.split(_SEP, 1)
            self.by_month_category[month, cat] += n
        dated_values = pc.filter(published, dated)
        if len(dated_values):
            bounds = pc.min_max(dated_values).as_py()
            self.published_min, self.published_max = _min(self.published_min, bounds["min"]), _max(self.published_max, bounds["max"])
        seen = pc.min_max(batch.column("first_seen_at")).as_py()
        self.seen_min, self.seen_max = _min(self.seen_min, seen["min"]), _max(self.seen_max, seen["max"])
        self.revised += pc.sum(pc.greater(batch.column("revision_count"), lit(1))).as_py() or 0
        copies = batch.column("near_duplicate_of")
        self.near_duplicates += len(copies) - copies.null_count
        if copies.null_count < len(copies) and len(self.examples) < EXAMPLES:
            flagged = pc.is_valid(copies)
            pairs = zip(pc.filter(batch.column("url"), flagged).to_pylist(), pc.filter(copies, flagged).to_pylist(), strict=True)
            self.examples.extend(list(pairs)[: EXAMPLES - len(self.examples)])
        for name in COVERED:
            self.filled[name] += filled(batch.column(name))

    def add(self, other: CorpusStats) -> None:
        """Add another month's counts (months added in order keep the first examples first)."""
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, int):
                setattr(self, f.name, mine + theirs)
            elif isinstance(mine, collections.Counter):
                mine.update(theirs)
            elif f.name == "examples":
                mine.extend(theirs[: EXAMPLES - len(mine)])
            elif f.name.endswith("_min"):
                setattr(self, f.name, _min(mine, theirs))
            else:
                setattr(self, f.name, _max(mine, theirs))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "by_month_category":
                value = [[month, cat, n] for (month, cat), n in value.items()]
            elif isinstance(value, collections.Counter):
                value = dict(value)
            elif f.name == "examples":
                value = [list(pair) for pair in value]
            out[f.name] = value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CorpusStats:
        stats = cls()
        for f in fields(stats):
            value = data[f.name]
            if f.name == "by_month_category":
                value = collections.Counter({(month, cat): n for month, cat, n in value})
            elif isinstance(getattr(stats, f.name), collections.Counter):
                value = collections.Counter(value)
            elif f.name == "examples":
                value = [tuple(pair) for pair in value]
            setattr(stats, f.name, value)
        return stats

    def coverage(self) -> dict[str, float]:
        return {n: round(self.filled[n] / self.articles, 4) if self.articles else 0.0 for n in COVERED}

    def months(self) -> dict[str, dict[str, int]]:
        """Articles per month ("YYYY-MM", local time) and category."""
        out: dict[str, dict[str, int]] = {}
        for (month, category), n in sorted(self.by_month_category.items()):
            out.setdefault(month, {})[category] = n
        return out
