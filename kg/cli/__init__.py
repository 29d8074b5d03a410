"""The `kg` command line: thin wrappers around the public API, one module per group of commands."""
from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback

from kg.cli import build, graphs, stores
from kg.cli.common import add_common_options
from kg.cli.common import err as _err
from kg.cli.common import message as _message
from kg.cli.common import signals_interrupt as _signals_interrupt


class _Version(argparse.Action):
    """--version, looked up only when asked: importlib.metadata would add to every command's start,
    before its signal handlers are set."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        import kg

        print(f"kg (diplomacy-kg) {kg.__version__}")
        parser.exit()


def make_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kg", description="Build, validate, store and query a knowledge graph "
                                "of French diplomatic news (envoys, meetings, statements). A file name - is "
                                "standard input, or with -o standard output.",
                                epilog="exit status: 0 done; 1 the graph does not conform or is inconsistent "
                                "(validate, reason) or an eval threshold was missed; 2 an error (bad option, "
                                "missing or malformed input graph or query: one line naming the file, the line "
                                "and the problem); 3 build written with some inputs skipped; 128+N killed by "
                                "signal N.")
    p.add_argument("--version", action=_Version)
    add_common_options(p, top=True)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (build, graphs, stores):
        module.add_parsers(sub)
    for command in sub.choices.values():
        add_common_options(command)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one `kg` command; its exit status. Without ``argv`` (the process is `kg` itself) an
    interrupted command ends the process at once, its work undone, skipping the second or so Python
    takes to free a loaded model, and a signal after the command has ended is ignored."""
    args = make_parser().parse_args(argv)

    def fail(err: Exception, text: str | None = None) -> int:
        if args.debug:
            traceback.print_exception(err)
        _err(text or _message(err))
        return 2

    try:
        with _signals_interrupt(then=signal.SIG_IGN if argv is None else None):
            code = args.func(args)
            sys.stdout.flush()  # here, where a reader that stopped is caught, not at exit
            return code
    except BrokenPipeError:  # the reader of the output stopped ("kg query Q.rq G | head"): nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # and nothing left to flush
        return 0
    except (FileNotFoundError, ValueError, RuntimeError, OSError) as err:
        # a missing or malformed input (its message names the file, line and problem), a bad value,
        # or a system fault (full disk, unreadable folder)
        return fail(err)
    except KeyboardInterrupt as err:
        signum = getattr(err, "signum", signal.SIGINT)
        _err("; ".join([f"interrupted by {signal.Signals(signum).name}", *getattr(err, "__notes__", ())]))
        code = 128 + signum
    except Exception as err:  # a bug: one line, the traceback with --debug
        return fail(err, f"unexpected {type(err).__name__}: {_message(err)} (a bug in kg; --debug shows where)")
    if argv is None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
