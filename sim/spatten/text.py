"""The text report of ``lego spatten sim``: Markdown tables, so a run can be pasted as is."""

from __future__ import annotations

__all__ = ["render", "stage_table", "ladder_table"]

_STAGE_NAMES = {"dram": "DRAM", "qk": "Q x K", "softmax": "softmax + PQ",
                "local_v_topk": "local-V top-k", "pv": "prob x V",
                "cascade_topk": "token/head top-k"}


def _table(header: list[str], rows: list[list]) -> list[str]:
    def cell(value) -> str:
        return f"{value:,}" if isinstance(value, int) else str(value)
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    return lines + ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]


def stage_table(result: dict) -> list[str]:
    rows = [[_STAGE_NAMES[s], v["units"], v["busy"], f"{v['utilisation']:.1%}",
             v["critical_path"]] for s, v in result["stages"].items()]
    return _table(["stage", "units", "busy cycles", "utilisation", "on critical path"], rows)


def ladder_table(result: dict) -> list[str]:
    rows = [[s["step"], s["bytes"], f"{s['reduction']:.2f}x", f"{s['total_reduction']:.2f}x"]
            for s in result["ladder"]]
    return _table(["step", "DRAM bytes", "step reduction", "vs dense"], rows)


def _counts_table(key: str, entries: list[dict]) -> list[str]:
    rows = [[e[key], e["cycles"], e["requests"], e["tokens"], e["keys"], e["values"],
             e["refetches"], e["bytes"]["k_msb"], e["bytes"]["k_lsb"], e["bytes"]["v"]]
            for e in entries]
    return _table([key, "cycles", "heads", "tokens", "keys", "values", "re-fetches",
                   "K-MSB B", "K-LSB B", "V B"], rows)


def _per_layer(result: dict) -> list[dict]:
    """Each layer summed over the iterations."""
    out: dict[int, dict] = {}
    for x in result["layers"]:
        acc = out.setdefault(x["layer"], {"layer": x["layer"], "cycles": 0, "requests": 0,
                                          "tokens": 0, "keys": 0, "values": 0, "refetches": 0,
                                          "bytes": {"k_msb": 0, "k_lsb": 0, "v": 0}})
        for key in ("cycles", "requests", "tokens", "keys", "values", "refetches"):
            acc[key] += x[key]
        for key in ("k_msb", "k_lsb", "v"):
            acc["bytes"][key] += x["bytes"][key]
    return [out[k] for k in sorted(out)]


def _header(result: dict) -> list[str]:
    m, hw, t = result["model"], result["hardware"], result["totals"]
    return [
        f"trace: {result['trace']} ({m['layers']} layers x {m['heads']} heads, D={m['head_dim']}"
        f", {m['iterations']} iterations, {m['requests']:,} requests)",
        f"hardware: {hw['name']} ({hw['frequency_ghz']:g} GHz; DRAM {hw['dram_channels']} x "
        f"{hw['dram_bytes_per_channel']} B/cycle; Q x K {hw['qk_multipliers']}, prob x V "
        f"{hw['pv_multipliers']} multipliers; {hw['softmax_units']} softmax/PQ engines x "
        f"{hw['softmax_exp_units']} exp/cycle; top-k P={hw['topk_parallelism']}); fetch rule "
        f"{result['fetch_rule']}; top-k model {result['topk_model']} (seed {result['seed']})",
        "",
        f"total: {t['cycles']:,} cycles ({t['time_us']:,.1f} us), {t['requests']:,} requests, "
        f"{t['refetches']:,} re-fetches, {t['tokens']:,} kept tokens, {t['keys']:,} keys, "
        f"{t['values']:,} values",
        f"DRAM bytes: K-MSB {t['bytes']['k_msb']:,}, K-LSB (re-fetch) {t['bytes']['k_lsb']:,}, "
        f"V {t['bytes']['v']:,}, total {t['bytes']['total']:,}",
    ]


def _baseline(result: dict) -> list[str]:
    b = result.get("baseline")
    if not b:
        return []
    return ["", f"baseline {b['trace']}: {b['cycles']:,} cycles, {b['bytes']:,} bytes; speedup "
                f"{b['speedup']:.2f}x, DRAM reduction {b['dram_reduction']:.2f}x (DRAM-bound "
                f"estimate {b['dram_bound_speedup']:.2f}x, compute-bound estimate "
                f"{b['compute_bound_speedup']:.2f}x)"]


def render(result: dict) -> str:
    e = result["energy"]["pj"]
    lines = _header(result) + ["", "per stage:"] + stage_table(result)
    lines += [f"bottleneck: {_STAGE_NAMES[result['bottleneck']]}", "",
              f"DRAM ladder (exact rule, dense at {result['dense_bits']} bits):"]
    lines += ladder_table(result)
    sram = e["sram_read"] + e["sram_write"]
    lines += ["", f"energy (ESTIMATE, per-access table): {e['total'] / 1e6:,.1f} uJ (DRAM "
                  f"{e['dram_byte'] / 1e6:,.1f}, MAC {e['mac'] / 1e6:,.1f}, registers "
                  f"{e['register'] / 1e6:,.1f}, SRAM {sram / 1e6:,.1f})"]
    lines += _baseline(result)
    lines += ["", "per iteration:"] + _counts_table("iteration", result["iterations"])
    lines += ["", "per layer (summed over the iterations):"] + _counts_table("layer",
                                                                              _per_layer(result))
    return "\n".join(lines) + "\n"
