"""Extraction in worker processes: ``EXTRACT_WORKERS`` (``auto`` by default, see settings.py).

A crawl of a fast server is CPU-bound on one core: parsing and building records compete
with Scrapy's own networking. With workers, each article page is turned into its finished
record (page object, listing join, the record chain), and each category page into its entries
and pager, in another process; the crawl process keeps only networking, dedup, feeds and
state. The live portal, fetched two pages at a time, never needs this; a replica, a mirror or
a sister portal on a fast link does.

Jobs and results travel over one socket pair per worker, read and written by the crawl's own
event loop. ``concurrent.futures.ProcessPoolExecutor`` was measured first: its feeder and
manager threads and their cross-thread wake-ups cost the crawl process 0.5-0.75 ms an article,
a third to a half of what a bare Scrapy spider spends on a whole page.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import pickle
import signal
import socket
import struct
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .decoding import worker_markup
from .items import ArticleItem
from .pages import extract_article
from .pages.dom import tune_malloc
from .pages.listing import ListingEntry, ListingSummary, apply_listing, summarize_listing
from .pipelines import build_record
from .sealed import SealedRecord

logger = logging.getLogger(__name__)

#: Bytes of jobs a worker's socket may hold unsent before a sender waits (``drain``). asyncio's
#: 64 KiB is four article pages: once a worker fell behind, every page sent after waited in
#: ``drain`` until the buffer was nearly empty again, its reply long arrived, so finished pages
#: piled up until Scrapy stopped fetching (6-19% of a replica crawl's time in 6 crawls). What the socket
#: holds is bounded anyway, by the responses Scrapy keeps (SCRAPER_SLOT_MAX_ACTIVE_SIZE); this
#: only guards against a pathological page.
WRITE_BUFFER_HIGH = 64 * 1024 * 1024
#: multiprocessing.Connection's framing, so a worker reads and writes with its plain methods.
_SHORT = struct.Struct("!i")
_LONG = struct.Struct("!Q")


class WorkerLost(RuntimeError):
    """An extraction worker died with jobs in hand."""


def build_article(
    markup: str | bytes, url: str, entry: ListingEntry | None, content_type: str | None = None
) -> ArticleItem:
    """The whole record path for one page, as the crawl process would run it; from the raw body,
    so decoding it is the worker's work too."""
    markup = worker_markup(markup, url, content_type)
    item = build_record(apply_listing(extract_article(markup, url, content_type), entry))
    item.built = True  # the crawl's RecordPipeline will not run the chain a second time
    return item


def sealed_article(
    markup: str | bytes, url: str, entry: ListingEntry | None, content_type: str | None = None
) -> SealedRecord:
    """``build_article``, sealed with its feed line: what a worker sends (see ``sealed.py``)."""
    return SealedRecord(build_article(markup, url, entry, content_type))


def read_listing(markup: str | bytes, url: str, content_type: str | None = None) -> ListingSummary:
    return summarize_listing(worker_markup(markup, url, content_type), url, content_type)


