"""A one-line progress bar for the build: articles done, rate and time left, on a terminal only."""
from __future__ import annotations

import os
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO


def wants_progress(stream: TextIO, *, env: dict[str, str] | None = None) -> bool:
    """True when ``stream`` is a terminal and we are not in CI (a redrawn line would only litter logs)."""
    env = os.environ if env is None else env
    if env.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


class ProgressBar:
    """Redraws ``[#####-----] n/total articles  r/s  left m:ss  name`` in place; silent when disabled."""

    def __init__(self, total: int, *, stream: TextIO = sys.stderr, enabled: bool | None = None,
                 width: int = 24, clock: Callable[[], float] = time.monotonic):
        self.total, self.stream, self.width, self.clock = total, stream, width, clock
        self.enabled = wants_progress(stream) if enabled is None else enabled
        self.started = clock()
        self.drawn = 0  # length of the line on screen, to blank it when the next one is shorter

    def line(self, done: int, name: str = "") -> str:
        """The text of the bar after ``done`` articles."""
        elapsed = max(self.clock() - self.started, 1e-9)
        rate = done / elapsed
        filled = self.width * done // self.total if self.total else self.width
        text = f"[{'#' * filled}{'-' * (self.width - filled)}] {done}/{self.total} articles  {rate:.1f}/s"
        if done and self.total > done:
            text += f"  left {_clock((self.total - done) / rate)}"
        return f"{text}  {printable(name)}" if name else text

    def update(self, done: int, name: str = "") -> None:
        if not self.enabled:
            return
        text = self.line(done, name)
        self.stream.write("\r" + text.ljust(self.drawn))
        self.stream.flush()
        self.drawn = len(text)

    def close(self) -> None:
        """Erase the bar so the summary starts on a clean line."""
        if self.enabled and self.drawn:
            self.stream.write("\r" + " " * self.drawn + "\r")
            self.stream.flush()
            self.drawn = 0


class Stopwatch:
    """Wall seconds spent in the named stages of a long job, summed over every run of a stage."""

    def __init__(self, *, clock: Callable[[], float] = time.perf_counter):
        self.clock = clock
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = self.clock()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + self.clock() - started

    def summary(self) -> str:
        """``model 4.1 s, analysis 30.2 s, ...`` in the order the stages first ran."""
        return ", ".join(f"{name} {s:.1f} s" for name, s in self.seconds.items())


def printable(text: str) -> str:
    """``text`` as one line that cannot act on a terminal: control and format characters (line ends,
    ANSI escapes, bidirectional overrides), line separators and the undecodable bytes of a file name
    are shown as escapes (``\\n``, ``\\x1b``, ``\\u202e``, ``\\xff``)."""
    if text.isprintable():
        return text
    return "".join(_escaped(c) if unicodedata.category(c) in _UNSAFE else c for c in text)


_UNSAFE = {"Cc", "Cf", "Cs", "Zl", "Zp"}
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that was not valid UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
