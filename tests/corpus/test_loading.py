"""The corpus's Parquet months as researchers load them, by the card's (and the README's) one-liners:
pandas, DuckDB and ``datasets`` read every month as one table of typed columns, times zone-aware
(+07:00 for the portal's, UTC for captures), lists as lists of structs; the same rows as the JSON
Lines. The corpus is built in two runs: its months come from both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from scraper.corpus.build import build
from scraper.corpus.card import LOAD
from scraper.corpus.columns import names
from tests.corpus.conftest import articles_of, complete, edited, write_feed

PLUS7 = timezone(timedelta(hours=7))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, goldens):
    tmp = tmp_path_factory.mktemp("loading")
    day_only = complete({**goldens[5], "published_at": "2024-01-10"})  # a day shown without a time
    feeds = [*goldens[:5], day_only, *goldens[6:]]
    write_feed(tmp / "output" / "articles-20250110T191500Z.jsonl", feeds)
    build(tmp / "output", tmp / "corpus")
    write_feed(tmp / "output" / "articles-20250111T191500Z.jsonl", [edited(goldens[0], "Sửa. " * 40, "2025-01-11T19:15:00Z")])
    assert build(tmp / "output", tmp / "corpus").months_written == 1
    assert len(list((tmp / "corpus" / "articles").glob("*.parquet"))) == 7
    return tmp / "corpus", {r["url"]: r for r in articles_of(tmp / "corpus")}


def _load(kind: str, dest, monkeypatch, **names):
    """Run the card's one-liner for ``kind`` from the folder holding the corpus, as a reader would."""
    monkeypatch.chdir(dest.parent)
    return eval(LOAD[kind].format(d=dest.name), names)  # our own constant, the very line the card prints


def _when(iso: str | None) -> datetime | None:
    if iso is None:
        return None
    parsed = datetime.fromisoformat(iso)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=PLUS7)


def test_pandas_reads_typed_zone_aware_columns(corpus, monkeypatch) -> None:
    import pandas as pd

    dest, rows = corpus
    frame = _load("pandas", dest, monkeypatch, pd=pd)
    assert list(frame.columns) == list(names()) and len(frame) == len(rows) == 12
    assert str(frame["published_at"].dtype) == "datetime64[us, UTC+07:00]"
    assert str(frame["fetched_at"].dtype) == str(frame["first_seen_at"].dtype) == "datetime64[us, UTC]"
    assert str(frame["views"].dtype) in ("Int64", "int64", "float64") and str(frame["revision_count"].dtype) == "int64"
    for record in frame.to_dict("records"):
        row = rows[record["url"]]
        assert record["published_at"].to_pydatetime() == _when(row["published_at"])
        assert record["published_at"].utcoffset() == timedelta(hours=7)
        assert record["fetched_at"].to_pydatetime() == datetime.fromisoformat(row["fetched_at"])
        assert record["title"] == row["title"] and record["body_text"] == row["body_text"]
        assert [dict(i) for i in record["images"]] == row["images"]
        assert [link["title"] for link in record["related"]] == [link["title"] for link in row["related"]]
        assert [link["published_at"] for link in record["related"]] == [_when(link["published_at"]) for link in row["related"]]
        assert record["revision_count"] == row["revision_count"]
    day_only = next(u for u, r in rows.items() if r["published_at"] == "2024-01-10")  # the JSON Lines keep the day…
    assert frame.set_index("url").loc[day_only, "published_at"].isoformat() == "2024-01-10T00:00:00+07:00"  # …Parquet its midnight
    assert sorted(frame["revision_count"]) == [1] * 11 + [2]


def test_duckdb_reads_timestamps_with_time_zone_and_structs(corpus, monkeypatch) -> None:
    import duckdb

    dest, rows = corpus
    relation = _load("DuckDB", dest, monkeypatch, duckdb=duckdb)
    assert relation.columns == list(names()) and len(relation.fetchall()) == len(rows)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    path = str(dest / "articles" / "*.parquet")
    kinds = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{path}')").fetchall())
    assert kinds["published_at"] == kinds["fetched_at"] == "TIMESTAMP WITH TIME ZONE"
    assert kinds["images"].startswith("STRUCT(url VARCHAR, caption VARCHAR, alt VARCHAR)[]")
    got = con.execute(f"SELECT url, published_at, len(images), images[1].url, category FROM '{path}'").fetchall()
    assert len(got) == len(rows)
    for url, published, n_images, first_image, category in got:
        row = rows[url]
        assert published == _when(row["published_at"]).astimezone(UTC)
        assert n_images == len(row["images"]) and first_image == (row["images"][0]["url"] if row["images"] else None)
        assert category == row["category"]
    per_year = dict(con.execute(f"SELECT year(published_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::VARCHAR, count(*) FROM '{path}' GROUP BY 1").fetchall())
    assert per_year == {"2021": 3, "2023": 5, "2024": 4}


def test_datasets_loads_the_parquet_with_its_features(corpus, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    import datasets

    dest, rows = corpus
    assert LOAD["datasets"] == 'datasets.load_dataset("parquet", data_files="{d}/articles/*.parquet", split="train")'
    ds = datasets.load_dataset("parquet", data_files=f"{dest}/articles/*.parquet", split="train", cache_dir=str(tmp_path / "cache"))
    assert ds.num_rows == len(rows) and ds.column_names == list(names())
    assert str(ds.features["published_at"]) == "Value('timestamp[us, tz=+07:00]')"
    assert str(ds.features["images"]) == "List({'url': Value('string'), 'caption': Value('string'), 'alt': Value('string')})"
    for record in ds:
        row = rows[record["url"]]
        assert record["published_at"] == _when(row["published_at"]) and record["published_at"].utcoffset() == timedelta(hours=7)
        assert record["images"] == row["images"] and record["tags"] == row["tags"]
        assert record["near_duplicate_of"] is None and record["site"] == "congan.laichau.gov.vn"
