"""The commands that read a graph file: `kg validate`, `kg reason`, `kg stats`, `kg report`, `kg eval`."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kg.cli.common import add_input_format, add_output_format, display_name, verbosity
from kg.cli.common import err as _err

GRAPH_HELP = "RDF file (- for standard input); syntax from the extension or --input-format"


def _read(args):
    from kg.graph.formats import read_graph

    return read_graph(args.graph, fmt=args.input_format)


def cmd_validate(args) -> int:
    from kg.checks.shacl import format_text, validate

    result = validate(_read(args))
    if args.format == "json":
        print(json.dumps({"conforms": result.conforms,
                          "violations": [v.__dict__ for v in result.violations]}, ensure_ascii=False, indent=1))
    else:
        print(format_text(result))
    return 0 if result.conforms else 1


def cmd_reason(args) -> int:
    from kg.checks.owl import format_text, reason
    from kg.graph.formats import is_stdio, write_graph

    result = reason(_read(args))
    to_stdout = args.output is not None and is_stdio(args.output)
    print(format_text(result), file=sys.stderr if to_stdout else sys.stdout)  # stdout holds the graph
    if args.output and result.consistent:
        write_graph(result.inferred, args.output, fmt=args.output_format)
        if verbosity(args):
            print(f"wrote {len(result.inferred)} inferred triples to {display_name(args.output, output=True)}",
                  file=sys.stderr)
    return 0 if result.consistent else 1


def cmd_stats(args) -> int:
    from kg.report.stats import format_stats, graph_stats

    print(format_stats(graph_stats(_read(args))))
    return 0


def cmd_report(args) -> int:
    from kg.graph.formats import is_stdio
    from kg.report.html import render_report, write_report

    g = _read(args)
    title = args.title or ("standard input" if is_stdio(args.graph) else args.graph.name)
    if is_stdio(args.output):
        page = render_report(g, title=title)
        sys.stdout.write(page)
        size = len(page.encode("utf-8"))
    else:
        size = write_report(g, args.output, title=title)
    if verbosity(args):
        print(f"wrote the report of {display_name(args.graph)} to {display_name(args.output, output=True)} "
              f"({size // 1024} KiB)", file=sys.stderr)
    return 0


def cmd_eval(args) -> int:
    from kg.checks.evaluate import evaluate, format_text, read_gold

    report = evaluate(read_gold(args.gold), _read(args), group=args.group)
    if args.format == "json":
        print(json.dumps(report.as_json(errors=args.errors), ensure_ascii=False, indent=1))
    else:
        print(format_text(report, errors=args.errors))
    f1 = report.figures["core"]["f1"]
    if args.min_f1 is not None and f1 < args.min_f1:
        _err(f"eval: core F1 {f1} < {args.min_f1}")
        return 1
    return 0


def add_parsers(sub) -> None:
    v = sub.add_parser("validate", help="check a graph against the SHACL shapes",
                       description="Validate GRAPH against ontology/shapes.ttl, on the data alone (the shapes "
                       "need no ontology). Exit 0 when it conforms, 1 when not, 2 when GRAPH cannot be read "
                       "(one line names the file, the line and the problem).")
    v.add_argument("graph", type=Path, metavar="GRAPH", help=GRAPH_HELP)
    v.add_argument("--format", choices=["text", "json"], default="text", help="how to print the result")
    add_input_format(v)
    v.set_defaults(func=cmd_validate)

    r = sub.add_parser("reason", help="check a graph with the OWL reasoner (HermiT, needs Java)",
                       description="Run HermiT on GRAPH with ontology/diplomacy.ttl: report inconsistency (with "
                       "the likely offending individuals), unsatisfiable classes and a summary of the inferred "
                       "triples. Exit 0 when consistent, 1 when not, 2 when GRAPH cannot be read.")
    r.add_argument("graph", type=Path, metavar="GRAPH", help=GRAPH_HELP)
    r.add_argument("-o", "--output", type=Path, metavar="INFERRED",
                   help="write the inferred triples (not the asserted ones) there; - for standard output "
                   "(the summary then goes to stderr)")
    add_input_format(r)
    add_output_format(r)
    r.set_defaults(func=cmd_reason)

    st = sub.add_parser("stats", help="summarise a graph", description="Print the articles, entities by type, "
                        "facts by relation and evidence count of GRAPH (the summary `kg build` prints).")
    st.add_argument("graph", type=Path, metavar="GRAPH", help=GRAPH_HELP)
    add_input_format(st, "--input-format", "--format")
    st.set_defaults(func=cmd_stats)

    r = sub.add_parser("report", help="write a browsable HTML report of a graph",
                       description="Write one self-contained HTML file (works offline): a network of actors, "
                       "a panel per entity, and every fact with its highlighted source sentences.")
    r.add_argument("graph", type=Path, metavar="GRAPH", help=GRAPH_HELP)
    r.add_argument("-o", "--output", type=Path, required=True, metavar="REPORT.html",
                   help="the HTML file to write; - for standard output")
    r.add_argument("--title", help="page title (default: the graph's file name)")
    add_input_format(r, "--input-format", "--format")
    r.set_defaults(func=cmd_report)

    ev = sub.add_parser("eval", help="score a graph against gold annotations",
                        description="Score GRAPH against the gold annotations in GOLD.jsonl (the format of\n"
                        "shared/eval/GOLD-SCHEMA.md) as shared/eval/score.py does: precision, recall and F1 of\n"
                        "envoy_of, met_with, stated, their pool (core) and persons. Also the precision of each\n"
                        "rule id (a fact found by several rules counts for each), and with --group the figures\n"
                        "of each group of documents.",
                        epilog="exit status:\n  0  scored\n  1  --min-f1 given and the core F1 is below it\n"
                        "  2  error (unreadable gold file or graph, bad option)",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    ev.add_argument("gold", type=Path, metavar="GOLD.jsonl", help="gold entities and facts, one JSON object a line")
    ev.add_argument("graph", type=Path, metavar="GRAPH", help=GRAPH_HELP)
    ev.add_argument("--group", metavar="REGEX",
                    help="also score groups of documents: a document's group is the first match of REGEX on its "
                    "doc id (file name without extension; group 1 if REGEX has one), e.g. '^([a-z])'; a predicted "
                    "fact belongs to the groups of its evidence articles")
    ev.add_argument("--errors", action="store_true",
                    help="list missed gold facts and false positives, with their sentences and rule ids")
    ev.add_argument("--format", choices=["text", "json"], default="text", help="how to print the scores")
    add_input_format(ev)
    ev.add_argument("--min-f1", type=float, metavar="F", help="exit 1 when the core F1 is below F")
    ev.set_defaults(func=cmd_eval)
