"""Generate the documentation pages that must never drift from the code, at build time
(mkdocs-gen-files runs this script; nothing it writes is stored in the repository; the
errata page is not generated here: `docs/errata.md` is the committed record `docs/errata.json`
rendered, kept so by `tests/test_errata.py`):

- one page per derivation D1–D20 from `comparisons.catalog`: the equation, the notes it
  comes from, the reference function and its source, how it is proven (the backends and the
  SymPy statement) and the errors of the recorded verify run (`docs/verify.json`, whose
  page and verdicts `tests/test_docs_verify.py` checks);
- the API reference pages (mkdocstrings directives);
- the benchmark report and its plots, as `benchmarks/` holds them;
- a placeholder for the checker tutorial while `docs/check-your-backprop.md` does not exist.
"""

from __future__ import annotations

import ast
import functools
import inspect
import json
import re
import sys
import textwrap
from pathlib import Path

import mkdocs_gen_files

sys.path.insert(0, str(Path(__file__).parent))
from griffe_sections import link_names, resolver, sections_to_markdown  # noqa: E402
from site_pages import DOCS, ROOT, api_modules, label  # noqa: E402

import backprop_ref as bp  # noqa: E402
from comparisons.catalog import CATALOG  # noqa: E402

# each derivation's statement in the notes' symbols (row layout, batch-mean losses)
LATEX = {
    "D1": r"\sigma(z) = \frac{1}{1 + e^{-z}}, \qquad \sigma'(z) = \sigma(z)\,\big(1 - \sigma(z)\big)",
    "D2": r"\operatorname{relu}(z) = \max(z, 0), \qquad \operatorname{relu}'(z) = \mathbb 1[z > 0]",
    "D3": r"A_{nk} = \frac{e^{z_{nk} - m_n}}{\sum_j e^{z_{nj} - m_n}}, \quad m_n = \max_j z_{nj}",
    "D4": r"J_{n,ik} = \frac{\partial A_{ni}}{\partial z_{nk}} = A_{ni}\,(\delta_{ik} - A_{nk}),"
          r" \qquad J_n = \operatorname{diag}(A_n) - A_n A_n^{\mathsf T}",
    "D5": r"Y_{\text{ind}}[n, k] = \mathbb 1[y_n = k], \qquad \hat y_n = \operatorname{argmax}_k A_{nk}",
    "D6": r"L = \frac1N \sum_n \tfrac12 \lVert a_n - y_n \rVert^2, \qquad"
          r" \frac{\partial L}{\partial a} = \frac{a - y}{N}",
    "D7": r"L = -\frac1N \sum_n \sum_k Y_{nk} \log A_{nk}, \qquad"
          r" \frac{\partial L}{\partial A} = -\frac{Y}{N\,A}",
    "D8": r"L = -\frac1N \sum_n \sum_k \big(y_{nk}\log a_{nk} + (1 - y_{nk})\log(1 - a_{nk})\big),"
          r" \qquad \frac{\partial L}{\partial a} = \frac{a - y}{N\,a(1 - a)}",
    "D9": r"\delta = \frac{\partial L}{\partial z} = \frac{(a - y)\odot\sigma'(z)}{N}, \quad a = \sigma(z)",
    "D10": r"\delta = \frac{\partial L}{\partial z} = \frac{a - y}{N}, \quad a = \sigma(z)",
    "D11": r"\delta = \frac{\partial L}{\partial Z} = \frac{A - Y}{N}, \quad A = \operatorname{softmax}(Z)",
    "D12": r"\delta_n = J_n^{\mathsf T}\,\frac{\partial L}{\partial A_n}"
           r" = J_n^{\mathsf T}\Big(-\frac{Y_n}{N\,A_n}\Big) = \frac{A_n - Y_n}{N}",
    "D13": r"(a - y)\odot\sigma'(z) \;\ne\; \frac{\partial\,\mathrm{BCE}}{\partial z} = a - y"
           r" \quad\text{(per example)}",
    "D14": r"Z = A_{\text{prev}} W + b: \quad \frac{\partial L}{\partial W} = A_{\text{prev}}^{\mathsf T}\delta,"
           r" \quad \frac{\partial L}{\partial b} = \sum_n \delta_n,"
           r" \quad \frac{\partial L}{\partial A_{\text{prev}}} = \delta\,W^{\mathsf T}",
    "D15": r"\delta^l = \big(\delta^{l+1}\, W^{l+1\,\mathsf T}\big)\odot g'(Z^l),"
           r" \qquad g \in \{\operatorname{relu}, \sigma, \tanh\}",
    "D16": r"R = \tfrac12\,\text{reg}\sum_l \lVert W_l\rVert^2, \qquad"
           r" \frac{\partial R}{\partial W_l} = \text{reg}\cdot W_l",
    "D17": r"\begin{aligned}"
           r"&Z_1 = X W_1 + b_1,\quad A_1 = \operatorname{relu}(Z_1),\quad"
           r" Z_2 = A_1 W_2 + b_2,\quad A_2 = \operatorname{softmax}(Z_2);\\"
           r"&dZ_2 = \frac{A_2 - Y}{N},\quad dW_2 = A_1^{\mathsf T} dZ_2 + \text{reg}\,W_2,"
           r"\quad db_2 = \textstyle\sum_n dZ_{2,n},\\"
           r"&dA_1 = dZ_2 W_2^{\mathsf T},\quad dZ_1 = dA_1 \odot \mathbb 1[Z_1 > 0],\\"
           r"&dW_1 = X^{\mathsf T} dZ_1 + \text{reg}\,W_1,\quad db_1 = \textstyle\sum_n dZ_{1,n}"
           r"\end{aligned}",
    "D18": r"\begin{aligned}"
           r"\delta^L &= \text{head delta}(Z^L, Y),\\"
           r"\delta^l &= \big(\delta^{l+1} W^{l+1\,\mathsf T}\big)\odot g'(Z^l),\\"
           r"\frac{\partial L}{\partial W^l} &= A^{l-1\,\mathsf T}\delta^l + \text{reg}\,W^l"
           r"\end{aligned}",
    "D19": r"\frac1m \sum_{i=1}^{m} a^{l-1}_i\,(\delta^l_i)^{\mathsf T}"
           r" = \frac1m\,A^{l-1\,\mathsf T}\,\Delta^l",
    "D20": r"\theta \leftarrow \theta - \eta\,\frac{\partial L}{\partial \theta}",
}

