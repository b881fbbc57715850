"""Reliability figures for the README: a cron run against the replica in chaos mode.

Run: python bench/reliability.py [--articles 1000] [--seed 7]
Prints the faults injected by kind, the articles the server could serve, those recovered,
duplicates, unparseable lines and records lost (must be 0), and the cron exit code.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraper.replica import ReplicaServer, Site  # noqa: E402
from scraper.replica.faults import FaultPlan, Faults  # noqa: E402
from scraper.runner import crawl_env  # noqa: E402
from tests.reliability.test_faults import FAULT_SETTINGS  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    site = Site(n_articles=args.articles, n_categories=5, seed=args.seed, missing_rate=0.0)
    faults = Faults(FaultPlan.chaos(seed=args.seed), site)
    with tempfile.TemporaryDirectory() as tmp, ReplicaServer(site, faults=faults) as server:
        out = Path(tmp)
        argv = [sys.executable, "-m", "scraper", "cron", "--base-url", server.base_url, "--output", str(out)]
        for key, value in FAULT_SETTINGS.items():
            argv += ["-s", f"{key}={value}"]
        proc = subprocess.run(argv, cwd=ROOT, env=crawl_env(), capture_output=True, text=True)
        bad_lines = 0
        ids: collections.Counter[str] = collections.Counter()
        for path in out.glob("articles-*.jsonl"):
            for line in path.read_bytes().splitlines():
                try:
                    ids[json.loads(line)["article_id"]] += 1
                except ValueError:
                    bad_lines += 1
        report = json.loads(next(out.glob("report-*.json")).read_text("utf-8"))
    servable = {str(i) for i in faults.servable_ids()}
    intact = {str(i) for i in faults.intact_ids()}
    print(f"faults injected: {sum(faults.injected.values())} — " + ", ".join(f"{k} {v}" for k, v in sorted(faults.injected.items())))
    print(f"articles: {len(site.articles)} on the site, {len(servable)} servable ({len(servable) - len(intact)} of them damaged), "
          f"{len(faults.unservable_ids())} never servable")
    print(f"recovered: {len(set(ids) & servable)} of {len(servable)} servable ({len(intact - set(ids))} intact ones lost); "
          f"duplicates: {sum(n - 1 for n in ids.values())}; unparseable lines: {bad_lines}")
    print(f"reported: HTTP errors {report['http_errors_by_status']}, failures {report['download_failures']}; "
          f"cron exit {proc.returncode}")
    return 0 if not (intact - set(ids)) and bad_lines == 0 and max(ids.values()) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
