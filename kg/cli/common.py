"""What every `kg` command shares: its common options, one-line errors, and SIGINT / SIGTERM as an
exception that undoes work."""
from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def err(msg: str) -> None:
    from kg.progress import printable

    print(f"kg: {printable(msg)}", file=sys.stderr)


def add_common_options(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """-q / -v / --debug, on `kg` itself (``top``) and on each command: `kg -q build` and `kg build -q`
    both work (a command's own default would hide the value given before it, hence SUPPRESS)."""
    def add(*names: str, action: str, default: object, help: str) -> None:  # noqa: A002 (argparse's name)
        with contextlib.suppress(argparse.ArgumentError):  # the command has its own (with the same meaning)
            parser.add_argument(*names, action=action, default=default if top else argparse.SUPPRESS, help=help)

    add("-q", "--quiet", action="store_true", default=False,
        help="no progress, summary or notes on stderr; only errors")
    add("-v", "--verbose", action="count", default=0,
        help="more on stderr: progress as plain lines when stderr is not a terminal")
    add("--debug", action="store_true", default=False, help="show the Python traceback of an error")


def verbosity(args: argparse.Namespace) -> int:
    """0 with -q, 1 by default, 2 with -v (3 with -vv...)."""
    return 0 if getattr(args, "quiet", False) else 1 + getattr(args, "verbose", 0)


FORMAT_NAMES = "turtle, ntriples, nquads, trig, jsonld, rdfxml"


def rdf_format(name: str):
    """argparse type of --format / --input-format / --output-format: a kg.graph.formats.RdfFormat."""
    from kg.graph.formats import RdfFormat

    try:
        return RdfFormat.from_name(name)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def add_input_format(parser: argparse.ArgumentParser, *names: str) -> None:
    """The option that says what syntax the graph read is in (``--input-format`` unless ``names``)."""
    parser.add_argument(*(names or ("--input-format",)), dest="input_format", type=rdf_format, metavar="SYNTAX",
                        help=f"syntax of GRAPH: {FORMAT_NAMES} (default: from its extension; Turtle for - , "
                        "standard input)")


def add_output_format(parser: argparse.ArgumentParser, *names: str) -> None:
    """The option that says what syntax to write (``--output-format`` unless ``names``)."""
    parser.add_argument(*(names or ("--output-format",)), dest="output_format", type=rdf_format, metavar="SYNTAX",
                        help=f"syntax to write: {FORMAT_NAMES} (default: from the extension of -o; Turtle for "
                        "-o - , standard output)")


def display_name(path: os.PathLike | str, *, output: bool = False) -> str:
    """How messages name an input or output: its path, or <stdin> (<stdout> for an ``output``) for -."""
    if os.fspath(path) == "-":
        return "<stdout>" if output else "<stdin>"
    return os.fspath(path)


def message(err: Exception) -> str:
    """One line for an error: an OSError from the system as "FILE: reason", others as they say."""
    if isinstance(err, OSError) and err.errno is not None and err.filename is not None:
        text = f"{os.fsdecode(err.filename)}: {err.strerror}"
    else:
        text = str(err) or type(err).__name__
    return "; ".join([text, *getattr(err, "__notes__", ())])


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM reached `kg`; ``signum`` says which (the exit status is 128 + signum)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_received: list[int] = []  # the signals received while main() runs


def interrupt_missed() -> None:
    """Raise Interrupted again for a signal already received: Python drops an exception raised where
    it cannot propagate (in a __del__, a weakref callback or an after-fork hook), and the handler
    may have run there. Long commands call this at their steps."""
    if _received:
        raise Interrupted(_received[0])


@contextmanager
def signals_interrupt(*, then=None) -> Iterator[None]:
    """SIGINT and SIGTERM raise Interrupted in this process, so that what it was doing is undone
    (workers stopped, temporary files removed) before it exits with 128 + the signal's number.

    A second signal ends the process at once (its workers killed). A forked child gets the handlers
    from before (a worker must still die of SIGTERM). At the end they are ``then``, or the ones before.
    """
    owner, received = os.getpid(), _received

    def handler(signum, frame):
        if os.getpid() != owner:
            return
        if received:
            import multiprocessing

            for child in multiprocessing.active_children():
                child.kill()
            # os.write: print could be re-entered, the signal having come in the middle of one
            os.write(2, f"kg: interrupted again by {signal.Signals(signum).name}; stopped at once\n".encode())
            os._exit(128 + signum)
        received.append(signum)
        raise Interrupted(signum)

    if threading.current_thread() is not threading.main_thread():  # only the main thread can handle signals
        yield
        return
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    _replaced.update(previous)
    try:
        yield
    finally:
        _replaced.clear()
        for sig, old in previous.items():
            signal.signal(sig, old if then is None else then)
        received.clear()


_replaced: dict[signal.Signals, Any] = {}  # the handlers _signals_interrupt replaced, while it is active


def _handlers_back_in_child() -> None:
    for sig, old in _replaced.items():
        signal.signal(sig, old)
    _replaced.clear()


os.register_at_fork(after_in_child=_handlers_back_in_child)
