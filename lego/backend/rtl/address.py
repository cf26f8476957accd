"""Address generators in modules of their own, as a hand designer writes them.

An address primitive computes a memory address from the step counters (its meaning is in
:mod:`lego.backend.semantics`). Its arithmetic is built once per *shape*: the primitive's
parameters less its constants. The base becomes a 32-bit signed input that each instance ties
to its constant (the semantics' own width for it), and the bank of a port that stays in one
bank becomes the high bits the top appends. A GEMM of any size then has one address module per
tensor, and the top none of the ~3 adders and multipliers per memory port that made up most
of Amaranth's work on a large array (its comb-loop check walks every bit edge of each).

Address primitives that compute the same address from the same tap of the counters (the ports
of one tensor at the same stage) share one instance: the same logic that synthesis would merge
anyway, and the same value every one of them had before."""

from __future__ import annotations

from dataclasses import dataclass, replace

from amaranth import Const, Module, Signal, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from lego.backend.design import Design, counters_width
from lego.backend.rtl.nets import AmaranthValues, ident
from lego.backend.semantics import CoordAddress, FixedAddress

__all__ = ["AddressUse", "address_uses", "AddressGenerator", "AddressInstances"]


@dataclass(frozen=True)
class AddressUse:
    """One address primitive as an instance of its shape's module ``module``."""

    module: str
    shape: FixedAddress | CoordAddress  # the parameters with the base (and a fixed bank) 0
    base: tuple[int, ...]  # the constants the instance ties the base inputs to
    bank: int | None  # a fixed port's bank, appended by the top; None: the module computes it
    address_bits: int
    bank_bits: int

    @property
    def width(self) -> int:
        """The module's output: the address alone for a fixed bank, else bank and address."""
        return self.address_bits + (0 if self.bank is not None else self.bank_bits)


def address_uses(design: Design) -> dict[str, AddressUse]:
    """Per address primitive (graph order) its use; modules numbered in order of first use."""
    modules: dict[tuple, str] = {}
    uses = {}
    for prim in design.graph.primitives():
        if prim.kind != "addr":
            continue
        params = prim.params
        bank_bits = design.tensor(params.tensor).bank_bits
        if isinstance(params, FixedAddress):
            shape, base, bank = replace(params, base=0, bank=0), (params.base,), params.bank
        else:
            shape = replace(params, base=(0,) * len(params.base))
            base, bank = params.base, None
        key = (shape, prim.width, bank is None)
        module = modules.setdefault(key, f"{design.name}_addr{len(modules)}")
        uses[prim.name] = AddressUse(module, shape, base, bank, prim.width - bank_bits,
                                     bank_bits)
    return uses


class AddressGenerator(wiring.Component):
    """``address`` from the packed ``counters`` and the ``base<d>`` inputs (the constants
    the shape left out)."""

    def __init__(self, design: Design, use: AddressUse):
        self.design, self.use = design, use
        members = {"counters": In(unsigned(counters_width(design.flows)))}
        members.update({f"base{d}": In(signed(32)) for d in range(len(use.base))})
        members["address"] = Out(unsigned(use.width))
        super().__init__(members)

    def elaborate(self, platform):
        m = Module()
        use = self.use
        bases = tuple(getattr(self, f"base{d}") for d in range(len(use.base)))
        fixed = use.bank is not None
        value = use.shape.evaluate(AmaranthValues(self.design.flows),
                                   [f.bounds for f in self.design.flows], self.counters,
                                   0 if fixed else use.bank_bits, use.address_bits,
                                   base=bases[0] if fixed else bases)
        m.d.comb += self.address.eq(value)
        return m


class AddressInstances:
    """The address primitives of the top: each one's value is a (shared) instance's output
    (a fixed port's bank appended), the instance of its shape's module in ``m``, converted
    once in ``library``."""

    def __init__(self, m, design: Design, library, values: AmaranthValues):
        self.m, self.library, self.values = m, library, values
        self.uses = address_uses(design)
        self.instances: dict[tuple, object] = {}  # (use less bank, counters tap) -> output
        self.per_tensor: dict[str, int] = {}

    def value(self, name: str, counters, tap: tuple[str, int, int | None]):
        """Primitive ``name``'s value from ``counters``, the ``tap`` (source, registers,
        copy group: lego.backend.rtl.copies) of the packed counters."""
        use = self.uses[name]
        key = (use.module, use.base, tap)
        if key not in self.instances:
            self.instances[key] = self._instance(use, counters)
        address = self.instances[key]
        if use.bank is not None:
            address = self.values.pack(address, use.address_bits, use.bank, use.bank_bits)
        return address

    def _instance(self, use: AddressUse, counters):
        tensor = ident(use.shape.tensor)
        n = self.per_tensor.get(tensor, 0)
        self.per_tensor[tensor] = n + 1
        label = f"addr_{tensor}_{n}"
        out = Signal(use.width, name=f"{label}__address")
        inputs = {"counters": counters}
        inputs.update({f"base{d}": Const(b, signed(32)) for d, b in enumerate(use.base)})
        self.m.submodules[label] = self.library.instance_of(use.module, inputs,
                                                            {"address": out})
        return out

