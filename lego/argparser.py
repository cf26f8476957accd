"""The argument parser of every ``lego`` command: a usage error is one line on stderr (what is
wrong, where to read more) and exit status 2, like every other bad input."""

from __future__ import annotations

import argparse

__all__ = ["OneLineParser"]


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str):
        command = self.prog.removeprefix("lego").strip()
        where = f"{command}: " if command else ""
        self.exit(2, f"lego: error: {where}{message} (see {self.prog} --help)\n")
