"""`kg build`: articles in, one RDF file out."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from kg.cli.common import add_output_format, display_name, verbosity
from kg.cli.common import err as _err
from kg.cli.common import interrupt_missed as _interrupt_missed
from kg.records import Article


def cmd_build(args) -> int:
    if str(args.output) == "-":  # standard output: nothing to check, nothing left behind
        from kg.graph.formats import RdfFormat, check_temp_folder

        check_temp_folder()
        return _build(args, fmt=args.output_format or RdfFormat.TURTLE)
    before = _file_id(args.output)
    try:  # from here on, whatever stops the build adds a note saying what is at the output
        from kg.graph.formats import RdfFormat, check_temp_folder, check_writable

        fmt = args.output_format or RdfFormat.from_extension(args.output)
        # before the long part: a folder that cannot be written fails now, not after the analysis
        check_writable(args.output)
        check_temp_folder()
        return _build(args, fmt=fmt)
    except (KeyboardInterrupt, Exception) as err:
        if getattr(err, "path", None) != args.output:  # a WriteError of the output says what it left
            err.add_note(_output_state(args.output, before))
        raise


def _build(args, *, fmt) -> int:
    from kg.build.pipeline import build_triples, count_triples, worker_count
    from kg.graph.formats import write_graph
    from kg.input.files import find_files
    from kg.progress import Progress, Stopwatch, choose_display, printable
    from kg.report.stats import format_stats, graph_stats

    skipped: list[str] = []
    started = time.monotonic()
    output = display_name(args.output, output=True)
    named = [p for p in args.inputs if str(p) != "-"]
    stdin = len(named) < len(args.inputs)
    # Missing inputs are reported by the build itself; here they only must not stop the count.
    bar = Progress(len(find_files(named, lambda path, why: None)) + stdin,
                   display=choose_display(sys.stderr, verbosity=verbosity(args)))

    def on_skip(path: Path, why: str) -> None:
        skipped.append(str(path))
        _err(f"skipped {path}: {why}")  # printed above the progress bar

    def on_notice(path: Path, what: str) -> None:
        _err(f"note: {path}: {what}")

    if stdin:
        args.inputs = named + _stdin_article(on_skip, on_notice)
    mapping = _mapping_options(args, skipped=len(skipped))

    def progress(n: int, article: Article) -> None:
        _interrupt_missed()
        bar.update(n, article.file_name)

    if args.strict:  # reading is cheap next to analysis: find every unusable input before spaCy runs
        from kg.input.articles import iter_articles

        for _ in iter_articles(args.inputs, on_skip=on_skip, on_notice=on_notice):
            pass
        if skipped:
            bar.close()
            _err(f"--strict: {len(skipped)} input(s) skipped; {output} not written")
            return 1
    watch = Stopwatch(on_stage=bar.stage)
    try:
        if args.into:
            triples = _build_into(args, progress=progress, on_skip=on_skip,
                                  on_notice=None if args.strict else on_notice, stopwatch=watch, **mapping)
        else:
            triples = build_triples(args.inputs, workers=args.workers, progress=progress, on_skip=on_skip,
                                    on_notice=None if args.strict else on_notice, stopwatch=watch,
                                    cluster=args.cluster, **mapping)
        if not triples:
            bar.close()
            _err(f"no usable article in {', '.join(map(display_name, named or ['-']))}; {output} not written")
            return 2
        _interrupt_missed()
        with watch.stage("writing"):
            count = count_triples(triples)
            if output == "<stdout>":  # the graph may go to the terminal the bar is drawn on
                bar.close()
            write_graph(triples, args.output, fmt=fmt)
    finally:
        bar.close()
    if args.timings:
        _write_timings(args.timings, watch, triples=count, workers=worker_count(args.workers))
    if not args.quiet:
        print(printable(f"wrote {count} triples to {output} in {time.monotonic() - started:.1f} s "
                        f"({watch.summary()})"), file=sys.stderr)
        print(format_stats(graph_stats(triples, skipped=len(skipped))), file=sys.stderr)
    return 3 if skipped else 0


def _stdin_article(on_skip, on_notice) -> list[Article]:
    """`kg build -`: the article on standard input (plain text, decoded as a .txt file is), id "stdin";
    none when it is unusable (said to ``on_skip``)."""
    from kg.input.decode import decode
    from kg.input.files import SkipError
    from kg.input.readers import read_text

    text, note = decode(sys.stdin.buffer.read())
    if note:
        on_notice(Path("<stdin>"), note)
    try:
        return [read_text(text, doc_id="stdin")]
    except SkipError as err:
        on_skip(Path("<stdin>"), str(err).removeprefix("stdin: "))
        return []


def _mapping_options(args, *, skipped: int) -> dict:
    """The dataset description (--timestamp or SOURCE_DATE_EPOCH) and the --authorities links of a build;
    ``skipped``: the inputs skipped so far (standard input), the build adds those it skips."""
    from importlib import metadata

    from kg.build.cache import extractor_version
    from kg.graph.links import read_authorities
    from kg.graph.mapping import BuildInfo, build_time

    build = BuildInfo(build_time(args.timestamp), metadata.version("diplomacy-kg"), extractor_version(), skipped)
    return {"build": build, "authorities": read_authorities(args.authorities) if args.authorities else None}


def _file_id(path: Path) -> tuple[int, int] | None:
    """What identifies the file at ``path`` (device and inode: a rename puts another there), or None."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _output_state(path: Path, before: tuple[int, int] | None) -> str:
    """What an interrupted or failed build left at ``path``, ``before`` being what was there when it began."""
    now = _file_id(path)
    if now != before:
        return f"{path} was written"
    return f"{path} not written" + ("; the file there before is intact" if before else "")


