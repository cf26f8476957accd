"""``lego spatten topk``: generate the top-k engine into rtl_out/."""

from __future__ import annotations

from pathlib import Path

__all__ = ["register"]


def register(engines) -> None:
    parser = engines.add_parser("topk", help="top-k engine (radix select, P elements per cycle)")
    parser.add_argument("--parallelism", type=int, default=16,
                        help="elements per cycle P, a power of two (default 16)")
    parser.add_argument("--max-n", type=int, default=1024, help="maximum n (default 1024)")
    parser.add_argument("--score-width", type=int, default=16,
                        help="signed score bits (default 16)")
    parser.add_argument("--index-width", type=int, default=10, help="index bits (default 10)")
    parser.add_argument("-o", "--output", metavar="DIR",
                        help="output folder (default rtl_out/topk_p<P>_n<max n>)")
    parser.add_argument("--force", action="store_true",
                        help="replace the output folder even if lego did not write it")
    parser.set_defaults(run=_run)


def _run(args) -> int:
    from lego.output_folder import check_replaceable
    from lego.outputs import write_design
    from lego.spatten.topk import TopK
    from lego.spatten.topk_design import design_files, design_name
    from lego.spatten.topk_params import TopKParams

    params = TopKParams(parallelism=args.parallelism, score_width=args.score_width,
                        index_width=args.index_width, max_n=args.max_n)
    out = Path(args.output) if args.output else Path("rtl_out") / design_name(params)
    check_replaceable(out, args.force)  # before the engine exists: it must be elaborated
    engine = TopK(params)
    write_design(out, design_files(engine), args.force)
    print(f"wrote {out}")
    return 0
