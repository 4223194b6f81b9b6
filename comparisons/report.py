"""Render one saved pytest-benchmark run into ``REPORT.md`` and PNG plots.

The report is a pure function of the run's JSON (a file of pytest-benchmark's storage, or
``benchmarks/results.json``, which is a copy of one): every figure in it, prose included,
is computed here from that data, so a new run can never leave an old figure behind, and
``tests/test_bench_report.py`` re-renders the committed report from the committed JSON and
compares the two texts.  Analysis that cannot be computed from the data is written without
figures.

A time is a benchmark's **median** over its rounds, always shown with its interquartile
range and the number of rounds; a comparison is a ratio of two medians of the same run.  A
*quick* run (``backprop-ref bench --quick``: fewer, shorter rounds) is labelled as such
and judges no target.  Used by ``backprop-ref bench``; by hand::

    python -m comparisons.report RUN.json [OUTDIR]
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

__all__ = ["load", "load_data", "IMAGES", "compute", "headline", "render", "render_text", "plot", "is_quick",
           "COLOURS", "TARGETS", "FULL_MAX_TIME", "FULL_MIN_ROUNDS", "QUICK_MAX_TIME",
           "QUICK_MIN_ROUNDS"]

STAT = "median"

#: pytest-benchmark's --benchmark-max-time / --benchmark-min-rounds of a full and a quick
#: run; a run whose benchmarks were given less time than a full one is reported as quick
FULL_MAX_TIME, FULL_MIN_ROUNDS = 0.5, 5
QUICK_MAX_TIME, QUICK_MIN_ROUNDS = 0.05, 3

#: key: (what is compared, target, lower is better)
TARGETS = {
    "notes_vs_torch": ("notes' size: reference / torch eager autograd", 0.5, True),
    "large_vs_gemm": ("large size: reference / its two big GEMMs", 1.15, True),
    "loop_speedup_200": ("per-sample loop / vectorized at N = 200", 30.0, False),
    "large_vs_torch": ("large size: reference / torch eager autograd", 1.3, True),
    "delta_1000": ("output delta at K = 1000: full Jacobian / (A − Y)", 100.0, False),
}

REF, GEMM, VALID = "numpy reference", "GEMM floor (X@W1, Xᵀ dZ1)", "validation only"
NO_FINITE = "numpy reference, check_finite=False"

#: one colour per implementation, the same in every plot
COLOURS = {
    "loop": "#d62728", "vectorized": "#1f77b4", "torch eager": "#ff7f0e",
    "jax.jit": "#2ca02c", "jacobian": "#9467bd", "simplified": "#1f77b4",
    "two_layer": "#1f77b4", "mlp 4-64-64-64-3": "#8c564b", "tensor size": "#7f7f7f",
}
_IMPL_ORDER = ["loop", "vectorized", "torch eager", "jax.jit"]


# ----------------------------------------------------------------------------- the data
IMAGES = {"time_vs_n": "time_vs_n.png", "speedup_vs_n": "speedup_vs_n.png",
          "delta_vs_k": "delta_vs_k.png"}


def load(path):
    """``(data, rows)``: the run's JSON and one row per benchmark (its extra_info plus
    ``time`` (median), ``iqr``, ``rounds`` and ``name``)."""
    return load_data(json.loads(Path(path).read_text()))


def load_data(data):
    """`load` for a run already parsed."""
    rows = []
    for b in data["benchmarks"]:
        s = b["stats"]
        rows.append({**b.get("extra_info", {}), "time": s[STAT], "iqr": s["iqr"],
                     "rounds": s["rounds"], "name": b["name"]})
    return data, rows


def is_quick(data) -> bool:
    """A run whose benchmarks had less time each than a full run's."""
    times = [b.get("options", {}).get("max_time", FULL_MAX_TIME) for b in data["benchmarks"]]
    return bool(times) and min(times) < FULL_MAX_TIME


def compute(rows):
    """The rows by suite: ``by_n[net][N][impl]``, ``frameworks[(size, impl)]``,
    ``delta[K][impl]`` and ``dtype[(size, impl)]``, each a row."""
    r = {"by_n": defaultdict(lambda: defaultdict(dict)), "frameworks": {}, "dtype": {},
         "delta": defaultdict(dict)}
    for row in rows:
        suite = row.get("suite")
        if suite == "N":
            r["by_n"][row["net"]][row["N"]][row["impl"]] = row
        elif suite == "frameworks":
            r["frameworks"][(row["size"], row["impl"])] = row
        elif suite == "dtype":
            r["dtype"][(row["size"], row["impl"])] = row
        elif suite == "delta":
            r["delta"][row["K"]][row["impl"]] = row
    return r


