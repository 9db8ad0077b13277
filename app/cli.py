"""Command line: `python -m app build | validate | serve`."""

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from app.config import get_settings
from app.loader.build import build, is_current
from app.loader.check import COLLECTIONS, check
from app.loader.problems import BuildFailed
from app.loader.report import DEFAULT_MAX_SHRINK, CollectionChange, counts_table, render


def _report(failure: BuildFailed, output: str = "text") -> int:
    for problem in failure.problems:
        # GitHub reads workflow commands from stdout; plain problems go to stderr.
        if output == "github":
            print(problem.github())
        else:
            print(problem, file=sys.stderr)
    print(f"{len(failure.problems)} problem(s); nothing was written.", file=sys.stderr)
    return 1


def cmd_validate(args: argparse.Namespace) -> int:
    """Run every check on data/ and write nothing."""
    settings = get_settings()
    started = time.perf_counter()
    try:
        dataset = check(settings.data_dir)
    except BuildFailed as failure:
        return _report(failure, args.format)
    seconds = time.perf_counter() - started
    head = f"data/ is valid: dataset {dataset.version}, checked in {seconds:.1f} s"
    if args.quiet:
        counts = ", ".join(f"{len(dataset.entries.get(k, []))} {k}" for k in COLLECTIONS)
        print(f"{head}: {counts}")
    else:
        changes = [
            CollectionChange(name, None, len(dataset.entries.get(name, [])), (), (), ())
            for name in COLLECTIONS
        ]
        print(f"{head}\n{counts_table(changes)}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Migrate, check and load data/ into the database atomically."""
    settings = get_settings()
    started = time.perf_counter()
    try:
        result = build(
            settings.database_url,
            settings.data_dir,
            allow_shrink=getattr(args, "allow_shrink", False),
            max_shrink=getattr(args, "max_shrink", DEFAULT_MAX_SHRINK * 100) / 100,
        )
    except BuildFailed as failure:
        return _report(failure, getattr(args, "format", "text"))
    seconds = time.perf_counter() - started
    print(
        render(
            list(result.changes),
            result.previous_version,
            result.dataset_version,
            result.rows,
            seconds,
            quiet=getattr(args, "quiet", False),
        )
    )
    return 0


def _public_url(host: str, port: int) -> str:
    """Where a browser on this machine reaches the server."""
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def cmd_export(args: argparse.Namespace) -> int:
    """Write the data package (datapackage.json and its CSVs) of the built database to DIR."""
    from app.export.write import write_package

    settings = get_settings()
    if not is_current(settings.database_url, settings.data_dir):
        status = cmd_build(args)
        if status:
            return status
    files = write_package(settings, args.directory)
    print(f"wrote a data package of {len(files) - 1} resources to {args.directory}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Build the database if it is missing, older than data/ or of an older schema, then
    serve it; once listening, print where the docs are."""
    import uvicorn

    settings = get_settings()
    if is_current(settings.database_url, settings.data_dir):
        print("The database is current with data/; no build needed.", flush=True)
    else:
        status = cmd_build(args)
        if status:
            return status
    base = _public_url(args.host, args.port)
    where = f"{base}/docs" if settings.docs_enabled else f"{base}/v1"
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "workers": args.workers,
        "server_header": False,
        "proxy_headers": True,
        # asyncio's own loop, not uvloop: at saturation uvloop leaves some connections
        # waiting behind others (64 connections, uncached list: p99 0.9 s with uvloop, 70 ms
        # with asyncio, for about the same throughput; bench/RESULTS.md).
        "loop": "asyncio",
        "timeout_graceful_shutdown": 10,
    }
    if args.workers > 1:
        print(f"Serving {base} with {args.workers} workers; docs at {where}", flush=True)
        uvicorn.run("app.main:app", **options)
        return 0

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if self.started:
                print(f"\nThe API is at {base}/v1 -- open the docs at {where}\n", flush=True)

    Server(uvicorn.Config("app.main:app", **options)).run()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help=cmd_validate.__doc__)
    build_ = commands.add_parser("build", help=cmd_build.__doc__)
    for command in (validate, build_):
        command.add_argument(
            "--format",
            choices=("text", "github"),
            default="text",
            help="how problems are printed: `file:line: field: message` lines (text), or "
            "GitHub Actions annotations on stdout (github)",
        )
        command.add_argument(
            "--quiet", action="store_true", help="print one line instead of the full report"
        )
    build_.add_argument(
        "--allow-shrink",
        action="store_true",
        help="let a collection fall to zero or lose more than --max-shrink of its records",
    )
    build_.add_argument(
        "--max-shrink",
        type=float,
        default=DEFAULT_MAX_SHRINK * 100,
        metavar="PERCENT",
        help="largest share of a collection's records a build may remove (default: %(default)g)",
    )
    validate.set_defaults(run=cmd_validate)
    build_.set_defaults(run=cmd_build)
    export = commands.add_parser("export", help=cmd_export.__doc__)
    export.add_argument("directory", type=Path, metavar="DIR")
    export.add_argument("--quiet", action="store_true", help="a one-line build report")
    export.set_defaults(run=cmd_export)
    serve = commands.add_parser("serve", help=cmd_serve.__doc__)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=cmd_serve)
    args = parser.parse_args(argv)
    return int(args.run(args))
