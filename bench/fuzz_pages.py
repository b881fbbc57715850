"""The long property run: ≥ 10,000 damaged pages through the page objects, counting escapes.

Run: python bench/fuzz_pages.py [--examples 10000] [--seed N]
Prints the seed (a new one each run unless given: pass it back to replay a run), how many pages
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

from scraper.pages import NotAnArticle, extract_article  # noqa: E402
from scraper.pipelines import build_record  # noqa: E402
from tests.pages.mutations import damaged_pages  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    run_seed = random.randrange(2**32) if args.seed is None else args.seed
    print(f"seed: {run_seed}")
    logging.disable(logging.WARNING)  # flagged records log a warning each; the counts are the output
    outcomes: collections.Counter[str] = collections.Counter()
    escapes: list[str] = []

    @seed(run_seed)
    @settings(max_examples=args.examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(damaged_pages())
    def run(page) -> None:
        data, url = page
        try:
            build_record(extract_article(data, url))
            outcomes["record"] += 1
        except NotAnArticle:
            outcomes["not-an-article"] += 1
        except Exception:
            outcomes["escaped"] += 1
            escapes.append(traceback.format_exc())

    start = time.perf_counter()
    run()
    took = time.perf_counter() - start
    total = sum(outcomes.values())
    print(f"damaged pages tried: {total} in {took:.1f} s ({total / took:.0f}/s)")
    print(f"records: {outcomes['record']}, not an article: {outcomes['not-an-article']}, escaped: {outcomes['escaped']}")
    for tb in escapes[:5]:
        print(tb)
    return 1 if escapes else 0


if __name__ == "__main__":
    sys.exit(main())
