"""The ``lego`` command. Every user error is one line on stderr and exit status 2."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from lego.argparser import OneLineParser
from lego.errors import LegoError

__all__ = ["main"]


# Each command's module registers its arguments; only the module of the command being run is
# imported (the generators pull in amaranth and networkx, which a simulator run does not need).
_COMMANDS = {
    "check": "lego.commands", "golden": "lego.commands",
    "gen": "lego.frontend.cli",
    "verify": "lego.verify_cli",
    "sim": "sim.cli",
    "spatten": "lego.spatten.cli",
    "synth": "lego.synth.cli",
    "sweep": "lego.sweep.cli",
    "fuzz": "lego.fuzz.cli",
}


def _build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of ``command`` alone, or of every command (for help and unknown commands)."""
    parser = OneLineParser(
        prog="lego", description="Spatial-accelerator generator and cycle-level simulator.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    modules = ([_COMMANDS[command]] if command in _COMMANDS
               else list(dict.fromkeys(_COMMANDS.values())))
    for module in modules:
        importlib.import_module(module).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = _build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    try:
        return args.run(args) or 0
    except LegoError as error:
        print(f"lego: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lego: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (``lego gen --dump-after rtl | head``): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
