"""What a long command shows on stderr while it works (a rich spinner and bar on a terminal, plain
lines in a log, nothing when asked), and the stopwatch that times its stages."""
from __future__ import annotations

import os
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Any, TextIO


class Display(Enum):
    """How progress is shown: not at all, as plain lines now and then (a log), or redrawn in place."""

    OFF = "off"
    LINES = "lines"
    LIVE = "live"


def choose_display(stream: TextIO, *, verbosity: int = 1, env: dict[str, str] | None = None) -> Display:
    """The display for ``stream`` at ``verbosity`` (0 with -q, 1 by default, 2 with -v): redrawn on a
    terminal outside CI; in a log or under CI, plain lines with -v and nothing otherwise."""
    if verbosity <= 0:
        return Display.OFF
    ci = (os.environ if env is None else env).get("CI", "")
    in_ci = ci.strip().lower() not in ("", "0", "false", "no")
    if not in_ci and getattr(stream, "isatty", lambda: False)():
        return Display.LIVE
    return Display.LINES if verbosity >= 2 else Display.OFF


# What each stage of a build is doing, as the display says it.
STAGE_TEXT = {"model": "loading the French model", "analysis": "analysing", "resolution": "resolving entities",
              "mapping": "mapping to RDF", "writing": "writing the graph"}


class Progress:
    """The progress of a job counted in ``unit`` (articles).

    LIVE: a spinner with the stage's name while the count is unknown, then a bar with the count, rate,
    time left and the current item, fitted to the terminal's width and redrawn in place (rich); lines
    printed to stderr meanwhile appear above it. LINES: one line per stage, and one every ``every``
    seconds while counting. OFF: nothing.

    Rich redraws from a thread of its own except while counting: the build forks its workers then, and
    a process forked while that thread writes would inherit a held lock.
    """

    def __init__(self, total: int | None = None, *, unit: str = "articles", display: Display = Display.OFF,
                 stream: TextIO | None = None, every: float = 10.0, clock: Callable[[], float] = time.monotonic,
                 console: Any = None):
        self.total, self.unit, self.display, self.every, self.clock = total, unit, display, every, clock
        self.stream = stream or sys.stderr
        self.done, self.counting = 0, False
        self.started = self.said = clock()
        self._rich: Any = None
        if display is Display.LIVE:
            self._rich = _rich_progress(console or _console(self.stream))
            self._task = self._rich.add_task("starting", total=None, name="")
            self._rich.start()

    def stage(self, name: str) -> None:
        """A stage began (a Stopwatch's ``on_stage``): show its name; "analysis" counts with a bar."""
        text = STAGE_TEXT.get(name, name)
        self.counting = counting = name == "analysis"
        if counting:
            self.started = self.said = self.clock()
        if self._rich is not None:
            self._set_auto_refresh(not counting)
            self._rich.remove_task(self._task)  # a new task: its own elapsed time, no count unless counting
            self._task = self._rich.add_task(text, total=self.total if counting else None,
                                             completed=self.done if counting else 0, name="")
            self._rich.refresh()
        elif self.display is Display.LINES:
            self._say(f"{text} {self.total} {self.unit}" if counting and self.total else text)

    def update(self, done: int, name: str = "") -> None:
        """``done`` items are finished, the last one called ``name`` (counting starts here if no
        "analysis" stage said so: a build that times no stages still gets its bar)."""
        if not self.counting:
            self.stage("analysis")
        self.done = done
        if self._rich is not None:
            self._rich.update(self._task, completed=done, name=printable(name), refresh=True)
        elif self.display is Display.LINES and self.clock() - self.said >= self.every:
            self._say(self.line(done))

    def line(self, done: int) -> str:
        """``12/300 articles, 2.1/s, 2:17 left``: the periodic line of the LINES display."""
        rate = done / max(self.clock() - self.started, 1e-9)
        text = f"{done}/{self.total} {self.unit}" if self.total else f"{done} {self.unit}"
        text += f", {rate:.1f}/s"
        if self.total and done and self.total > done:
            text += f", {_clock((self.total - done) / rate)} left"
        return text

    def close(self) -> None:
        """Take the display off the screen, so what follows starts on a clean line."""
        if self._rich is not None:
            self._rich.stop()
            self._rich = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _say(self, text: str) -> None:
        self.said = self.clock()
        print(f"kg: {text}", file=self.stream, flush=True)

    def _set_auto_refresh(self, on: bool) -> None:
        live = self._rich.live
        if live.auto_refresh != on:  # rich starts its refresh thread in start(), ends it in stop()
            live.stop()
            live.auto_refresh = on
            live.start()


def _console(stream: TextIO) -> Any:
    from rich.console import Console

    return Console(file=stream, highlight=False)


def _rich_progress(console: Any) -> Any:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        ProgressColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.progress import Progress as RichProgress
    from rich.table import Column
    from rich.text import Text

    class Counting(ProgressColumn):
        """Another column, shown only while the total is known (the bar's stage), or only while not."""

        def __init__(self, column: ProgressColumn, *, shown: bool = True) -> None:
            self.column, self.shown = column, shown
            super().__init__(table_column=column.get_table_column())

        def render(self, task: Any) -> Any:
            return self.column.render(task) if (task.total is not None) == self.shown else Text("")

    class Rate(ProgressColumn):
        """Items a second since the stage began, and the time left at that rate (rich's own estimate
        looks at the last few updates, and the build reports its articles in bursts, a batch at a time)."""

        def render(self, task: Any) -> Any:
            if not task.completed or not task.elapsed:
                return Text("")
            rate = task.completed / task.elapsed
            left = f", {_clock((task.total - task.completed) / rate)} left" if task.total > task.completed else ""
            return Text(f"{rate:.1f}/s{left}")

    return RichProgress(
        SpinnerColumn(), TextColumn("{task.description}"),
        Counting(BarColumn(bar_width=None, table_column=Column(ratio=2))), Counting(MofNCompleteColumn()),
        Counting(Rate()), Counting(TimeElapsedColumn(), shown=False),
        TextColumn("{task.fields[name]}", table_column=Column(no_wrap=True, overflow="ellipsis", ratio=1)),
        console=console, expand=True, transient=True, redirect_stdout=False, redirect_stderr=True, refresh_per_second=8)


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


class Stopwatch:
    """Wall seconds spent in the named stages of a long job, summed over every run of a stage."""

    def __init__(self, *, clock: Callable[[], float] = time.perf_counter,
                 on_stage: Callable[[str], None] | None = None):
        self.clock, self.on_stage = clock, on_stage  # on_stage(name) as each stage begins (a Progress.stage)
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.on_stage is not None:
            self.on_stage(name)
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
