"""``python -m scraper demo``: the real spider over a local replica, so a newcomer sees it work offline."""

from __future__ import annotations

import collections
import json
import shutil
import sys
from pathlib import Path

from .replica import ReplicaServer, Site
from .runner import REPLICA_SETTINGS, crawl_argv, run_crawl


def run(out_dir: Path | None = None, articles: int = 200) -> int:
    # output/demo under the caller's folder (an installed package's own folder is no place for it)
    out_dir = (out_dir or Path("output") / "demo").resolve()
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    with ReplicaServer(Site(n_articles=articles, n_categories=5)) as server:
        print(f"replica portal with {articles} articles at {server.base_url}")
        settings = {**REPLICA_SETTINGS, "OUTPUT_DIR": str(out_dir), "LOG_FILE": str(out_dir / "crawl.log")}
        proc = run_crawl(crawl_argv("laichau", {"base_url": server.base_url}, settings))
        requests = len(server.requests)
    feeds = sorted(out_dir.glob("articles-*.jsonl"))
    recs = [json.loads(line) for path in feeds for line in path.read_text("utf-8").splitlines()]
    print(f"crawl exit code {proc.returncode}; {requests} requests; {len(recs)} records in {', '.join(map(str, feeds))}")
    for cat, n in collections.Counter(r["category"] for r in recs).most_common():
        print(f"  {n:4d}  {cat}")
    if recs:
        sample = {k: v for k, v in recs[0].items() if k not in ("body_html", "body_text", "related")}
        print("first record (body and related lists left out):")
        print(json.dumps(sample, ensure_ascii=False, indent=2))
    print(f"log: {out_dir / 'crawl.log'}")
    return 0 if proc.returncode == 0 and recs else 1


if __name__ == "__main__":
    sys.exit(run())
