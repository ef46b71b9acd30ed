"""Entry point of the `hostray` command: the seed's four sub-commands and `--version`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from hostray.cli.errors import CliError, report
from hostray.config import ConfigError

__all__ = ["build_parser", "main"]

_USAGE = "%(prog)s [-h] {start,pack,test,create} ..."


class _VersionAction(argparse.Action):
    """`--version`: every installed hostray distribution with its version, then exit."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        from hostray.cli.versions import installed_hostray_distributions

        lines = [f"{name} {ver}" for name, ver in installed_hostray_distributions()]
        sys.stdout.write("".join(f"{line}\n" for line in lines))
        parser.exit(0)


def _positive_or_zero(text: str) -> int:
    """argparse type: an integer >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {value}")
    return value


def _port_number(text: str) -> int:
    """argparse type: a port number, 0-65535 (0: any free port), as the config's `port`."""
    value = _positive_or_zero(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"expected a port number (0-65535), got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: the seed's usage and help texts, plus the options added since."""
    parser = argparse.ArgumentParser(prog="hostray", usage=_USAGE, add_help=False)
    options = parser.add_argument_group("optional arguments")
    options.add_argument("-h", "--help", action="help", help="show this help message and exit")
    options.add_argument(
        "--version", action=_VersionAction, help="print the installed hostray packages and exit"
    )
    commands = parser.add_subparsers(
        title="command", dest="command", metavar="{start,pack,test,create}"
    )

    start = commands.add_parser(
        "start",
        prog="hostray start",
        help="start server with specfied server project directory path",
    )
    start.add_argument("directory", help="server project directory path")
    start.add_argument(
        "-s",
        "--http_server",
        action="store_true",
        help="host on tornado.httpserver.HTTPServer (always the case; kept for compatibility)",
    )
    start.add_argument(
        "--port", type=_port_number, help="listen on this port instead of the config's"
    )
    start.add_argument("--address", help="listen on this address only (default: every interface)")
    start.add_argument(
        "--processes",
        type=_positive_or_zero,
        default=1,
        help="number of server processes sharing the port (0: one per CPU; default: 1)",
    )
    start.add_argument(
        "--debug", action="store_true", help="debug mode with autoreload (single process only)"
    )

    pack = commands.add_parser(
        "pack", prog="hostray pack", help="pack server with specfied server project directory path"
    )
    pack.add_argument("directory", help="server project directory path")
    pack.add_argument(
        "-o", dest="output", help="output file: .tar.gz (default: <name>.tar.gz) or .zip"
    )
    pack.add_argument(
        "-w", "--wheels", action="store_true", help="add the wheels of requirements.txt"
    )
    pack.add_argument(
        "-d", "--no-compile", action="store_true", help="keep .py files instead of sourceless .pyc"
    )

    test = commands.add_parser(
        "test",
        prog="hostray test",
        help="test hostray library or specfied server project directory path",
    )
    test.add_argument("directory", nargs="?", help="server project directory path")

    create = commands.add_parser(
        "create",
        prog="hostray create",
        help="create a server template with specfied server project directory path",
    )
    create.add_argument("directory", help="server project directory path")
    create.add_argument(
        "--force", action="store_true", help="write the template into a non-empty directory"
    )
    worker = commands.add_parser(
        "worker",
        prog="hostray worker",
        help="run the Celery worker of a project whose task_queue has backend: celery",
    )
    worker.add_argument("directory", help="server project directory path")
    worker.add_argument(
        "--concurrency",
        type=_positive,
        default=os.cpu_count() or 1,
        help="number of worker processes running tasks (default: one per CPU)",
    )
    return parser


def _positive(text: str) -> int:
    """argparse type: an integer >= 1."""
    value = _positive_or_zero(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {value}")
    return value


def _dispatch(args: argparse.Namespace) -> int:
    """Run the chosen sub-command; heavy imports wait until a command needs them."""
    if args.command == "create":
        from hostray.cli.create import create_project

        create_project(args.directory, force=args.force)
        return 0
    if args.command == "pack":
        from hostray.cli.pack import pack_project

        pack_project(
            args.directory, output=args.output, wheels=args.wheels, compile_py=not args.no_compile
        )
        return 0
    if args.command == "start":
        from hostray.cli.start import start_project

        return start_project(
            args.directory,
            port=args.port,
            address=args.address,
            processes=args.processes,
            debug=args.debug,
        )
    if args.command == "worker":
        from hostray.cli.worker import run_worker_command

        return run_worker_command(args.directory, concurrency=args.concurrency)
    from hostray.cli.project_tests import run_tests

    return run_tests(args.directory)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status (2 for problems the user can fix)."""
    from hostray.cli.versions import legacy_distribution_problem

    legacy = legacy_distribution_problem()
    if legacy is not None:
        return report([legacy])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return _dispatch(args)
    except (CliError, ConfigError) as exc:  # ConfigError: the project's problems, one line each
        return report(exc.problems)
    except KeyboardInterrupt:  # ctrl+c before a server installed its own handler
        sys.stderr.write("interrupted\n")
        return 130
