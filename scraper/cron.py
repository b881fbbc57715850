"""``python -m scraper cron``: one incremental crawl for a crontab, with a lock and exit codes.

Exit codes: 0 everything fetched; 1 finished, but some pages failed; 2 nothing could be
fetched (site down, DNS failure) or the crawl itself broke; 3 another run holds the lock.
The lock is an ``flock`` on ``<output>/cron.lock``: the kernel drops it when its process
dies, so a killed run never blocks the next one.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from .commands.crawl import REFUSED_REASONS
from .runner import crawl_argv, run_crawl
from .spiders.laichau import DEFAULT_BASE_URL

OK, PARTIAL, NOTHING, LOCKED = 0, 1, 2, 3


class Locked(Exception):
    pass


@contextmanager
def cron_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive, non-blocking lock for the whole run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
            raise Locked(holder) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def exit_code(report: dict | None) -> int:
    """What the run report says of the run, as the exit code cron users act on."""
    if not report or report.get("responses", 0) == 0 or report.get("finish_reason") in REFUSED_REASONS:
        return NOTHING
    ok_pages = report.get("responses", 0) - sum(report.get("http_errors_by_status", {}).values())
    if ok_pages <= 0:
        return NOTHING
    if report.get("http_errors_by_status") or report.get("download_failures"):
        return PARTIAL
    return OK


#: Why a site could not be reached, by the failure Scrapy reported.
CAUSES = {
    "DownloadConnectionRefusedError": "connection refused (nothing listens there)",
    "ConnectionRefusedError": "connection refused (nothing listens there)",
    "CannotResolveHostError": "DNS lookup failed (no such host)",
    "DownloadTimeoutError": "timed out",
    "DownloadFailedError": "no HTTP answer (not an HTTP server, or it hung up)",
    "ResponseDataLossError": "the answer was cut off",
    "DNSLookupError": "DNS lookup failed (no such host)",
    "TimeoutError": "timed out", "TCPTimedOutError": "timed out",
    "ResponseNeverReceived": "no HTTP answer (not an HTTP server, or it hung up)",
    "ResponseFailed": "no HTTP answer (not an HTTP server, or it hung up)",
    "ConnectionLost": "the connection was lost", "ConnectionDone": "the connection was closed",
    "SSLError": "TLS failed",
}


def unreachable(report: dict) -> str:
    """The causes of a run that got no response at all, in words."""
    kinds = report.get("download_failures") or {}
    if not kinds:
        return "no request completed"
    return "; ".join(f"{CAUSES.get(kind, kind)} ({kind}, {n}×)" for kind, n in kinds.items())


def run(base_url: str | None, output: Path, extra_settings: dict[str, str] | None = None,
        out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    output = output.resolve()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        with cron_lock(output / "cron.lock"):
            logs = output / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            log_file = logs / f"cron-{stamp}.log"
            report_path = output / f"report-{stamp}.json"
            settings = {
                "OUTPUT_DIR": str(output), "RUN_STAMP": stamp, "REPORT_PATH": str(report_path),
                "LOG_FILE": str(log_file), **(extra_settings or {}),
            }
            args = {"base_url": base_url} if base_url else {}
            proc = run_crawl(crawl_argv("laichau", args, settings))
            report = json.loads(report_path.read_text("utf-8")) if report_path.exists() else None
            code = exit_code(report)
            if proc.returncode != 0 and code == OK:
                code = NOTHING
            summary = (
                f"cron: exit {code}; the run stopped: {report.get('state_error')}; log {log_file}"
                if report and report.get("state_error") else
                f"cron: exit {code}; nothing could be fetched from {base_url or DEFAULT_BASE_URL}: {unreachable(report)}; log {log_file}"
                if report and code == NOTHING and report.get("responses", 0) == 0 else
                f"cron: exit {code}; {report['records']} new articles, {report['responses']} responses, "
                f"HTTP errors {report['http_errors_by_status'] or 'none'}, failures {report['download_failures'] or 'none'}; "
                f"log {log_file}" if report else f"cron: exit {code}; the crawl produced no report (process exit {proc.returncode}); log {log_file}"
            )
            (out if code == OK else err).write(summary + "\n")
            return code
    except Locked as exc:
        err.write(f"cron: another run holds {output / 'cron.lock'} ({exc}); exiting\n")
        return LOCKED
