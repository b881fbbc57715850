"""Server faults: nothing lost, nothing repeated, every failure reported, the exit code honest."""

from __future__ import annotations

import collections
import json
import subprocess
import sys

from scraper.cron import PARTIAL
from scraper.replica import ReplicaServer, Site
from scraper.replica.faults import FaultPlan, Faults
from scraper.runner import REPLICA_SETTINGS, ROOT, crawl_env

#: Fast but faithful: timeouts shorter than the replica's slow answers, retries enough to get through.
FAULT_SETTINGS = {
    **REPLICA_SETTINGS, "DOWNLOAD_TIMEOUT": "1", "RETRY_TIMES": "4", "DOWNLOAD_MAXSIZE": str(4 * 1024 * 1024),
    "DOWNLOAD_WARNSIZE": str(2 * 1024 * 1024), "REDIRECT_MAX_TIMES": "5", "SITEMAP_MAX_SIZE": str(8 * 1024 * 1024),
}


def cron(base_url: str, out) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "scraper", "cron", "--base-url", base_url, "--output", str(out)]
    for key, value in FAULT_SETTINGS.items():
        argv += ["-s", f"{key}={value}"]
    return subprocess.run(argv, cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=240)


def lines(out) -> list[dict]:
    found = []
    for path in sorted(out.glob("articles-*.jsonl")):
        for line in path.read_bytes().splitlines():
            found.append(json.loads(line))  # every line parses
    return found


def test_transient_5xx_loses_nothing_and_repeats_nothing(tmp_path) -> None:
    site = Site(n_articles=200, n_categories=5, seed=21, missing_rate=0.0)
    faults = Faults(FaultPlan.transient(rate=0.05, seed=3), site)
    with ReplicaServer(site, faults=faults) as server:
        run = cron(server.base_url, tmp_path)
    assert faults.injected["transient_5xx"] >= 5
    recs = lines(tmp_path)
    ids = collections.Counter(r["article_id"] for r in recs)
    assert max(ids.values()) == 1
    assert set(ids) == {str(i) for i in faults.servable_ids()}
    assert run.returncode == 0, run.stderr  # every failure was transient and retried


def test_chaos_every_servable_article_once_permanent_failures_reported_exit_partial(tmp_path) -> None:
    site = Site(n_articles=200, n_categories=5, seed=22, missing_rate=0.0)
    faults = Faults(FaultPlan.chaos(seed=5), site)
    with ReplicaServer(site, faults=faults) as server:
        run = cron(server.base_url, tmp_path)
    assert run.returncode == PARTIAL, run.stdout + run.stderr
    recs = lines(tmp_path)
    ids = collections.Counter(r["article_id"] for r in recs)
    assert max(ids.values()) == 1
    assert {str(i) for i in faults.intact_ids()} <= set(ids)
    assert not {str(i) for i in faults.unservable_ids()} & set(ids)
    for art_id in faults.no_charset_ids:  # decoded right without a declared charset
        rec = next(r for r in recs if r["article_id"] == str(art_id))
        assert rec["title"] == site.article(art_id).title

    report = json.loads(next(tmp_path.glob("report-*.json")).read_text("utf-8"))
    addresses = " ".join(u for urls in report["http_error_addresses"].values() for u in urls)
    addresses += " " + " ".join(report["download_failure_addresses"])
    for art_id in faults.permanent_5xx_ids | faults.oversize_ids:
        assert f"-{art_id}.html" in addresses, art_id
    assert set(report["http_errors_by_status"]) & {"500", "503"}
    # the crawl survived the gzip bomb, the broken sitemap and the redirect loop (cron uses full mode;
    # the sitemap is read in latest mode, tested below)
    assert faults.injected["reset"] and faults.injected["slow"] and faults.injected["retry_after_429"]


def _latest(site, faults, out, **settings) -> str:
    argv = [sys.executable, "-m", "scrapy", "crawl", "laichau", "-a", "mode=latest", "-s", f"OUTPUT_DIR={out}",
            "-s", f"LOG_FILE={out}/crawl.log"]
    with ReplicaServer(site, faults=faults) as server:
        argv += ["-a", f"base_url={server.base_url}"]
        for key, value in {**FAULT_SETTINGS, **settings}.items():
            argv += ["-s", f"{key}={value}"]
        proc = subprocess.run(argv, cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return (out / "crawl.log").read_text("utf-8")


def test_latest_mode_survives_a_broken_sitemap(tmp_path) -> None:
    site = Site(n_articles=60, n_categories=2, seed=23, missing_rate=0.0)
    faults = Faults(FaultPlan(seed=1, bad_sitemap=True), site)
    log = _latest(site, faults, tmp_path)
    assert faults.injected["bad_sitemap"] >= 1
    assert "ERROR" not in log and "Traceback" not in log  # read leniently or skipped, never a crash
    assert lines(tmp_path)  # RSS and the first pages of the categories still gave records


def test_a_gzip_bomb_sitemap_is_cut_off_at_the_size_limit(tmp_path) -> None:
    import resource

    site = Site(n_articles=60, n_categories=2, seed=24, missing_rate=0.0)
    faults = Faults(FaultPlan(seed=1, gzip_bomb=True), site)
    log = _latest(site, faults, tmp_path, DOWNLOAD_MAXSIZE=str(16 * 1024 * 1024))
    assert faults.injected["gzip_bomb"] >= 1  # it was fetched (4 MB on the wire, 1 GiB inside)
    assert "unreadable sitemap" in log or "exceeded" in log.lower()
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert peak_mib < 600  # never expanded: the limit is 8 MiB
    assert lines(tmp_path)
