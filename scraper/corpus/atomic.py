"""Change DEST so a reader never sees a file half written, and a kill at any point is undone or
finished by the next run: a lock, files and folders written under temporary names then renamed in.

A file (the card, the report, ``manifest.json``) is written to ``.<name>.tmp-*`` beside it, synced
and renamed over it. A folder of output months (``articles/``, ``jsonl/``) is staged whole in
``.<name>.tmp-*``: the months that did not change are hard links to the files already there (no
byte copied: a run costs what it writes), the others written new; then the two folders are exchanged
in one ``renameat2(RENAME_EXCHANGE)`` (Linux; a reader sees the old folder or the new one, never a
mix of months from two runs). Where the kernel or file system refuses it, the folder is renamed to
``.<name>.old`` and the new one into its place; a kill between the two renames leaves ``.<name>.old``,
put back by the next run. Temporary files and folders of a killed run are removed by the next run,
under the same lock.
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
#: What this module names its temporary files and folders: ``.<name>.tmp-<random>``.
TMP = ".tmp-"


class Locked(Exception):
    """Another build of the same DEST holds its lock."""


def _sibling(dest: Path, kind: str) -> Path:
    return dest.parent / f".{dest.name}.{kind}"


def is_leftover(name: str) -> bool:
    """A temporary file or folder a killed build leaves (``.<name>.tmp-*``, ``.<name>.old``)."""
    return name.startswith(".") and (TMP in name or name.endswith(".old"))


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


def _put_back(path: Path) -> None:
    """Undo a swap cut between its two renames: ``.<name>.old`` back in place, or removed."""
    old = _sibling(path, "old")
    if old.is_dir():
        if path.exists():
            shutil.rmtree(old)
        else:
            os.rename(old, path)


def recover(dest: Path, folders: tuple[str, ...] = ()) -> None:
    """Undo what a killed build left: folders moved aside put back, temporary files and folders
    removed (in DEST, and beside it where builds before the month layout staged a whole DEST)."""
    _put_back(dest)
    for stale in dest.parent.glob(f".{dest.name}{TMP}*"):
        shutil.rmtree(stale, ignore_errors=True)
    if not dest.is_dir():
        return
    for name in folders:
        _put_back(dest / name)
    for stale in dest.iterdir():
        if stale.name.startswith(".") and TMP in stale.name:
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def tmp_path(path: Path) -> Path:
    """A new temporary name beside ``path`` (same folder: renaming it over ``path`` is atomic),
    readable as a file ``open`` makes is (``mkstemp`` makes it private to its owner)."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}{TMP}", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
    finally:
        os.close(fd)
    return Path(name)


def stage(path: Path) -> Path:
    """A new, empty temporary folder beside ``path``, to be swapped in with ``swap_in`` (its mode
    as ``mkdir`` would make it: readers of the corpus need not be its owner)."""
    folder = Path(tempfile.mkdtemp(prefix=f".{path.name}{TMP}", dir=path.parent))
    folder.chmod(0o777 & ~_umask())
    return folder


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step (written and synced under a temporary name first)."""
    tmp = tmp_path(path)
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def link(src: Path, dst: Path) -> None:
    """``dst`` the same file as ``src``: a hard link (nothing copied); a copy where the file
    system has none."""
    try:
        os.link(src, dst)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS):
            raise
        shutil.copy2(src, dst)


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


def _sync_tree(folder: Path) -> None:
    """Sync every file written new and every folder under ``folder`` (a hard-linked file is on
    disk already: its folder's sync keeps the new name)."""
    for root, _, files in os.walk(folder):
        for name in files:
            if (Path(root) / name).stat().st_nlink == 1:
                fsync(Path(root) / name)
        fsync(Path(root))


def swap_in(work: Path, dest: Path) -> None:
    """Make the staged folder ``work`` (complete, written) become ``dest``; the old one is removed."""
    _sync_tree(work)
    if not dest.exists():
        os.rename(work, dest)
    elif _exchange(work, dest):
        shutil.rmtree(work)  # now the old folder
    else:
        old = _sibling(dest, "old")
        os.rename(dest, old)
        os.rename(work, dest)
        shutil.rmtree(old)
    fsync(dest.parent)
