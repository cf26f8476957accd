"""Request-level scheduling: gap filling, in-order engines, and the critical path."""

from sim.spatten.pipeline import InOrderUnits, Schedule, Timeline


def test_timeline_fills_an_earlier_gap():
    schedule = Schedule()
    line = Timeline(schedule, "dram")
    a = line.place(0, -1, 5)            # [0, 5)
    b = line.place(20, a, 5)            # [20, 25): waits for its input
    c = line.place(3, -1, 10)           # does not fit before 20 after 5? [5, 15) does
    d = line.place(0, -1, 6)            # [15, 20) is 5 long: goes after 25
    spans = [(schedule.ops[i].start, schedule.ops[i].end) for i in (a, b, c, d)]
    assert spans == [(0, 5), (20, 25), (5, 15), (25, 31)]
    assert schedule.ops[c].cause == a and schedule.ops[d].cause == b


def test_in_order_units_and_critical_path():
    schedule = Schedule()
    fetch = Timeline(schedule, "dram")
    engines = InOrderUnits(schedule, "softmax", 2)
    ends = []
    for _ in range(3):
        op = fetch.place(0, -1, 4)
        ends.append(engines.place(engines.pick(), schedule.end(op), op, 10))
    # fetches at 0, 4, 8; engines 0, 1, 0: the third waits for engine 0 until 14
    assert [(schedule.ops[i].start, schedule.ops[i].end) for i in ends] == \
        [(4, 14), (8, 18), (14, 24)]
    assert schedule.critical_path() == {"softmax": 20, "dram": 4}
