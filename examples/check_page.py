"""``docs/check-your-backprop.md``, the checker's tutorial: the rendering of a recorded run.

    python -m comparisons.records checker     # runs every example, writes the record and the page
    python examples/check_page.py             # the same
    python examples/check_page.py --check     # exit 1 if the page is not the record rendered

Every report on the page is what ``backprop-ref check`` (or the Python call shown) answered
on the machine the record ``docs/check-your-backprop.json`` names: a record of
`comparisons.records` (its ``run`` block: command, date, seed, machine, BLAS kernel,
threads, library versions) holding each run's command, exit code and report (the document
``check --json`` prints), and `render` builds the page from the record alone.
``tests/test_checker_cli.py`` checks that the committed page is the committed record
rendered, and that a fresh run on the test's machine reaches the same exit codes,
verdicts, kinds and messages, its round-off figures within their bound and every other
figure equal to the digits printed (`page_runs.differences`).
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
import tempfile
from pathlib import Path

import page_runs
from comparisons import records

ROOT = page_runs.ROOT
PAGE = ROOT / "docs" / "check-your-backprop.md"
RECORD = ROOT / "docs" / "check-your-backprop.json"
KIND = "checker"                         # python -m comparisons.records checker
STUDENT = "examples/two_layer_student.py"
FIXTURES = "tests/checker_fixtures"

#: what each kind means, for the page (the checker's messages say it per case)
MEANING = {
    "scale": "the output is a constant multiple of the reference (N, 1/N, 2, ½, 1/K, 2/K); "
             "the message names the factor and the usual cause (a missing or extra 1/N, the "
             "½ of MSE or L2, `np.mean` over all N·K entries, a summed loss)",
    "sign": "the output is the negative of the reference (`Y − A` for `A − Y`)",
    "transpose": "the output is the transpose of the reference, or has its transposed shape",
    "relu_at_zero": "wrong only where a pre-activation is exactly 0: `relu'(0)` taken as 1 "
                    "(erratum E6 of note 003); torch and JAX use 0",
    "missing_activation_derivative": "the activation's derivative `g'(z)` is dropped (a "
                                     "hidden delta without the ReLU mask, MSE + sigmoid "
                                     "without `σ'`) or written for the activation and applied "
                                     "to the pre-activation (`z(1 − z)` for `σ'(z)`)",
    "wrong_layer": "uses another layer's weights: note 003's `(A2 − y)·W1` (erratum E7)",
    "wrong_axis": "softmax normalised over the examples (axis 0) instead of the classes "
                  "(axis 1), or an argmax over the wrong axis",
    "missing_reg": "the L2 term `reg·W` is missing from a weight gradient (or the loss)",
    "reg_scale": "the L2 gradient is twice or half the declared convention's (`2·reg·W` is "
                 "CS231n's `reg·ΣW²`: declare it with `l2=\"sum\"`)",
    "regularised_bias": "a bias gradient carries `reg·b`: biases are not regularised",
    "unstable": "nan or inf at extreme inputs where the reference is finite (softmax without "
                "the max shift, `e^{-z}/(1+e^{-z})²` at z = −1000): a slip; a loss value "
                "that is only off at extreme logits (`-log(probs)`, `log(p + 1e-12)`) while "
                "the gradients are right: a warning",
    "shape": "a wrong shape that is not a transpose (`db2` of shape (1, K), per-example "
             "gradients not summed, `np.max(z, 0)` for `np.maximum(z, 0)`)",
    "erratum": "the output is the literal form of one of the notes' errata E1–E10, recomputed "
               "from the errata registry (here E9: `dW2` without the 1/N)",
    "other": "disagrees, and no slip in the list reproduces it: the checker does not guess",
    "precision": "a warning: float32 or float16 outputs, compared at float32's bound 1e-5 "
                 "instead of float64's 1e-12",
}

_LOSS = "data_loss = np.sum(-np.log(probs[range(N), y])) / N"

#: the runs the page shows, in order: (section, id, title, text, how)
#: how: {"argv": [...]} (backprop-ref), optionally "files": {name: [edits]} (the fixture
#: with lines changed, written to a temporary folder the command runs in), "excerpt": code;
#: or {"code": "..."} (Python that leaves the report in ``rep``)
RUNS: list = [
    ("correct", "correct", "CS231n style, rows",
     "`examples/two_layer_student.py:correct` returns `(loss, grads)`, takes integer labels "
     "only and computes its loss from the logits.",
     {"argv": ["check", f"{STUDENT}:correct", "--against", "D17"]}),
    ("correct", "nielsen_columns", "Nielsen style, columns, one example at a time",
     "`examples/nielsen_columns.py:backprop` loops over the examples as column vectors, sums, "
     "then divides by m.",
     {"argv": ["check", "examples/nielsen_columns.py:backprop", "--against", "D17",
               "--layout", "columns"]}),
    ("class", "student_class", "A student's class, with `-np.log(probs[range(N), y])`",
     f"`{FIXTURES}/student_net.py` is a class with `params`, `forward(X)`, `loss(y)` and "
     "`backward(y)`, and the recipe function `loss_and_grads` below it. Its loss is "
     "`inf` at extreme logits: a warning, and the verdict stays ok.",
     {"argv": ["check", f"{FIXTURES}/student_net.py:loss_and_grads", "--against", "D17"]}),
    ("class", "student_class_no_1_over_n", "The same class with `dscores /= N` deleted",
     "One slip is one diagnosis; the loss's `-log(probs)` stays a warning beside it, and "
     "`self-consistent` says the gradients are not the derivative of the class's own loss.",
     {"argv": ["check", "student_net.py:loss_and_grads", "--against", "D17"],
      "files": {"student_net.py": [("dscores /= N", "")]}}),
    ("cs231n", "cs231n", "CS231n's `TwoLayerNet`, as the assignment's solution writes it",
     "The penalty is `reg * np.sum(W * W)`, its gradient `2 * reg * W`: the notes' convention "
     "is `½·reg·ΣW²`, so this is `reg_scale`, and the message says how to declare CS231n's. "
     "The class is adapted by `testing.from_cs231n` (built for each call, its `params` set "
     "to the checker's).",
     {"argv": ["check", f"{FIXTURES}/cs231n_neural_net.py:TwoLayerNet", "--against", "D17"]}),
    ("cs231n", "cs231n_l2_sum", "The same with `--l2 sum`",
     "Declared, the convention is the reference's: ok, with the `-log(probs)` warning.",
     {"argv": ["check", f"{FIXTURES}/cs231n_neural_net.py:TwoLayerNet", "--against", "D17",
               "--l2", "sum"]}),
    ("cs231n", "cs231n_affine", "CS231n's `affine_backward(dout, cache)`",
     "Its cache is `(x, w, b)`; the checker tries `(X, W)` first, then CS231n's.",
     {"argv": ["check", f"{FIXTURES}/cs231n_layers.py:affine_backward", "--against", "D14"]}),
    ("nielsen", "nielsen", "Nielsen's `network.py`",
     "`Network.backprop(x, y)` is per example, in columns, with sigmoid layers and the "
     "quadratic cost: D18 with `hidden=\"sigmoid\", head=\"sigmoid_mse\"`. The class is "
     "adapted by `testing.from_nielsen`; every other option is refused, which is never a "
     "slip. It returns no loss, so `self-consistent` is not checked.",
     {"argv": ["check", f"{FIXTURES}/nielsen_network.py:Network", "--against", "D18"]}),
    ("conventions", "summed", "A loss summed over the batch, with gradients to match",
     "The class of above with `/ N` deleted from the loss and `dscores /= N` deleted: the "
     "message names the convention; `--reduction sum` declares it.",
     {"argv": ["check", "student_net.py:loss_and_grads", "--against", "D17"],
      "files": {"student_net.py": [(_LOSS, _LOSS.replace(" / N", "")),
                                   ("dscores /= N", "")]}}),
    ("conventions", "summed_declared", "The same with `--reduction sum`", "",
     {"argv": ["check", "student_net.py:loss_and_grads", "--against", "D17",
               "--reduction", "sum"],
      "files": {"student_net.py": [(_LOSS, _LOSS.replace(" / N", "")),
                                   ("dscores /= N", "")]}}),
    ("gradient", "check_gradient", "`check_gradient`: any scalar function",
     "CS231n's softmax classifier as a function of `W`, with a gradient that forgot the "
     "1/N: the reference is float64 central differences of `f`, and the factor is named by "
     "the argument it comes from.",
     {"code": "import numpy as np\n"
              "from backprop_ref import testing\n"
              "\n"
              "rng = np.random.default_rng(0)\n"
              "W, X, y = rng.standard_normal((4, 3)), rng.standard_normal((5, 4)), "
              "np.array([0, 1, 2, 1, 0])\n"
              "\n"
              "def softmax_loss(W, X, y):\n"
              "    scores = X @ W\n"
              "    scores = scores - scores.max(axis=1, keepdims=True)\n"
              "    log_probs = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))\n"
              "    return -log_probs[np.arange(len(y)), y].mean()\n"
              "\n"
              "probs = np.exp(X @ W - (X @ W).max(axis=1, keepdims=True))\n"
              "probs /= probs.sum(axis=1, keepdims=True)\n"
              "probs[np.arange(5), y] -= 1\n"
              "dW = X.T @ probs                   # the slip: no / N\n"
              "rep = testing.check_gradient(softmax_loss, (W, X, y), (dW, None, None))\n"
              "print(rep)\n"}),
]

# one planted slip per kind, from examples/two_layer_student.py
_KINDS_ORDER = ("scale", "sign", "transpose", "relu_at_zero", "missing_activation_derivative",
                "wrong_layer", "wrong_axis", "missing_reg", "reg_scale", "regularised_bias",
                "unstable", "shape", "erratum", "other", "precision")
RUNS += [("kinds", kind, f"`{kind}`", MEANING[kind][0].upper() + MEANING[kind][1:] + ".",
          {"argv": ["check", f"{STUDENT}:{kind}", "--against", "D17"], "excerpt": kind})
         for kind in _KINDS_ORDER]


# =========================================================================== running
def run(how: dict) -> dict:
    """One run of the page: an entry of `page_runs` (``exit``, ``report``, …); for Python
    code, ``{"exit": None, "report"}``."""
    if "code" in how:
        from backprop_ref import testing

        ns: dict = {}
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(how["code"], "<check_page>", "exec"), ns)
        rep = ns["rep"]
        assert isinstance(rep, testing.CheckReport)
        return {"exit": None, "report": rep.to_dict()}
    if "files" not in how:
        return page_runs.check(how["argv"], ROOT)
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from checker_fixtures import write
    finally:
        sys.path.pop(0)
    with tempfile.TemporaryDirectory() as tmp:
        for name, edits in how["files"].items():
            write(Path(tmp), Path(name).stem, *[tuple(e) for e in edits])
        return page_runs.check(how["argv"], tmp)


def calls() -> list:
    """Each target's call, for the page's table."""
    from backprop_ref.testing import catalog

    rows = []
    for t in catalog._all():
        rows.append({"ids": list(t.ids), "name": t.name, "call": t.signature,
                     "conventions": [c for c in t.conventions if c != "layout"]})
    return rows


def make_record() -> dict:
    """Run every example now, on this machine: the record."""
    return {"record": KIND, "run": records.run_block(f"{records.REGENERATE} {KIND}", seed=0),
            "calls": calls(),
            "runs": [{"id": rid, "how": how, **run(how)} for _, rid, _, _, how in RUNS]}


# =========================================================================== rendering
def slip_code(kind: str) -> str:
    """The lines of the student's net that plant ``kind``."""
    lines = (ROOT / STUDENT).read_text(encoding="utf-8").splitlines()
    out = []
    for i, line in enumerate(lines):
        if re.search(rf'slip [!=]= "{kind}"', line):
            indent = len(line) - len(line.lstrip())
            block = [line]
            for nxt in lines[i + 1:]:
                if len(nxt) - len(nxt.lstrip()) <= indent:
                    break
                block.append(nxt)
            out += [b[indent:] for b in block]
    return "\n".join(out)


