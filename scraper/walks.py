"""Category walks: what a run may trust to stop a walk early, and what it proves for the next run.

A walk stops early ("every article from here on is captured") only on what a *completed*
walk proved: one that reached its last page, or a page such a walk vouched for, in a run that
ended normally with every article it listed answered (captured, gone, or not an article) and
none failed. The state keeps the time such a walk began as its mark, and a walk under way
removes it, so a killed or failing run leaves nothing to trust. A page vouches for what follows
it when every article on it is captured and one of them was listed (by its shown time), or
captured, before the mark: the listing is newest first, so everything after that article was
listed, and captured, when the walk completed.

The ledger keeps this run's walks: in memory on one machine, in Redis for a distributed crawl
(a walk's pages and articles are spread over workers there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


def now() -> str:
    """A time as the state keeps it (UTC, to the second)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Walk:
    mark: str | None  #: when the last completed walk of the category began; None: trust nothing
    opened_at: str  #: when this walk began (its mark once it completes)
    ended: bool = False  #: reached its last page, or a page the mark vouches for
    failed: bool = False  #: an article it listed got no response
    outstanding: int = 0  #: its articles requested and not yet answered

    @property
    def complete(self) -> bool:
        return self.ended and not self.failed and self.outstanding <= 0


class WalkLedger:
    """This run's walks, in memory."""

    def __init__(self) -> None:
        self.walks: dict[str, Walk] = {}

    def open(self, walk: str, mark: str | None) -> None:
        self.walks[walk] = Walk(mark, now())

    def mark(self, walk: str | None) -> str | None:
        found = self.walks.get(walk or "")
        return found.mark if found else None

    def end(self, walk: str | None) -> None:
        if walk in self.walks:
            self.walks[walk].ended = True

    def requested(self, walk: str | None) -> None:
        if walk in self.walks:
            self.walks[walk].outstanding += 1

    def answered(self, walk: str | None) -> None:
        if walk in self.walks:
            self.walks[walk].outstanding -= 1

    def failed(self, walk: str | None) -> None:
        if walk in self.walks:
            self.walks[walk].failed = True

    def completed(self) -> list[tuple[str, str]]:
        """(walk, when it began) of every walk this run completed."""
        return [(name, w.opened_at) for name, w in self.walks.items() if w.complete]

    def __len__(self) -> int:
        return len(self.walks)


class RedisWalkLedger(WalkLedger):
    """This crawl's walks in one Redis hash per walk, shared by its workers (``prefix`` names the crawl)."""

    def __init__(self, db, prefix: str) -> None:
        super().__init__()
        self.db = db
        self.prefix = prefix
        self.index = f"{prefix}:walks"

    def _key(self, walk: str) -> str:
        return f"{self.prefix}:walk:{walk}"

    def open(self, walk: str, mark: str | None) -> None:
        pipe = self.db.pipeline()
        pipe.hset(self._key(walk), mapping={"mark": mark or "", "opened_at": now(), "ended": 0, "failed": 0, "outstanding": 0})
        pipe.sadd(self.index, walk)
        pipe.expire(self._key(walk), 7 * 86400)
        pipe.expire(self.index, 7 * 86400)
        pipe.execute()

    def mark(self, walk: str | None) -> str | None:
        return (self.db.hget(self._key(walk), "mark") or None) if walk else None

    def _update(self, walk: str | None, field: str, by: int | None = None) -> None:
        if walk and self.db.sismember(self.index, walk):
            if by is None:
                self.db.hset(self._key(walk), field, 1)
            else:
                self.db.hincrby(self._key(walk), field, by)

    def end(self, walk: str | None) -> None:
        self._update(walk, "ended")

    def requested(self, walk: str | None) -> None:
        self._update(walk, "outstanding", 1)

    def answered(self, walk: str | None) -> None:
        self._update(walk, "outstanding", -1)

    def failed(self, walk: str | None) -> None:
        self._update(walk, "failed")

    def completed(self) -> list[tuple[str, str]]:
        done = []
        for walk in sorted(self.db.smembers(self.index)):
            fields = self.db.hgetall(self._key(walk))
            if fields and Walk(
                None, fields["opened_at"], fields["ended"] == "1", fields["failed"] == "1", int(fields["outstanding"])
            ).complete:
                done.append((walk, fields["opened_at"]))
        return done

    def __len__(self) -> int:
        return self.db.scard(self.index)