BACKEND_NAMES = {"torch": "PyTorch autograd", "jax": "JAX grad", "fd": "central differences"}


def _verify_report() -> dict:
    return json.loads((DOCS / "verify.json").read_text(encoding="utf-8"))


def _reference_objects(d) -> list:
    """The public functions named by a catalog entry (`"sigmoid, sigmoid_prime"`,
    `"two_layer.loss_and_grads"`, `"delta_mse_sigmoid used with BCE"`)."""
    objs = []
    for part in d.reference_name.split(","):
        obj = bp
        for attr in part.split()[0].split("."):
            obj = getattr(obj, attr)
        objs.append(obj)
    return objs


def _named_tests(derivation_id: str) -> list[str]:
    """The tests named after one derivation (`test_d11_…`, `test_d17_d19_…`)."""
    tag = re.compile(rf"_{derivation_id.lower()}(?=_)")
    found = []
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        for name in re.findall(r"^def (test_\w+)", path.read_text("utf-8"), re.MULTILINE):
            if tag.search(name + "_"):
                found.append(f"tests/{path.name}::{name}")
    return found


def _ref_id(obj) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def _fmt(x) -> str:
    return "—" if x is None else f"{x:.1e}"


@functools.cache
def _package():
    import griffe

    return griffe.load("backprop_ref", search_paths=[str(ROOT)])


def rendered_docstring(obj) -> str:
    """The docstring of a reference function as the API pages render it: Markdown with its
    `$$` math, the Inputs:/Returns: blocks as lists and every name linked."""
    node = _package()[_ref_id(obj).removeprefix("backprop_ref.")]
    if node.docstring is None:
        return ""
    return link_names(sections_to_markdown(node.docstring.value), resolver(node))


def code_without_docstring(obj) -> str:
    """The source of a function or class with its docstring left out (it is rendered above
    the listing, math and all)."""
    source = textwrap.dedent(inspect.getsource(obj))
    node = next(n for n in ast.parse(source).body
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))
    first = node.body[0]
    lines = source.splitlines()
    if isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) \
            and isinstance(first.value.value, str):
        del lines[first.lineno - 1:first.end_lineno]
    return "\n".join(lines).rstrip()


