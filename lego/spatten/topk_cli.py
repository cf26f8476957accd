"""``lego spatten topk``: placeholder until the engine lands (issue 5)."""

from __future__ import annotations

from lego.errors import LegoError

__all__ = ["register"]


def register(engines) -> None:
    parser = engines.add_parser("topk", help="not built yet")
    parser.set_defaults(run=_run)


def _run(args) -> int:
    raise LegoError("lego spatten topk is not built yet")