def die_with_crawl(crawl_pid: int) -> None:
    """A worker is killed with the crawl that started it (Linux), so a SIGKILLed crawl, which
    never shuts its workers down, leaves none behind."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != crawl_pid:  # the crawl died before the line above took effect
        os._exit(1)


def serve(conn: Connection, crawl_pid: int, nice: int = 0) -> None:
    """A worker's life: run each job it is sent, send back (job id, ok, result or exception)."""
    die_with_crawl(crawl_pid)
    if nice:
        os.nice(nice)  # the crawl's event loop first (EXTRACT_WORKER_NICE)
    tune_malloc()  # a worker only extracts: steady lexbor parse times
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the crawl's to handle: it closes us
    while True:
        try:
            job_id, fn, args = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):  # the crawl closed its end: done
            return
        try:
            reply = (job_id, True, fn(*args))
        except Exception as exc:  # the crawl decides what a failed page means
            reply = (job_id, False, exc)
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an exception that does not pickle
            data = pickle.dumps((job_id, False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        conn.send_bytes(data)


def serve_fd(fd: int, crawl_pid: int, nice: int = 0) -> None:
    """A worker process's entry point (see ``_BOOT``): serve on the socket inherited as ``fd``."""
    serve(Connection(fd), crawl_pid, nice)


#: A worker is a plain ``python -c`` of this: multiprocessing's "spawn" would first re-import the
#: crawl's main module in it (``scrapy.__main__``, hence all of Scrapy and Twisted), 0.3-0.5 s of
#: CPU before the first page, taken from the crawl's start on a machine of two cores.
_BOOT = "import sys; from scraper.workers import serve_fd; serve_fd(*map(int, sys.argv[1:]))"


def _start_worker(sock: socket.socket, nice: int = 0) -> subprocess.Popen:
    """A clean interpreter serving on ``sock``, with this very ``scraper`` package importable."""
    package_root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    return subprocess.Popen(
        [sys.executable, "-c", _BOOT, str(sock.fileno()), str(os.getpid()), str(nice)],
        pass_fds=(sock.fileno(),), stdin=subprocess.DEVNULL, env=env,
    )


def frame(data: bytes) -> bytes:
    return (_SHORT.pack(len(data)) if len(data) <= 0x7FFFFFFF else _SHORT.pack(-1) + _LONG.pack(len(data))) + data


@dataclass
class Worker:
    process: subprocess.Popen
    sock: socket.socket
    jobs: dict[int, asyncio.Future] = field(default_factory=dict)
    writer: asyncio.StreamWriter | None = None
    reader_task: asyncio.Task | None = None


class ExtractionPool:
    """N worker processes (clean interpreters: the crawl's event loop and threads are never
    forked), each the crawl's own child and tied to its life; jobs go to the least busy."""

    def __init__(self, workers: int, nice: int = 0) -> None:
        self.workers: list[Worker] = []
        self.ids = itertools.count()
        self.started: asyncio.Lock | None = None
        try:
            for _ in range(workers):
                mine, theirs = socket.socketpair()
                try:
                    process = _start_worker(theirs, nice)
                except BaseException:
                    mine.close()
                    raise
                finally:
                    theirs.close()
                self.workers.append(Worker(process, mine))
        except BaseException:
            self.close()  # the workers already started do not outlive a pool that failed to start
            raise

    async def _connect(self) -> None:
        """Streams on the sockets, made on first use: they belong to the running loop."""
        if self.started is None:
            self.started = asyncio.Lock()
        async with self.started:
            for worker in self.workers:
                if worker.writer is None:
                    reader, worker.writer = await asyncio.open_connection(sock=worker.sock)
                    worker.writer.transport.set_write_buffer_limits(high=WRITE_BUFFER_HIGH)
                    worker.reader_task = asyncio.ensure_future(self._read(worker, reader))

    async def _read(self, worker: Worker, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                (size,) = _SHORT.unpack(await reader.readexactly(_SHORT.size))
                if size == -1:
                    (size,) = _LONG.unpack(await reader.readexactly(_LONG.size))
                job_id, ok, value = pickle.loads(await reader.readexactly(size))
                future = worker.jobs.pop(job_id, None)
                if future is not None and not future.done():
                    future.set_result(value) if ok else future.set_exception(value)
        except Exception as exc:  # the worker's end closed, or a reply that does not read
            if not isinstance(exc, (asyncio.IncompleteReadError, ConnectionError)):
                logger.error("extraction worker %s sent an unreadable reply (%r); stopping it", worker.process.pid, exc)
                worker.process.kill()
            self._lost(worker, WorkerLost(f"extraction worker {worker.process.pid} exited ({worker.process.poll()})"))

    @staticmethod
    def _lost(worker: Worker, exc: WorkerLost) -> None:
        for future in worker.jobs.values():
            if not future.done():
                future.set_exception(exc)
        worker.jobs.clear()

    def backlog(self) -> int:
        """Jobs sent and not yet answered, across the workers."""
        return sum(len(w.jobs) for w in self.workers)

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(*args)`` in the least busy worker; its exception is raised here."""
        if any(w.writer is None for w in self.workers):
            await self._connect()
        alive = [w for w in self.workers if w.reader_task is not None and not w.reader_task.done()]
        if not alive:
            raise WorkerLost("every extraction worker has exited")
        worker = min(alive, key=lambda w: len(w.jobs))
        job_id = next(self.ids)
        data = frame(pickle.dumps((job_id, fn, args), protocol=pickle.HIGHEST_PROTOCOL))
        future = asyncio.get_running_loop().create_future()
        worker.jobs[job_id] = future
        assert worker.writer is not None
        try:
            worker.writer.write(data)
            await worker.writer.drain()  # a big page waits for room here, the event loop does not
        except (ConnectionError, OSError) as exc:
            worker.jobs.pop(job_id, None)
            raise WorkerLost(f"extraction worker {worker.process.pid} is gone ({exc})") from exc
        return await future

    async def build(
        self, markup: str | bytes, url: str, entry: ListingEntry | None, content_type: str | None = None
    ) -> ArticleItem:
        return await self.call(sealed_article, markup, url, entry, content_type)

    async def listing(self, markup: str | bytes, url: str, content_type: str | None = None) -> ListingSummary:
        return await self.call(read_listing, markup, url, content_type)

    def close(self, timeout: float = 10) -> None:
        """Close the sockets (each worker then exits on its own) and wait for the workers."""
        for worker in self.workers:
            self._lost(worker, WorkerLost("the extraction pool was closed"))
            try:
                if worker.reader_task is not None:
                    worker.reader_task.cancel()
                if worker.writer is not None:
                    worker.writer.close()
            except RuntimeError:  # the event loop is already closed: closing the socket is enough
                pass
            worker.sock.close()
        for worker in self.workers:
            try:
                worker.process.wait(timeout)
            except subprocess.TimeoutExpired:
                logger.warning("extraction worker %s did not exit; terminating it", worker.process.pid)
                worker.process.terminate()
                try:
                    worker.process.wait(timeout)
                except subprocess.TimeoutExpired:
                    worker.process.kill()
                    worker.process.wait()