def derivation_page(d, measured: dict | None) -> str:
    objs = _reference_objects(d)
    notes = ", ".join(f"[{n}](../notes/{n}.md)" for n in d.notes)
    refs = ", ".join(f"[`{o.__module__.removeprefix('backprop_ref.')}.{o.__name__}`][{_ref_id(o)}]"
                     for o in objs)
    lines = [f"# {label(d.id)}", "", "$$", LATEX[d.id], "$$", "",
             f"In the catalog (`comparisons/catalog.py`): `{d.title}`.", "",
             f"- **Notes:** {notes}",
             f"- **Reference:** {refs}" + (" (used with binary cross-entropy, where it is "
                                           "**wrong**: this derivation is expected to "
                                           "disagree)" if d.expect == "disagree" else ""),
             f"- **Tests:** `pytest -m {d.id}`: the catalog tests in `tests/test_catalog.py` "
             f"and `tests/test_properties.py` run every entry"
             + "".join(f", `{t}`" for t in _named_tests(d.id)), ""]
    lines += ["## Reference code", ""]
    for o in objs:
        short = f"{o.__module__.removeprefix('backprop_ref.')}.{o.__qualname__}"
        lines += [f"### `{short}`", "",
                  f"[`{_ref_id(o)}`][{_ref_id(o)}] in the API reference. Its docstring:", "",
                  rendered_docstring(o), "", "The code:", "", "```python",
                  code_without_docstring(o), "```", ""]
    lines += ["## Proof", "",
              f"The same forward pass is written in each framework (twin `{d.twin.forward}` in `comparisons/twins_torch.py` and `twins_jax.py`, "
              "forward only) and the framework's autograd derives every gradient; the "
              "reference must agree within the [agreement bounds](../agreement.md).", ""]
    checks = ["torch", "jax"] + (["fd"] if d.fd else [])
    lines += [f"- {BACKEND_NAMES[b]}" for b in checks]
    if d.float32:
        lines.append("- the float32 reference against the float64 twin (bound 1e-5)")
    if d.exact:
        lines.append(f"- bit-identical: {', '.join(f'`{k}`' for k in sorted(d.exact))}")
    sym = (measured or {}).get("sympy")
    if sym and sym.get("statement"):
        lines.append(f"- SymPy: {sym['statement']} — **{sym['status']}**"
                     f" (residual `{sym.get('residual')}`)")
    if d.expect == "disagree":
        lines.append("- expected outcome: **disagree** (the check passes when the notes' "
                     "form differs from autograd)")
    lines += ["", "## Measured { #measured }", ""]
    if measured is None:
        lines += ["Not in the committed verify report.", ""]
        return "\n".join(lines)
    lines += ["| backend | status | max abs error | max rel error | checked outputs |",
              "|---|---|---|---|---|"]
    for name, r in measured["backends"].items():
        keys = ", ".join(f"`{c['key']}`" for c in r.get("checks", []))
        lines.append(f"| {name} | {r['status']} | {_fmt(r.get('max_abs_error'))} | "
                     f"{_fmt(r.get('max_rel_error'))} | {keys or '—'} |")
    lines += ["", f"Overall: **{'ok' if measured['ok'] else 'FAILED'}**. Measured by "
              "`backprop-ref verify --json` (seed 0), as in the [verify report](../VERIFY.md).",
              ""]
    return "\n".join(lines)


def derivations():
    report = {d["id"]: d for d in _verify_report()["derivations"]}
    rows = ["# Derivations D1–D20", "",
            "Every derivation in the notes, as the catalog (`comparisons/catalog.py`) holds "
            "it. Each page is generated from the catalog and the verify report when the site "
            "is built.", "", "| id | derivation | notes | reference |", "|---|---|---|---|"]
    for d in CATALOG:
        rows.append(f"| [{d.id}]({d.id}.md) | {label(d.id).split(' · ', 1)[1]} | {d.notes_str} | "
                    f"`{d.reference_name}` |")
        with mkdocs_gen_files.open(f"derivations/{d.id}.md", "w") as fh:
            fh.write(derivation_page(d, report.get(d.id)))
    with mkdocs_gen_files.open("derivations/index.md", "w") as fh:
        fh.write("\n".join(rows) + "\n")


def api():
    mods = api_modules()
    index = ["# API reference", "",
             "Generated from the docstrings. `import backprop_ref as bp` exposes the "
             "functions at the top level (`bp.sigmoid`, `bp.delta_ce_softmax`, …); each is "
             "documented in its module.", ""]
    for m, title in mods:
        index.append(f"- [{title}]({m}.md): [`backprop_ref.{m}`][backprop_ref.{m}]")
        with mkdocs_gen_files.open(f"api/{m}.md", "w") as fh:
            fh.write(f"# {title}\n\n::: backprop_ref.{m}\n")
    with mkdocs_gen_files.open("api/index.md", "w") as fh:
        fh.write("\n".join(index) + "\n")


def benchmarks():
    bench = ROOT / "benchmarks"
    with mkdocs_gen_files.open("benchmarks/REPORT.md", "w") as fh:
        fh.write((bench / "REPORT.md").read_text(encoding="utf-8"))
    for data in sorted([*bench.glob("*.png"), *bench.glob("*.json")]):   # plots, results
        with mkdocs_gen_files.open(f"benchmarks/{data.name}", "wb") as fh:
            fh.write(data.read_bytes())


def tutorial_placeholder():
    if (DOCS / "check-your-backprop.md").exists():
        return
    with mkdocs_gen_files.open("check-your-backprop.md", "w") as fh:
        fh.write("# Check your own backprop\n\nThis tutorial is being written.\n")


derivations()
api()
benchmarks()
tutorial_placeholder()
