"""The slips in the notes, each measured against autograd (``docs/errata.md``).

The forms themselves (the note's literal form and the corrected one, as NumPy functions of
plain arrays) live in `backprop_ref.errata`, where the checker `backprop_ref.testing` reads
them too.  Each :class:`Erratum` here adds the case they run on, which autograd output is
the truth, and how a case becomes the forms' arrays.  :func:`measure` runs both
against a framework backend: the literal form must disagree (or fail outright, as a shape
error does) and the corrected form must agree within the
agreement bound (``docs/agreement.md``).  The tests and
``backprop-ref errata`` both read this one registry.

The measured figures that ``docs/errata.md`` prints (its table and each slip's section) are a
*record*, rendered: :func:`record` measures every slip against one backend and names the
machine (`comparisons.records`); :func:`render_table` and :func:`render_page` are pure
functions of it.  The committed record ``docs/errata.json`` and its page are
regenerated on this machine by ``python -m comparisons.records errata``, and
``tests/test_errata.py`` checks the page against the record and a fresh run against the
record with :func:`compare`: the same verdict for every slip (disagrees / shape error /
agrees), the slips' errors, E4's other reading and E5's ×200 to the digits printed (they are
real: at least 1e-6·S), and the round-off of the corrected forms and of E4's literal form
against their bound only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import backprop_ref as bp
from backprop_ref import errata as bp_errata

from . import cases, records
from ._optional import MissingExtra, install_hint
from .agreement import TOLERANCES
from .backends import Case, Twin, get_backend
from .catalog import NETWORK_TWIN

__all__ = ["Erratum", "ERRATA", "measure", "Measurement", "record", "render_table",
           "render_page", "compare"]


@dataclass(frozen=True)
class Erratum:
    """One slip of `backprop_ref.errata` and how to measure it against autograd.

    ``form`` holds the note's literal and corrected forms (the one registry); this adds
    the seeded case they run on, the twin and its output that is the truth, and ``args``,
    which turns a case into the forms' named arrays.
    """

    form: bp_errata.Erratum
    case: Callable
    twin: Twin
    key: str                                  # the twin's output that is the truth
    args: Callable[[Case], dict]

    id = property(lambda self: self.form.id)
    note = property(lambda self: self.form.note)
    title = property(lambda self: self.form.title)
    literal = property(lambda self: self.form.literal)
    corrected = property(lambda self: self.form.corrected)
    literal_agrees = property(lambda self: self.form.literal_agrees)

    def literal_fn(self, c: Case) -> np.ndarray:
        return self.form.literal_form(**self.args(c))

    def corrected_fn(self, c: Case) -> np.ndarray:
        return self.form.corrected_form(**self.args(c))

    @property
    def contrast(self) -> tuple | None:
        """``(text, fn(case))``: the other reading of a literal form that is right (E4)."""
        if self.form.contrast is None:
            return None
        text, fn = self.form.contrast
        return text, lambda c: fn(**self.args(c))


@dataclass(frozen=True)
class Measurement:
    erratum: str
    backend: str
    literal_error: float | None               # max |literal − autograd|
    literal_raised: str | None                # the error the literal form raises, if any
    corrected_error: float
    bound: float                              # the agreement bound, 1e-12·S
    contrast_error: float | None = None
    ok: bool = False
    scale: float = 1.0                        # S = max(1, max|autograd|)
    factor: float | None = None               # literal = factor × corrected, when it is

    @property
    def literal_summary(self) -> str:
        if self.literal_raised:
            return f"raises {self.literal_raised}"
        return f"{self.literal_error:.1e}"


# ---------------------------------------------------------------------------- helpers
def _net(c: Case):
    params = {k: v for k, v in c.arrays.items() if k[0] in "Wb"}
    res = bp.two_layer.loss_and_grads(params, c["X"], c["y"], reg=c["reg"])
    Y = bp.one_hot(c["y"], params["W2"].shape[1])
    return params, res, Y


def _notes_case(rng):
    c = cases.notes_network(rng, form="labels")   # X 200×4; Z1 holds exact zeros
    c.static["reg"] = 0.0
    return c


def _notes_case_reg(rng):
    c = cases.notes_network(rng, form="labels")
    c.static["reg"] = 0.1
    return c


def _square_case(rng):
    """A 3 → 10 → 3 network, so note 003's (A2 − y)·W1 has shapes that multiply."""
    return cases.network(rng, sizes=[3, 10, 3], N=50, reg=0.0, form="labels")


