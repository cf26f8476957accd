"""``lego spatten pq``: generate the progressive-quantization engine into rtl_out/."""

from __future__ import annotations

from pathlib import Path

__all__ = ["register"]


def register(engines) -> None:
    parser = engines.add_parser(
        "pq", help="progressive-quantization engine (MSB keys, LSB re-fetch)")
    parser.add_argument("--head-dim", type=int, default=64, help="head dimension D (default 64)")
    parser.add_argument("--lanes", type=int, default=16, help="key elements per beat (default 16)")
    parser.add_argument("--msb-bits", type=int, default=6, help="key MSB bits (default 6)")
    parser.add_argument("--lsb-bits", type=int, default=4, help="key LSB bits (default 4)")
    parser.add_argument("--query-bits", type=int, default=16, help="query bits (default 16)")
    parser.add_argument("--max-len", type=int, default=1024, help="maximum keys L (default 1024)")
    parser.add_argument("--threshold", type=float, default=0.05,
                        help="re-fetch when p_max is below this (default 0.05)")
    parser.add_argument("--logit-scale", type=float, default=None,
                        help="logit = score * this (default: q, k in [-4, 4), 1/sqrt(D))")
    parser.add_argument("--prob-bits", type=int, default=16,
                        help="fraction bits of exp, sum and probabilities (default 16)")
    parser.add_argument("--exp-lut-bits", type=int, default=8,
                        help="exp LUT index bits: 2**N entries (default 8)")
    parser.add_argument("--scale-bits", type=int, default=16,
                        help="significant bits of the log2(e) * logit_scale constant (default 16)")
    parser.add_argument("--exp-units", type=int, default=1,
                        help="scores exponentiated per cycle in the softmax sum (default 1)")
    parser.add_argument("-o", "--output", metavar="DIR",
                        help="output folder (default rtl_out/pq_d<D>_l<lanes>)")
    parser.add_argument("--force", action="store_true",
                        help="replace the output folder even if lego did not write it")
    parser.set_defaults(run=_run)


def _run(args) -> int:
    from lego.output_folder import check_replaceable
    from lego.outputs import write_design
    from lego.spatten.pq_design import design_files, design_name
    from lego.spatten.pq_params import PqParams

    params = PqParams(head_dim=args.head_dim, lanes=args.lanes, msb_bits=args.msb_bits,
                      lsb_bits=args.lsb_bits, query_bits=args.query_bits, max_len=args.max_len,
                      threshold=args.threshold, logit_scale=args.logit_scale,
                      prob_bits=args.prob_bits, exp_lut_bits=args.exp_lut_bits,
                      scale_bits=args.scale_bits, exp_units=args.exp_units)
    out = Path(args.output) if args.output else Path("rtl_out") / design_name(params)
    check_replaceable(out, args.force)
    write_design(out, design_files(params), args.force)
    print(f"wrote {out}")
    return 0
