"""The `kg` command line: thin wrappers around the public API, one module per group of commands."""
from __future__ import annotations

import argparse
import os
import signal
import sys

from kg.cli import build, graphs, stores
from kg.cli.common import err as _err
from kg.cli.common import message as _message
from kg.cli.common import signals_interrupt as _signals_interrupt


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kg", description="Build, validate, store and query a knowledge graph "
                                "of French diplomatic news (envoys, meetings, statements).")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (build, graphs, stores):
        module.add_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one `kg` command; its exit status. Without ``argv`` (the process is `kg` itself) an
    interrupted command ends the process at once, its work undone, skipping the second or so Python
    takes to free a loaded model, and a signal after the command has ended is ignored."""
    args = make_parser().parse_args(argv)
    try:
        with _signals_interrupt(then=signal.SIG_IGN if argv is None else None):
            code = args.func(args)
            sys.stdout.flush()  # here, where a reader that stopped is caught, not at exit
            return code
    except (FileNotFoundError, ValueError, RuntimeError) as err:
        _err(_message(err))
        return 2
    except BrokenPipeError:  # the reader of the output stopped ("kg query Q.rq G | head"): nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # and nothing left to flush
        return 0
    except OSError as err:  # a system fault: full disk, unreadable or unwritable folder...
        _err(_message(err))
        return 2
    except KeyboardInterrupt as err:
        signum = getattr(err, "signum", signal.SIGINT)
        _err("; ".join([f"interrupted by {signal.Signals(signum).name}", *getattr(err, "__notes__", ())]))
        code = 128 + signum
    if argv is None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
