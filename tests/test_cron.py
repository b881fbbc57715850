"""``python -m scraper cron``: the lock, a killed run's lock, and exit codes 0, 1 and 2."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from scraper.cron import LOCKED, NOTHING, OK, PARTIAL, exit_code
from scraper.replica import ReplicaServer, Site
from scraper.runner import ROOT, crawl_env

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16"]


def cron(base_url: str, out, *extra: str, timeout: float = 240) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "scraper", "cron", "--base-url", base_url, "--output", str(out), *FAST, *extra]
    return subprocess.run(argv, cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=timeout)


def start_cron(base_url: str, out, *extra: str) -> subprocess.Popen:
    argv = [sys.executable, "-m", "scraper", "cron", "--base-url", base_url, "--output", str(out), *extra]
    return subprocess.Popen(argv, cwd=ROOT, env=crawl_env(), start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for_lock(out, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        lock = out / "cron.lock"
        if lock.exists() and lock.read_text().startswith("pid"):
            return
        time.sleep(0.05)
    raise AssertionError("the first run never took the lock")


def test_exit_codes_against_a_healthy_a_failing_and_a_dead_site(tmp_path) -> None:
    with ReplicaServer(Site(n_articles=40, n_categories=2, missing_rate=0.0, wrong_slug_rate=0.0)) as healthy:
        done = cron(healthy.base_url, tmp_path / "ok")
    assert done.returncode == OK, done.stderr
    assert "cron: exit 0" in done.stdout
    assert list((tmp_path / "ok" / "logs").glob("cron-*.log")) and list((tmp_path / "ok").glob("articles-*.jsonl"))

    with ReplicaServer(Site(n_articles=40, n_categories=2, missing_rate=0.1)) as failing:
        partial = cron(failing.base_url, tmp_path / "partial")
    assert partial.returncode == PARTIAL, partial.stderr
    assert "404" in partial.stderr

    with socket.socket() as s:  # a port where nothing answers
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    dead = cron(f"http://127.0.0.1:{dead_port}", tmp_path / "dead", "-s", "RETRY_TIMES=1")
    assert dead.returncode == NOTHING, dead.stderr
    assert f"nothing could be fetched from http://127.0.0.1:{dead_port}: connection refused" in dead.stderr


def test_second_run_exits_3_at_once_and_a_killed_runs_lock_does_not_block(tmp_path) -> None:
    with ReplicaServer(Site(n_articles=60, n_categories=2, missing_rate=0.0)) as server:
        first = start_cron(server.base_url, tmp_path, "-s", "DOWNLOAD_DELAY=0.2", "-s", "AUTOTHROTTLE_ENABLED=False")
        try:
            _wait_for_lock(tmp_path)
            started = time.monotonic()
            second = cron(server.base_url, tmp_path, timeout=30)
            assert second.returncode == LOCKED
            assert time.monotonic() - started < 5
            assert "holds" in second.stderr and len(second.stderr.strip().splitlines()) == 1
        finally:
            os.killpg(first.pid, signal.SIGKILL)  # the whole run, crawl included, killed hard
            first.wait(timeout=30)
        third = cron(server.base_url, tmp_path)
        assert third.returncode == OK, third.stderr


def test_exit_code_rules() -> None:
    assert exit_code(None) == NOTHING
    assert exit_code({"responses": 0}) == NOTHING
    assert exit_code({"responses": 3, "http_errors_by_status": {"503": 3}}) == NOTHING
    assert exit_code({"responses": 9, "http_errors_by_status": {"503": 1}}) == PARTIAL
    assert exit_code({"responses": 9, "http_errors_by_status": {}, "download_failures": {"TimeoutError": 1}}) == PARTIAL
    assert exit_code({"responses": 9, "http_errors_by_status": {}, "download_failures": {}}) == OK
    assert exit_code({"responses": 9, "http_errors_by_status": {}, "finish_reason": "state_damaged"}) == NOTHING


def _damage(path) -> None:
    """Overwrite every page of an SQLite file but its first (the header stays valid)."""
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek(4096)
        fh.write(b"\xa5" * (size - 4096))


def test_a_damaged_state_is_named_and_rebuilt_from_the_feeds(tmp_path) -> None:
    with ReplicaServer(Site(n_articles=40, n_categories=2, missing_rate=0.0, wrong_slug_rate=0.0)) as server:
        first = cron(server.base_url, tmp_path)
        assert first.returncode == OK, first.stderr
        state = tmp_path / "state.sqlite"
        _damage(state)
        for side in ("-wal", "-shm"):
            (tmp_path / f"state.sqlite{side}").unlink(missing_ok=True)
        server.reset_log()
        damaged = cron(server.base_url, tmp_path)
        assert damaged.returncode == NOTHING
        assert server.requests == []  # stopped before the first request
        errors = [line for line in damaged.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and str(state) in errors[0] and "state rebuild" in errors[0], damaged.stderr
        assert "Traceback" not in damaged.stderr

        rebuilt = subprocess.run(
            [sys.executable, "-m", "scraper", "state", "rebuild", str(tmp_path)], cwd=ROOT, env=crawl_env(),
            capture_output=True, text=True, timeout=60,
        )
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert "40 articles captured" in rebuilt.stdout
        assert list(tmp_path.glob("state.sqlite.damaged-*"))  # the old one kept, not deleted
        again = cron(server.base_url, tmp_path)
        assert again.returncode == OK, again.stderr
        assert "cron: exit 0; 0 new articles" in again.stdout
