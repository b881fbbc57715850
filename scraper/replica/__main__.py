"""``python -m scraper.replica``: serve a replica until Ctrl-C, for manual crawls."""

from __future__ import annotations

import argparse
import contextlib
import threading

from .faults import FaultPlan, Faults
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
    args = ap.parse_args(argv)
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


if __name__ == "__main__":
    main()
