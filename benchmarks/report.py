"""Render pytest-benchmark JSON into ``benchmarks/REPORT.md`` and PNG plots.

Every figure in the report is a ratio of two times measured in the same run, on the same
data.  The time of a benchmark is the **median** over its rounds (``STAT``), the typical
cost of a call.  Section 3 also shows the minimum (``OTHER``): where the two differ a lot, the
machine was busy (run again when it is quiet) or the timing is bimodal (jax.jit at the notes'
size: a call that finds XLA's worker threads awake is ~3× faster than one that has to wake
them).  Used by ``backprop-ref bench``; by hand:

    pytest benchmarks --benchmark-enable --benchmark-json=bench.json
    python benchmarks/report.py bench.json
"""

from __future__ import annotations

import json
import os
import platform
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
STAT, OTHER = "median", "min"

TARGETS = {
    "notes_vs_jax": 0.5, "notes_vs_torch": 0.33, "loop_speedup_200": 30.0,
    "large_vs_gemm": 1.15, "large_vs_torch": 1.3, "delta_1000": 100.0,
}


def load(path):
    data = json.loads(Path(path).read_text())
    rows = []
    for b in data["benchmarks"]:
        info = b.get("extra_info", {})
        rows.append({**info, "time": b["stats"][STAT], "other": b["stats"][OTHER],
                     "rounds": b["stats"]["rounds"], "name": b["name"]})
    return data, rows


def _pick(rows, **kw):
    out = [r for r in rows if all(r.get(k) == v for k, v in kw.items())]
    return out[0] if out else None


def _fmt_time(s):
    if s is None:
        return "—"
    for unit, f in (("s", 1), ("ms", 1e3), ("µs", 1e6)):
        if s * f >= 1:
            return f"{s * f:.3g} {unit}"
    return f"{s * 1e9:.3g} ns"


def _fmt_bytes(b):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if b < 1024 or unit == "GiB":
            return f"{b:.3g} {unit}"
        b /= 1024


