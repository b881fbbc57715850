"""Running the spider as a separate process: how tests, the demo, cron and benchmarks start a crawl.

A Twisted reactor runs once per process, so every crawl is its own ``python -m scrapy``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: A checkout (scrapy.cfg beside the package): crawls run from its root, on its code. An installed
#: package (site-packages holds no scrapy.cfg) runs them in the caller's folder, where relative
#: paths (-s STATE_PATH=…) mean what the caller meant, and finds itself as installed.
CHECKOUT = (ROOT / "scrapy.cfg").is_file()
CWD = ROOT if CHECKOUT else None

#: A local replica needs no politeness: these lift the live-site limits (``-s`` layer).
REPLICA_SETTINGS: Mapping[str, str] = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "RETRY_AFTER_MAX": "2",
    "RETRY_BACKOFF_BASE": "0",
}


def crawl_argv(
    spider: str = "laichau",
    args: Mapping[str, str] | None = None,
    settings: Mapping[str, str] | None = None,
) -> list[str]:
    argv = [sys.executable, "-m", "scrapy", "crawl", spider]
    for key, value in (args or {}).items():
        argv += ["-a", f"{key}={value}"]
    for key, value in (settings or {}).items():
        argv += ["-s", f"{key}={value}"]
    return argv


def crawl_env() -> dict[str, str]:
    env = dict(os.environ)
    env["SCRAPY_SETTINGS_MODULE"] = "scraper.settings"
    if CHECKOUT:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def start_crawl(argv: Sequence[str], log_path: Path | None = None, **popen: object) -> subprocess.Popen:
    """Start a crawl process, its log to ``log_path`` (or inherited)."""
    out = log_path.open("ab") if log_path else None
    return subprocess.Popen(list(argv), cwd=CWD, env=crawl_env(), stdout=out, stderr=subprocess.STDOUT if out else None, **popen)


def run_crawl(argv: Sequence[str], **run: object) -> subprocess.CompletedProcess:
    """Run a crawl process to its end (``subprocess.run`` options pass through)."""
    return subprocess.run(list(argv), cwd=CWD, env=crawl_env(), **run)
