"""The one way oncotrial writes files and folders: atomically, durably, readable under the umask.

Every writer of the package goes through this module (it sits beside :mod:`oncotrial.errors`,
below every subpackage), so that they all behave alike:

- a file is written to a temporary file in the same folder, flushed and ``fsync``-ed, given the
  mode a plain ``open()`` would give it (``0o666`` less the umask: 0644 under umask 022, 0640
  under 027, never the 0600 of :func:`tempfile.mkstemp`), then renamed over the target. A reader
  sees the old file or the whole new one, and a failed write leaves the old file and no
  temporary file behind;
- a folder is built beside the target (``.<name>.<random>.tmp``), its files and folders
  ``fsync``-ed and the folder given the umask's mode (not mkdtemp's 0700), then swapped with
  the old folder. On Linux the swap is one ``renameat2(RENAME_EXCHANGE)`` call, so the path
  never stops existing; elsewhere (or on a file system that refuses the exchange) the old
  folder is renamed aside, the new one renamed in, and the old one deleted, which leaves the
  path missing only between two renames. If building the new folder fails, the old folder is
  untouched and the temporary one removed.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as d:
...     p = write_file(Path(d) / "a.txt", "one\\n")
...     with building_folder(Path(d) / "out") as tmp:
...         _ = (tmp / "b.txt").write_text("two")
...     sorted(x.name for x in Path(d).iterdir()), p.read_text()
(['a.txt', 'out'], 'one\\n')
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "atomic_path",
    "building_folder",
    "file_mode",
    "folder_mode",
    "read_umask",
    "swap_folders",
    "write_file",
]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def read_umask() -> int:
    """The process's umask.

    Read from ``/proc/self/status`` where Linux offers it; elsewhere by setting it and putting
    it back at once (the only portable way, not safe against a thread creating files meanwhile).
    """
    status = Path("/proc/self/status")
    with contextlib.suppress(OSError, ValueError), status.open(encoding="ascii") as fh:
        for line in fh:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode ``open()`` gives a new file: ``0o666`` less the umask (0644 under 022)."""
    return 0o666 & ~read_umask()


def folder_mode() -> int:
    """The mode ``mkdir`` gives a new folder: ``0o777`` less the umask (0755 under 022)."""
    return 0o777 & ~read_umask()


def _fsync_path(path: Path) -> None:
    """Flush a file's or folder's data to disk; folders only where the OS allows it."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if path.is_dir() else os.O_RDONLY
    try:
        fd = os.open(path, flags)
    except OSError:
        if path.is_dir():
            return  # Windows cannot open a folder; its renames need no folder fsync
        raise
    try:
        with contextlib.suppress(OSError):  # some file systems refuse fsync on a folder
            os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside `path` to write to; it becomes `path` when the block ends.

    For writers that want a file name (polars, pyreadstat, matplotlib). The block writes the
    whole file to the path it is given; on leaving it the file is ``fsync``-ed, given
    :func:`file_mode` and renamed over `path`. On an exception (or if the rename fails) the
    temporary file is removed and `path` is left as it was.

    Raises
    ------
    FileNotFoundError
        The folder of `path` does not exist.
    """
    target = Path(path)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, file_mode())
        _fsync_path(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):
        _fsync_path(target.parent)


def write_file(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write `data` to `path` atomically (see the module); text as UTF-8, newlines kept as given.

    Returns the path written.

    Raises
    ------
    FileNotFoundError
        The folder of `path` does not exist.
    IsADirectoryError
        `path` is a folder (nothing is written).
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        fh.write(payload)
    return target


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step with Linux's ``renameat2``; False where that is not offered."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # no renameat2 in this C library (glibc < 2.28, musl)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # an old kernel, or a file system that cannot exchange
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def swap_folders(new: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    """Put the folder `new` at `target`, deleting the folder `target` held, if any.

    The path `target` never goes missing where ``renameat2(RENAME_EXCHANGE)`` works (Linux);
    elsewhere it is missing only between renaming the old folder aside and the new one in, and
    if the second rename fails the old folder is put back.
    """
    new, target = Path(new), Path(target)
    if not target.exists():
        os.rename(new, target)
    elif _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # `new` now holds the old folder
    else:
        aside = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".old"))
        os.rmdir(aside)
        os.rename(target, aside)
        try:
            os.rename(new, target)
        except BaseException:
            os.rename(aside, target)
            raise
        shutil.rmtree(aside, ignore_errors=True)
    with contextlib.suppress(OSError):
        _fsync_path(target.parent)


def _settle(tree: Path) -> None:
    """Give the folder `tree` the umask's mode and fsync it and its contents, leaves first."""
    for root, dirs, files in os.walk(tree, topdown=False):
        for name in files:
            path = Path(root, name)
            if stat.S_ISREG(path.lstat().st_mode):
                _fsync_path(path)
        for name in dirs:
            _fsync_path(Path(root, name))
    os.chmod(tree, folder_mode())  # mkdtemp makes the folder private (0700)
    _fsync_path(tree)


@contextlib.contextmanager
def building_folder(target: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary folder beside `target` to fill; it replaces `target` when the block ends.

    The caller decides beforehand whether `target` may be replaced. On leaving the block the
    folder's files and folders are ``fsync``-ed, the folder given :func:`folder_mode` (what
    the block writes with ``open()``, ``mkdir`` or :func:`write_file` already has the umask's
    modes), and swapped in with :func:`swap_folders`. On an exception the temporary folder is
    deleted and `target` is left as it was.

    Raises
    ------
    FileNotFoundError
        The folder of `target` does not exist.
    """
    dest = Path(target)
    tmp = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp"))
    try:
        yield tmp
        _settle(tmp)
        swap_folders(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