def size_label(r, size) -> str:
    """``notes' size (N = 200, 4-10-3)``, with the dimensions the run recorded."""
    name = {"notes": "notes' size", "large": "large size"}.get(size, f"{size} size")
    row = next((row for (s, _), row in r["frameworks"].items() if s == size and "N" in row),
               None)
    return name if row is None else f"{name} (N = {row['N']}, {row['layers']})"


def _t(row):
    return None if row is None else row["time"]


def _ratio(a, b):
    a, b = _t(a) if isinstance(a, dict) else a, _t(b) if isinstance(b, dict) else b
    return None if a is None or b is None else a / b


def headline(r):
    """Every ratio the report states, keyed; None where the run did not measure both."""
    fw, two = r["frameworks"], r["by_n"].get("two_layer", {})
    at200 = two.get(200, {})
    k1000 = r["delta"].get(1000, {})
    return {
        "notes_vs_torch": _ratio(fw.get(("notes", REF)), fw.get(("notes", "torch eager"))),
        "notes_vs_jax": _ratio(fw.get(("notes", REF)), fw.get(("notes", "jax.jit"))),
        "large_vs_gemm": _ratio(fw.get(("large", REF)), fw.get(("large", GEMM))),
        "large_vs_torch": _ratio(fw.get(("large", REF)), fw.get(("large", "torch eager"))),
        "large_vs_jax": _ratio(fw.get(("large", REF)), fw.get(("large", "jax.jit"))),
        "torch_vs_gemm": _ratio(fw.get(("large", "torch eager")), fw.get(("large", GEMM))),
        "loop_speedup_200": _ratio(at200.get("loop"), at200.get("vectorized")),
        "delta_1000": _ratio(k1000.get("jacobian"), k1000.get("simplified")),
        "validation_notes": _ratio(fw.get(("notes", VALID)), fw.get(("notes", REF))),
        "validation_large": _ratio(fw.get(("large", VALID)), fw.get(("large", REF))),
        "finite_large": _ratio(fw.get(("large", NO_FINITE)), fw.get(("large", REF))),
        "finite_notes": _ratio(fw.get(("notes", NO_FINITE)), fw.get(("notes", REF))),
    }


# ------------------------------------------------------------------------------ format
def fmt_time(s):
    if s is None:
        return "—"
    for unit, f in (("s", 1), ("ms", 1e3), ("µs", 1e6)):
        if s * f >= 1:
            return f"{s * f:.3g} {unit}"
    return f"{s * 1e9:.3g} ns"


def fmt_cell(row):
    """``median (IQR …, … rounds)``."""
    if row is None:
        return "—"
    return f"{fmt_time(row['time'])} (IQR {fmt_time(row['iqr'])}, {row['rounds']} rounds)"


def _fmt_bytes(b):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if b < 1024 or unit == "GiB":
            return f"{b:.3g} {unit}"
        b /= 1024


def _x(v, digits=2):
    return "—" if v is None else f"{v:.{digits}f}×"


def _pct(v):
    return "—" if v is None else f"{100 * v:.1f}%"


def _verdict(value, target, lower, quick):
    if quick:
        return "no verdict (quick run)"
    if value is None:
        return "not measured in this run"
    return "met" if (value <= target if lower else value >= target) else "**missed**"


def environment(data):
    """The machine and libraries as recorded in the run (never read from this process)."""
    mi = data.get("machine_info", {})
    cpu = mi.get("cpu", {})
    env = {"machine": f"{cpu.get('brand_raw', '?')}, {cpu.get('count', '?')} cores "
                      f"({mi.get('node', '?')}, {mi.get('system', '?')} {mi.get('release', '')})"
                      .replace(" )", ")"),
           "python": mi.get("python_version", "?")}
    libs = mi.get("libraries")
    if libs:
        env.update(libs)
    else:
        env["libraries"] = "not recorded in this run"
    return env