def _write_timings(path: Path, watch, **facts) -> None:
    """`kg build --timings FILE`: the seconds of each stage as JSON, for benchmarks and monitoring."""
    from kg.graph.formats import atomic_output

    with atomic_output(path) as out:
        out.write((json.dumps({"seconds": watch.seconds, **facts}, indent=1) + "\n").encode("utf-8"))


def _build_into(args, **callbacks):
    """`kg build --into DIR`: add the inputs to a persistent build and return the triples of all of it."""
    from kg.build.pipeline import build_triples_into

    triples, report = build_triples_into(args.into, args.inputs, workers=args.workers, cluster=args.cluster,
                                         **callbacks)
    if not args.quiet:
        print(file=sys.stderr)
        _err(f"build {args.into}: {len(report.analysed)} analysed, {len(report.cached)} from cache, "
             f"{len(report.unchanged)} unchanged, {len(report.replaced)} replaced by new content")
    return triples


def _cluster_address(text: str) -> str:
    """`--cluster`: checked when the command line is read (kg.build.cluster imports Dask only when used)."""
    from kg.build.cluster import parse_address

    try:
        parse_address(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text


def add_parsers(sub) -> None:
    b = sub.add_parser("build", help="extract a graph from articles", description="Extract entities, envoys, "
                       "meetings and statements from articles (.txt, .html and .jsonl files, or folders of them)\n"
                       "into an RDF file. Unusable inputs (empty, binary, not French, too large, duplicate, not a\n"
                       "regular file, a folder that cannot be listed) are skipped with one line each on stderr.\n"
                       "The output is replaced atomically: an interrupted or failed build leaves the previous\n"
                       "file intact. Ctrl-C or SIGTERM stops the build and its workers within about a second.",
                       epilog="exit status:\n  0    every input was used\n"
                       "  1    --strict and some input would be skipped; nothing written\n"
                       "  2    error (bad option, no usable article, a file or folder that cannot be written,\n"
                       "       a full disk); nothing written\n"
                       "  3    graph written, but some input was skipped\n"
                       "  130  interrupted (SIGINT, Ctrl-C), 143 terminated (SIGTERM); nothing written",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    b.add_argument("inputs", nargs="+", type=Path, metavar="INPUT",
                   help="article file or folder of articles; - for one plain-text article on standard input")
    b.add_argument("--into", type=Path, metavar="BUILD_DIR",
                   help="incremental build: add the inputs to the build kept in BUILD_DIR (created if needed) "
                   "and write the graph of every article in it; only new or changed articles are analysed")
    b.add_argument("-o", "--output", type=Path, required=True,
                   help="output file, - for standard output; syntax from the extension (.ttl .trig .nq .nt "
                   ".jsonld .rdf) or --format")
    add_output_format(b, "--output-format", "--format")
    b.add_argument("--workers", type=int, default=None, help="parallel processes (default: all cores)")
    b.add_argument("--cluster", type=_cluster_address, metavar="ADDRESS",
                   help="analyse the articles on a Dask cluster: tcp://HOST:PORT of its scheduler, or local:N for N "
                   "worker processes started by the build (needs the extra diplomacy-kg[cluster]); same output; "
                   "--workers does not apply")
    b.add_argument("--strict", action="store_true",
                   help="fail (exit 1, write nothing) when any input would be skipped")
    b.add_argument("--timings", type=Path, metavar="FILE.json",
                   help="also write the seconds spent in each stage (model, analysis, resolution, mapping, "
                   "writing) as JSON")
    b.add_argument("--authorities", type=Path, metavar="FILE.tsv",
                   help="link entities to IRIs of your choice (owl:sameAs, schema:sameAs): one line per name or "
                   "alias, a tab, an IRI (e.g. a Wikidata item); the only way persons are linked")
    b.add_argument("--timestamp", metavar="ISO_TIME",
                   help="build time the dataset description states (default: $SOURCE_DATE_EPOCH, else now); "
                   "the same inputs and time give the same bytes")
    b.set_defaults(func=cmd_build)