def _section(title: str, text: str, how: dict, entry: dict) -> list:
    parts = [f"### {title}", ""] + ([text, ""] if text else [])
    if how.get("files"):
        edits = [e for es in how["files"].values() for e in es]
        parts += ["The lines changed in the student's file:", "", "<!-- notest -->",
                  "```diff"]
        for old, new in edits:
            parts.append(f"- {old}")
            parts += [f"+ {n}" for n in new.split("\n")] if new else []
        parts += ["```", ""]
    if how.get("excerpt"):
        parts += ["<!-- notest -->", "```python", slip_code(how["excerpt"]), "```", ""]
    if "code" in how:
        parts += ["<!-- notest -->", "```python", how["code"].rstrip("\n"), "```", "",
                  "```text", page_runs.output(entry), "```", ""]
    else:
        parts += page_runs.console(entry)
    return parts


def render(record: dict) -> str:
    """The page, from the record alone."""
    entries = {r["id"]: r for r in record["runs"]}
    sections: dict[str, list] = {}
    for section, rid, title, text, how in RUNS:
        sections.setdefault(section, []).extend(_section(title, text, how, entries[rid]))
    call_rows = []
    for c in record["calls"]:
        ids = ", ".join(c["ids"]) or "—"
        conv = ", ".join(f"`{x}`" for x in c["conventions"]) or "—"
        call_rows.append(f"| {ids} | `{c['name']}` | `{c['call'].replace('|', '&#124;')}` "
                         f"| {conv} |")
    out = [
        "# Check your own backprop",
        "",
        "<!-- rendered from the record docs/check-your-backprop.json by "
        f"`{records.REGENERATE} {KIND}`; tests/test_checker_cli.py ties the two -->",
        "",
        "You wrote a backward pass (CS231n's two-layer net, Nielsen's `network.py`, your own "
        "class or MLP). `backprop_ref.testing` runs the reference on the same inputs, tells "
        "you which output is wrong and names the slip that explains it. To hand out a "
        "skeleton to fill in, or to grade a class's submissions, see "
        "[Exercises, and grading a class](exercises.md).",
        "",
        "<!-- notest -->",
        "```python",
        "from backprop_ref import testing",
        "",
        "rep = testing.check(my_loss_and_grads, \"D17\")        # or \"two_layer.loss_and_grads\"",
        "print(rep)                                            # the table, diagnoses, warnings",
        "rep.ok, rep.rows, rep.diagnoses, rep.warnings          "
        "# Diagnosis(output, kind, message, erratum)",
        "rep.self_consistent                                   # your gradients vs your own loss",
        "testing.check(testing.from_cs231n(net), \"D17\", l2=\"sum\")   # CS231n's TwoLayerNet",
        "testing.check(testing.from_nielsen(net), \"D18\")             # Nielsen's network.py",
        "testing.check_gradient(f, (W, X, y), (dW, None, None))      # any scalar function",
        "testing.assert_matches_reference(my_loss_and_grads, \"D17\")   # inside your pytest suite",
        "```",
        "",
        "```bash",
        "backprop-ref check FILE.py:NAME --against ID [--layout columns] [--l2 sum] "
        "[--reduction sum] [--timeout S] [--json]",
        "```",
        "",
        "`NAME` is a function, or a module-level object or class the checker adapts "
        "(`net = TwoLayerNet(...)` in CS231n's style, a Nielsen `Network`). It runs in its own "
        "process, with its file's folder first on `sys.path` (it imports its neighbours); "
        "what it prints goes to stderr under a header, or into the `stdout` and `stderr` "
        "fields with `--json`, which always prints exactly one JSON document.",
        "",
        "Exit codes: 0 every output matches (warnings included); 1 a slip (the report and its "
        "diagnoses) or lines still written `...`; 2 a one-line error on stderr, when the "
        "target cannot be checked (a module that does not import, a missing name, an object "
        "the checker can neither call nor adapt, an unknown derivation, a convention the "
        "target has no use for) or the function cannot be run to the end: it raises or calls "
        "`sys.exit` on the checker's call (the report shows the call and the exception; an "
        "exit is never a pass), raises `KeyboardInterrupt`, runs past `--timeout` seconds "
        "(default 60: it is stopped, with every process it started) or crashes its process "
        "(`os._exit`, a segmentation fault). In Python, `testing.check` reports an exception "
        "or a `sys.exit` of the function the same way, in the report's `error`, and lets "
        "Ctrl-C (`KeyboardInterrupt`) stop the check.",
        "",
        page_runs.provenance(record, "docs/check-your-backprop.json") + " Round-off figures "
        "(the `1e-17`s) differ on another CPU, BLAS kernel or thread count; the tests compare "
        "a fresh run's exit codes, verdicts, kinds and messages with the record, its "
        "round-off figures with their bound and every other figure to the digits printed. "
        f"`{records.REGENERATE} {KIND}` measures them again on your machine.",
        "",
        "## The call the checker makes",
        "",
        "`fn` is called the way the target's reference is called; every error message repeats "
        "that call. A network may return a `Result`, CS231n's `(loss, grads)` tuple or a dict "
        "of gradients; intermediates (`dZ2`, `dA1`, `dZ1`, …) are compared when returned and "
        "pin down the first wrong step. The last column lists the conventions the target "
        "can be told (`layout` applies to every array target).",
        "",
        "| id | target | the call | conventions |",
        "|---|---|---|---|",
        *call_rows,
        "",
        "The cases are chosen to expose slips: N = 1 and N > 1, `reg = 0` and `reg > 0`, "
        "pre-activations exactly 0, logits near ±1000, integer labels, one-hot and soft rows, "
        "non-square weights with D = K (so a transpose cannot hide and note 003's "
        "`(A2 − y)·W1` multiplies). A function that refuses a form (CS231n's net takes "
        "integer labels only) or an option (a hidden activation, a head, `reg > 0`) is checked "
        "on what it accepts; the report lists the refusals, which are never slips; a function "
        "that accepts no case at all is not ok.",
        "",
        "### Any other class: a recipe",
        "",
        "Write the call yourself, in five lines (this is `loss_and_grads` in "
        f"`{FIXTURES}/student_net.py`):",
        "",
        "<!-- notest -->",
        "```python",
        "def loss_and_grads(params, X, y, reg=0.0):",
        "    net = TwoLayerNet(reg=reg)          # your class",
        "    net.params = params                 # the checker's parameters",
        "    net.forward(X)                      # caches what backward needs",
        "    return net.loss(y), net.backward(y)",
        "```",
        "",
        "For CS231n's `net.loss(X, y, reg)` use `testing.from_cs231n(net)` (an object, or the "
        "class: it is built for each call); for Nielsen's `Network.backprop(x, y)` use "
        "`testing.from_nielsen(net)`, checked against D18. An adapter given an object without "
        "the attribute it needs says which one, in one line.",
        "",
        "## Conventions",
        "",
        "- `layout=\"columns\"` (`--layout columns`): Nielsen's `W` of shape (fan_out, fan_in), "
        "`b` of shape (fan_out, 1), examples as columns, integer labels as (N,). The checker "
        "converts on the way in and reports in your shapes.",
        "- `l2=\"sum\"` (`--l2 sum`): the penalty `reg·ΣW²` with gradient `2·reg·W` "
        "(CS231n since 2017); the default `\"half\"` is the notes' `½·reg·ΣW²` with gradient "
        "`reg·W`.",
        "- `reduction=\"sum\"` (`--reduction sum`): the data loss summed over the batch, so no "
        "1/N in any delta (the L2 penalty is added once); the default is the notes' mean.",
        "",
        "The reference is recomputed in the declared convention. When an undeclared slip is "
        "exactly another convention (`2·reg·W` with `reg·ΣW²` in the loss, a consistent sum), "
        "the message says which argument declares it. A convention the target has no use for "
        "(`l2` on D11) is a one-line error.",
        "",
        "## How a slip is named",
        "",
        "An output passes when `max|ours − theirs| ≤ 1e-12 · max(1, max|theirs|)` in float64 "
        "(the bound is pinned by a test: an output off by 10× the bound is reported, one off by "
        "a tenth of it is not). When one fails, the checker recomputes the reference with each "
        "candidate slip, carried through the rest of the backward pass, and names a kind only "
        "when that recomputation matches every output you return, on every case, within the "
        "same bound. The errata forms come from `backprop_ref.errata`, the registry that "
        "`backprop-ref errata` measures against autograd. Nothing matches: the kind is "
        "`other`. The table and the diagnosis quote the same figures.",
        "",
        "| kind | meaning |",
        "|---|---|",
        *[f"| `{k}` | {MEANING[k]} |" for k in _KINDS_ORDER],
        "",
        "## Warnings, and whether your gradients are your loss's",
        "",
        "Warnings never fail the verdict:",
        "",
        "- `unstable`: the loss value is `inf` or off only at extreme logits, or exactly by a "
        "guard such as `log(p + 1e-12)` or `np.clip(p, 1e-15, 1)`; the fix is to compute the "
        "loss from the logits. A gradient that is `nan` where the reference is finite stays "
        "a slip.",
        "- `precision`: float32 (or float16) outputs are compared at float32's bound, "
        "`1e-5 · max(1, max|theirs|)`; a float32 implementation that is right is ok.",
        "",
        "When your function returns a loss, `self_consistent` compares your gradients with "
        "float64 central differences of *your own* loss (along random directions, on the same "
        "cases away from ReLU kinks and extreme logits): \"your gradients are the derivative of "
        "your loss, but your loss is not the notes' loss\" and \"your calculus is wrong\" are "
        "different answers. `check_gradient(f, args, grads)` does the same for any scalar "
        "function; it can name `scale` (the factor: 2, ½, a batch size N, a class count K), "
        "`sign`, `transpose`, `shape` (an unreduced batch axis) or `other`.",
        "",
        "## Correct implementations",
        "",
        *sections["correct"],
        "## Your own class",
        "",
        *sections["class"],
        "## CS231n",
        "",
        *sections["cs231n"],
        "## Nielsen",
        "",
        *sections["nielsen"],
        "## A declared convention",
        "",
        *sections["conventions"],
        "## Any gradient",
        "",
        *sections["gradient"],
        "## One planted slip per kind",
        "",
        "Each function in `examples/two_layer_student.py` is the correct net with one line "
        "changed (marked `SLIP`); `precision` is the correct net computed in float32.",
        "",
        *sections["kinds"],
    ]
    return "\n".join(out).rstrip("\n") + "\n"


#: the page's record, and the functions `comparisons.records` and the tests call
SCRIPT = page_runs.Page(KIND, RECORD, PAGE, make_record, render)
regenerate, load_record, main = SCRIPT.regenerate, SCRIPT.load, SCRIPT.main

if __name__ == "__main__":
    sys.exit(main())
