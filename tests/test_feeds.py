"""Feeds: fixed CSV columns, whole-record appends, and recovery of a killed write."""

from __future__ import annotations

import csv
import errno
import json
import os
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

import scraper.feeds
from scraper.feeds import CSV_COLUMNS, AppendFile, FeedPipeline, csv_row
from scraper.items import FIELDS
from scraper.pages import extract_article
from scraper.pipelines import build_record
from scraper.state import StateStore

RECORD = {name: None for name in FIELDS} | {
    "url": "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-1.html", "article_id": "1", "title": "Tiêu đề \"có\" dấu, phẩy",
    "body_text": "Đoạn một.\n\nĐoạn hai.", "images": [{"url": "u", "caption": "Chú thích", "alt": None}],
    "related": [], "breadcrumbs": [], "tags": ["an ninh"], "warnings": [], "views": 1254,
}


def test_csv_columns_are_fixed_with_counts_beside_lists() -> None:
    assert CSV_COLUMNS[: CSV_COLUMNS.index("images")] == FIELDS[: FIELDS.index("images")]
    assert CSV_COLUMNS[CSV_COLUMNS.index("images") + 1] == "image_count"
    assert CSV_COLUMNS[CSV_COLUMNS.index("related") + 1] == "related_count"
    assert len(CSV_COLUMNS) == len(FIELDS) + 2
    row = csv_row(RECORD)
    assert row["image_count"] == 1 and row["related_count"] == 0
    assert json.loads(row["images"]) == RECORD["images"]
    assert row["author"] == ""


def test_csv_appends_keep_one_header_and_parse_back(tmp_path) -> None:
    path = tmp_path / "a.csv"
    for run in range(2):
        f = AppendFile(path, "csv")
        f.write(RECORD | {"article_id": str(run)})
        f.close()
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    assert [r["article_id"] for r in rows] == ["0", "1"]
    assert rows[0]["body_text"] == RECORD["body_text"] and rows[0]["title"] == RECORD["title"]


def test_append_never_truncates_but_overwrite_does(tmp_path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"earlier": 1}\n')
    f = AppendFile(path, "jsonl")
    f.write(RECORD)
    f.close()
    assert path.read_text("utf-8").splitlines()[0] == '{"earlier": 1}'
    f = AppendFile(path, "jsonl", overwrite=True)
    f.close()
    assert path.read_bytes() == b""