def _net_arrays(c: Case) -> dict:
    """The notes' network's arrays (reference values) that the two-layer forms read."""
    params, res, Y = _net(c)
    return {**res.intermediates, "Y": Y, "reg": c["reg"], "W2": params["W2"]}


def _pick(*names):
    return lambda c: {k: v for k, v in _net_arrays(c).items() if k in names}


def _square_arrays(c: Case) -> dict:
    params = {k: v for k, v in c.arrays.items() if k[0] in "Wb"}
    res = bp.mlp.loss_and_grads(params, c["X"], c["y"], hidden="relu", head="softmax_ce")
    return {"dZ2": res.intermediates["dZ2"], "W1": params["W1"], "W2": params["W2"]}


_Z = lambda c: {"z": c["z"]}                      # noqa: E731
_SOFTMAX = Twin("softmax", wrt=("z",), cotangent="g")
_SETTINGS = {
    "E1": (cases.elementwise, _SOFTMAX, "out", _Z),
    "E2": (cases.elementwise, _SOFTMAX, "out", _Z),
    "E3": (_notes_case, NETWORK_TWIN, "dW2", _pick("A1", "A2", "Y")),
    "E4": (_notes_case, NETWORK_TWIN, "dZ1", _pick("Z1", "A1", "dA1")),
    "E5": (_notes_case, NETWORK_TWIN, "dW2", _pick("A1", "A2", "Y")),
    "E6": (cases.relu_case, Twin("relu", wrt=("z",), cotangent="g", value=False), "dz",
           lambda c: {"z": c["z"], "g": c["g"]}),
    "E7": (_square_case, NETWORK_TWIN, "dA1", _square_arrays),
    "E8": (cases.elementwise, Twin("softmax", kind="jacobian", wrt=("z",)), "J", _Z),
    "E9": (_notes_case_reg, NETWORK_TWIN, "dW2", _pick("A1", "A2", "Y", "W2", "reg")),
    "E10": (cases.probs_binary, Twin("binary_cross_entropy", wrt=("a",), has_aux=True), "out",
            lambda c: {"a": c["a"], "y": c["y"]}),
}

ERRATA: tuple[Erratum, ...] = tuple(Erratum(e, *_SETTINGS[e.id]) for e in bp_errata.ERRATA)

_BY_ID = {e.id: e for e in ERRATA}


def get(erratum_id: str) -> Erratum:
    if erratum_id not in _BY_ID:
        raise ValueError(f"unknown erratum {erratum_id!r}; expected one of {list(_BY_ID)}")
    return _BY_ID[erratum_id]


def _err(ours, truth) -> float:
    ours = np.broadcast_to(np.asarray(ours, dtype=np.float64), np.shape(truth))
    return float(np.abs(ours - truth).max())


def measure(e: Erratum, backend: str = "torch", *, seed: int = 0) -> Measurement:
    """Run the literal and the corrected form of ``e`` against ``backend``'s autograd."""
    be = get_backend(backend)          # MissingExtra propagates: callers choose a backend
    case = e.case(np.random.default_rng(seed))
    truth = be.evaluate(e.twin, case)[e.key]
    bound = TOLERANCES["float64"] * max(1.0, float(np.abs(truth).max()))
    corrected = _err(e.corrected_fn(case), truth)
    raised = literal = None
    try:
        out = e.literal_fn(case)
        if np.shape(out) != np.shape(truth):
            raised = f"shape {np.shape(out)} ≠ {np.shape(truth)}"
        else:
            literal = _err(out, truth)
    except ValueError as exc:
        raised = f"ValueError: {exc}"
    contrast = _err(e.contrast[1](case), truth) if e.contrast else None
    factor = None if literal is None or e.literal_agrees else _factor(out, e.corrected_fn(case))
    if e.literal_agrees:
        ok = literal is not None and literal <= bound and corrected <= bound and (
            contrast is None or contrast > TOLERANCES["disagree"])
    else:
        ok = corrected <= bound and (raised is not None or literal > TOLERANCES["disagree"]
                                     * max(1.0, float(np.abs(truth).max())))
    return Measurement(e.id, backend, literal, raised, corrected, bound, contrast, ok,
                       scale=max(1.0, float(np.abs(truth).max())), factor=factor)


