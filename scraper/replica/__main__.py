"""``python -m scraper.replica``: serve a replica until Ctrl-C, for manual crawls.

``--scheme`` picks the portal: ``laichau`` (today's portal, the default) or another NukeViet portal
in the default theme whose addresses follow that scheme (``lang-module``, ``index-php``, ``query``,
``no-slash``; see ``schemes.py``)."""

from __future__ import annotations

import argparse
import contextlib
import threading

from .faults import FaultPlan, Faults
from .portal import Portal
from .schemes import SCHEMES
from .server import ReplicaServer
from .site import Site


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m scraper.replica", description=__doc__)
    ap.add_argument("--articles", type=int, default=200,
                    help="articles on the portal; more keeps the same ones (same ids and addresses) and adds newer ones")
    ap.add_argument("--categories", type=int, default=5)
    ap.add_argument("--per-page", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument(
        "--faults", choices=["none", "chaos", "transient"], default="none",
        help="fault mode preset: chaos = every fault at modest rates, transient = 5%% transient 500/503",
    )
    ap.add_argument("--fault-seed", type=int, default=0)
    ap.add_argument("--warm", action="store_true",
                    help="render and gzip every page before serving (benchmarks: the replica's CPU stays out of the crawl's way)")
    ap.add_argument("--scheme", choices=list(SCHEMES), default="laichau",
                    help="address scheme: laichau = today's portal; the others are a NukeViet portal in the default theme"
                         " with two news modules (articles shared 3:1) and modules that are not news")
    args = ap.parse_args(argv)
    if args.scheme != "laichau":
        if args.faults != "none":
            ap.error("--faults needs --scheme laichau")
        portal = Portal(args.articles, args.categories, per_page=args.per_page, seed=args.seed, scheme=args.scheme)
        summary = ", ".join(f"{m.name} ({len(m.site.articles)} articles)" for m in portal.news)
        _serve(ReplicaServer(portal, host=args.host, port=args.port), args.warm, f"scheme {args.scheme}: news modules {summary}")
        return
    site = Site(args.articles, args.categories, per_page=args.per_page, seed=args.seed)
    faults = Faults(FaultPlan.preset(args.faults, args.fault_seed), site) if args.faults != "none" else None
    srv = ReplicaServer(site, host=args.host, port=args.port, faults=faults)
    if args.warm:
        srv.warm()
    with srv:
        print(srv.base_url, flush=True)
        if faults is not None:
            print(f"faults: {args.faults} seed {args.fault_seed}; unservable ids {sorted(faults.unservable_ids())},"
                  f" damaged ids {sorted(faults.damaged_ids())}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
        if faults is not None:
            print(f"injected: {dict(faults.injected)}", flush=True)


def _serve(srv: ReplicaServer, warm: bool, summary: str) -> None:
    """Print the address (first line: scripts read it) and what is served, serve until Ctrl-C."""
    if warm:
        srv.warm()
    with srv:
        print(srv.base_url, flush=True)
        print(summary, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