# ------------------------------------------------------------------------------ plots
def _save(fig, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot(r, out_dir: Path, keep_open=False):
    """``{name: path}`` of the three PNGs (``keep_open``: ``{name: figure}`` instead)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figs = {}
    nets = list(r["by_n"])
    fig, axes = plt.subplots(1, max(1, len(nets)), figsize=(6 * max(1, len(nets)), 4.5),
                             squeeze=False)
    for ax, net in zip(axes[0], nets):
        data = r["by_n"][net]
        impls = sorted({i for v in data.values() for i in v}, key=_impl_key)
        for impl in impls:
            ns = sorted(n for n in data if impl in data[n])
            ax.plot(ns, [data[n][impl]["time"] for n in ns], marker="o", label=impl,
                    color=COLOURS.get(impl))
        ax.set(xscale="log", yscale="log", xlabel="batch size N", ylabel="time per step (s)",
               title=f"{net}: loss + all gradients")
        ax.grid(alpha=0.3, which="both")
        ax.legend()
    figs["time_vs_n"] = fig

    fig, ax = plt.subplots(figsize=(6, 4.5))
    for net in nets:
        data = r["by_n"][net]
        ns = sorted(n for n in data if {"loop", "vectorized"} <= set(data[n]))
        ax.plot(ns, [data[n]["loop"]["time"] / data[n]["vectorized"]["time"] for n in ns],
                marker="o", label=net, color=COLOURS.get(net))
    target = TARGETS["loop_speedup_200"][1]
    ax.axhline(target, color="grey", ls="--", lw=1, label=f"target at N = 200: {target:g}×")
    ax.set(xscale="log", yscale="log", xlabel="batch size N",
           ylabel="loop time / vectorized time", title="what vectorization buys")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    figs["speedup_vs_n"] = fig

    Ks = sorted(r["delta"])
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.5))
    for impl, label in (("jacobian", "full Jacobian Jᵀ ∂L/∂A (D12)"),
                        ("simplified", "simplified (A − Y)/N (D11)")):
        ks = [k for k in Ks if impl in r["delta"][k]]
        a1.plot(ks, [r["delta"][k][impl]["time"] for k in ks], marker="o", label=label,
                color=COLOURS[impl])
        a2.plot(ks, [r["delta"][k][impl]["peak_bytes"] for k in ks], marker="o", label=label,
                color=COLOURS[impl])
    ks = [k for k in Ks if "jacobian" in r["delta"][k]]
    a2.plot(ks, [r["delta"][k]["jacobian"]["jacobian_bytes"] for k in ks], ls=":",
            color=COLOURS["tensor size"], label="size of the (N, K, K) tensor")
    n = next((row["N"] for k in Ks for row in r["delta"][k].values()), "?")
    a1.set(xscale="log", yscale="log", xlabel="classes K", ylabel="time (s)",
           title=f"output delta, N = {n}")
    a2.set(xscale="log", yscale="log", xlabel="classes K", ylabel="peak memory (bytes)",
           title="peak memory (tracemalloc)")
    for a in (a1, a2):
        a.grid(alpha=0.3, which="both")
        a.legend()
    figs["delta_vs_k"] = fig
    for ax in (ax for f in figs.values() for ax in f.axes):
        _mark_if_empty(ax)
    if keep_open:
        return figs
    return {name: _save(f, Path(out_dir) / f"{name}.png") for name, f in figs.items()}


def _mark_if_empty(ax):
    """A panel whose benchmarks this run did not select (``bench --quick -- -k …``) says so,
    on linear axes (a log axis with no positive value cannot be drawn)."""
    if not any(len(line.get_xdata()) for line in ax.get_lines()):
        ax.set(xscale="linear", yscale="linear")
        ax.text(0.5, 0.5, "not measured in this run", ha="center", va="center",
                transform=ax.transAxes, color="grey")


def _impl_key(s):
    return _IMPL_ORDER.index(s) if s in _IMPL_ORDER else len(_IMPL_ORDER)


# ------------------------------------------------------------------------------ the text
def _analysis(r, h):
    """Sentences whose every figure is computed from the run."""
    fw, out = r["frameworks"], []
    ref_n, torch_n = fw.get(("notes", REF)), fw.get(("notes", "torch eager"))
    jax_n = fw.get(("notes", "jax.jit"))
    if ref_n and torch_n:
        s = (f"- **At the {size_label(r, 'notes')}** a reference call takes {fmt_time(_t(ref_n))}, torch eager "
             f"autograd {fmt_time(_t(torch_n))} ({_x(h['notes_vs_torch'])})")
        if jax_n:
            s += f" and jax.jit {fmt_time(_t(jax_n))} ({_x(h['notes_vs_jax'])})"
        out.append(s + ". At this size every implementation pays per-call dispatch rather "
                   "than arithmetic; the reference spends it on one NumPy call per line of "
                   "the notes.")
    ref_l, gemm = fw.get(("large", REF)), fw.get(("large", GEMM))
    if ref_l and gemm:
        rest = (f"the other {fmt_time(_t(ref_l) - _t(gemm))} is the elementwise work on the "
                "hidden layer, the input and output checks and the small GEMMs of the output "
                "layer" if _t(ref_l) > _t(gemm) else
                "a call took less than the GEMMs timed alone, so this run's spread hides "
                "everything else")
        out.append(f"- **At the {size_label(r, 'large')}** the reference takes {fmt_time(_t(ref_l))} against "
                   f"{fmt_time(_t(gemm))} for the two GEMMs no implementation can avoid "
                   f"({_x(h['large_vs_gemm'])}); {rest}. "
                   f"torch eager takes {_x(h['torch_vs_gemm'])} the GEMMs"
                   + (f", jax.jit {_x(_ratio(fw.get(('large', 'jax.jit')), gemm))}"
                      if fw.get(("large", "jax.jit")) else "") + ".")
    val = [(size, h[f"validation_{size}"]) for size in ("notes", "large")
           if h[f"validation_{size}"] is not None]
    if val:
        what = next((fw[(s, VALID)].get("checks") for s, _ in val
                     if fw[(s, VALID)].get("checks")), None)
        out.append("- **Validation** (" + (f"`{what}`" if what else "the input checks")
                   + ", timed alone) costs "
                   + " and ".join(f"{_pct(v)} of a call at the {size_label(r, s)}"
                                  for s, v in val) + " (no budget).")
    fin = [(size, h[f"finite_{size}"]) for size in ("notes", "large")
           if h[f"finite_{size}"] is not None]
    if fin:
        out.append("- **`check_finite=False`** takes "
                   + " and ".join(f"{_x(v)} the checked call's time at the {size_label(r, s)}"
                                  for s, v in fin) + ".")
    for net, data in r["by_n"].items():
        sp = {n: data[n]["loop"]["time"] / data[n]["vectorized"]["time"] for n in sorted(data)
              if {"loop", "vectorized"} <= set(data[n])}
        if len(sp) >= 2:
            lo, hi = min(sp), max(sp)
            at = f", {sp[200]:.1f}× at N = 200" if 200 in sp else ""
            out.append(f"- **Loop vs vectorized, {net}.** The per-sample loop is "
                       f"{sp[lo]:.1f}× slower at N = {lo}{at} and {sp[hi]:.1f}× at N = {hi}.")
    for size in ("notes", "large"):
        a, b = r["dtype"].get((size, "float64")), r["dtype"].get((size, "float32"))
        if a and b:
            out.append(f"- **float32 at the {size_label(r, size)}** takes {_x(_ratio(b, a))} "
                       "float64's time.")
    rows = [row for d in (r["frameworks"], r["dtype"]) for row in d.values()]
    rows += [row for net in r["by_n"].values() for n in net.values() for row in n.values()]
    rows += [row for k in r["delta"].values() for row in k.values()]
    if rows:
        widest = max(rows, key=lambda row: row["iqr"] / row["time"])
        out.append(f"- **Spread.** The widest IQR of the run, relative to its median, is "
                   f"{_pct(widest['iqr'] / widest['time'])} (`{widest['name']}`, "
                   f"{widest['rounds']} rounds); ratios between times whose IQRs overlap "
                   "are not distinguishable in this run.")
    return out


def render_text(data, rows, image_names=None) -> str:
    """The report as text, from the run's JSON alone."""
    r = compute(rows)
    h = headline(r)
    quick = is_quick(data)
    opts = [b.get("options", {}) for b in data["benchmarks"]]
    max_time = min((o.get("max_time", FULL_MAX_TIME) for o in opts), default=FULL_MAX_TIME)
    min_rounds = min((o.get("min_rounds", FULL_MIN_ROUNDS) for o in opts),
                     default=FULL_MIN_ROUNDS)
    L = ["# Benchmark report", ""]
    if quick:
        L += [f"> **Quick run** (at most {max_time:g} s and at least {min_rounds} rounds per "
              "benchmark): a smoke test that the suites run. Its times are indicative only, "
              "and it judges no target.", ""]
    commit = data.get("commit_info", {})
    L += ["Written by `backprop-ref bench` from one pytest-benchmark run "
          "(`comparisons/report.py` renders it; every figure below comes from the run's "
          f"JSON). A time is the **{STAT}** over a benchmark's rounds, shown with its "
          "interquartile range (IQR) and number of rounds; a ratio compares two medians of "
          "the same run, measured on the same data.", "",
          f"Run: {data.get('datetime', '?')}, commit {commit.get('id', '?')[:12]}"
          + (" with uncommitted changes" if commit.get("dirty") else "")
          + f"; per benchmark at most {max_time:g} s, at least {min_rounds} rounds.", ""]
    L += ["## Machine", "", "| | |", "|---|---|"]
    L += [f"| {k} | {v} |" for k, v in environment(data).items()]
    L += ["", "## Targets", "", "| comparison | measured | target | verdict |",
          "|---|---|---|---|"]
    for key, (label, target, lower) in TARGETS.items():
        for size in ("notes", "large"):
            label = label.replace(f"{size_label(r, size).split(' (')[0]}:",
                                  f"{size_label(r, size)}:")
        fmt = "{:.0f}×" if target >= 10 else "{:.2f}×"
        v = h.get(key)
        L.append(f"| {label} | {'—' if v is None else fmt.format(v)} | "
                 f"{'≤' if lower else '≥'} {fmt.format(target)} | "
                 f"{_verdict(v, target, lower, quick)} |")
    L += ["", "Without a target: reference / jax.jit "
          f"{_x(h['notes_vs_jax'])} at the notes' size and {_x(h['large_vs_jax'])} at the "
          f"large size; validation's share of a call {_pct(h['validation_notes'])} at the "
          f"notes' size and {_pct(h['validation_large'])} at the large size.", ""]
    L += ["## What the figures say", ""] + _analysis(r, h) + [""]

    imgs = image_names or {}
    L += ["## 1. Per-sample loop vs vectorized, and the frameworks, over N", ""]
    L += [f"![{name.replace('_', ' ')}]({imgs[name]})" + "\n" for name in
          ("time_vs_n", "speedup_vs_n") if name in imgs]
    for net, data_n in r["by_n"].items():
        impls = sorted({i for v in data_n.values() for i in v}, key=_impl_key)
        L += [f"**{net}**", "", "| N | " + " | ".join(impls) + " | loop / vectorized |",
              "|---" * (len(impls) + 2) + "|"]
        for n in sorted(data_n):
            sp = _ratio(data_n[n].get("loop"), data_n[n].get("vectorized"))
            L.append(f"| {n} | " + " | ".join(fmt_cell(data_n[n].get(i)) for i in impls)
                     + f" | {_x(sp, 1)} |")
        L.append("")

    L += ["## 2. Full softmax Jacobian vs the simplified delta", ""]
    if "delta_vs_k" in imgs:
        L += [f"![delta vs K]({imgs['delta_vs_k']})", ""]
    L += ["| K | Jacobian route | A − Y | ratio | peak memory, Jacobian | peak memory, A − Y | "
          "(N, K, K) tensor |", "|---|---|---|---|---|---|---|"]
    for k in sorted(r["delta"]):
        j, s = r["delta"][k].get("jacobian"), r["delta"][k].get("simplified")
        if j and s:
            L.append(f"| {k} | {fmt_cell(j)} | {fmt_cell(s)} | {_x(_ratio(j, s), 1)} | "
                     f"{_fmt_bytes(j['peak_bytes'])} | {_fmt_bytes(s['peak_bytes'])} | "
                     f"{_fmt_bytes(j['jacobian_bytes'])} |")

    L += ["", "## 3. The reference against the frameworks", "",
          "| size | implementation | time | / numpy reference |", "|---|---|---|---|"]
    for (size, impl), row in sorted(r["frameworks"].items()):
        L.append(f"| {size} | {impl} | {fmt_cell(row)} | "
                 f"{_x(_ratio(row, r['frameworks'].get((size, REF))))} |")

    L += ["", "## 4. float64 vs float32 (reference)", "",
          "| size | float64 | float32 | float32 / float64 |", "|---|---|---|---|"]
    for size in ("notes", "large"):
        a, b = r["dtype"].get((size, "float64")), r["dtype"].get((size, "float32"))
        if a and b:
            L.append(f"| {size} | {fmt_cell(a)} | {fmt_cell(b)} | {_x(_ratio(b, a))} |")
    return "\n".join(L) + "\n"


def render(json_path, out_dir, plots=True) -> Path:
    """Write ``REPORT.md`` (and, with ``plots``, the PNGs) for the run into ``out_dir``."""
    out_dir = Path(out_dir)
    data, rows = load(json_path)
    if plots:
        plot(compute(rows), out_dir)
    report = out_dir / "REPORT.md"
    report.write_text(render_text(data, rows, IMAGES))
    return report


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or len(argv) > 2:
        print("usage: python -m comparisons.report RUN.json [OUTDIR]", file=sys.stderr)
        return 2
    out = Path(argv[1] if len(argv) > 1 else ".")
    print(render(argv[0], out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
