"""The spec-level commands: ``lego check`` and ``lego golden``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import yaml

from lego.errors import LegoError
from lego.ir import Spec
from lego.spec import load_spec

__all__ = ["register", "summary"]


def register(sub) -> None:
    check = sub.add_parser("check", help="parse and validate a spec, print its affine IR")
    check.add_argument("spec", help="spec file (YAML)")
    check.add_argument("--expand", action="store_true",
                       help="print the general form (presets expanded) as YAML instead")
    check.set_defaults(run=_check)

    golden = sub.add_parser("golden", help="run the numpy golden model on random inputs")
    golden.add_argument("spec", help="spec file (YAML)")
    golden.add_argument("--seed", type=int, default=0, help="random input seed (default 0)")
    golden.add_argument("--save", metavar="FILE.npz",
                        help="also save the inputs and the output to an .npz file")
    golden.set_defaults(run=_golden)


def _matrix_lines(matrix: np.ndarray, offset: np.ndarray, indent: str) -> list[str]:
    width = max([len(str(v)) for v in matrix.flat] + [len(str(v)) for v in offset] + [1])
    return [indent + "[" + " ".join(f"{v:>{width}}" for v in row) + f"] + {off:>{width}}"
            for row, off in zip(matrix, offset, strict=True)]


def summary(spec: Spec) -> str:
    """A stable, human-readable dump of the affine IR."""
    lines = [f"spec {spec.name} ({spec.source})",
             f"  statement: {spec.statement}",
             "  loops: " + ", ".join(f"{n} in [0, {b})" for n, b in spec.loops)
             + f"  ({spec.num_points} points)"]
    for tensor in spec.tensors:
        lines.append(f"  tensor {tensor.name}: {tensor.role}, {tensor.dtype.name}, shape "
                     f"{list(tensor.shape)}, f(I) = A I + b with "
                     f"I = ({', '.join(spec.loop_names)})")
        lines += _matrix_lines(tensor.A, tensor.b, "    ")
    for flow in spec.dataflows:
        cols = flow.temporal_names + flow.spatial_names
        lines.append(f"  dataflow {flow.name}: array {'x'.join(map(str, flow.array_shape))} "
                     f"({flow.num_fus} FUs), {flow.num_steps} temporal steps")
        if spec.flow_bounds(flow) != spec.loop_bounds:
            lines.append("    runs at its own loops: " + ", ".join(
                f"{n} in [0, {b})" for n, b in zip(spec.loop_names, spec.flow_bounds(flow),
                                                    strict=True)))
        lines.append("    temporal (outermost first): "
                     + (", ".join(f"{n}<{b}" for n, b in flow.temporal) or "none")
                     + "; spatial: " + ", ".join(f"{n}<{b}" for n, b in flow.spatial))
        lines.append(f"    I = M [t; s] + c with [t; s] = ({', '.join(cols)}):")
        lines += _matrix_lines(flow.M, flow.c, "    ")
    return "\n".join(lines)


def _check(args) -> int:
    spec = load_spec(args.spec)
    if args.expand:
        print(yaml.safe_dump(spec.to_dict(), sort_keys=False, default_flow_style=None), end="")
    else:
        print(summary(spec))
        print("ok")
    return 0


def _golden(args) -> int:
    from lego.golden import checksum, evaluate, random_inputs

    if args.seed < 0:
        raise LegoError(f"--seed must be 0 or more, not {args.seed}")
    spec = load_spec(args.spec)
    inputs = random_inputs(spec, args.seed)
    output = evaluate(spec, inputs)
    for tensor in spec.inputs:
        print(f"{tensor.name}: {tensor.dtype.name} {list(tensor.shape)} "
              f"checksum {checksum(inputs[tensor.name])}")
    print(f"{spec.output.name}: {spec.output.dtype.name} {list(spec.output.shape)} "
          f"checksum {checksum(output)}")
    for flow in spec.dataflows:  # a dataflow at its own smaller loops computes less
        if spec.flow_bounds(flow) != spec.loop_bounds:
            print(f"{spec.output.name} of dataflow {flow.name} (its own loops "
                  f"{list(spec.flow_bounds(flow))}): checksum "
                  f"{checksum(evaluate(spec, inputs, spec.flow_bounds(flow)))}")
    if args.save:
        _save(args.save, {**inputs, spec.output.name: output})
    return 0


def _save(name: str, arrays: dict) -> None:
    """np.savez's file (``.npz`` added as numpy does), written whole or not at all."""
    path = Path(name if name.endswith(".npz") else name + ".npz")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as error:
        raise LegoError(f"{name}: cannot write: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
        os.replace(temporary, path)
    except OSError as error:
        raise LegoError(f"{name}: cannot write: {error.strerror}") from None
    finally:
        Path(temporary).unlink(missing_ok=True)
