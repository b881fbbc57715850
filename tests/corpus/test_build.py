"""One record per article from every feed: its latest capture, its revisions, when it was first
seen; NFC text, +07:00 times, order-free merging."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import stat
import unicodedata
from pathlib import Path

import orjson

from scraper.corpus.build import build
from scraper.corpus.columns import names
from scraper.items import FIELDS
from tests.corpus.conftest import (
    articles_of,
    complete,
    data_files,
    edited,
    lines,
    revisions_of,
    without_site,
    write_feed,
)

DAY1, DAY2, DAY3 = "2025-01-10T19:15:00Z", "2025-01-11T19:15:00Z", "2025-01-12T19:15:00Z"


def _csv_feed(path: Path, records: list[dict]) -> None:
    """A CSV feed as ``-o x.csv`` writes it (``scraper/feeds.py``)."""
    from scraper.feeds import CSV_COLUMNS, csv_row

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_row(r) for r in records)
    path.write_text(buf.getvalue(), "utf-8")


def test_every_feed_kind_merges_to_one_record_per_article(tmp_path, goldens) -> None:
    src = tmp_path / "output"
    first, last = goldens[:9], goldens[9:]
    write_feed(src / "articles-20250110T191500Z.jsonl", [without_site(r) for r in first])  # written before `site`
    # the refresh run: every article again (views grew), one body edited
    refreshed = [complete({**r, "views": (r["views"] or 0) + 5}, DAY2) for r in first]
    refreshed[0] = edited(first[0], first[0]["body_text"] + "\n\nBài viết được cập nhật thêm thông tin.", DAY2)
    write_feed(src / "articles-20250111T191500Z.jsonl", [without_site(r) for r in refreshed])
    write_feed(src / "articles-20250112T191500Z-w2.jsonl", [complete(last[0], DAY3)])  # a distributed worker's feed, with `site`
    _csv_feed(src / "named.csv", [complete(r, DAY3) for r in last[1:]])
    (src / "logs").mkdir()
    (src / "logs" / "cron-20250112T191500Z.log").write_text("not a feed")

    outcome = build(src, tmp_path / "corpus")

    rows = articles_of(tmp_path / "corpus")
    assert outcome.records == 9 + 9 + 3 and outcome.feeds == 4
    assert len(rows) == len(goldens) == len({r["url"] for r in rows})  # 12 articles, not 21 rows
    assert all(list(r) == list(names()) for r in rows)  # the record's order, then what merging adds
    assert names()[: len(FIELDS)] == FIELDS and names()[-3:] == ("revision_count", "first_seen_at", "near_duplicate_of")
    by_url = {r["url"]: r for r in rows}
    changed = by_url[first[0]["url"]]
    assert changed["revision_count"] == 2 and changed["body_text"] == refreshed[0]["body_text"]
    assert changed["fetched_at"] == DAY2 and changed["first_seen_at"] == DAY1
    for r in first[1:]:
        assert by_url[r["url"]]["revision_count"] == 1
        assert by_url[r["url"]]["views"] == (r["views"] or 0) + 5  # the latest capture's record
    for r in last:  # the worker's and the CSV feed's articles, exactly as written
        got = by_url[r["url"]]
        assert {k: got[k] for k in FIELDS} == complete(r, DAY3) and got["first_seen_at"] == DAY3
    assert {r["site"] for r in rows} == {"congan.laichau.gov.vn"}  # from the address where the feed had none
    assert all(r["near_duplicate_of"] is None for r in rows)

    revisions = revisions_of(tmp_path / "corpus")
    assert revisions == [{
        "site": "congan.laichau.gov.vn", "url": first[0]["url"], "content_hash": first[0]["content_hash"],
        "fetched_at": DAY1, "archived_at": None, "title": first[0]["title"], "body_text": first[0]["body_text"],
    }]


def test_each_article_is_in_the_file_of_its_month_and_the_manifest_names_every_file(tmp_path, goldens) -> None:
    undated = complete({**goldens[7], "published_at": None}, "2025-01-31T19:15:00Z")  # 2025-02-01 02:15 at +07:00
    timeless = {**complete(goldens[8]), "published_at": None, "fetched_at": None}
    write_feed(tmp_path / "src" / "a.jsonl", [*goldens[:7], undated, timeless, *goldens[9:]])
    outcome = build(tmp_path / "src", tmp_path / "corpus")
    dest = tmp_path / "corpus"
    months = {p.stem: [r["url"] for r in lines(p)] for p in (dest / "jsonl" / "articles").glob("*.jsonl")}
    expected: dict[str, list[str]] = {}
    for r in sorted([*goldens[:7], *goldens[9:]], key=lambda r: r["published_at"]):
        expected.setdefault(r["published_at"][:7], []).append(r["url"])  # in publication order within the month
    expected["2025-02"], expected["undated"] = [undated["url"]], [timeless["url"]]
    assert months == expected and outcome.months == len(expected) == 9
    assert sorted(p.stem for p in (dest / "articles").glob("*.parquet")) == sorted(expected)
    manifest = json.loads((dest / "manifest.json").read_text("utf-8"))
    assert sorted(manifest["files"]) == sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*.*") if p.parent != dest)
    assert {m: s["articles"] for m, s in manifest["months"].items()} == {m: len(u) for m, u in expected.items()}
    assert manifest["generation"] == 1 and not list(dest.glob(".*"))


def test_text_is_nfc_and_times_keep_their_zone(tmp_path, goldens) -> None:
    nfd = goldens[3]
    decomposed = {k: unicodedata.normalize("NFD", v) if isinstance(v, str) and k not in ("content_hash",) else v for k, v in nfd.items()}
    decomposed["content_hash"] = hashlib.sha256(decomposed["body_text"].encode("utf-8")).hexdigest()
    assert decomposed["title"] != nfd["title"]
    write_feed(tmp_path / "src" / "a.jsonl", [decomposed])
    build(tmp_path / "src", tmp_path / "corpus")
    (row,) = articles_of(tmp_path / "corpus")
    strings = [v for v in _strings(row)]
    assert strings and all(unicodedata.is_normalized("NFC", s) for s in strings)
    assert row["title"] == nfd["title"] and row["body_text"] == nfd["body_text"]
    assert row["content_hash"] == hashlib.sha256(row["body_text"].encode("utf-8")).hexdigest()
    assert row["published_at"] == nfd["published_at"] and row["published_at"].endswith("+07:00")


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


def test_the_same_feeds_in_any_order_give_the_same_corpus(tmp_path, goldens) -> None:
    a = [complete(r, DAY1) for r in goldens]
    b = [complete({**r, "views": 7}, DAY1) for r in goldens[:6]]  # same capture time, other bytes: one must win, always the same
    c = [edited(goldens[1], "Nội dung mới " * 30, DAY2), edited(goldens[1], goldens[1]["body_text"], DAY3)]  # A → B → A
    feeds = {"x": a, "y": b, "z": c}
    outputs = []
    for order in (("x", "y", "z"), ("z", "y", "x"), ("y", "z", "x")):
        src = tmp_path / "-".join(order)
        for i, name in enumerate(order):
            write_feed(src / f"{i}-{name}.jsonl", feeds[name])
        build(src, tmp_path / f"{src.name}-corpus")
        outputs.append(data_files(tmp_path / f"{src.name}-corpus"))
    assert outputs[0] == outputs[1] == outputs[2]
    assert any(name.startswith("jsonl/revisions/") for name in outputs[0])
    rows = {r["url"]: r for r in articles_of(tmp_path / "x-y-z-corpus")}
    back = rows[goldens[1]["url"]]
    assert back["revision_count"] == 2 and back["body_text"] == goldens[1]["body_text"] and back["fetched_at"] == DAY3
    (earlier,) = revisions_of(tmp_path / "x-y-z-corpus")
    assert earlier["body_text"] == c[0]["body_text"] and earlier["fetched_at"] == DAY2


def test_an_archived_capture_counts_by_its_capture_time_and_site_keys_the_article(tmp_path, goldens) -> None:
    live = complete(goldens[4], "2025-01-10T19:15:00Z")
    archived = edited(goldens[4], "Bản lưu trữ cũ " * 30, "2025-02-01T10:00:00Z")  # fetched from the archive later…
    archived.update(archived_at="2021-03-01T08:00:00Z", archive_url="https://web.archive.org/web/20210301080000id_/" + live["url"])
    sister = {**complete(goldens[4], DAY1), "site": "sister.example.gov.vn"}  # the same path and id on another portal
    write_feed(tmp_path / "src" / "a.jsonl", [live, archived, sister])
    build(tmp_path / "src", tmp_path / "corpus")
    rows = articles_of(tmp_path / "corpus")
    assert sorted(r["site"] for r in rows) == ["congan.laichau.gov.vn", "sister.example.gov.vn"]
    ours = next(r for r in rows if r["site"] == "congan.laichau.gov.vn")
    assert ours["archived_at"] is None and ours["body_text"] == live["body_text"]  # …but was captured long before
    assert ours["first_seen_at"] == "2021-03-01T08:00:00Z" and ours["revision_count"] == 2
    assert {r["site"]: r["url"] for r in rows}["sister.example.gov.vn"] == live["url"]


def test_a_slug_changed_by_an_edit_is_the_same_article(tmp_path, goldens) -> None:
    old = complete(goldens[4], DAY1)
    new = edited({**goldens[4], "url": old["url"].replace("triet-pha", "triet-pha-thanh-cong")}, old["body_text"] + " Cập nhật.", DAY2)
    assert new["url"] != old["url"]
    write_feed(tmp_path / "src" / "a.jsonl", [old, new])
    build(tmp_path / "src", tmp_path / "corpus")
    (row,) = articles_of(tmp_path / "corpus")
    assert row["url"] == new["url"] and row["revision_count"] == 2
    assert [r["url"] for r in revisions_of(tmp_path / "corpus")] == [new["url"]]  # joins on the current address


def test_unreadable_lines_are_skipped_and_counted(tmp_path, goldens) -> None:
    feed = write_feed(tmp_path / "src" / "a.jsonl", goldens[:2])
    with feed.open("ab") as fh:
        fh.write(b'{"url": "https://congan.laichau.gov.vn/x-1.html", "title": \n')  # damaged
        fh.write(b'["not", "a", "record"]\n')
        fh.write(orjson.dumps(goldens[2]) + b"\n")
    outcome = build(tmp_path / "src", tmp_path / "corpus")
    assert outcome.unreadable == 2 and outcome.articles == 3
    assert "a.jsonl: 2 unreadable line(s)" in (tmp_path / "corpus" / "report.html").read_text("utf-8")


def test_csv_feeds_are_read_by_the_feeds_own_columns_and_the_corpus_never_imports_scrapy() -> None:
    import subprocess
    import sys

    from scraper.corpus import sources
    from scraper.feeds import CSV_COLUMNS

    assert set(CSV_COLUMNS) == sources._CSV_COLUMNS
    probe = ("import sys, scraper.corpus.build, scraper.corpus.command; "
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'scrapy', 'twisted', 'lxml', 'pandas'}))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr


def test_a_build_never_imports_pandas(tmp_path, goldens) -> None:
    """pyarrow imports pandas for any Python value handed to it (0.4-0.5 s a run): the build hands
    it none (``parquet.lit``)."""
    import subprocess
    import sys

    write_feed(tmp_path / "src" / "a.jsonl", [*goldens[:3], complete({**goldens[3], "category": None, "published_at": None})])
    probe = ("import sys; from pathlib import Path; from scraper.corpus.build import build; "
             "o = build(Path(sys.argv[1]), Path(sys.argv[2])); print(o.articles, o.months_written, 'pandas' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "src"), str(tmp_path / "corpus")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.split() == ["4", "4", "False"], done.stdout + done.stderr[-2000:]


def test_the_corpus_is_readable_as_the_umask_allows(tmp_path, goldens) -> None:
    write_feed(tmp_path / "src" / "a.jsonl", goldens[:2])
    old = os.umask(0o022)
    try:
        build(tmp_path / "src", tmp_path / "corpus")
    finally:
        os.umask(old)
    modes = {p.relative_to(tmp_path / "corpus").as_posix(): stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "corpus").rglob("*")}
    assert modes["articles"] == modes["jsonl/articles"] == 0o755 and modes["README.md"] == modes["manifest.json"] == 0o644
    assert set(modes.values()) == {0o755, 0o644}, modes
