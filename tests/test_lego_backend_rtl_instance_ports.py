"""An instance's ports in the top: outputs are signals named as wiring names them, inputs take
their driving value directly (through a named signal only when the widths differ or a bench
watches it), and an input nothing drives is 0."""

from amaranth import Const, Module, Signal
from amaranth.hdl import Fragment

from lego.backend.rtl.bank import Bank, bank_signature
from lego.backend.rtl.instance_ports import InstancePorts, signature_ports
from lego.backend.rtl.library import ModuleLibrary


def test_signature_ports_are_flat_and_numbered_like_wiring():
    ports = signature_ports(bank_signature(8, 32, 2, True))
    names = [name for name, _, _ in ports]
    assert names[:4] == ["host_read", "host_we", "host_wdata", "host_addr"]
    assert names[-6:] == ["r_en__0", "r_en__1", "r_addr__0", "r_addr__1", "r_data__0",
                          "r_data__1"]
    inputs = {name for name, is_input, _ in ports if is_input}
    assert "r_data__0" not in inputs and "host_rdata" not in inputs and "w_en" in inputs
    assert dict((n, s.width) for n, _, s in ports)["r_addr__1"] == 5


def test_inputs_are_driven_directly_named_when_probed_and_zero_when_undriven():
    library = ModuleLibrary()
    library.add("ram", lambda: Bank(8, 32, 1))
    m = Module()
    ports = InstancePorts(m, "mem_A_3", "ram", signature_ports(bank_signature(8, 32, 1, True)))
    assert ports.outputs["host_rdata"].name == "mem_A_3__host_rdata"
    reading, address, wide = Signal(name="reading"), Signal(5), Signal(7)
    ports.drive("host_read", reading)
    ports.drive("r_addr__0", address)
    ports.drive("host_addr", wide)  # 7 bits into a 5-bit port: through a signal of its own
    ports.probe("w_en", reading)
    m.submodules.ram = instance = ports.instance(library)
    got = dict(instance.ports)
    assert got["host_read"][0] is reading and got["r_addr__0"][0] is address
    assert got["host_addr"][0].name == "mem_A_3__host_addr"
    assert got["host_addr"][0].shape().width == 5
    assert got["w_en"][0].name == "mem_A_3__w_en"
    undriven = got["w_data"][0]
    assert isinstance(undriven, Const) and undriven.value == 0 and undriven.shape().width == 8
    assert got["host_rdata"][0] is ports.outputs["host_rdata"]
    assert "clk" in got
    assert len(Fragment.get(m, None).statements["comb"]) == 2  # host_addr's and w_en's
