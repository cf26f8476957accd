"""The ``lego`` command. Every user error is one line on stderr and exit status 2."""

from __future__ import annotations

import argparse
import sys

from lego.errors import LegoError

__all__ = ["main"]


def _build_parser() -> argparse.ArgumentParser:
    from lego import commands
    from lego.frontend import cli as frontend_cli
    from lego.spatten import cli as spatten_cli
    from sim import cli as sim_cli

    parser = argparse.ArgumentParser(
        prog="lego", description="Spatial-accelerator generator and cycle-level simulator.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.register(sub)           # check, golden
    frontend_cli.register(sub)       # gen
    sim_cli.register(sub)            # sim
    spatten_cli.register(sub)        # spatten topk|pq
    __import__("lego.verify").verify.register(sub)  # verify
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args) or 0
    except LegoError as error:
        print(f"lego: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lego: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
