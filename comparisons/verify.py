"""The verify report: every derivation against every installed backend, with the measured
figures (the bounds of `comparisons.agreement`), as a text table, JSON or Markdown."""

from __future__ import annotations

import json
import platform
import textwrap
from dataclasses import dataclass, field

import numpy as np

from . import agreement
from ._optional import MissingExtra, available, install_hint
from .catalog import CATALOG, Derivation

BACKENDS = ("torch", "jax", "fd")
COLUMNS = {"torch": "torch autograd", "jax": "JAX grad", "fd": "central diff (rel)",
           "sympy": "SymPy", "float32": "float32 (torch)"}


@dataclass
class Row:
    derivation: Derivation
    outcomes: dict = field(default_factory=dict)     # column -> agreement.Outcome
    proof: object = None                             # symbolic.Proof | str | None

    @property
    def ok(self) -> bool:
        proof_ok = self.proof is None or isinstance(self.proof, str) or self.proof.holds
        return proof_ok and all(o.ok for o in self.outcomes.values())


@dataclass
class Report:
    rows: list
    backends: tuple
    seed: int

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rows)

    @property
    def ran_anything(self) -> bool:
        return any(o.status in ("ok", "fail", "error") for r in self.rows
                   for o in r.outcomes.values())

    def failures(self) -> list[str]:
        out = []
        for r in self.rows:
            for col, o in r.outcomes.items():
                if not o.ok:
                    out.append(f"{r.derivation.id} {COLUMNS[col]}: {o.status} {o.message}")
            if r.proof is not None and not isinstance(r.proof, str) and not r.proof.holds:
                out.append(f"{r.derivation.id} SymPy: {r.proof.statement}: {r.proof.residual}")
        return out


def build(ids=None, backends=BACKENDS, *, seed: int = 0, float32: bool = True,
          symbolic: bool = True) -> Report:
    """Run the catalog (or ``ids``) against ``backends`` and SymPy; never raises for a
    missing framework (its column says what to install)."""
    wanted = [d for d in CATALOG if ids is None or d.id in ids]
    rows = []
    for d in wanted:
        row = Row(d)
        for be in backends:
            try:
                row.outcomes[be] = agreement.run(d, be, seed=seed)
            except Exception as exc:  # a crash in one check is a red cell, not a traceback
                row.outcomes[be] = agreement.Outcome(d.id, be, "float64", "error",
                                                     message=f"{type(exc).__name__}: {exc}")
        if float32 and "torch" in backends:
            row.outcomes["float32"] = agreement.run(d, "torch", seed=seed, dtype=np.float32)
        if symbolic and d.sympy:
            if available("sympy"):
                from .symbolic import prove
                row.proof = prove(d.id)
            else:
                row.proof = f"not installed — {install_hint('sympy')}"
        rows.append(row)
    return Report(rows, tuple(backends), seed)


# ------------------------------------------------------------------------- rendering
def _cell(o: agreement.Outcome | None, d: Derivation) -> str:
    if o is None or o.status == "n/a":
        return "—"
    if o.status == "not installed":
        extra = "torch" if o.backend in ("torch",) or o.dtype == "float32" else o.backend
        return f"not installed — {install_hint(extra)}"
    if o.status == "error":
        return "ERROR"
    fig = o.max_rel if o.backend == "fd" and o.max_rel is not None else o.max_abs
    text = f"{fig:.1e}"
    if d.expect == "disagree":
        return f"{text} (≠, expected)" if o.ok else f"FAIL {text} (agrees!)"
    return text if o.ok else f"FAIL {text}"


def _proof_cell(row: Row) -> str:
    if row.proof is None:
        return "—"
    if isinstance(row.proof, str):
        return row.proof
    return row.proof.verdict


def _columns(report: Report) -> list[str]:
    cols = list(report.backends)
    if any("float32" in r.outcomes for r in report.rows):
        cols.append("float32")
    return cols


def table_rows(report: Report):
    cols = _columns(report)
    header = ["id", "derivation", "notes"] + [COLUMNS[c] for c in cols] + ["SymPy"]
    body = [[r.derivation.id, r.derivation.title, r.derivation.notes_str]
            + [_cell(r.outcomes.get(c), r.derivation) for c in cols] + [_proof_cell(r)]
            for r in report.rows]
    return header, body


#: the narrowest the derivation column gets, however narrow the terminal
MIN_TITLE_WIDTH = 24


