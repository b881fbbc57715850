"""The dataset card and the HTML reports: what they say, that they fetch nothing, and that Chromium
draws them (a screenshot that is not blank, the chart's colours in it)."""

from __future__ import annotations

import logging
import re
import unicodedata

import pytest
import yaml

from scraper.corpus.build import build
from scraper.corpus.card import ATTRIBUTION
from scraper.corpus.columns import arrow_schema
from scraper.corpus.html_report import PALETTE, crawl_page, render, write_crawl_report
from scraper.corpus.stats import COVERED
from tests.corpus.conftest import articles_of, edited, write_feed
from tests.corpus.screenshots import colours, hex_rgb, screenshot


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, goldens):
    tmp = tmp_path_factory.mktemp("reports")
    write_feed(tmp / "output" / "articles-20250110T191500Z.jsonl", goldens)
    write_feed(tmp / "output" / "articles-20250111T191500Z.jsonl", [edited(goldens[2], "Sửa. " * 40, "2025-01-11T19:15:00Z")])
    build(tmp / "output", tmp / "corpus")
    return tmp / "corpus"


def assert_self_contained(page: str) -> None:
    """Nothing the browser would fetch: no src/href/url()/@import, no script; a CSP forbidding it."""
    assert "<svg" in page and "</svg>" in page
    assert not re.search(r"""\s(src|href|srcset|action|poster|data)\s*=""", page, re.I)
    assert not re.search(r"url\(|@import|<script|<link|<iframe|<img", page, re.I)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def assert_drawn(html_file, tmp_path, min_bar_pixels: int = 300) -> None:
    """Chromium renders the page: the screenshot is not blank and the chart's first colour shows."""
    png = screenshot(html_file, tmp_path / "shot.png")
    total, counts = colours(png)
    white = counts.get((255, 255, 255), 0)
    assert total - white > total * 0.03, f"{total - white} of {total} pixels not white"
    assert len(counts) > 20  # text, bars, lines: not a flat fill
    assert counts.get(hex_rgb(PALETTE[0]), 0) >= min_bar_pixels


def test_the_card_names_the_source_attribution_counts_coverage_schema_and_method(corpus) -> None:
    card = (corpus / "README.md").read_text("utf-8")
    front, body = card.removeprefix("---\n").split("\n---\n", 1)
    meta = yaml.safe_load(front)
    assert meta["language"] == ["vi"] and meta["configs"][0]["data_files"] == "articles/*.parquet"
    assert ATTRIBUTION == "Ghi rõ nguồn www.congan.laichau.gov.vn khi sử dụng thông tin trên website này"
    assert f"> {ATTRIBUTION}\n" in body and "https://congan.laichau.gov.vn/" in body
    assert "Published 2021-01-08 to 2024-03-20 (0 without a date)" in body
    for row in ("| 2021 | 3 |", "| 2023 | 5 |", "| 2024 | 4 |", "| An ninh trật tự | 5 |", "| (none) | 3 |"):
        assert row in body
    assert "| `title` | 100.0% |" in body and "| `category` | 75.0% |" in body
    assert all(f"| `{name}` |" in body for name in COVERED)
    for field in arrow_schema():
        assert re.search(rf"^\| `{field.name}` \| `[^|]+` \| .+ \|$", body, re.M), field.name
    assert "| `published_at` | `timestamp[us, tz=+07:00]` |" in body
    assert "1 articles were seen with more than one body (1 earlier versions" in body
    assert "## How it was made" in body and "5-word shingles" in body and "0.7" in body
    assert 'pd.read_parquet("corpus/articles")' in body and "| `jsonl/revisions/<month>.jsonl` |" in body


def test_the_card_and_the_report_are_nfc(corpus) -> None:
    for name in ("README.md", "report.html"):
        text = (corpus / name).read_text("utf-8")
        assert not text.isascii() and unicodedata.is_normalized("NFC", text), name


def test_datasets_loads_the_corpus_folder_through_its_card(corpus, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    import datasets

    ds = datasets.load_dataset(str(corpus), split="train", cache_dir=str(tmp_path / "cache"))  # the card's `configs`
    assert ds.num_rows == len(articles_of(corpus)) == 12
    assert "revision_count" in ds.column_names


def test_the_corpus_report_is_self_contained_and_drawn(corpus, tmp_path) -> None:
    page = (corpus / "report.html").read_text("utf-8")
    assert_self_contained(page)
    assert "Articles per month and category" in page and "<title>2023-12 · An ninh trật tự: 3</title>" in page
    assert "Field coverage" in page and "None: every feed line was read." in page
    assert_drawn(corpus / "report.html", tmp_path)


REPORT = {
    "spider": "laichau", "finish_reason": "finished", "started_at": "2025-01-10T19:15:00Z", "finished_at": "2025-01-10T19:20:00Z",
    "duration_seconds": 300.5, "requests": 1234, "responses": 1200, "records": 57, "records_flagged": 2,
    "feeds": ["/srv/data/articles-20250110T191500Z.jsonl"],
    "articles_by_category": {"An ninh trật tự": 40, "Thông báo": 17}, "articles_by_year": {"2024": 20, "2025": 36, "unknown": 1},
    "articles_by_month_category": {"2024-11": {"An ninh trật tự": 8}, "2024-12": {"An ninh trật tự": 7, "Thông báo": 5},
                                   "2025-01": {"An ninh trật tự": 24, "Thông báo": 12}},
    "coverage": {"title": 1.0, "author": 0.35}, "coverage_floor": 0.9, "coverage_below_floor": {"author": 0.35},
    "warnings_by_kind": {"no_published_at": 1},
    "http_errors_by_status": {"404": 3, "500": 250},
    "http_error_addresses": {"404": [f"https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-{i}.html" for i in range(3)],
                             "500": [f"https://congan.laichau.gov.vn/thong-bao/page-{i}/" for i in range(200)]},
    "download_failures": {"TimeoutError": 2},
    "download_failure_addresses": ["https://congan.laichau.gov.vn/x-9.html (TimeoutError)", "https://congan.laichau.gov.vn/y-8.html (TimeoutError)"],
}


def test_a_crawl_report_shows_errors_with_their_addresses_requests_and_time(tmp_path) -> None:
    page = render(crawl_page(REPORT))
    assert_self_contained(page)
    for url in REPORT["http_error_addresses"]["404"] + REPORT["download_failure_addresses"]:
        assert f"<code>{url}</code>" in page
    assert "<h3>HTTP 500: 250</h3>" in page and "… and 50 more" in page  # 200 listed, the count complete
    assert "1,234 / 1,200" in page and "300.5 s" in page and "57 articles written" in page
    assert "<title>2025-01 · Thông báo: 12</title>" in page
    assert re.search(r"<tr class=low><td><code>author</code></td><td class=\"n\">35.0%</td>", page)
    assert "1 article(s) without a date are not charted" in page


def test_writing_a_crawl_report_never_fails_the_crawl(tmp_path, caplog) -> None:
    out = write_crawl_report(REPORT, tmp_path / "report-x.html")
    assert out == tmp_path / "report-x.html" and out.read_text("utf-8").startswith("<!DOCTYPE html>")
    with caplog.at_level(logging.ERROR):
        assert write_crawl_report({"coverage": "not a mapping"}, tmp_path / "bad.html") is None
    assert "could not write the HTML run report" in caplog.text and not (tmp_path / "bad.html").exists()
    assert render(crawl_page({})).count("<svg") == 0 and "No dated articles" in render(crawl_page({}))
