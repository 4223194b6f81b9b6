"""The verify report: every derivation against every installed backend, with the measured
figures (the bounds of `comparisons.agreement`), as a text table, JSON or Markdown.

A run (:func:`build`) becomes a *record* (:func:`record`: the JSON that ``backprop-ref verify
--json`` prints, with the ``run`` block of `comparisons.records` naming the machine); the
text table and the Markdown page are pure functions of a record (:func:`render_text`,
:func:`render_markdown`).  The committed record ``docs/verify.json`` and its page
``docs/VERIFY.md`` are regenerated on this machine by ``python -m comparisons.records
verify``; ``tests/test_docs_verify.py`` checks the page against the record and a fresh run
against the record with :func:`compare`, by the rule of `comparisons.records` (verdicts in
every cell; round-off within its bound; exact stays exact; the disagreements of D13 to the
digits printed)."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field

import numpy as np

from . import agreement, overlap, records
from ._optional import available, install_hint
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


def build(ids=None, backends=BACKENDS, *, seed: int = 0, float32: bool = True,
          symbolic: bool = True) -> Report:
    """Run the catalog (or ``ids``) against ``backends`` and SymPy; never raises for a
    missing framework (its column says what to install)."""
    wanted = [d for d in CATALOG if ids is None or d.id in ids]
    rows = []
    # the JAX column and the SymPy proofs in forked workers, overlapping torch (command line)
    ahead = overlap.start(wanted, backends, seed=seed, symbolic=symbolic)
    for d in wanted:
        row = Row(d)
        for be in backends:
            try:
                row.outcomes[be] = ahead.outcome(d.id, be) or agreement.run(d, be, seed=seed)
            except Exception as exc:  # a crash in one check is a red cell, not a traceback
                row.outcomes[be] = agreement.Outcome(d.id, be, "float64", "error",
                                                     message=f"{type(exc).__name__}: {exc}")
        if float32 and "torch" in backends:
            row.outcomes["float32"] = agreement.run(d, "torch", seed=seed, dtype=np.float32)
        if symbolic and d.sympy:
            if (proof := ahead.proof(d.id)) is not None:
                row.proof = proof
            elif available("sympy"):
                from .symbolic import prove
                row.proof = prove(d.id)
            else:
                row.proof = f"not installed — {install_hint('sympy')}"
        rows.append(row)
    ahead.close()
    return Report(rows, tuple(backends), seed)


# ------------------------------------------------------------------------- the record
def command_line(report: Report) -> str:
    """The ``backprop-ref verify`` command that makes this run."""
    ids = [r.derivation.id for r in report.rows]
    parts = ["backprop-ref verify"]
    if ids != [d.id for d in CATALOG]:
        parts.append(f"--only {','.join(ids)}")
    if tuple(report.backends) != BACKENDS:
        parts.append(f"--backend {','.join(report.backends)}")
    if report.seed:
        parts.append(f"--seed {report.seed}")
    if "torch" in report.backends and not any("float32" in r.outcomes for r in report.rows):
        parts.append("--no-float32")
    return " ".join(parts)


def _outcome_entry(o: agreement.Outcome) -> dict:
    return {"status": o.status, "ok": o.ok, "max_abs_error": o.max_abs,
            "max_rel_error": o.max_rel, "message": o.message,
            "checks": [{"key": c.key, "max_abs_error": c.max_abs, "bound": c.bound,
                        "rel_error": c.rel, "exact": c.exact, "ok": c.ok}
                       for c in o.checks]}


def _proof_entry(proof) -> dict:
    if isinstance(proof, str):
        return {"status": "not installed", "message": proof}
    return {"status": proof.verdict, "statement": proof.statement, "holds": proof.holds,
            "residual": proof.residual}


def record(report: Report, command: str | None = None) -> dict:
    """The record of a run: ``record`` ("verify"), ``run`` (`comparisons.records.run_block`:
    command, date, seed, machine), ``ok``, ``seed``, ``backends`` (the columns asked for) and
    one entry per derivation with every measured figure and its bound."""
    rows = []
    for r in report.rows:
        entry = {"id": r.derivation.id, "title": r.derivation.title,
                 "notes": list(r.derivation.notes), "expect": r.derivation.expect,
                 "reference": r.derivation.reference_name, "ok": r.ok,
                 "backends": {col: _outcome_entry(o) for col, o in r.outcomes.items()}}
        if r.proof is not None:
            entry["sympy"] = _proof_entry(r.proof)
        rows.append(entry)
    return {"record": "verify",
            "run": records.run_block(command or command_line(report), report.seed),
            "ok": report.ok, "seed": report.seed, "backends": list(report.backends),
            "derivations": rows}


def dumps(rec: dict) -> str:
    return json.dumps(rec, indent=2, ensure_ascii=False)


def to_json(report: Report) -> str:
    """The record of ``report`` as JSON (what ``backprop-ref verify --json`` prints)."""
    return dumps(record(report))


def to_markdown(report: Report) -> str:
    """The Markdown page of ``report``: :func:`render_markdown` of its record."""
    return render_markdown(record(report))


# ------------------------------------------------------------------------- rendering
def verdict(o: dict, expect: str) -> str:
    """A cell's verdict: ``agree``, ``exact`` (every key bit-identical), ``≠, expected``, or
    the status (``fail``, ``error``, ``n/a``, ``not installed``)."""
    if o["status"] != "ok":
        return o["status"]
    if expect == "disagree":
        return "≠, expected"
    return "exact" if all(c["exact"] for c in o["checks"]) else "agree"


def _figure(o: dict, col: str) -> float:
    return o["max_rel_error"] if col == "fd" and o["max_rel_error"] is not None \
        else o["max_abs_error"]


def _cell(o: dict | None, col: str, expect: str) -> str:
    if o is None or o["status"] == "n/a":
        return "—"
    if o["status"] == "not installed":
        return f"not installed — {install_hint('torch' if col == 'float32' else col)}"
    if o["status"] == "error":
        return "ERROR"
    text = records.printed(_figure(o, col))
    if expect == "disagree":
        return f"{text} (≠, expected)" if o["ok"] else f"FAIL {text} (agrees!)"
    return text if o["ok"] else f"FAIL {text}"


def _proof_cell(entry: dict) -> str:
    sym = entry.get("sympy")
    if sym is None:
        return "—"
    return sym["message"] if sym["status"] == "not installed" else sym["status"]


def _columns(rec: dict) -> list[str]:
    cols = list(rec["backends"])
    if any("float32" in d["backends"] for d in rec["derivations"]):
        cols.append("float32")
    return cols


def table_rows(rec: dict):
    """``(header, body)`` of the table of a record."""
    cols = _columns(rec)
    header = ["id", "derivation", "notes"] + [COLUMNS[c] for c in cols] + ["SymPy"]
    body = [[d["id"], d["title"], " ".join(d["notes"])]
            + [_cell(d["backends"].get(c), c, d["expect"]) for c in cols] + [_proof_cell(d)]
            for d in rec["derivations"]]
    return header, body


#: the narrowest the derivation column gets, however narrow the terminal
MIN_TITLE_WIDTH = 24


def render_text(rec: dict, width: int | None = None) -> str:
    """The terminal table of a record, and its summary.  ``width``: the terminal's columns;
    the descriptions are cut (with "…") only where the table would not fit, never below
    `MIN_TITLE_WIDTH`; None: nothing is cut, the summary is not wrapped (a pipe, a file)."""
    header, body = table_rows(rec)
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
    summary = _summary(rec)
    if width:
        summary = "\n".join(textwrap.fill(line, max(width, 60) - 1, subsequent_indent="  ")
                             for line in summary.splitlines())
    return "\n".join(line.rstrip() for line in lines) + "\n\n" + summary


def _short(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    """``1 derivation``, ``2 derivations``."""
    return f"{n} {word if n == 1 else plural or word + 's'}"


def failures(rec: dict) -> list[str]:
    """One line per failed check of a record."""
    out = []
    for d in rec["derivations"]:
        for col, o in d["backends"].items():
            if not o["ok"]:
                out.append(f"{d['id']} {COLUMNS[col]}: {o['status']} {o['message']}")
        sym = d.get("sympy")
        if sym and sym["status"] != "not installed" and not sym["holds"]:
            out.append(f"{d['id']} SymPy: {sym['statement']}: {sym['residual']}")
    return out


def _summary(rec: dict) -> str:
    outcomes = [o for d in rec["derivations"] for o in d["backends"].values()]
    n_checks = sum(1 for o in outcomes if o["status"] in ("ok", "fail", "error"))
    skipped = sorted({col for d in rec["derivations"] for col, o in d["backends"].items()
                      if o["status"] == "not installed"})
    proofs = sum(1 for d in rec["derivations"]
                 if d.get("sympy") and d["sympy"]["status"] != "not installed")
    lines = [f"{_plural(len(rec['derivations']), 'derivation')}, "
             f"{_plural(n_checks, 'framework/central-difference check')}, "
             f"{_plural(proofs, 'SymPy proof')}; seed {rec['seed']}; bounds: float64 1e-12·S with "
             "S = max(1, max|ref|), and 1e-6·|ref| + 4ε·S for entries below that; float32 "
             "1e-5·S; central differences 1e-7 relative."]
    if skipped:
        lines.append(f"Not installed, so not checked: {', '.join(skipped)}.")
    fails = failures(rec)
    lines.append("All checks agree." if not fails else "FAILED:\n  " + "\n  ".join(fails))
    return "\n".join(lines)


def render_markdown(rec: dict) -> str:
    """The Markdown page of a record (``docs/VERIFY.md`` is ``docs/verify.json`` rendered):
    every figure and the machine line come from the record."""
    header, body = table_rows(rec)
    run = rec["run"]
    out = ["# Verify report", "",
           "Every derivation of the notes (D1–D20) checked against torch autograd, JAX grad, "
           "central differences and SymPy. Each cell is the **measured** maximum error "
           "(absolute for the frameworks, normwise relative for central differences); "
           "`—` means the check does not apply. Figures at the level of round-off (~1e-16) "
           "differ from machine to machine; the verdicts do not.", "",
           f"Recorded by `{run['command']}` on {run['date']}, seed {run['seed']}, on "
           f"{records.describe(run['environment'])}. This page is rendered from that record "
           "(`docs/verify.json` in the repository); regenerate both with "
           f"`{records.REGENERATE} verify`.", "",
           "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in body]
    out += ["", _summary(rec).replace("\n", "\n\n"), ""]
    sym = [(d["id"], d["sympy"]) for d in rec["derivations"]
           if d.get("sympy") and d["sympy"]["status"] != "not installed"]
    if sym:
        out += ["## SymPy statements", ""]
        out += [f"- **{i}** — {p['statement']}: {p['status']}" for i, p in sym]
        out.append("")
    return "\n".join(out)


# ------------------------------------------------------------------------- a fresh run
def compare(committed: dict, fresh: dict) -> list[str]:
    """What a fresh run contradicts in a committed record, one line each (empty: none).

    By the rule of `comparisons.records`: the same rows and columns, the same verdict in
    every cell and for every checked key; exact keys stay exactly 0; a cell that disagrees
    as expected (D13) agrees to the digits printed, figure and bound; every other figure is
    round-off and must be within its fresh bound, which matches the recorded one.  The SymPy
    column: the same verdict for the same statement.
    """
    problems = []
    meta = ("id", "title", "notes", "expect", "reference")
    rows_c = [tuple(str(d[k]) for k in meta) for d in committed["derivations"]]
    rows_f = [tuple(str(d[k]) for k in meta) for d in fresh["derivations"]]
    if rows_c != rows_f or _columns(committed) != _columns(fresh):
        return [f"the record's rows or columns are not this catalog's: regenerate it with "
                f"`{records.REGENERATE} verify`"]
    for dc, df in zip(committed["derivations"], fresh["derivations"]):
        for col in _columns(committed):
            oc, of = dc["backends"].get(col), df["backends"].get(col)
            where = f"{dc['id']} {COLUMNS[col]}"
            if (oc is None) != (of is None):
                problems.append(f"{where}: recorded {oc is not None}, measured {of is not None}")
                continue
            if oc is None:
                continue
            problems += _compare_cell(where, oc, of, dc["expect"], col)
        sc, sf = dc.get("sympy"), df.get("sympy")
        if (sc and (sc["status"], sc.get("statement"))) != (
                sf and (sf["status"], sf.get("statement"))):
            problems.append(f"{dc['id']} SymPy: recorded {sc and sc['status']}, "
                            f"this run {sf and sf['status']}")
    return problems


def _compare_cell(where: str, oc: dict, of: dict, expect: str, col: str) -> list[str]:
    vc, vf = verdict(oc, expect), verdict(of, expect)
    if vc != vf:
        return [f"{where}: recorded {vc!r}, this run {vf!r} ({records.printed(_figure(of, col))}"
                f"{': ' + of['message'] if of['message'] else ''})"]
    if oc["status"] != "ok":
        return []
    real = vc == "≠, expected"
    out = []
    if real and not records.same_printed(_figure(oc, col), _figure(of, col)):
        out.append(f"{where}: a disagreement, recorded {records.printed(_figure(oc, col))}, "
                   f"this run {records.printed(_figure(of, col))}")
    checks_c = {c["key"]: c for c in oc["checks"]}
    checks_f = {c["key"]: c for c in of["checks"]}
    if set(checks_c) != set(checks_f):
        return out + [f"{where}: recorded keys {sorted(checks_c)}, this run {sorted(checks_f)}"]
    for key, cc in checks_c.items():
        cf = checks_f[key]
        at = f"{where} {key}"
        if cc["exact"] != cf["exact"]:
            out.append(f"{at}: recorded exact={cc['exact']}, this run exact={cf['exact']}")
        elif cc["exact"]:
            if not (cf["ok"] and cf["max_abs_error"] == 0.0):
                out.append(f"{at}: exact in the record, this run differs by "
                           f"{records.printed(cf['max_abs_error'])}")
        elif real:
            if not records.same_printed(cc["max_abs_error"], cf["max_abs_error"]):
                out.append(f"{at}: a disagreement, recorded {records.printed(cc['max_abs_error'])}"
                           f", this run {records.printed(cf['max_abs_error'])}")
        else:
            figure = cf["rel_error"] if cf["rel_error"] is not None else cf["max_abs_error"]
            if not (cf["ok"] and figure <= cf["bound"]):
                out.append(f"{at}: round-off {records.printed(figure)} beyond its bound "
                           f"{records.printed(cf['bound'])}")
        if not records.same_bound(cc["bound"], cf["bound"]):
            out.append(f"{at}: bound recorded {cc['bound']!r}, this run {cf['bound']!r}")
    return out


def regenerate(root) -> tuple[list, bool]:
    """Measure on this machine and write ``docs/verify.json`` and ``docs/VERIFY.md``."""
    rec = record(build(seed=0), command=f"{records.REGENERATE} verify")
    paths = [root / "docs" / "verify.json", root / "docs" / "VERIFY.md"]
    records.write(paths[0], rec)
    paths[1].write_text(render_markdown(rec), encoding="utf-8")
    return paths, rec["ok"]


#: the environment capture moved to `comparisons.records`; importable here as before
environment = records.environment
