"""``articles/<month>.parquet``: a month of the corpus as typed columns, from its JSON Lines by
Arrow's own JSON reader and compute functions, 4 MiB of lines at a time (no Python object per record;
memory stays flat: Arrow's streaming JSON reader held on to every block it had read, 140 MiB for
20,000 articles; row groups of 4 MiB of JSON, some 500 articles).

Times become time-zone-aware timestamps: ``published_at`` (and each related link's) at +07:00 as the
portal shows them, a day shown without a time as that day's local midnight (``published_at_raw``
keeps what the page showed, the JSON Lines the ISO string at its precision); fetch and capture
times in UTC. A time that is not ISO 8601 becomes null (the JSON Lines keep it). Lists of objects
are lists of structs.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj
import pyarrow.parquet as pq

from .columns import TIMES_LOCAL, TIMES_UTC, arrow_schema

_ISO = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
#: Lines parsed at a time (a whole line more: a record is never split).
CHUNK = 4 << 20


@cache
def lit(value: str | int | None) -> pa.Scalar:
    """A string (or None: a null string) or int64 as an Arrow scalar, built from its bytes. A Python
    value handed to Arrow (``pa.scalar``, or a literal given to a compute function) makes pyarrow
    import pandas, to see whether it is pandas's: 0.4-0.5 s of every run that writes a month, a
    third of a nightly re-run, for nothing the corpus uses."""
    if value is None:
        return pa.nulls(1, pa.string())[0]
    if isinstance(value, int):
        return pa.Array.from_buffers(pa.int64(), 1, [None, pa.py_buffer(struct.pack("<q", value))])[0]
    data = value.encode("utf-8")
    return pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(struct.pack("<ii", 0, len(data))), pa.py_buffer(data)])[0]


def _as_text(kind: pa.DataType) -> pa.DataType:
    """The JSON reader's type for a column: times as the strings they are in the file."""
    if kind in (arrow_schema().field("published_at").type, arrow_schema().field("fetched_at").type):
        return pa.string()
    if pa.types.is_list(kind) and pa.types.is_struct(kind.value_type):
        return pa.list_(pa.struct([pa.field(f.name, _as_text(f.type)) for f in kind.value_type]))
    return kind


def reading_schema() -> pa.Schema:
    return pa.schema([pa.field(f.name, _as_text(f.type)) for f in arrow_schema()])


def to_time(strings: pa.Array, kind: pa.DataType) -> pa.Array:
    """ISO strings as timestamps of ``kind``: a bare day is its midnight at +07:00; anything that
    is not ISO 8601 with a zone is null."""
    day_only = pc.equal(pc.utf8_length(strings), lit(10))
    strings = pc.if_else(day_only, pc.binary_join_element_wise(strings, lit("T00:00:00+07:00"), lit("")), strings)
    strings = pc.if_else(pc.match_substring_regex(strings, _ISO), strings, lit(None))
    return pc.cast(pc.cast(strings, pa.timestamp("us", tz="UTC")), kind)


def _related(column: pa.ListArray, kind: pa.DataType) -> pa.Array:
    """The related links with their ``published_at`` as timestamps, lists and nulls kept."""
    links = column.values
    children = [
        to_time(links.field(i), f.type) if f.name == "published_at" else links.field(i)
        for i, f in enumerate(kind.value_type)
    ]
    values = pa.StructArray.from_arrays(children, fields=list(kind.value_type), mask=links.is_null())
    return pa.ListArray.from_arrays(column.offsets, values, type=kind, mask=column.is_null())


def typed(batch: pa.RecordBatch) -> pa.RecordBatch:
    """A batch as the JSON reader gave it, with the Parquet schema's types."""
    schema = arrow_schema()
    columns = []
    for field in schema:
        column = batch.column(field.name)
        if field.name in TIMES_LOCAL or field.name in TIMES_UTC:
            column = to_time(column, field.type)
        elif field.name == "related":
            column = _related(column, field.type)
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def batches(jsonl: Path) -> Iterator[pa.RecordBatch]:
    """The JSON Lines file as record batches of the reading schema, one per ``CHUNK`` of lines."""
    options = pj.ParseOptions(explicit_schema=reading_schema(), unexpected_field_behavior="ignore")
    with jsonl.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            chunk += fh.readline()
            table = pj.read_json(pa.BufferReader(chunk), read_options=pj.ReadOptions(block_size=len(chunk) + 1), parse_options=options)
            yield from table.combine_chunks().to_batches()


def write_parquet(jsonl: Path, out: Path, metadata: dict[str, str], each: Callable[[pa.RecordBatch], None] | None = None) -> int:
    """Write ``out`` from ``jsonl`` (one row group per chunk); ``each`` sees every batch as read
    (times still strings). Returns the number of rows."""
    schema = arrow_schema().with_metadata(metadata)
    rows = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for batch in batches(jsonl):
            if each is not None:
                each(batch)
            writer.write_batch(typed(batch).replace_schema_metadata(metadata))
            rows += batch.num_rows
    return rows
