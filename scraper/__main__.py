"""Command line: ``python -m scraper extract|demo|cron|state|corpus``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urlsplit


def main(argv: list[str] | None = None) -> int:
    # named as it was called: the console script, or the module
    script = Path(sys.argv[0]).name
    prog = script if script and not script.startswith("__main__") and script != "-c" else "python -m scraper"
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_extract = sub.add_parser("extract", help="extract records from saved pages (JSON Lines on stdout)")
    p_extract.add_argument("files", nargs="+", type=Path, help="saved HTML pages")
    p_extract.add_argument("--url", help="the pages' original address (relative links, fallback canonical url)")
    p_extract.add_argument("--timeout", type=float, help="seconds a page may take (default: EXTRACT_TIMEOUT; 0: no limit)")
    p_extract.add_argument("--memory-mb", type=int, help="MiB a page's extraction may use (default: EXTRACT_WORKER_MEMORY_MB; 0: no limit)")
    p_demo = sub.add_parser("demo", help="crawl a local replica of the portal and summarise the output")
    p_demo.add_argument("--articles", type=int, default=200)
    p_cron = sub.add_parser("cron", help="one incremental crawl for a crontab: lock, dated outputs, exit codes")
    p_cron.add_argument("--base-url", help="portal address (default: the live portal)")
    p_cron.add_argument("--output", type=Path, default=Path("output"), help="output folder (default: output)")
    p_cron.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE", help="a Scrapy setting")
    p_state = sub.add_parser("state", help="the incremental state: rebuild it from the feeds")
    state_sub = p_state.add_subparsers(dest="action", required=True)
    p_rebuild = state_sub.add_parser("rebuild", help="a new state from the feeds' records (the old one moved aside)")
    p_rebuild.add_argument("feeds", type=Path, help="folder holding the feeds (e.g. output)")
    p_rebuild.add_argument("--state", type=Path, help="state file (default: FEEDS/state.sqlite)")
    p_corpus = sub.add_parser("corpus", help="merge every feed under SRC into one dataset in DEST: JSONL, Parquet, revisions, card, report")
    p_corpus.add_argument("src", type=Path, metavar="SRC", help="folder holding the feeds (e.g. output): every .jsonl/.csv under it")
    p_corpus.add_argument("--to", dest="dest", type=Path, required=True, metavar="DEST", help="the corpus folder (its files replaced atomically, month by month)")
    p_corpus.add_argument("--full", action="store_true", help="rebuild from the feeds present instead of adding what is new")
    args = parser.parse_args(argv)
    if args.command == "corpus":
        from .corpus.command import refusal
        from .corpus.command import run as corpus

        if problem := refusal(args.src, args.dest):
            p_corpus.error(problem)
        return corpus(args.src, args.dest, full=args.full)
    if args.command == "state":
        from .state import rebuild

        target = args.state or args.feeds / "state.sqlite"
        if not args.feeds.is_dir():
            parser.error(f"state rebuild: {args.feeds} is not a folder")
        articles, files, aside = rebuild(args.feeds, target)
        moved = f"; the old state is now {aside}" if aside else ""
        print(f"state: {target} rebuilt from {files} feed file(s): {articles} articles captured{moved}")
        return 0
    if args.command == "extract":
        from . import settings as project
        from .extract import run
        from .pages.dom import tune_malloc

        tune_malloc()  # a process that only extracts: steady lexbor parse times
        timeout = project.EXTRACT_TIMEOUT if args.timeout is None else args.timeout
        memory_mb = project.EXTRACT_WORKER_MEMORY_MB if args.memory_mb is None else args.memory_mb
        return run(args.files, args.url, timeout=timeout, memory_mb=memory_mb)
    if args.command == "cron":
        from .cron import run as cron

        bad = [s for s in args.settings if "=" not in s or not s.split("=", 1)[0].strip()]
        if bad:
            p_cron.error(f"-s {bad[0]}: a setting is NAME=VALUE, e.g. -s DOWNLOAD_DELAY=1")
        if args.base_url and (urlsplit(args.base_url).scheme not in ("http", "https") or not urlsplit(args.base_url).hostname):
            p_cron.error(f"--base-url {args.base_url}: an http(s) address is needed, e.g. http://127.0.0.1:8000")
        return cron(args.base_url, args.output, dict(s.split("=", 1) for s in args.settings))
    if args.command == "demo":
        from .demo import run as demo

        return demo(articles=args.articles)
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
