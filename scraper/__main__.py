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
    args = parser.parse_args(argv)
    if args.command == "extract":
        from .extract import run

        return run(args.files, args.url)
    if args.command == "demo":
        from .demo import run as demo

        return demo(articles=args.articles)
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