def _factor(literal, corrected) -> float | None:
    """``c`` when the literal form is ``c`` times the corrected one (to the agreement bound)
    and has more than one entry (two scalars always have a ratio): E5's missing 1/N."""
    lit = np.asarray(literal, dtype=np.float64)
    cor = np.broadcast_to(np.asarray(corrected, dtype=np.float64), lit.shape)
    norm = float(np.vdot(cor, cor))
    if lit.size < 2 or norm == 0.0:
        return None
    c = float(np.vdot(lit, cor)) / norm
    close = np.abs(lit - c * cor).max() <= TOLERANCES["float64"] * max(1.0, np.abs(lit).max())
    return c if close else None


def first_available_backend() -> str | None:
    for name in ("torch", "jax"):
        try:
            get_backend(name)
            return name
        except MissingExtra:
            continue
    return None


# ---------------------------------------------------------------------------- the record
def entry(e: Erratum, m: Measurement) -> dict:
    """One slip of a record (and of ``backprop-ref errata --json``): the texts, every figure
    and the bound and scale that classify it."""
    return {"id": e.id, "note": e.note, "slip": e.title, "literal": e.literal,
            "corrected": e.corrected, "literal_error": m.literal_error,
            "literal_raised": m.literal_raised, "corrected_error": m.corrected_error,
            "contrast": e.contrast[0] if e.contrast else None,
            "contrast_error": m.contrast_error, "ok": m.ok, "bound": m.bound,
            "scale": m.scale, "factor": m.factor}


def record(backend: str | None = None, *, seed: int = 0, command: str | None = None) -> dict:
    """Measure every slip against ``backend`` (default: the first installed) and return the
    record: ``record`` ("errata"), ``run`` (`comparisons.records.run_block`), ``backend``,
    ``ok`` and one :func:`entry` per slip."""
    backend = backend or first_available_backend()
    if backend is None:
        raise MissingExtra(f"the errata are measured against torch or JAX: {install_hint('torch')}")
    results = [(e, measure(e, backend, seed=seed)) for e in ERRATA]
    return {"record": "errata",
            "run": records.run_block(command or f"backprop-ref errata --backend {backend}"
                                     + (f" --seed {seed}" if seed else ""), seed),
            "backend": backend, "ok": all(m.ok for _, m in results),
            "errata": [entry(e, m) for e, m in results]}


def _verdict(error: float, x: dict) -> str:
    if error <= x["bound"]:
        return "agrees"
    if error > TOLERANCES["disagree"] * x["scale"]:
        return "disagrees"
    return "neither agrees nor disagrees"


def literal_verdict(x: dict) -> str:
    """``shape error`` (the form raises), ``agrees`` (within the agreement bound: E4) or
    ``disagrees`` (beyond ``1e-6·S``: a real error)."""
    return "shape error" if x["literal_raised"] else _verdict(x["literal_error"], x)


def _times(factor: float | None) -> str:
    return "" if factor is None else f"×{factor:.3g}"


def _literal_cell(x: dict) -> str:
    verdict = literal_verdict(x)
    if verdict == "shape error":
        return f"shape error: `{x['literal_raised'].removeprefix('ValueError: ')}`"
    text = records.printed(x["literal_error"])
    if verdict == "agrees":
        text += " (round-off: the form is right)"
        if x["contrast"]:
            text += (f"; the other reading, {x['contrast']}, is off by "
                     f"{records.printed(x['contrast_error'])}")
    return text + (f" ({_times(x['factor'])})" if x["factor"] is not None else "")


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def _run_line(rec: dict) -> str:
    run, env = rec["run"], rec["run"]["environment"]
    return (f"Measured against {rec['backend']} autograd (seed {run['seed']}) by "
            f"`{run['command']}` on {run['date']}, on {env.get('cpu')} (BLAS kernel "
            f"{env.get('blas kernel')}, {rec['backend']} {env.get(rec['backend'])}): the record "
            "`docs/errata.json`, rendered. The figures are the largest absolute difference from "
            "autograd.")


def render_table(rec: dict) -> str:
    """The errata table of a record, as ``docs/errata.md`` shows it."""
    lines = [_run_line(rec), "",
             "| # | note | the slip | the note writes | correct form | literal vs autograd |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {x['id']} | {x['note']} | {_md(x['slip'])} | `{_md(x['literal'])}` | "
              f"`{_md(x['corrected'])}` | {_md(_literal_cell(x))} |" for x in rec["errata"]]
    return "\n".join(lines) + "\n"


