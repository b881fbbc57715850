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

Workers are also what bounds a page's extraction: lexbor's parse is C code no signal handler
interrupts, but a process can be killed. A job not answered within ``timeout`` seconds
(``EXTRACT_TIMEOUT``) kills its worker and fails with :class:`ExtractionTimeout`; a new worker
takes over the jobs queued behind it. A worker's address space is capped (``EXTRACT_WORKER_MEMORY_MB``),
so a page that needs more fails with :class:`ExtractionMemory`, and that worker is replaced too.
"""

from __future__ import annotations

import asyncio
import contextlib
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
from .pages import ExtractionLimit, NotAnArticle, extract_article
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
#: The job id of a worker's first message, sent once it has started: the first job's time limit
#: runs from there, not from the interpreter's start (0.3-1 s of imports on a busy machine).
READY = -1
#: A worker that failed within this much of its address-space limit ran out of memory, whatever
#: the exception says (lexbor's allocation failures come out as ``SelectolaxError``).
MEMORY_MARGIN = 32 << 20


class WorkerLost(RuntimeError):
    """An extraction worker died with jobs in hand."""


class ExtractionTimeout(ExtractionLimit):
    """A page that held its worker past the pool's time limit; that worker was replaced."""


class ExtractionMemory(ExtractionLimit):
    """A page whose extraction needed more than a worker's memory limit; that worker was replaced."""


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


def limit_memory(megabytes: int) -> int:
    """Cap this process's address space (``RLIMIT_AS``) at ``megabytes`` MiB, never above a limit
    already set; the cap in bytes, 0 where none can be set. Past it an allocation fails, in Python
    (``MemoryError``) as in lexbor, instead of the machine's memory running out."""
    if megabytes <= 0:
        return 0
    try:
        import resource
    except ImportError:  # not a POSIX system
        return 0
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = megabytes << 20
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft != resource.RLIM_INFINITY:
        limit = min(limit, soft)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return limit


def _peak_address_space() -> int:
    """The most address space this process has held (``VmPeak``), in bytes; 0 where unknown."""
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmPeak:"):
                    return int(line.split()[1]) << 10
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _failure(exc: Exception, memory_limit: int) -> Exception:
    """What a worker sends back for a job that raised ``exc``: a failed allocation, or any error
    raised once the worker came within ``MEMORY_MARGIN`` of its limit, is ``ExtractionMemory``."""
    if memory_limit and not isinstance(exc, (NotAnArticle, ExtractionLimit)) and (
        isinstance(exc, MemoryError) or _peak_address_space() >= memory_limit - MEMORY_MARGIN
    ):
        return ExtractionMemory(
            f"extraction needed more than the worker's {memory_limit >> 20} MiB (EXTRACT_WORKER_MEMORY_MB): "
            f"{type(exc).__name__}: {exc}"
        )
    return exc


