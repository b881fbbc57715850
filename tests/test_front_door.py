"""Bad options refused before the first request, in one line that names them; loopback politeness;
no warning that is not true."""

from __future__ import annotations

import csv
import json
import socket
import subprocess
import sys

import pytest

from scraper.replica import ReplicaServer, Site
from scraper.report import covered_fields
from scraper.runner import ROOT, crawl_argv, crawl_env
from scraper.spiders.laichau import LaichauSpider
from scraper.spiders.wayback import WaybackSpider


@pytest.fixture(scope="module")
def server():
    with ReplicaServer(Site(n_articles=20, n_categories=2, seed=2)) as srv:
        yield srv


def _run(argv: list[str], tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=120)


def _one_error(done: subprocess.CompletedProcess, *words: str) -> str:
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:") or ": error: " in line]
    assert len(errors) == 1, done.stderr[-2000:]
    assert all(w in errors[0] for w in words), errors[0]
    return errors[0]


@pytest.mark.parametrize(("args", "extra", "words"), [
    ({"mode": "bogus"}, [], ["-a mode=bogus", "full, latest"]),
    ({"since": "2025-13-01"}, [], ["-a since=2025-13-01", "YYYY-MM-DD"]),
    ({"bogusarg": "1"}, [], ["-a bogusarg", "categories", "since"]),
    ({"refresh": "maybe"}, [], ["-a refresh=maybe"]),
    ({}, ["-O", "OUT/out.json"], ["-o/-O", "'json'", ".jsonl or .csv"]),
    ({}, ["-o", "OUT/out.xml"], ["-o/-O", "'xml'"]),
])
def test_a_bad_option_is_refused_before_the_first_request(server, tmp_path, args, extra, words) -> None:
    server.reset_log()
    extra = [e.replace("OUT", str(tmp_path)) for e in extra]
    argv = crawl_argv("laichau", {"base_url": server.base_url, **args}, {"OUTPUT_DIR": str(tmp_path)}) + extra
    _one_error(_run(argv, tmp_path), *words)
    assert server.requests == []
    assert not list(tmp_path.glob("out.*")) and not list(tmp_path.glob("articles-*"))


def test_a_category_not_on_the_menu_is_refused_with_the_menu(server, tmp_path) -> None:
    server.reset_log()
    argv = crawl_argv("laichau", {"base_url": server.base_url, "categories": "khong-co-muc-nay"}, {"OUTPUT_DIR": str(tmp_path)})
    line = _one_error(_run(argv, tmp_path), "-a categories", "khong-co-muc-nay")
    assert all(c.alias in line for c in server.site.categories)
    assert {path for _, path, _ in server.requests} <= {"/", "/robots.txt"}  # nothing past the home page


def _cron(tmp_path, *args: str) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-m", "scraper", "cron", "--output", str(tmp_path), *args], tmp_path)


def test_cron_refuses_its_own_bad_options_with_its_usage(tmp_path) -> None:
    done = _cron(tmp_path, "-s", "FOO")
    _one_error(done, "-s FOO", "NAME=VALUE")
    assert "usage:" in done.stderr
    _one_error(_cron(tmp_path, "--base-url", "127.0.0.1:8000"), "--base-url 127.0.0.1:8000", "http")


def test_cron_names_the_address_and_the_cause_when_nothing_answers(tmp_path) -> None:
    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    done = _cron(tmp_path, "--base-url", f"http://127.0.0.1:{port}", "-s", "RETRY_TIMES=0")
    assert done.returncode == 2
    assert f"nothing could be fetched from http://127.0.0.1:{port}: connection refused" in done.stderr


def test_a_loopback_crawl_drops_the_live_politeness_and_says_so(server, tmp_path) -> None:
    argv = crawl_argv("laichau", {"base_url": server.base_url}, {"OUTPUT_DIR": str(tmp_path), "LOG_FILE": str(tmp_path / "log")})
    done = _run(argv, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    log = (tmp_path / "log").read_text("utf-8")
    said = [line for line in log.splitlines() if "loopback address" in line]
    assert len(said) == 1 and "DOWNLOAD_DELAY" in said[0] and "AUTOTHROTTLE_ENABLED" in said[0]
    # -s still wins over it
    argv = crawl_argv("laichau", {"base_url": server.base_url},
                      {"OUTPUT_DIR": str(tmp_path / "b"), "LOG_FILE": str(tmp_path / "log2"), "DOWNLOAD_DELAY": "0.01"})
    assert _run(argv, tmp_path).returncode == 0
    log = (tmp_path / "log2").read_text("utf-8")
    said = [line for line in log.splitlines() if "loopback address" in line]
    assert len(said) == 1 and "DOWNLOAD_DELAY" not in said[0] and "AUTOTHROTTLE_ENABLED" in said[0]


def test_a_csv_feed_and_the_report_warn_only_of_what_is_true(server, tmp_path) -> None:
    """``-O articles.csv`` is written without Scrapy's "no item will be exported"; the report leaves
    out the archive fields a live crawl never fills, and still warns of a field it fills thinly."""
    site, feed = server.site, tmp_path / "articles.csv"
    authored = sum(a.author is not None for a in site.articles if a.id in site.expected_ids())
    assert 0 < authored < len(site.expected_ids())  # thin: below the 99% floor set here
    settings = {"OUTPUT_DIR": str(tmp_path), "REPORT_COVERAGE_FLOORS": json.dumps({"author": 0.99})}
    done = _run(crawl_argv("laichau", {"base_url": server.base_url}, settings) + ["-O", str(feed)], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "FeedExporter" not in done.stderr and "no item will be exported" not in done.stderr
    with feed.open(encoding="utf-8", newline="") as fh:
        assert {row["article_id"] for row in csv.DictReader(fh)} == {str(i) for i in site.expected_ids()}
    warned = [line for line in done.stderr.splitlines() if "below the floor" in line]
    assert [line for line in warned if "coverage of author is" in line], done.stderr[-3000:]
    assert not [line for line in warned if "archive" in line], warned
    report = json.loads(next(tmp_path.glob("report-*.json")).read_text("utf-8"))
    assert "archived_at" not in report["coverage"] and report["coverage_not_counted"] == ["archived_at", "archive_url"]
    assert report["coverage_below_floor"]["author"] == round(authored / len(site.expected_ids()), 4)


def test_the_archive_fields_are_counted_for_the_spider_that_fills_them() -> None:
    assert {"archived_at", "archive_url"} <= set(covered_fields(WaybackSpider))
    assert not {"archived_at", "archive_url"} & set(covered_fields(LaichauSpider))
    assert set(covered_fields(WaybackSpider)) - set(covered_fields(LaichauSpider)) == {"archived_at", "archive_url"}
