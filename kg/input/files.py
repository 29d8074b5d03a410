"""Finding input files and opening them: which paths are articles, and why the others are skipped.

Whatever cannot be used as an article is reported to ``on_skip(path, why)``; what was assumed to read
the rest goes to ``on_notice(path, what)``.
"""
from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable
from enum import Enum
from functools import partial
from pathlib import Path
from typing import BinaryIO

OnSkip = Callable[[Path, str], None]
OnNotice = Callable[[Path, str], None]


class InputKind(Enum):
    TEXT = ".txt"
    HTML = ".html"
    JSONL = ".jsonl"

    @classmethod
    def of(cls, path: Path) -> InputKind | None:
        suffix = path.suffix.lower()
        return cls.HTML if suffix == ".htm" else next((k for k in cls if k.value == suffix), None)


SUFFIXES = (".txt", ".html", ".htm", ".jsonl")


class SkipError(ValueError):
    """An input that cannot be used as an article; the message names the file and the reason."""


def find_files(inputs: Iterable[Path], on_skip: OnSkip | None = None) -> list[Path]:
    """Article files named by ``inputs`` (files, or folders searched recursively), sorted.

    Hidden files and folders (name starting with ".") are not searched, nor are symbolic links to
    folders. A folder that cannot be listed, and an article name that is not a regular file (a
    broken link, a FIFO, a device...), go to ``on_skip`` with the reason; files of other types in
    folders are ignored.
    """
    found: set[Path] = set()
    for path in map(Path, inputs):
        if not _is_folder(path):
            if (why := _not_an_article_file(path, named=True)) is None:
                found.add(path)
            else:
                skip(on_skip, path, why)
            continue
        listing_failed = partial(_unlistable, on_skip)
        for folder, subfolders, names in os.walk(path, onerror=listing_failed):
            subfolders[:] = [d for d in subfolders if not d.startswith(".")]
            for name in names:
                file = Path(folder, name)
                if name.startswith(".") or not InputKind.of(file):
                    continue
                if (why := _not_an_article_file(file, named=False)) is None:
                    found.add(file)
                else:
                    skip(on_skip, file, why)
    return sorted(found)


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.stat().st_mode)
    except OSError:
        return False


def _unlistable(on_skip: OnSkip | None, err: OSError) -> None:
    skip(on_skip, Path(err.filename), f"cannot list the folder: {err.strerror}")


_FILE_TYPES = {stat.S_ISFIFO: "a named pipe (FIFO)", stat.S_ISCHR: "a character device",
               stat.S_ISBLK: "a block device", stat.S_ISSOCK: "a socket"}


def _not_an_article_file(path: Path, *, named: bool) -> str | None:
    """Why ``path`` cannot be read as an article file, or None when it can (never opens it)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if path.is_symlink():
            return f"broken symbolic link (to {os.readlink(path)}, which does not exist)"
        return "no such file or folder"
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "symbolic link loop"
        return f"cannot read: {err.strerror}"
    if not stat.S_ISREG(mode):
        kind = next((what for test, what in _FILE_TYPES.items() if test(mode)), "not a file")
        return f"{kind}, not a regular file"
    if named and not InputKind.of(path):
        return f"unsupported file type {path.suffix or '(no extension)'!r}; use one of {', '.join(SUFFIXES)}"
    return None


def skip(on_skip: OnSkip | None, path: Path, why: str) -> None:
    if on_skip is None:
        raise SkipError(f"{path}: {why}")
    on_skip(path, why)


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading when it is a regular file; opened without blocking, so that a FIFO
    put in its place since it was found cannot hold the build."""
    f = open(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC), "rb")  # noqa: SIM115 (returned)
    if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
        f.close()
        raise SkipError("not a regular file")
    return f


def read_raw(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, unless it is larger than ``limit``."""
    with open_regular(path) as f:
        info = os.fstat(f.fileno())
        if info.st_size > limit:
            raise SkipError(f"too large: {info.st_size / 1e6:.1f} MB, over the limit of {limit / 1e6:.0f} MB "
                            "for one article")
        return f.read()