def render_page(rec: dict) -> str:
    """``docs/errata.md``: the table and one section per slip, every figure from the record."""
    lines = ["# Errata: slips in the notes", "",
             "Each slip is measured against autograd by `backprop-ref errata`: the note's "
             "literal form must disagree and the corrected form agree "
             "(`tests/test_errata.py`). The notes' pages mark each one where it occurs. "
             "Figures at the level of round-off (the corrected forms, E4's literal form) "
             "differ from machine to machine; the verdicts and the slips' errors do not. "
             f"Regenerate this page and its record with `{records.REGENERATE} errata`.", "",
             render_table(rec)]
    for x in rec["errata"]:
        corrected = _verdict(x["corrected_error"], x)
        lines += [f"## {x['id']} · note {x['note']} {{ #{x['id'].lower()} }}", "", x["slip"], "",
                  f"- the note writes: `{x['literal']}`",
                  f"- correct form: `{x['corrected']}`",
                  f"- where: [note {x['note']}](notes/{x['note']}.md)",
                  f"- literal form against autograd: {_literal_cell(x)}, {literal_verdict(x)}; "
                  f"corrected: {records.printed(x['corrected_error'])}, {corrected} (bound "
                  f"{records.printed(x['bound'])})"]
        if x["contrast"]:
            lines.append(f"- the other reading, `{x['contrast']}`: "
                         f"{records.printed(x['contrast_error'])}, "
                         f"{_verdict(x['contrast_error'], x)}")
        lines.append("")
    return "\n".join(lines)


def compare(committed: dict, fresh: dict) -> list[str]:
    """What a fresh run contradicts in a committed record, one line each (empty: none).

    By the rule of `comparisons.records`: the same slips; for each, the same verdicts of the
    literal form, the corrected form and the other reading; the errors of a form that
    disagrees (and E5's factor) to the digits printed; a form that agrees, within its fresh
    bound (that is its verdict), never digit for digit; the same bound and scale.
    """
    texts = ("id", "note", "slip", "literal", "corrected", "contrast")
    if [[x[k] for k in texts] for x in committed["errata"]] != [
            [x[k] for k in texts] for x in fresh["errata"]]:
        return [f"the record's slips are not this registry's: regenerate it with "
                f"`{records.REGENERATE} errata`"]
    problems = []
    for c, f in zip(committed["errata"], fresh["errata"]):
        at = c["id"]
        forms = [("literal", literal_verdict(c), literal_verdict(f), "literal_error"),
                 ("corrected", _verdict(c["corrected_error"], c),
                  _verdict(f["corrected_error"], f), "corrected_error")]
        if c["contrast"]:
            forms.append(("other reading", _verdict(c["contrast_error"], c),
                          _verdict(f["contrast_error"], f), "contrast_error"))
        for form, vc, vf, key in forms:
            if vc != vf:
                problems.append(f"{at} {form}: recorded {vc!r}, this run {vf!r}")
            elif vc == "disagrees" and not records.same_printed(c[key], f[key]):
                problems.append(f"{at} {form}: disagrees by {records.printed(c[key])} in the "
                                f"record, by {records.printed(f[key])} in this run")
            elif vc == "shape error" and c["literal_raised"] != f["literal_raised"]:
                problems.append(f"{at} {form}: recorded {c['literal_raised']!r}, this run "
                                f"{f['literal_raised']!r}")
        if _times(c["factor"]) != _times(f["factor"]):
            problems.append(f"{at}: literal = {_times(c['factor']) or 'no multiple'} of the "
                            f"corrected form in the record, {_times(f['factor']) or 'no multiple'}"
                            " in this run")
        for key in ("bound", "scale"):
            if not records.same_bound(c[key], f[key]):
                problems.append(f"{at} {key}: recorded {c[key]!r}, this run {f[key]!r}")
        if c["ok"] != f["ok"]:
            problems.append(f"{at}: recorded ok={c['ok']}, this run ok={f['ok']}")
    return problems


def regenerate(root) -> tuple[list, bool]:
    """Measure on this machine; write ``docs/errata.json`` and ``docs/errata.md`` (the one
    page that shows the table: the README links it)."""
    rec = record(command=f"{records.REGENERATE} errata")
    paths = [root / "docs" / "errata.json", root / "docs" / "errata.md"]
    records.write(paths[0], rec)
    paths[1].write_text(render_page(rec), encoding="utf-8")
    return paths, rec["ok"]
