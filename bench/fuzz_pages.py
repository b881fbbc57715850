"""The long property run: ≥ 10,000 damaged pages through the page objects, counting escapes.

Run: python bench/fuzz_pages.py [--examples 10000] [--seed N] [--kind article|listing]
``--kind listing`` damages category pages (and article pages) and reads them as the crawl reads a
category page. Prints the seed (a new one each run unless given: pass it back to replay a run), how many pages
were tried, how many gave a record / "not an article", and every exception that escaped (there
must be none), with its whole traceback.
"""

from __future__ import annotations

import argparse
import collections
import logging
import random
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from tests.pages.mutations import LISTINGS, PAGES, damaged_pages  # noqa: E402
from tests.pages.test_properties import listing_outcome, outcome  # noqa: E402

KINDS = {"article": (PAGES, outcome), "listing": (LISTINGS, listing_outcome)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--kind", choices=sorted(KINDS), default="article")
    args = parser.parse_args()
    pages, read = KINDS[args.kind]
    run_seed = random.randrange(2**32) if args.seed is None else args.seed
    print(f"seed: {run_seed}")
    logging.disable(logging.WARNING)  # flagged records log a warning each; the counts are the output
    outcomes: collections.Counter[str] = collections.Counter()
    escapes: list[str] = []

    @seed(run_seed)
    @settings(max_examples=args.examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(damaged_pages(pages))
    def run(page) -> None:
        try:
            outcomes[read(*page)] += 1
        except Exception:
            outcomes["escaped"] += 1
            escapes.append(traceback.format_exc())

    start = time.perf_counter()
    run()
    took = time.perf_counter() - start
    total = sum(outcomes.values())
    print(f"damaged pages tried: {total} in {took:.1f} s ({total / took:.0f}/s)")
    read_as = "listings" if args.kind == "listing" else "records"
    print(f"{read_as}: {outcomes['listing' if args.kind == 'listing' else 'record']}, "
          f"not an article: {outcomes['not-an-article']}, escaped: {outcomes['escaped']}")
    for tb in escapes[:5]:
        print(tb)
    return 1 if escapes else 0


if __name__ == "__main__":
    sys.exit(main())
