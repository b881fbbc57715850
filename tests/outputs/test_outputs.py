"""Outputs as researchers and archivists use them: pandas, DuckDB, datasets, WARC, report, mirror."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from scraper.extract import WarcStats, iter_warc
from scraper.feeds import CSV_COLUMNS
from scraper.items import FIELDS
from scraper.pipelines import record_dict
from scraper.schema.hf import features
from tests.spiders.conftest import crawl


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    from scraper.replica import ReplicaServer, Site

    out = tmp_path_factory.mktemp("outputs")
    with ReplicaServer(Site(n_articles=80, n_categories=4, seed=5)) as server:
        code, log = crawl(
            server.base_url, out,
            settings={"WARC_DIR": str(out / "warc"), "MIRROR_DIR": str(out / "mirror"), "WARC_MAX_SIZE": "200000"},
            extra=["-o", str(out / "all.jsonl"), "-o", str(out / "all.csv")],
        )
        assert code == 0, log[-3000:]
        yield out, server.site


def _jsonl(out):
    return [json.loads(line) for line in (out / "all.jsonl").read_text("utf-8").splitlines()]


def test_named_feeds_replace_the_default_and_hold_every_article(crawled) -> None:
    out, site = crawled
    recs = _jsonl(out)
    assert not list(out.glob("articles-*.jsonl"))
    assert {r["article_id"] for r in recs} == {str(i) for i in site.expected_ids()}
    assert all(list(r) == list(FIELDS) for r in recs)


def test_jsonl_loads_in_pandas_and_datasets(crawled, tmp_path, monkeypatch) -> None:
    import pandas as pd

    out, _ = crawled
    recs = _jsonl(out)
    frame = pd.read_json(out / "all.jsonl", lines=True, dtype=False)
    assert list(frame.columns) == list(FIELDS)
    assert frame["title"].tolist() == [r["title"] for r in recs]
    assert frame["body_text"].tolist() == [r["body_text"] for r in recs]
    assert frame["related"].tolist() == [r["related"] for r in recs]

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    import datasets

    ds = datasets.load_dataset("json", data_files=str(out / "all.jsonl"), split="train", cache_dir=str(tmp_path / "c1"))
    assert ds.num_rows == len(recs)
    times = {"published_at", "fetched_at"}
    for row, rec in zip(ds, recs, strict=True):
        # Arrow's JSON reader turns ISO times into naive UTC timestamps: the same instants
        assert row["published_at"].replace(tzinfo=UTC) == datetime.fromisoformat(rec["published_at"])
        assert row["fetched_at"].replace(tzinfo=UTC) == datetime.fromisoformat(rec["fetched_at"])
        assert {k: v for k, v in row.items() if k not in times | {"related"}} == {
            k: v for k, v in rec.items() if k not in times | {"related"}
        }
        assert [(r["section"], r["title"], r["url"]) for r in row["related"]] == [
            (r["section"], r["title"], r["url"]) for r in rec["related"]
        ]
    # with the project's Features, every field comes back exactly as written, times as strings
    exact = datasets.Dataset.from_list(recs, features=features())
    assert exact.to_list() == recs


def test_csv_loads_in_pandas_and_duckdb_with_every_field_intact(crawled) -> None:
    import duckdb
    import pandas as pd

    out, _ = crawled
    recs = _jsonl(out)
    frame = pd.read_csv(out / "all.csv", dtype=str, keep_default_na=False)
    assert tuple(frame.columns) == CSV_COLUMNS
    for row, rec in zip(frame.to_dict("records"), recs, strict=True):
        for name in FIELDS:
            value = rec[name]
            if isinstance(value, list):
                assert json.loads(row[name]) == value
            else:
                assert row[name] == ("" if value is None else str(value)), name
        assert int(row["image_count"]) == len(rec["images"]) and int(row["related_count"]) == len(rec["related"])

    con = duckdb.connect()
    rows = con.execute(
        f"SELECT article_id, title, body_text, views, image_count FROM read_csv('{out / 'all.csv'}', header=true, all_varchar=true)"
    ).fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [(x["article_id"], x["title"], x["body_text"]) for x in recs]
    assert [None if r[3] is None else int(r[3]) for r in rows] == [x["views"] for x in recs]


def test_warc_files_pass_warcio_check_and_reextract_to_the_same_records(crawled) -> None:
    out, _ = crawled
    warcs = sorted((out / "warc").glob("*.warc.gz"))
    assert len(warcs) >= 2  # rolled over at WARC_MAX_SIZE
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", *map(str, warcs)], capture_output=True, text=True)
    if "No module named" in check.stderr:
        check = subprocess.run(["warcio", "check", *map(str, warcs)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    cdxj = list((out / "warc").glob("*.cdxj"))
    assert len(cdxj) == 1 and "robots.txt" in cdxj[0].read_text()

    crawl_recs = {r["article_id"]: r for r in _jsonl(out)}
    again = {}
    for item in iter_warc(warcs, WarcStats()):
        again[item.article_id] = record_dict(item)
    assert set(again) == set(crawl_recs)
    for key, rec in crawl_recs.items():
        assert {k: v for k, v in again[key].items() if k != "fetched_at"} == {k: v for k, v in rec.items() if k != "fetched_at"}


def test_run_report_counts_what_the_crawl_did(crawled) -> None:
    out, site = crawled
    reports = list(out.glob("report-*.json"))
    assert len(reports) == 1
    report = json.loads(reports[0].read_text("utf-8"))
    assert report["records"] == len(site.expected_ids())
    assert sum(report["articles_by_category"].values()) == report["records"]
    assert sum(report["articles_by_year"].values()) == report["records"]
    assert report["coverage"]["title"] == 1.0 and math.isclose(report["coverage"]["views"], 1.0)
    assert report["http_errors_by_status"].get("404") == len(site.missing_ids)
    missing_urls = report["http_error_addresses"]["404"]
    assert all(any(u.endswith(f"-{i}.html") for u in missing_urls) for i in site.missing_ids)
    assert report["requests"] > report["records"]


def test_mirror_holds_the_pages_inside_its_folder(crawled) -> None:
    out, _ = crawled
    root = out / "mirror"
    files = [p for p in root.rglob("*") if p.is_file()]
    assert len(files) > len(_jsonl(out))
    assert all(os.path.realpath(p).startswith(str(root.resolve())) for p in files)