def environment(data):
    mi = data.get("machine_info", {})
    env = {"machine": f"{mi.get('cpu', {}).get('brand_raw', platform.processor())}",
           "cores": os.cpu_count(), "python": mi.get("python_version", platform.python_version())}
    try:
        import numpy as np
        env["numpy"] = np.__version__
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        env["numpy BLAS"] = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 - best effort description
        pass
    try:
        import torch
        env["torch"] = torch.__version__
        env["torch threads"] = torch.get_num_threads()
        env["torch BLAS"] = ("MKL" if torch.backends.mkl.is_available() else "no MKL") + (
            ", oneDNN" if torch.backends.mkldnn.is_available() else "")
    except ImportError:
        pass
    try:
        import jax
        env["jax"] = jax.__version__
    except ImportError:
        pass
    env["thread env"] = ", ".join(f"{k}={os.environ[k]}" for k in (
        "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "XLA_FLAGS")
        if k in os.environ) or "none set (libraries use all cores)"
    return env


def compute(rows):
    """All ratios of the report, from the times (``STAT``) of one run."""
    r = {}
    by_n = defaultdict(dict)
    for row in rows:
        if row.get("suite") == "N":
            by_n[row["net"]].setdefault(row["N"], {})[row["impl"]] = row["time"]
    r["by_n"] = by_n
    fw = {(row["size"], row["impl"]): row["time"] for row in rows
          if row.get("suite") == "frameworks"}
    r["frameworks"] = fw
    r["frameworks_other"] = {(row["size"], row["impl"]): row["other"] for row in rows
                              if row.get("suite") == "frameworks"}
    delta = defaultdict(dict)
    for row in rows:
        if row.get("suite") == "delta":
            delta[row["K"]][row["impl"]] = row
    r["delta"] = delta
    r["dtype"] = {(row["size"], row["impl"]): row["time"] for row in rows
                  if row.get("suite") == "dtype"}
    return r


def _ratio(a, b):
    return None if a is None or b is None else a / b


def headline(r):
    fw, by_n, delta = r["frameworks"], r["by_n"], r["delta"]
    ref = "numpy reference"
    two = by_n.get("two_layer", {})
    loop200 = None
    if 100 in two and 1000 in two:      # N = 200 sits between the measured 100 and 1 000
        loop200 = (two[100]["loop"] / two[100]["vectorized"],
                   two[1000]["loop"] / two[1000]["vectorized"])
    h = {
        "notes_vs_jax": _ratio(fw.get(("notes", ref)), fw.get(("notes", "jax.jit"))),
        "notes_vs_torch": _ratio(fw.get(("notes", ref)), fw.get(("notes", "torch eager"))),
        "large_vs_gemm": _ratio(fw.get(("large", ref)),
                                fw.get(("large", "GEMM floor (X@W1, Xᵀ dZ1)"))),
        "large_vs_torch": _ratio(fw.get(("large", ref)), fw.get(("large", "torch eager"))),
        "large_vs_jax": _ratio(fw.get(("large", ref)), fw.get(("large", "jax.jit"))),
        "torch_vs_gemm": _ratio(fw.get(("large", "torch eager")),
                                fw.get(("large", "GEMM floor (X@W1, Xᵀ dZ1)"))),
        "validation_share": _ratio(fw.get(("notes", "validation only")),
                                   fw.get(("notes", ref))),
        "validation_end_to_end": (
            None if fw.get(("notes", "numpy reference, unchecked")) is None
            else 1 - _ratio(fw[("notes", "numpy reference, unchecked")], fw.get(("notes", ref)))),
        "loop_speedup_200": loop200,
        "delta_1000": (_ratio(delta[1000]["jacobian"]["time"],
                              delta[1000]["simplified"]["time"]) if 1000 in delta else None),
    }
    return h


def _status(value, target, lower_is_better=True):
    if value is None:
        return "not measured"
    ok = value <= target if lower_is_better else value >= target
    return "met" if ok else "**missed**"


def _save(fig, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot(r, out_dir: Path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = {}
    # 1. time vs N, one line per implementation (log-log)
    nets = [n for n in r["by_n"]]
    fig, axes = plt.subplots(1, len(nets), figsize=(6 * len(nets), 4.5), squeeze=False)
    for ax, net in zip(axes[0], nets):
        data = r["by_n"][net]
        impls = sorted({i for v in data.values() for i in v})
        for impl in impls:
            ns = sorted(n for n in data if impl in data[n])
            ax.plot(ns, [data[n][impl] for n in ns], marker="o", label=impl)
        ax.set(xscale="log", yscale="log", xlabel="batch size N", ylabel="time per step (s)",
               title=f"{net}: loss + all gradients")
        ax.grid(alpha=0.3, which="both")
        ax.legend()
    paths["time_vs_n"] = _save(fig, out_dir / "time_vs_n.png")

    # 2. speedup of vectorized over the per-sample loop
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for net in nets:
        data = r["by_n"][net]
        ns = sorted(n for n in data if {"loop", "vectorized"} <= set(data[n]))
        ax.plot(ns, [data[n]["loop"] / data[n]["vectorized"] for n in ns], marker="o", label=net)
    ax.axhline(30, color="grey", ls="--", lw=1, label="target at N = 200: 30×")
    ax.set(xscale="log", yscale="log", xlabel="batch size N",
           ylabel="speedup (loop time / vectorized time)", title="what vectorization buys")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    paths["speedup_vs_n"] = _save(fig, out_dir / "speedup_vs_n.png")

    # 3. Jacobian vs simplified: time and memory against K
    Ks = sorted(r["delta"])
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.5))
    for impl, label in (("jacobian", "full Jacobian Jᵀ ∂L/∂A (D12)"),
                        ("simplified", "simplified (A − Y)/N (D11)")):
        a1.plot(Ks, [r["delta"][k][impl]["time"] for k in Ks], marker="o", label=label)
        a2.plot(Ks, [r["delta"][k][impl]["peak_bytes"] for k in Ks], marker="o", label=label)
    a2.plot(Ks, [r["delta"][k]["jacobian"]["jacobian_bytes"] for k in Ks], ls=":",
            color="grey", label="size of the (N, K, K) tensor")
    a1.set(xscale="log", yscale="log", xlabel="classes K", ylabel="time (s)",
           title=f"output delta, N = {r['delta'][Ks[0]]['jacobian']['N']}")
    a2.set(xscale="log", yscale="log", xlabel="classes K", ylabel="peak memory (bytes)",
           title="peak memory (tracemalloc)")
    for a in (a1, a2):
        a.grid(alpha=0.3, which="both")
        a.legend()
    paths["delta_vs_k"] = _save(fig, out_dir / "delta_vs_k.png")
    return paths


def render(json_path, out_dir=HERE) -> Path:
    out_dir = Path(out_dir)
    data, rows = load(json_path)
    r = compute(rows)
    h = headline(r)
    paths = plot(r, out_dir)
    env = environment(data)
    L = ["# Benchmark report", "",
         "Written by `backprop-ref bench` (pytest-benchmark, then `benchmarks/report.py`). "
         f"Every time is the **{STAT}** over a benchmark's rounds in this one run, and "
         "every comparison is a ratio of two such times measured side by side on the same "
         f"data. Section 3 also gives the {OTHER}imum of each.", "",
         f"Run: {data.get('datetime', '?')}", ""]
    L += ["## Machine", "", "| | |", "|---|---|"]
    L += [f"| {k} | {v} |" for k, v in env.items()]
    L += ["", "## Headline ratios against the targets", "",
          "| comparison | measured | target | |", "|---|---|---|---|"]

    def row(label, key, target, fmt="{:.2f}×", lower=True):
        v = h.get(key)
        shown = "—" if v is None else fmt.format(v)
        L.append(f"| {label} | {shown} | {'≤' if lower else '≥'} {fmt.format(target)} | "
                 f"{_status(v, target, lower)} |")

    row("notes' size (N = 200, 4-10-3): reference / jax.jit(value_and_grad)",
        "notes_vs_jax", TARGETS["notes_vs_jax"])
    row("notes' size: reference / torch eager autograd", "notes_vs_torch",
        TARGETS["notes_vs_torch"])
    lp = h.get("loop_speedup_200")
    L.append(f"| loop → vectorized speedup around N = 200 (measured at N = 100 and 1 000) | "
             f"{'—' if lp is None else f'{lp[0]:.0f}× and {lp[1]:.0f}×'} | ≥ 30× | "
             f"{_status(None if lp is None else min(lp), 30, False)} |")
    row("large size (N = 4096, 784-256-10): reference / its two GEMMs", "large_vs_gemm",
        TARGETS["large_vs_gemm"])
    row("large size: reference / torch eager", "large_vs_torch", TARGETS["large_vs_torch"])
    row("delta at K = 1 000: full Jacobian / (A − Y)", "delta_1000", TARGETS["delta_1000"],
        fmt="{:.0f}×", lower=False)
    vs, ve = h.get("validation_share"), h.get("validation_end_to_end")
    pct = lambda v: "—" if v is None else f"{100 * v:.1f}%"  # noqa: E731
    L += ["", f"Input validation costs {pct(vs)} of a `two_layer.loss_and_grads` call at the "
          f"notes' size, timed alone (budget: < 10%). End to end, the call takes {pct(ve)} "
          "longer than the notes' lines on inputs checked beforehand.",
          f"At the large size jax.jit takes {h['large_vs_jax'] and 1 / h['large_vs_jax']:.2f}× "
          f"the reference's time, and torch takes {h['torch_vs_gemm'] or float('nan'):.2f}× "
          "the NumPy GEMM floor." if h.get("large_vs_jax") else ""]

    # per-N tables
    L += ["", "## 1. Per-sample loop vs vectorized, and the frameworks, over N", "",
          f"![time vs N]({paths['time_vs_n'].name})", "",
          f"![speedup vs N]({paths['speedup_vs_n'].name})", ""]
    for net, data_n in r["by_n"].items():
        impls = sorted({i for v in data_n.values() for i in v},
                       key=lambda s: ["loop", "vectorized", "torch eager", "jax.jit"].index(s)
                       if s in ["loop", "vectorized", "torch eager", "jax.jit"] else 9)
        L += [f"**{net}**", "", "| N | " + " | ".join(impls) + " | loop / vectorized |",
              "|---" * (len(impls) + 2) + "|"]
        for n in sorted(data_n):
            cells = [_fmt_time(data_n[n].get(i)) for i in impls]
            sp = _ratio(data_n[n].get("loop"), data_n[n].get("vectorized"))
            L.append(f"| {n} | " + " | ".join(cells) + f" | {'—' if sp is None else f'{sp:.1f}×'} |")
        L.append("")

    L += ["## 2. Full softmax Jacobian vs the simplified delta", "",
          f"![delta vs K]({paths['delta_vs_k'].name})", "",
          "| K | Jacobian route | A − Y | ratio | peak memory, Jacobian | peak memory, A − Y | "
          "(N, K, K) tensor |", "|---|---|---|---|---|---|---|"]
    for k in sorted(r["delta"]):
        j, s = r["delta"][k]["jacobian"], r["delta"][k]["simplified"]
        L.append(f"| {k} | {_fmt_time(j['time'])} | {_fmt_time(s['time'])} | "
                 f"{j['time'] / s['time']:.1f}× | {_fmt_bytes(j['peak_bytes'])} | "
                 f"{_fmt_bytes(s['peak_bytes'])} | {_fmt_bytes(j['jacobian_bytes'])} |")

    L += ["", "## 3. The reference against the frameworks", "",
          f"| size | implementation | time ({STAT}) | / numpy reference | {OTHER} | "
          f"{OTHER} / reference {OTHER} |", "|---|---|---|---|---|---|"]
    med = r["frameworks_other"]
    for (size, impl), t in sorted(r["frameworks"].items()):
        base, m, mbase = (r["frameworks"].get((size, "numpy reference")), med[(size, impl)],
                          med.get((size, "numpy reference")))
        L.append(f"| {size} | {impl} | {_fmt_time(t)} | {t / base:.2f} | {_fmt_time(m)} | "
                 f"{m / mbase:.2f} |")

    L += ["", "## 4. float64 vs float32 (reference)", "", "| size | float64 | float32 | "
          "float32 / float64 |", "|---|---|---|---|"]
    for size in ("notes", "large"):
        a, b = r["dtype"].get((size, "float64")), r["dtype"].get((size, "float32"))
        if a and b:
            L.append(f"| {size} | {_fmt_time(a)} | {_fmt_time(b)} | {b / a:.2f} |")
    L.append("")
    notes = out_dir / "NOTES.md"
    if notes.exists():
        L += [notes.read_text().strip(), ""]
    report = out_dir / "REPORT.md"
    report.write_text("\n".join(L))
    return report


if __name__ == "__main__":
    print(render(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else HERE))