def _journal(tmp_path, fmt: str, partial: bool) -> tuple[StateStore, AppendFile]:
    state = StateStore(tmp_path / "state.sqlite")
    feed = AppendFile(tmp_path / f"out.{fmt}", fmt)
    feed.write(RECORD | {"article_id": "7", "url": "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-7.html"})
    state.stage("congan.laichau.gov.vn id:7", "u7", None, str(feed.path))
    state.checkpoint([(str(feed.path), fmt, feed.offset())])
    data = feed.encode(RECORD)
    os.write(feed.fd, data[: len(data) // 2] if partial else data)  # the kill comes here
    return state, feed


def test_recover_cuts_a_half_written_line(tmp_path) -> None:
    for fmt in ("jsonl", "csv"):
        sub = tmp_path / fmt
        state, feed = _journal(sub, fmt, partial=True)
        assert state.recover() == (0, 1)
        assert not state.is_known("congan.laichau.gov.vn id:1") and state.is_known("congan.laichau.gov.vn id:7")
        text = feed.path.read_text("utf-8")
        assert text.endswith("\n") and "Đoạn" in text
        if fmt == "jsonl":
            assert [json.loads(line)["article_id"] for line in text.splitlines()] == ["7"]
        else:
            assert [r["article_id"] for r in csv.DictReader(feed.path.open(encoding="utf-8", newline=""))] == ["7"]


def test_recover_confirms_a_whole_line_written_before_the_kill(tmp_path) -> None:
    for fmt in ("jsonl", "csv"):
        state, feed = _journal(tmp_path / fmt, fmt, partial=False)
        assert state.recover() == (1, 0)
        assert state.is_known("congan.laichau.gov.vn id:1")
        assert state.recover() == (0, 0)


def test_gone_articles_are_known_until_their_retry_time(tmp_path) -> None:
    state = StateStore(tmp_path / "s.sqlite")
    state.mark_gone("congan.laichau.gov.vn id:9", "u", 404, retry_days=7)
    state.mark_gone("congan.laichau.gov.vn id:10", "u", 404, retry_days=-1)
    assert state.known(["congan.laichau.gov.vn id:9", "congan.laichau.gov.vn id:10", "congan.laichau.gov.vn id:11"]) == {"congan.laichau.gov.vn id:9"}


def _rec(n: int) -> dict:
    return RECORD | {"article_id": str(n), "url": f"https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-{n}.html"}


def test_recover_keeps_every_whole_record_since_the_checkpoint_and_cuts_the_rest(tmp_path) -> None:
    """A kill between checkpoints: JSONL got records 1-4 and half of 5, CSV only 1-3 and half of 4.
    Records whole in both feeds (1-3) are confirmed; each feed is cut back to just after them."""
    state = StateStore(tmp_path / "state.sqlite")
    jl, cs = AppendFile(tmp_path / "out.jsonl", "jsonl"), AppendFile(tmp_path / "out.csv", "csv")
    state.checkpoint([(str(jl.path), "jsonl", jl.offset()), (str(cs.path), "csv", cs.offset())])
    for n in (1, 2, 3):
        jl.write(_rec(n))
        cs.write(_rec(n))
    jl.write(_rec(4))
    cut_at = cs.offset()
    data = cs.encode(_rec(4))
    os.write(cs.fd, data[: len(data) // 2])
    data = jl.encode(_rec(5))
    os.write(jl.fd, data[:10])
    state.close()  # the kill: nothing staged, the journal still open

    state = StateStore(tmp_path / "state.sqlite")
    assert state.recover() == (3, 2)
    assert state.known([f"congan.laichau.gov.vn id:{n}" for n in range(1, 6)]) == {"congan.laichau.gov.vn id:1", "congan.laichau.gov.vn id:2", "congan.laichau.gov.vn id:3"}
    assert [json.loads(line)["article_id"] for line in jl.path.read_text("utf-8").splitlines()] == ["1", "2", "3"]
    assert cs.path.stat().st_size == cut_at
    assert [r["article_id"] for r in csv.DictReader(cs.path.open(encoding="utf-8", newline=""))] == ["1", "2", "3"]
    assert state.recover() == (0, 0)


def test_feed_pipeline_checkpoints_in_batches_and_a_kill_loses_nothing(tmp_path) -> None:
    class Spider:
        state = StateStore(tmp_path / "state.sqlite")

    crawler = get_crawler(settings_dict={"FEED_PATH": str(tmp_path / "out.jsonl"), "STATE_CHECKPOINT_RECORDS": 3,
                                         "STATE_CHECKPOINT_SECONDS": 3600})
    crawler.spider = Spider()
    crawler.stats.open_spider()
    feed = FeedPipeline.from_crawler(crawler)
    feed.open_spider()
    page = (Path(__file__).parent.parent / "fixtures/articles/nukeviet-plain.html").read_text("utf-8")
    for n in range(1, 8):
        item = build_record(extract_article(page, f"https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-{n}.html"))
        item.url = f"https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-{n}.html"
        feed.process_item(item)
    # checkpoints after records 3 and 6; record 7 is written but only staged
    assert Spider.state.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 6
    Spider.state.db.close()  # killed: no close_spider, the staged record is never committed

    state = StateStore(tmp_path / "state.sqlite")
    assert state.recover() == (1, 0)
    assert state.known([f"congan.laichau.gov.vn id:{n}" for n in range(1, 8)]) == {f"congan.laichau.gov.vn id:{n}" for n in range(1, 8)}
    lines = (tmp_path / "out.jsonl").read_text("utf-8").splitlines()
    assert [json.loads(line)["url"].rsplit("-", 1)[1] for line in lines] == [f"{n}.html" for n in range(1, 8)]


def test_a_write_that_fails_part_way_is_cut_back_off(tmp_path, monkeypatch) -> None:
    """A full disk mid-record: the half line is removed, so the next record starts on a line of its own."""
    f = AppendFile(tmp_path / "a.jsonl", "jsonl")
    f.write(_rec(1))
    before = f.path.read_bytes()
    real_write = os.write

    def disk_full(fd, data):
        real_write(fd, bytes(data[:10]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(scraper.feeds.os, "write", disk_full)
    with pytest.raises(OSError):
        f.write(_rec(2))
    assert f.path.read_bytes() == before
    monkeypatch.setattr(scraper.feeds.os, "write", real_write)
    f.write(_rec(3))
    assert [json.loads(line)["article_id"] for line in f.path.read_text("utf-8").splitlines()] == ["1", "3"]


def test_a_record_that_fails_in_one_feed_is_in_none(tmp_path, monkeypatch) -> None:
    crawler = get_crawler(settings_dict={"FEEDS": {str(tmp_path / "a.jsonl"): {}, str(tmp_path / "b.csv"): {}}})
    crawler.stats.open_spider()
    feed = FeedPipeline.from_crawler(crawler)
    feed.open_spider()
    page = (Path(__file__).parent.parent / "fixtures/articles/nukeviet-plain.html").read_text("utf-8")
    item = build_record(extract_article(page, "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-1.html"))
    feed.process_item(item)
    sizes = [f.path.stat().st_size for f in feed.files]
    csv_file = feed.files[1]

    def fail(record, line=None):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(csv_file, "write", fail)
    with pytest.raises(OSError):
        feed.process_item(item)
    assert [f.path.stat().st_size for f in feed.files] == sizes  # the JSONL line was taken back
    feed.close_spider()
