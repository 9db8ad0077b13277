"""Command line: `python -m app build | validate | serve`."""

import argparse
import sys

from app.config import get_settings
from app.loader.build import build, is_current
from app.loader.check import check
from app.loader.problems import BuildFailed


def _report(failure: BuildFailed) -> int:
    for problem in failure.problems:
        print(problem, file=sys.stderr)
    print(f"{len(failure.problems)} problem(s); nothing was written.", file=sys.stderr)
    return 1


def cmd_validate(_args: argparse.Namespace) -> int:
    """Run every check on data/ and write nothing."""
    settings = get_settings()
    try:
        dataset = check(settings.data_dir)
    except BuildFailed as failure:
        return _report(failure)
    counts = ", ".join(f"{len(v)} {k}" for k, v in dataset.entries.items())
    print(f"data/ is valid (version {dataset.version}): {counts}")
    return 0


def cmd_build(_args: argparse.Namespace) -> int:
    """Migrate, check and load data/ into the database atomically."""
    settings = get_settings()
    try:
        result = build(settings.database_url, settings.data_dir)
    except BuildFailed as failure:
        return _report(failure)
    print(f"built dataset {result.dataset_version}: {result.rows} rows")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Build the database if it is missing or older than data/, then serve it."""
    import uvicorn

    settings = get_settings()
    if not is_current(settings.database_url, settings.data_dir):
        status = cmd_build(args)
        if status:
            return status
    uvicorn.run(
        "app.main:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        server_header=False,
        proxy_headers=True,
        timeout_graceful_shutdown=10,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("validate", help=cmd_validate.__doc__).set_defaults(run=cmd_validate)
    commands.add_parser("build", help=cmd_build.__doc__).set_defaults(run=cmd_build)
    serve = commands.add_parser("serve", help=cmd_serve.__doc__)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=cmd_serve)
    args = parser.parse_args(argv)
    return int(args.run(args))
