"""The build's progress bar: drawn on a terminal only, with count, rate and time left."""
from __future__ import annotations

import io

from kg.progress import ProgressBar, Stopwatch, wants_progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_quiet_when_not_a_terminal():
    out = io.StringIO()
    bar = ProgressBar(3, stream=out)
    bar.update(1, "a.txt")
    bar.close()
    assert out.getvalue() == ""


def test_progress_quiet_under_ci():
    assert not wants_progress(Terminal(), env={"CI": "true"})
    assert wants_progress(Terminal(), env={})
    assert wants_progress(Terminal(), env={"CI": "false"})
    assert not wants_progress(io.StringIO(), env={})


def test_progress_line_shows_count_rate_and_time_left():
    clock = Clock()
    bar = ProgressBar(10, stream=Terminal(), enabled=True, width=10, clock=clock)
    clock.now += 8.0
    # 4 of 10 articles in 8 s: 0.5 articles/s, 6 left take 12 s.
    assert bar.line(4, "004.txt") == "[####------] 4/10 articles  0.5/s  left 0:12  004.txt"
    clock.now += 12.0
    assert bar.line(10) == "[##########] 10/10 articles  0.5/s"


def test_progress_redraws_in_place_and_erases_on_close():
    out, clock = Terminal(), Clock()
    bar = ProgressBar(2, stream=out, enabled=True, width=4, clock=clock)
    clock.now += 1.0
    bar.update(1, "long-name.txt")
    bar.update(2, "b")
    first, second = out.getvalue().split("\r")[1:3]
    assert first.startswith("[##--] 1/2") and second.startswith("[####] 2/2")
    assert len(second) == len(first)  # padded so no tail of the longer line stays on screen
    bar.close()
    assert out.getvalue().endswith("\r" + " " * len(second.rstrip()) + "\r")


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
