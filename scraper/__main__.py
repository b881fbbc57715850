"""Command line: ``python -m scraper extract|demo|cron``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scraper", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_extract = sub.add_parser("extract", help="extract records from saved pages (JSON Lines on stdout)")
    p_extract.add_argument("files", nargs="+", type=Path, help="saved HTML pages")
    p_extract.add_argument("--url", help="the pages' original address (relative links, fallback canonical url)")
    p_demo = sub.add_parser("demo", help="crawl a local replica of the portal and summarise the output")
    p_demo.add_argument("--articles", type=int, default=200)
    p_cron = sub.add_parser("cron", help="one incremental crawl for a crontab: lock, dated outputs, exit codes")
    p_cron.add_argument("--base-url", help="portal address (default: the live portal)")
    p_cron.add_argument("--output", type=Path, default=Path("output"), help="output folder (default: output)")
    p_cron.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE", help="a Scrapy setting")
    args = parser.parse_args(argv)
    if args.command == "extract":
        from .extract import run
        from .pages.dom import tune_malloc

        tune_malloc()  # a process that only extracts: steady lexbor parse times
        return run(args.files, args.url)
    if args.command == "cron":
        from .cron import run as cron

        return cron(args.base_url, args.output, dict(s.split("=", 1) for s in args.settings))
    if args.command == "demo":
        from .demo import run as demo

        return demo(articles=args.articles)
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