def render_text(report: Report, width: int | None = None) -> str:
    """The table and its summary as text.  ``width``: the terminal's columns; the
    descriptions are cut (with "…") only where the table would not fit, never below
    `MIN_TITLE_WIDTH`; None: nothing is cut, the summary is not wrapped (a pipe, a file)."""
    header, body = table_rows(report)
    rest = [max(len(str(x)) for x in col) for i, col in enumerate(zip(header, *body)) if i != 1]
    title_width = max(len(row[1]) for row in body)
    if width:
        room = width - sum(rest) - 2 * len(rest) - 1        # two spaces between columns
        title_width = min(title_width, max(MIN_TITLE_WIDTH, room))
    body = [[row[0], _short(row[1], title_width), *row[2:]] for row in body]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *body)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*header), fmt.format(*["-" * w for w in widths])]
    lines += [fmt.format(*row).rstrip() for row in body]
    summary = _summary(report)
    if width:
        summary = "\n".join(textwrap.fill(line, max(width, 60) - 1, subsequent_indent="  ")
                             for line in summary.splitlines())
    return "\n".join(line.rstrip() for line in lines) + "\n\n" + summary


def _short(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    """``1 derivation``, ``2 derivations``."""
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _summary(report: Report) -> str:
    n_checks = sum(1 for r in report.rows for o in r.outcomes.values()
                   if o.status in ("ok", "fail", "error"))
    skipped = sorted({o.backend for r in report.rows for o in r.outcomes.values()
                      if o.status == "not installed"})
    proofs = sum(1 for r in report.rows if r.proof is not None and not isinstance(r.proof, str))
    lines = [f"{_plural(len(report.rows), 'derivation')}, "
             f"{_plural(n_checks, 'framework/central-difference check')}, "
             f"{_plural(proofs, 'SymPy proof')}; seed {report.seed}; bounds: float64 1e-12·S with "
             "S = max(1, max|ref|), and 1e-6·|ref| + 4ε·S for entries below that; float32 "
             "1e-5·S; central differences 1e-7 relative."]
    if skipped:
        lines.append(f"Not installed, so not checked: {', '.join(skipped)}.")
    fails = report.failures()
    lines.append("All checks agree." if not fails else "FAILED:\n  " + "\n  ".join(fails))
    return "\n".join(lines)


def environment() -> dict:
    import numpy

    env = {"python": platform.python_version(), "machine": platform.machine(),
           "system": platform.system(), "numpy": numpy.__version__}
    for name in ("torch", "jax", "sympy"):
        try:
            mod = __import__(name)
            env[name] = mod.__version__
        except (ImportError, MissingExtra):
            env[name] = None
    return env


def to_json(report: Report) -> str:
    rows = []
    for r in report.rows:
        entry = {"id": r.derivation.id, "title": r.derivation.title,
                 "notes": list(r.derivation.notes), "expect": r.derivation.expect,
                 "reference": r.derivation.reference_name, "ok": r.ok, "backends": {}}
        for col, o in r.outcomes.items():
            entry["backends"][col] = {
                "status": o.status, "ok": o.ok, "max_abs_error": o.max_abs,
                "max_rel_error": o.max_rel, "message": o.message,
                "checks": [{"key": c.key, "max_abs_error": c.max_abs, "bound": c.bound,
                            "rel_error": c.rel, "exact": c.exact, "ok": c.ok}
                           for c in o.checks]}
        if r.proof is not None:
            entry["sympy"] = ({"status": "not installed", "message": r.proof}
                              if isinstance(r.proof, str) else
                              {"status": r.proof.verdict, "statement": r.proof.statement,
                               "holds": r.proof.holds, "residual": r.proof.residual})
        rows.append(entry)
    return json.dumps({"ok": report.ok, "seed": report.seed, "environment": environment(),
                       "derivations": rows}, indent=2)


def to_markdown(report: Report) -> str:
    header, body = table_rows(report)
    env = environment()
    out = ["# Verify report", "",
           "Every derivation of the notes (D1–D20) checked against torch autograd, JAX grad, "
           "central differences and SymPy. Each cell is the **measured** maximum error "
           "(absolute for the frameworks, normwise relative for central differences); "
           "`—` means the check does not apply. Regenerate with "
           "`backprop-ref verify --markdown docs/VERIFY.md`.", "",
           "Environment: " + ", ".join(f"{k} {v}" for k, v in env.items() if v), "",
           "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in body]
    out += ["", _summary(report).replace("\n", "\n\n"), ""]
    sym = [(r.derivation.id, r.proof) for r in report.rows
           if r.proof is not None and not isinstance(r.proof, str)]
    if sym:
        out += ["## SymPy statements", ""]
        out += [f"- **{i}** — {p.statement}: {p.verdict}" for i, p in sym]
        out.append("")
    return "\n".join(out)
