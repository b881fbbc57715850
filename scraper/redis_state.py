"""The seen-article state on Redis, for workers on several machines sharing one crawl.

Same interface as ``state.StateStore``. The write journal is kept per worker (feed files are
local to a worker); a restarted worker settles the journals its host's dead workers left. What
a worker's own run remembers (the articles its listings found, the records it wrote) is in a
private temporary SQLite database beside it: each worker requests what its own listings found,
and the shared duplicate filter keeps two workers from fetching one article.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import time
from collections.abc import Iterable

from .state import JOURNAL, FoundTable, WrittenTable, settle
from .walks import RedisWalkLedger

logger = logging.getLogger(__name__)


def worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RedisStateStore:
    def __init__(self, url: str, prefix: str = "laichau:state", worker: str | None = None, crawl: str | None = None) -> None:
        import redis

        self.db = redis.Redis.from_url(url, decode_responses=True)
        self.db.ping()
        self.prefix = prefix
        self.worker = worker or worker_id()
        self.articles = f"{prefix}:articles"
        self.gone = f"{prefix}:gone"
        self.walks = f"{prefix}:walks"
        self.crawl = crawl or "default"
        self.pending = f"{prefix}:pending:{self.worker}"
        self.staged: list[str] = []
        self.local = sqlite3.connect("", isolation_level=None)  # deleted when closed, or when the process dies
        self.found = FoundTable(self.local)
        self.written = WrittenTable(self.local)

    def known(self, keys: Iterable[str]) -> set[str]:
        keys = [k for k in keys if k]
        if not keys:
            return set()
        member = self.db.smismember(self.articles, keys)
        retry = self.db.hmget(self.gone, keys)
        now = time.time()
        return {k for k, m, r in zip(keys, member, retry, strict=True) if m or (r is not None and float(r) > now)}

    def is_known(self, key: str) -> bool:
        return bool(self.known([key]))

    #: Keys written before keys named their site (``urls.site_key``) get ``ARGV[1]`` and a space in
    #: front, in the captured set and the gone hash; once (``KEYS[3]``, the layout's version, set
    #: first). One script: Redis runs it whole, so no worker reads the state half renamed.
    _ADOPT = """
    if redis.call('SETNX', KEYS[3], '1') == 0 then return -1 end
    local moved = 0
    for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do
      if not string.find(key, ' ', 1, true) then
        redis.call('SREM', KEYS[1], key)
        redis.call('SADD', KEYS[1], ARGV[1] .. ' ' .. key)
        moved = moved + 1
      end
    end
    local gone = redis.call('HGETALL', KEYS[2])
    for i = 1, #gone, 2 do
      if not string.find(gone[i], ' ', 1, true) then
        redis.call('HDEL', KEYS[2], gone[i])
        redis.call('HSET', KEYS[2], ARGV[1] .. ' ' .. gone[i], gone[i + 1])
        moved = moved + 1
      end
    end
    return moved
    """

    def adopt_unsited(self, site: str) -> int:
        """Give keys from before keys named their site (a state of the one-portal ``laichau``
        spider) that site, the crawl's only portal, so nothing captured is fetched again: the
        SQLite state does this from each key's address (``state._migrate``); Redis kept none.
        How many keys moved; -1 once done."""
        return int(self.db.eval(self._ADOPT, 3, self.articles, self.gone, f"{self.prefix}:version", site))

    # -- category walks (see ``walks``): the marks here, this crawl's ledger beside its queue ----
    def ledger(self) -> RedisWalkLedger:
        return RedisWalkLedger(self.db, f"laichau:{self.crawl}")

    def captured_before(self, keys: Iterable[str], when: str) -> bool:
        """Capture times are not kept here: a page vouches by its listing times alone."""
        return False

    def open_walk(self, walk: str) -> str | None:
        pipe = self.db.pipeline()  # MULTI/EXEC
        pipe.hget(self.walks, walk)
        pipe.hdel(self.walks, walk)
        return pipe.execute()[0]

    def complete_walks(self, walks: list[tuple[str, str]]) -> None:
        if self.staged:
            self.checkpoint(None)
        if walks:
            self.db.hset(self.walks, mapping=dict(walks))

    def mark_gone(self, key: str, url: str, status: int, retry_days: float) -> None:
        self.db.hset(self.gone, key, time.time() + retry_days * 86400)

    def stage(self, key: str, url: str, content_hash: str | None, output: str | None) -> None:
        """A record now whole in every feed; marked done at the next checkpoint."""
        self.staged.append(key)

    def checkpoint(self, files: list[tuple[str, str, int]] | None) -> None:
        """The staged records done and this worker's journal moved to its feeds' ends, atomically."""
        pipe = self.db.pipeline()  # MULTI/EXEC
        if self.staged:
            pipe.sadd(self.articles, *self.staged)
        if files is None:
            pipe.hdel(self.pending, JOURNAL)
        else:
            pipe.hset(self.pending, JOURNAL, json.dumps(files))
        pipe.execute()
        self.staged.clear()

    def recover(self) -> tuple[int, int]:
        """Settle the journals of this host's workers that are no longer running."""
        confirmed = discarded = 0
        host = socket.gethostname()
        for name in self.db.scan_iter(f"{self.prefix}:pending:{host}-*"):
            pid = name.rsplit("-", 1)[-1]
            if name != self.pending and pid.isdigit() and _alive(int(pid)):
                continue
            for field, raw in self.db.hgetall(name).items():
                whole, cut = settle(json.loads(raw))
                if whole:
                    self.db.sadd(self.articles, *(key for key, _, _ in whole))
                confirmed += len(whole)
                discarded += cut
                self.db.hdel(name, field)
        if confirmed or discarded:
            logger.warning("state: recovered dead workers' writes: %d confirmed, %d discarded", confirmed, discarded)
        return confirmed, discarded

    def close(self) -> None:
        if self.staged:  # written but not yet checkpointed: they are in the feeds
            self.checkpoint(None)
        self.db.close()
        self.local.close()
