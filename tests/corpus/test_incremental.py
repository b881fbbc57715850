"""A re-run reads only feed bytes it has not merged: a new feed, the tail a running crawl appended,
a feed rewritten in place; it writes again only the months they changed, and with nothing new it
leaves DEST alone. Its outputs equal a full build's."""

from __future__ import annotations

import os

from scraper.corpus.build import build
from tests.corpus.conftest import articles_of, complete, data_files, edited, parquet_rows, write_feed

DAY = "2025-01-{:02d}T19:15:00Z"


def _outputs(dest) -> tuple[dict, dict]:
    return data_files(dest), parquet_rows(dest)


def _files(dest) -> dict[str, tuple[int, int]]:
    """(inode, mtime) of every file in DEST's month folders."""
    return {p.relative_to(dest).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for folder in ("articles", "jsonl") for p in (dest / folder).rglob("*") if p.is_file()}


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


def test_a_rerun_writes_only_the_months_the_new_feed_changed(tmp_path, goldens) -> None:
    src, dest = tmp_path / "output", tmp_path / "corpus"
    write_feed(src / "articles-20250110T191500Z.jsonl", [complete(r, DAY.format(10)) for r in goldens])
    first = build(src, dest)
    before = _files(dest)
    assert first.months == first.months_written == 7 and first.full

    changed = goldens[9]  # 2024-03, with goldens[11]
    write_feed(src / "articles-20250111T191500Z.jsonl", [edited(changed, "Bài đã sửa. " * 30, DAY.format(11))])
    again = build(src, dest)
    assert (again.months, again.months_written, again.full) == (7, 1, False)
    after = _files(dest)
    rewritten = {f for f in after if before.get(f) != after[f]}
    assert rewritten == {"articles/2024-03.parquet", "jsonl/articles/2024-03.jsonl", "jsonl/revisions/2024-03.jsonl"}
    assert set(after) == set(before) | {"jsonl/revisions/2024-03.jsonl"}  # its first revision
    assert len(before) == 14 and all(after[f] == before[f] for f in set(before) - rewritten)  # the very same files: linked, not copied
    build(src, tmp_path / "scratch")
    assert _outputs(dest) == _outputs(tmp_path / "scratch")


def test_an_article_moved_to_another_month_is_in_it_once(tmp_path, goldens) -> None:
    src, dest = tmp_path / "output", tmp_path / "corpus"
    alone = goldens[7]  # the only article of 2023-11-10's month but one (2023-11-23)
    write_feed(src / "a.jsonl", [complete(r, DAY.format(10)) for r in goldens])
    build(src, dest)
    assert [r["url"] for r in articles_of(dest)].count(alone["url"]) == 1
    redated = complete({**alone, "published_at": "2024-02-02T09:00:00+07:00"}, DAY.format(11))  # the portal corrected its date
    write_feed(src / "b.jsonl", [redated])
    again = build(src, dest)
    assert again.months_written == 2 and again.months == 8
    rows = [r for r in articles_of(dest) if r["url"] == alone["url"]]
    assert len(rows) == 1 and rows[0]["published_at"] == redated["published_at"]
    assert alone["url"] in (dest / "jsonl" / "articles" / "2024-02.jsonl").read_text("utf-8")
    assert alone["url"] not in (dest / "jsonl" / "articles" / "2023-11.jsonl").read_text("utf-8")
    build(src, tmp_path / "scratch")
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
    assert len(articles_of(dest)) == 8


def test_nothing_new_leaves_dest_untouched(tmp_path, goldens) -> None:
    src, dest = tmp_path / "output", tmp_path / "corpus"
    write_feed(src / "articles-20250110T191500Z.jsonl", goldens)
    build(src, dest)
    before = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in dest.rglob("*")}
    again = build(src, dest)
    assert again.unchanged and again.records == 0 and again.articles == len(goldens) and again.months_written == 0
    assert {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in dest.rglob("*")} == before
    assert not [p for p in (*tmp_path.iterdir(), *dest.iterdir()) if p.name.startswith(".") and p.name != ".corpus.lock"]


def test_a_feed_rewritten_in_place_is_read_again_without_doubling_anything(tmp_path, goldens) -> None:
    src, dest = tmp_path / "output", tmp_path / "corpus"
    feed = write_feed(src / "named.jsonl", [complete(r, DAY.format(10)) for r in goldens[:6]])
    build(src, dest)
    write_feed(feed, [complete(r, DAY.format(11)) for r in goldens[:3]])  # `-O named.jsonl`: a shorter file
    os.utime(feed, ns=(1, 1))
    again = build(src, dest)
    assert again.records == 3 and again.bytes_read == feed.stat().st_size
    rows = articles_of(dest)
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
