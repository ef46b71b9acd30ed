"""Entry point of the `hostray` command."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with the seed's four sub-commands."""
    parser = argparse.ArgumentParser(prog="hostray")
    parser.add_subparsers(title="command", dest="command", metavar="{start,pack,test,create}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    args = build_parser().parse_args(argv)
    if args.command is None:
        build_parser().print_help()
        return 2
    return 0
