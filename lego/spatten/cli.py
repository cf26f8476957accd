"""``lego spatten topk|pq|sim``: each engine, and the whole-accelerator simulator, registers its
own sub-command."""

from __future__ import annotations

__all__ = ["register"]


def register(sub) -> None:
    from lego.spatten import pq_cli, sim_cli, topk_cli

    parser = sub.add_parser("spatten", help="generate SpAtten engines (top-k, progressive "
                                            "quant), simulate the accelerator on a trace")
    engines = parser.add_subparsers(dest="engine", required=True, metavar="ENGINE")
    topk_cli.register(engines)
    pq_cli.register(engines)
    sim_cli.register(engines)
