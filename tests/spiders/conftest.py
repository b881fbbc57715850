from __future__ import annotations

import json
from pathlib import Path

import pytest

from scraper.replica import ReplicaServer, Site
from scraper.runner import REPLICA_SETTINGS, crawl_argv, run_crawl


def crawl(
    base_url: str, out: Path, timeout: float = 240, args: dict | None = None, settings: dict | None = None,
    extra: list[str] | None = None, spider: str = "laichau",
):
    """One crawl process writing under ``out``; returns (returncode, log).

    ``base_url`` is the portal for ``laichau`` and the archive for ``wayback``.
    """
    out.mkdir(parents=True, exist_ok=True)
    target = {"laichau": "base_url", "nukeviet": "base_url", "wayback": "archive_base"}[spider]
    argv = crawl_argv(
        spider,
        {target: base_url, **(args or {})},
        {**REPLICA_SETTINGS, "OUTPUT_DIR": str(out), "LOG_FILE": str(out / "crawl.log"), **(settings or {})},
    )
    proc = run_crawl(argv + (extra or []), timeout=timeout, capture_output=True)
    log = (out / "crawl.log").read_text("utf-8", "replace") if (out / "crawl.log").exists() else ""
    return proc.returncode, log + proc.stderr.decode("utf-8", "replace")


def records(out: Path) -> list[dict]:
    """Every JSONL line of every feed in ``out`` (each must parse)."""
    found = []
    for path in sorted(out.glob("articles-*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            found.append(json.loads(line))
    return found


@pytest.fixture
def replica():
    with ReplicaServer(Site(n_articles=200, n_categories=5, seed=3)) as server:
        yield server