def serve(conn: Connection, crawl_pid: int, nice: int = 0, memory_mb: int = 0) -> None:
    """A worker's life: say it is ready, then run each job it is sent and send back (job id, ok,
    result or exception)."""
    die_with_crawl(crawl_pid)
    if nice:
        os.nice(nice)  # the crawl's event loop first (EXTRACT_WORKER_NICE)
    memory_limit = limit_memory(memory_mb)
    tune_malloc()  # a worker only extracts: steady lexbor parse times
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the crawl's to handle: it closes us
    conn.send_bytes(pickle.dumps((READY, True, None)))
    while True:
        try:
            job_id, fn, args = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):  # the crawl closed its end: done
            return
        try:
            reply = (job_id, True, fn(*args))
        except Exception as exc:  # the crawl decides what a failed page means
            reply = (job_id, False, _failure(exc, memory_limit))
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an exception that does not pickle
            data = pickle.dumps((job_id, False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        conn.send_bytes(data)


def serve_fd(fd: int, crawl_pid: int, nice: int = 0, memory_mb: int = 0) -> None:
    """A worker process's entry point (see ``_BOOT``): serve on the socket inherited as ``fd``."""
    serve(Connection(fd), crawl_pid, nice, memory_mb)


#: A worker is a plain ``python -c`` of this: multiprocessing's "spawn" would first re-import the
#: crawl's main module in it (``scrapy.__main__``, hence all of Scrapy and Twisted), 0.3-0.5 s of
#: CPU before the first page, taken from the crawl's start on a machine of two cores.
_BOOT = "import sys; from scraper.workers import serve_fd; serve_fd(*map(int, sys.argv[1:]))"


def _start_worker(sock: socket.socket, nice: int = 0, memory_mb: int = 0) -> subprocess.Popen:
    """A clean interpreter serving on ``sock``, with this very ``scraper`` package importable."""
    package_root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    return subprocess.Popen(
        [sys.executable, "-c", _BOOT, str(sock.fileno()), str(os.getpid()), str(nice), str(memory_mb)],
        pass_fds=(sock.fileno(),), stdin=subprocess.DEVNULL, env=env,
    )


def frame(data: bytes) -> bytes:
    return (_SHORT.pack(len(data)) if len(data) <= 0x7FFFFFFF else _SHORT.pack(-1) + _LONG.pack(len(data))) + data


@dataclass
class Job:
    future: asyncio.Future
    data: bytes  # the framed job, kept to hand it to a worker that replaces this one


@dataclass
class Worker:
    process: subprocess.Popen
    sock: socket.socket
    #: Jobs sent and not answered, in the order sent: a worker runs them in turn, the first now.
    jobs: dict[int, Job] = field(default_factory=dict)
    writer: asyncio.StreamWriter | None = None
    reader_task: asyncio.Task | None = None
    #: Connecting its streams (made on first use, or when it replaces another).
    opened: asyncio.Future | None = None
    #: It has said it is ready: the first job's time runs.
    ready: bool = False
    #: The time limit of the job it is running.
    timer: asyncio.TimerHandle | None = None
    #: Killed by the pool (a job past its time or memory) and replaced.
    retired: bool = False
    #: Died on its own: no job is sent to it again.
    lost: bool = False


class ExtractionPool:
    """N worker processes (clean interpreters: the crawl's event loop and threads are never
    forked), each the crawl's own child and tied to its life; jobs go to the least busy.

    ``timeout`` (seconds, 0 for none) bounds each job from the moment its worker can start it;
    ``memory_mb`` (0 for none) caps each worker's address space.
    """

    def __init__(self, workers: int, nice: int = 0, timeout: float = 0, memory_mb: int = 0) -> None:
        self.nice, self.timeout, self.memory_mb = nice, timeout, memory_mb
        self.workers: list[Worker] = []
        #: Workers the pool killed, until they are reaped.
        self.retired: list[subprocess.Popen] = []
        #: Workers started in place of one killed for a job's time or memory.
        self.replaced = 0
        self.ids = itertools.count()
        try:
            for _ in range(workers):
                self.workers.append(self._spawn())
        except BaseException:
            self.close()  # the workers already started do not outlive a pool that failed to start
            raise

    def _spawn(self) -> Worker:
        mine, theirs = socket.socketpair()
        try:
            process = _start_worker(theirs, self.nice, self.memory_mb)
        except BaseException:
            mine.close()
            raise
        finally:
            theirs.close()
        return Worker(process, mine)

    def _connect(self) -> None:
        """Streams on the sockets, made on first use (they belong to the running loop); the jobs
        sent meanwhile wait in their worker's queue, in order."""
        for worker in self.workers:
            if worker.opened is None:
                worker.opened = asyncio.ensure_future(self._open(worker))

    async def _open(self, worker: Worker) -> None:
        try:
            reader, writer = await asyncio.open_connection(sock=worker.sock)
        except OSError as exc:
            worker.lost = True
            self._lost(worker, WorkerLost(f"extraction worker {worker.process.pid} cannot be reached ({exc})"))
            return
        writer.transport.set_write_buffer_limits(high=WRITE_BUFFER_HIGH)
        worker.writer = writer
        worker.reader_task = asyncio.ensure_future(self._read(worker, reader))
        for job in worker.jobs.values():  # sent before it was reached, or handed over from the one it replaces
            writer.write(job.data)

    async def _read(self, worker: Worker, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                (size,) = _SHORT.unpack(await reader.readexactly(_SHORT.size))
                if size == -1:
                    (size,) = _LONG.unpack(await reader.readexactly(_LONG.size))
                job_id, ok, value = pickle.loads(await reader.readexactly(size))
                if job_id == READY:
                    worker.ready = True
                    self._arm(worker)
                    continue
                self._disarm(worker)
                job = worker.jobs.pop(job_id, None)
                if job is not None and not job.future.done():
                    job.future.set_result(value) if ok else job.future.set_exception(value)
                if isinstance(value, ExtractionMemory):  # its heap is near the limit: a fresh one
                    self._replace(worker, f"{value}")
                    return
                self._arm(worker)  # the next job starts now
        except Exception as exc:  # the worker's end closed, or a reply that does not read
            if worker.retired:
                return
            if not isinstance(exc, (asyncio.IncompleteReadError, ConnectionError)):
                logger.error("extraction worker %s sent an unreadable reply (%r); stopping it", worker.process.pid, exc)
                worker.process.kill()
            worker.lost = True
            self._disarm(worker)
            self._lost(worker, WorkerLost(f"extraction worker {worker.process.pid} exited ({worker.process.poll()})"))

    def _arm(self, worker: Worker) -> None:
        """Start the time limit of the job ``worker`` runs now, if it has one and none runs."""
        if self.timeout > 0 and worker.ready and worker.jobs and worker.timer is None and not worker.retired:
            running = next(iter(worker.jobs))
            worker.timer = asyncio.get_running_loop().call_later(self.timeout, self._expired, worker, running)

    @staticmethod
    def _disarm(worker: Worker) -> None:
        if worker.timer is not None:
            worker.timer.cancel()
            worker.timer = None

    def _expired(self, worker: Worker, job_id: int) -> None:
        """A job ran past the time limit: its worker is killed (lexbor's C code cannot be
        interrupted otherwise), the job fails, the jobs behind it go to a new worker."""
        worker.timer = None
        if worker.retired or job_id not in worker.jobs:
            return
        job = worker.jobs.pop(job_id)
        self._replace(worker, f"a job ran past {self.timeout:g} s")
        if not job.future.done():
            job.future.set_exception(ExtractionTimeout(
                f"extraction took over {self.timeout:g} s (EXTRACT_TIMEOUT); its worker was stopped"
            ))

    def _replace(self, worker: Worker, why: str) -> None:
        """Kill ``worker`` and start another in its place, with the jobs it had not answered."""
        worker.retired = True
        self._disarm(worker)
        with contextlib.suppress(ProcessLookupError):
            worker.process.kill()
        self.retired.append(worker.process)
        if worker.writer is not None:
            worker.writer.close()  # its reader then ends, quietly (the worker is retired)
        else:
            worker.sock.close()
        self.retired = [p for p in self.retired if p.poll() is None]  # reap the ones that are gone
        try:
            new = self._spawn()
        except (OSError, ValueError) as exc:
            logger.error("extraction worker %s stopped (%s); no worker could replace it: %s", worker.process.pid, why, exc)
            worker.lost = True
            self._lost(worker, WorkerLost(f"no extraction worker could replace {worker.process.pid}: {exc}"))
            return
        logger.warning("extraction worker %s stopped (%s); worker %s replaces it", worker.process.pid, why, new.process.pid)
        self.replaced += 1
        new.jobs, worker.jobs = worker.jobs, {}
        self.workers[self.workers.index(worker)] = new
        new.opened = asyncio.ensure_future(self._open(new))

    @staticmethod
    def _lost(worker: Worker, exc: WorkerLost) -> None:
        for job in worker.jobs.values():
            if not job.future.done():
                job.future.set_exception(exc)
        worker.jobs.clear()

    def backlog(self) -> int:
        """Jobs sent and not yet answered, across the workers."""
        return sum(len(w.jobs) for w in self.workers)

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(*args)`` in the least busy worker; its exception is raised here, and
        ``ExtractionTimeout`` for a job past the pool's time limit."""
        if any(w.opened is None for w in self.workers):
            self._connect()
        alive = [w for w in self.workers if not w.lost]
        if not alive:
            raise WorkerLost("every extraction worker has exited")
        worker = min(alive, key=lambda w: len(w.jobs))
        job_id = next(self.ids)
        data = frame(pickle.dumps((job_id, fn, args), protocol=pickle.HIGHEST_PROTOCOL))
        future = asyncio.get_running_loop().create_future()
        worker.jobs[job_id] = Job(future, data)
        self._arm(worker)  # an idle worker starts it at once
        if worker.writer is not None:  # else its streams' opening sends it
            try:
                worker.writer.write(data)
                await worker.writer.drain()  # a big page waits for room here, the event loop does not
            except (ConnectionError, OSError) as exc:
                # a worker replaced meanwhile handed the job on; one that died fails it
                if not worker.retired and worker.jobs.pop(job_id, None) is not None:
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
            self._disarm(worker)
            self._lost(worker, WorkerLost("the extraction pool was closed"))
            try:
                if worker.reader_task is not None:
                    worker.reader_task.cancel()
                if worker.opened is not None:
                    worker.opened.cancel()
                if worker.writer is not None:
                    worker.writer.close()
            except RuntimeError:  # the event loop is already closed: closing the socket is enough
                pass
            worker.sock.close()
        for process in self.retired:
            process.wait()  # killed: gone in a moment
        self.retired.clear()
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
