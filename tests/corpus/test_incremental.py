"""A re-run reads only feed bytes it has not merged: a new feed, the tail a running crawl appended,
a feed rewritten in place; with nothing new it leaves DEST alone. Its outputs equal a full build's."""

from __future__ import annotations

import os

import pyarrow.parquet as pq

from scraper.corpus.build import build
from tests.corpus.conftest import complete, edited, lines, write_feed

DAY = "2025-01-{:02d}T19:15:00Z"


def _outputs(dest) -> tuple[bytes, bytes, list]:
    return ((dest / "articles.jsonl").read_bytes(), (dest / "revisions.jsonl").read_bytes(),
            pq.read_table(dest / "articles.parquet").to_pylist())


def test_one_more_feed_is_all_a_rerun_reads_and_it_equals_a_full_build(tmp_path, goldens) -> None:
    src, dest = tmp_path / "output", tmp_path / "corpus"
    for day, part in ((10, goldens[:4]), (11, goldens[4:8])):
        write_feed(src / f"articles-202501{day}T191500Z.jsonl", [complete(r, DAY.format(day)) for r in part])
    first = build(src, dest)
    assert first.full and first.feeds_read == 2 and first.articles == 8

    newer = [complete(r, DAY.format(12)) for r in goldens[8:]] + [edited(goldens[0], "Nội dung đã sửa. " * 30, DAY.format(12))]
    feed = write_feed(src / "articles-20250112T191500Z.jsonl", newer)
    again = build(src, dest)
    assert not again.full and again.feeds == 3 and again.feeds_read == 1
    assert again.bytes_read == feed.stat().st_size and again.records == len(newer)
    assert (again.articles, again.new, again.revised) == (12, 4, 1)

    scratch = build(src, tmp_path / "scratch")
    assert scratch.full and scratch.records == 8 + len(newer)
    assert _outputs(dest) == _outputs(tmp_path / "scratch")


def test_a_feed_still_being_written_is_read_to_its_last_whole_line_and_on_from_there(tmp_path, goldens) -> None:
    src, dest = tmp_path / "output", tmp_path / "corpus"
    feed = write_feed(src / "articles-20250110T191500Z.jsonl", goldens[:5])
    whole = feed.stat().st_size
    half = write_feed(tmp_path / "one.jsonl", goldens[5:6]).read_bytes()
    with feed.open("ab") as fh:
        fh.write(half[: len(half) // 2])  # the crawl is writing its sixth record
    first = build(src, dest)
    assert first.articles == 5 and first.bytes_read == whole and first.unreadable == 0

    with feed.open("ab") as fh:
        fh.write(half[len(half) // 2 :])
    write_feed(feed, goldens[6:8], mode="ab")
    again = build(src, dest)
    assert again.feeds_read == 1 and again.bytes_read == feed.stat().st_size - whole  # the tail only
    assert again.records == 3 and again.articles == 8
    assert len(lines(dest / "articles.jsonl")) == 8


def test_nothing_new_leaves_dest_untouched(tmp_path, goldens) -> None:
    src, dest = tmp_path / "output", tmp_path / "corpus"
    write_feed(src / "articles-20250110T191500Z.jsonl", goldens)
    build(src, dest)
    before = {p.name: (p.stat().st_mtime_ns, p.stat().st_ino) for p in dest.iterdir()}
    again = build(src, dest)
    assert again.unchanged and again.records == 0 and again.articles == len(goldens)
    assert {p.name: (p.stat().st_mtime_ns, p.stat().st_ino) for p in dest.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".corpus.tmp-")]


def test_a_feed_rewritten_in_place_is_read_again_without_doubling_anything(tmp_path, goldens) -> None:
    src, dest = tmp_path / "output", tmp_path / "corpus"
    feed = write_feed(src / "named.jsonl", [complete(r, DAY.format(10)) for r in goldens[:6]])
    build(src, dest)
    write_feed(feed, [complete(r, DAY.format(11)) for r in goldens[:3]])  # `-O named.jsonl`: a shorter file
    os.utime(feed, ns=(1, 1))
    again = build(src, dest)
    assert again.records == 3 and again.bytes_read == feed.stat().st_size
    rows = lines(dest / "articles.jsonl")
    assert len(rows) == 6  # the corpus keeps what it merged
    assert sorted(r["fetched_at"] for r in rows) == [DAY.format(10)] * 3 + [DAY.format(11)] * 3
    assert all(r["revision_count"] == 1 for r in rows)


def test_a_corpus_built_with_other_settings_is_rebuilt_whole(tmp_path, goldens, monkeypatch) -> None:
    import scraper.corpus.build as corpus_build

    src, dest = tmp_path / "output", tmp_path / "corpus"
    write_feed(src / "articles-20250110T191500Z.jsonl", goldens)
    build(src, dest)
    monkeypatch.setitem(corpus_build.PARAMS, "threshold", "0.8")
    again = build(src, dest)
    assert again.full and again.records == len(goldens)
