"""Replace a whole folder at once: build beside it, then swap, so a kill leaves the old one whole.

The new folder is built in ``.<name>.tmp-*`` beside DEST and exchanged with DEST in one
``renameat2(RENAME_EXCHANGE)`` (Linux; atomic: a reader sees the old folder or the new one, never
neither). Where the kernel or file system refuses it, DEST is renamed to ``.<name>.old`` and the new
folder into its place; a kill between the two renames leaves ``.<name>.old``, put back by the next
run. Leftover temporary folders of a killed run are removed by the next run, under the same lock.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class Locked(Exception):
    """Another build of the same DEST holds its lock."""


def _sibling(dest: Path, kind: str) -> Path:
    return dest.parent / f".{dest.name}.{kind}"


@contextmanager
def locked(dest: Path) -> Iterator[None]:
    """Hold ``.<name>.lock`` beside DEST for the whole build (an ``flock``: a killed build's lock
    goes with its process)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(_sibling(dest, "lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Locked(str(_sibling(dest, "lock"))) from None
        yield
    finally:
        os.close(fd)


def recover(dest: Path) -> None:
    """Undo what a killed build left: put a moved-aside DEST back, remove temporary folders."""
    old = _sibling(dest, "old")
    if old.is_dir():
        if dest.exists():
            shutil.rmtree(old)
        else:
            os.rename(old, dest)
    for stale in dest.parent.glob(f".{dest.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)


def workdir(dest: Path) -> Path:
    """A new, empty temporary folder beside DEST (same file system: the swap is a rename)."""
    return Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step; False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap_in(work: Path, dest: Path) -> None:
    """Make ``work`` (complete, written) become DEST; the old DEST is removed."""
    for path in work.iterdir():
        if path.is_file():
            _fsync(path)
    _fsync(work)
    if not dest.exists():
        os.rename(work, dest)
    elif _exchange(work, dest):
        shutil.rmtree(work)  # now the old DEST
    else:
        old = _sibling(dest, "old")
        os.rename(dest, old)
        os.rename(work, dest)
        shutil.rmtree(old)
    _fsync(dest.parent)
