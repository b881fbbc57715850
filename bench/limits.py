"""Bounded extraction: time and peak memory of one page's extraction, for ordinary and hostile pages,
with the nesting guard (``scraper.pages.dom.check_nesting``) and without it, side by side.

Run: python bench/limits.py [--timeout S] [--memory-mb N] [--unbounded]

Each page is extracted (page objects and record chain, as a crawl worker does) in a fresh process
under the crawl's bounds: its address space capped at ``--memory-mb`` (EXTRACT_WORKER_MEMORY_MB) and
killed at ``--timeout`` seconds (EXTRACT_TIMEOUT), as a worker is. "peak RSS" is the process's
(``VmHWM``: interpreter, page objects and a first page included; ``wait4``'s figure would include
this process's own at the fork), "page" what the page (its bytes included) added to it, "x size"
that over the page's size; "guard ms" is the guard's own scan (median of 5).
``--unbounded`` also runs the deep pages without guard or limits to the end (minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraper import settings as project  # noqa: E402
from scraper.pages.dom import nesting_work  # noqa: E402

URL = "https://congan.laichau.gov.vn/an-ninh-trat-tu/bai-viet-1.html"
BODY = b'<div id="news-bodyhtml" class="bodytext margin-bottom-lg">'

#: One page's extraction in a clean process: bounds first, then the page, then one JSON line.
CHILD = r"""
import json, sys, time
from scraper.pages import dom
from scraper.workers import _failure, build_article, limit_memory
path, guard, memory_mb = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3])
if not guard:
    dom.check_nesting = lambda data: None
limit = limit_memory(memory_mb)
dom.tune_malloc()
build_article(open(sys.argv[4], "rb").read(), "URL", None, "text/html; charset=utf-8")  # warm: lazy imports, caches
def hwm():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM:")).split()[1])
print(json.dumps({"base": hwm()}), flush=True)
data = open(path, "rb").read()
start = time.perf_counter()
try:
    item = build_article(data, "URL", None, "text/html; charset=utf-8")
    outcome = f"record ({len(item.body_text or '')} chars of body)"
except Exception as exc:  # named as a worker names it
    outcome = type(_failure(exc, limit)).__name__
print(json.dumps({"outcome": outcome, "seconds": time.perf_counter() - start, "peak": hwm()}), flush=True)
""".replace('"URL"', repr(URL))


def _hwm_kib(pid: int) -> int:
    """A live process's peak RSS (``VmHWM``), in KiB."""
    with open(f"/proc/{pid}/status") as fh:
        return int(next(line for line in fh if line.startswith("VmHWM:")).split()[1])


def pages() -> dict[str, bytes]:
    fixture = (ROOT / "fixtures" / "articles" / "nukeviet-default.html").read_bytes()
    para = "<p>Đoạn văn <b>dài</b> để thử một <a href='/a/b-2.html'>trang</a> rất lớn của cổng tin.</p>\n".encode()
    return {
        "normal (fixture)": fixture,
        "normal x10 (113 KB)": fixture.replace(BODY, BODY + para * 1000, 1),
        "deep: 20,000 <div>": fixture.replace(BODY, BODY + b"<div>" * 20_000, 1),
        "deep: 200,000 <div>": fixture.replace(BODY, BODY + b"<div>" * 200_000, 1),
        "large: 4 MB of text": fixture.replace(BODY, BODY + para * 36_000, 1),
        "large: 16 MB of text": fixture.replace(BODY, BODY + para * 145_000, 1),
        "dense: 2 MB of <br>": fixture.replace(BODY, BODY + b"x<br>" * 400_000, 1),
        "dense: 10 MB of <br>": fixture.replace(BODY, BODY + b"x<br>" * 2_000_000, 1),
    }


def run_child(page: Path, guard: bool, memory_mb: int, timeout: float, warm: Path) -> tuple[str, float, float, float]:
    """(outcome, seconds, peak RSS MiB, MiB of it over the process's own) of one page in a fresh process."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p))
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(page), "1" if guard else "0", str(memory_mb), str(warm)],
                            stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    base = json.loads(proc.stdout.readline())["base"]
    start = time.monotonic()
    outcome, seconds, peak = "", 0.0, 0
    while True:
        pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if timeout and time.monotonic() - start > timeout:
            peak = _hwm_kib(proc.pid)
            proc.kill()
            pid, status, _ = os.wait4(proc.pid, 0)
            outcome, seconds = f"killed at {timeout:g} s: ExtractionTimeout", time.monotonic() - start
            break
        time.sleep(0.01)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if not outcome:
        line = proc.stdout.readline()
        result = json.loads(line) if line else {"outcome": f"died ({proc.returncode})", "seconds": time.monotonic() - start}
        outcome, seconds, peak = result["outcome"], result["seconds"], result.get("peak", 0)
    proc.stdout.close()
    return outcome, seconds, peak / 1024, max(0, peak - base) / 1024


def guard_ms(data: bytes) -> float:
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        nesting_work(data)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e3


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=project.EXTRACT_TIMEOUT, help="seconds (EXTRACT_TIMEOUT)")
    ap.add_argument("--memory-mb", type=int, default=project.EXTRACT_WORKER_MEMORY_MB, help="MiB (EXTRACT_WORKER_MEMORY_MB)")
    ap.add_argument("--unbounded", action="store_true", help="also the deep pages without guard, time or memory limit")
    args = ap.parse_args()
    print(f"bounds: EXTRACT_TIMEOUT {args.timeout:g} s, EXTRACT_WORKER_MEMORY_MB {args.memory_mb}")
    print(f"{'page':22} {'size':>9} {'guard':6} {'guard ms':>9} {'outcome':36} {'seconds':>8} {'peak RSS MiB':>12} "
          f"{'page MiB':>8} {'x size':>7}")
    with tempfile.TemporaryDirectory(prefix="laichau-bench-limits-") as tmp:
        warm = Path(tmp) / "warm.html"
        warm.write_bytes((ROOT / "fixtures" / "articles" / "nukeviet-plain.html").read_bytes())
        cases = [(name, data, guard, args.memory_mb, args.timeout) for name, data in pages().items() for guard in (True, False)]
        if args.unbounded:
            cases += [(name, data, False, 0, 0) for name, data in pages().items() if name.startswith("deep")]
        for name, data, guard, memory_mb, timeout in cases:
            path = Path(tmp) / "page.html"
            path.write_bytes(data)
            outcome, seconds, peak, added = run_child(path, guard, memory_mb, timeout, warm)
            size = len(data)
            label = ("on" if guard else "off") + ("" if memory_mb or timeout else "*")
            scan = f"{guard_ms(data):9.3f}" if guard else f"{'':9}"
            print(f"{name:22} {size / 1e6:7.2f}MB {label:6} {scan} {outcome[:36]:36} {seconds:8.3f} {peak:12.1f} "
                  f"{added:8.1f} {added * 2**20 / size:7.1f}", flush=True)
    if args.unbounded:
        print("* without guard, time limit or memory cap")
    return 0


if __name__ == "__main__":
    sys.exit(main())
