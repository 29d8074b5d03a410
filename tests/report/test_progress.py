"""The progress display (rich on a terminal, plain lines in a log, nothing when off) and the stopwatch."""
from __future__ import annotations

import io
import re
import sys

import pytest
from rich.console import Console

from kg.progress import Display, Progress, Stopwatch, choose_display

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_display_live_on_a_terminal_plain_or_nothing_elsewhere():
    assert choose_display(Terminal(), env={}) is Display.LIVE
    assert choose_display(Terminal(), env={"CI": "false"}) is Display.LIVE
    assert choose_display(Terminal(), env={"CI": "true"}) is Display.OFF  # a CI log is no terminal
    assert choose_display(io.StringIO(), env={}) is Display.OFF
    assert choose_display(io.StringIO(), verbosity=2, env={}) is Display.LINES  # -v
    assert choose_display(Terminal(), verbosity=2, env={"CI": "1"}) is Display.LINES
    assert choose_display(Terminal(), verbosity=0, env={}) is Display.OFF  # -q


def test_progress_off_writes_nothing():
    out = io.StringIO()
    with Progress(3, display=Display.OFF, stream=out) as bar:
        bar.stage("model")
        bar.stage("analysis")
        bar.update(1, "a.txt")
    assert out.getvalue() == ""


def test_progress_lines_say_each_stage_and_the_count_now_and_then():
    out, clock = io.StringIO(), Clock()
    bar = Progress(10, display=Display.LINES, stream=out, every=10.0, clock=clock)
    bar.stage("model")
    bar.stage("analysis")
    clock.now += 4.0
    bar.update(2, "002.txt")  # too soon for a line
    clock.now += 8.0
    bar.update(6, "006.txt")  # 6 of 10 in 12 s: 0.5/s, 4 left take 8 s
    bar.close()
    assert out.getvalue().splitlines() == [
        "kg: loading the French model", "kg: analysing 10 articles", "kg: 6/10 articles, 0.5/s, 0:08 left"]


def _live(width: int, names: list[str], *, printed: str = "") -> str:
    """What the LIVE display writes to a terminal ``width`` columns wide (no colours)."""
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=width, color_system=None)
    bar = Progress(len(names), display=Display.LIVE, console=console)
    bar.stage("model")
    bar.stage("analysis")
    for n, name in enumerate(names, 1):
        bar.update(n, name)
        if printed and n == 2:
            print(printed, file=sys.stderr)  # rich shows it above the bar
    bar.stage("resolution")
    bar.close()
    return out.getvalue()


@pytest.mark.parametrize("width", [40, 80, 132])
def test_progress_live_fits_the_terminal_width_and_redraws_in_place(width):
    names = [f"{i:03d}-" + "un-titre-d-article-bien-trop-long-pour-la-ligne" * 2 + ".txt" for i in range(6)]
    raw = _live(width, names)
    frames = [f for f in ANSI.sub("", raw).replace("\r", "\n").split("\n") if f.strip()]
    assert frames and all(len(f) <= width for f in frames), max(map(len, frames))
    # redrawn in place: each frame overwrites the last (carriage return, erase line); a line feed is
    # only ever taken back at once (cursor up), so the display never moves down the screen
    assert raw.count("\r\x1b[2K") >= len(names)
    assert raw.count("\n") == raw.count("\x1b[1A")
    assert any("loading the French model" in f for f in frames)  # the spinner's stage
    assert any("6/6" in f for f in frames) and any("/s" in f for f in frames)
    assert any("resolving entities" in f for f in frames)


def test_progress_live_lines_printed_meanwhile_appear_above_the_bar():
    raw = _live(80, ["a.txt", "b.txt", "c.txt"], printed="kg: note: b.txt: decoded as Windows-1252")
    text = ANSI.sub("", raw)
    assert "kg: note: b.txt: decoded as Windows-1252\n" in text


def test_progress_live_shows_names_escaped():
    raw = _live(132, ["x\x1b[31m.txt", "y\n.txt"])
    assert "\x1b[31m" not in raw and "x\\x1b[31m.txt" in ANSI.sub("", raw)
    assert "y\\n.txt" in raw


def test_stopwatch_tells_each_stage_as_it_begins():
    seen = []
    watch = Stopwatch(on_stage=seen.append)
    with watch.stage("model"):
        assert seen == ["model"]
    with watch.stage("analysis"):
        pass
    assert seen == ["model", "analysis"] and list(watch.seconds) == ["model", "analysis"]


def test_stopwatch_sums_each_stage_even_when_it_fails():
    clock = Clock()
    watch = Stopwatch(clock=clock)
    with watch.stage("model"):
        clock.now += 4.0
    for _ in range(2):
        with watch.stage("analysis"):
            clock.now += 1.5
    try:
        with watch.stage("writing"):
            clock.now += 0.25
            raise OSError("disk full")
    except OSError:
        pass
    assert watch.seconds == {"model": 4.0, "analysis": 3.0, "writing": 0.25}
    assert watch.summary() == "model 4.0 s, analysis 3.0 s, writing 0.2 s"


def test_progress_counts_without_an_analysis_stage():
    """A build that reports articles without timing its stages (another executor) still gets its count."""
    out, clock = io.StringIO(), Clock()
    bar = Progress(4, display=Display.LINES, stream=out, every=1.0, clock=clock)
    clock.now += 2.0
    bar.update(2, "b.txt")
    assert out.getvalue().splitlines() == ["kg: analysing 4 articles"]
    clock.now += 2.0
    bar.update(3, "c.txt")
    assert out.getvalue().splitlines()[-1] == "kg: 3/4 articles, 1.5/s, 0:01 left"
