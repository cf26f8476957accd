"""The ports of one sub-module instance in the top, gathered while the top is built.

An output is a signal named ``<instance>__<port>`` (the name ``wiring`` would give it). An
input takes the value that drives it as the netlist finds it, with no signal of its own in
between: the top of a 32x32 array instantiates ~2,100 FU and RAM modules, and a signal and an
assignment per input port were a third of the work Amaranth did on it. A port whose signal a
test bench watches by name (a RAM bank's write enable and address) keeps one (``probe``)."""

from __future__ import annotations

from amaranth import Const, Shape, Signal, Value
from amaranth.lib import wiring

__all__ = ["InstancePorts", "signature_ports"]


def signature_ports(signature: wiring.Signature) -> tuple[tuple[str, bool, Shape], ...]:
    """(port, is an input, shape) of every member of ``signature``, flat, an array of one
    dimension numbered as ``wiring`` numbers it (``r_data__0``)."""
    ports = []
    for path, member in signature.members.flatten():
        names = [path[-1]] if not member.dimensions else [
            f"{path[-1]}__{i}" for i in range(member.dimensions[0])]
        ports += [(n, member.flow == wiring.In, Shape.cast(member.shape)) for n in names]
    return tuple(ports)


class InstancePorts:
    """Ports of instance ``label`` of module ``module``, in the top's module ``m``; ``ports``:
    (name, is input, shape)."""

    def __init__(self, m, label: str, module: str, ports):
        self.m, self.label, self.module = m, label, module
        self.input_shapes = {name: shape for name, is_input, shape in ports if is_input}
        self.outputs = {name: Signal(shape, name=f"{label}__{name}")
                        for name, is_input, shape in ports if not is_input}
        self.inputs: dict[str, object] = {}

    def drive(self, port: str, value) -> None:
        """Input ``port`` takes ``value``, extended or truncated as an assignment would."""
        value = Value.cast(value)
        if value.shape() != self.input_shapes[port]:
            self.probe(port, value)
        else:
            self.inputs[port] = value

    def probe(self, port: str, value) -> None:
        """Input ``port`` through a signal named as ``wiring`` would name it, for a bench to
        watch."""
        signal = Signal(self.input_shapes[port], name=f"{self.label}__{port}")
        self.inputs[port] = signal
        self.m.d.comb += signal.eq(value)

    def instance(self, library):
        """The instance; an input nothing drove is 0 (as an undriven signal would be)."""
        inputs = {name: self.inputs.get(name, Const(0, shape))
                  for name, shape in self.input_shapes.items()}
        return library.instance_of(self.module, inputs, self.outputs)
