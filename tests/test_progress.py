"""Long crawls log a progress line at a steady interval."""

from __future__ import annotations

import re

from scraper.replica import ReplicaServer, Site
from tests.spiders.conftest import crawl


def test_progress_lines_report_pages_articles_rate_errors_and_remaining(tmp_path) -> None:
    with ReplicaServer(Site(n_articles=80, n_categories=2, seed=2)) as server:
        code, log = crawl(
            server.base_url, tmp_path,
            settings={"PROGRESS_INTERVAL": "0.5", "DOWNLOAD_DELAY": "0.03", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"},
        )
    assert code == 0, log[-2000:]
    lines = re.findall(r"progress: (\d+) pages fetched, (\d+) articles written, (\d+) pages/min \(\d+ overall\), (\d+) errors; (\d+) requests queued(, ~(\d+) articles ahead)?", log)
    assert len(lines) >= 3
    pages = [int(line[0]) for line in lines]
    assert pages == sorted(pages) and pages[-1] > pages[0]
    assert any(line[6] for line in lines)  # the listings made what remains knowable
    assert re.search(r"done: \d+ pages fetched, \d+ articles written", log)
