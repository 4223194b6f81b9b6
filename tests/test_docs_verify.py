"""`docs/verify.json` is the record of one `backprop-ref verify` run (seed 0) that names its
machine, and `docs/VERIFY.md` (with the derivation pages of the documentation site) is that
record rendered.  Two checks, by the rule of `comparisons.records`:

1. the committed page is exactly the committed record rendered (a figure edited by hand in
   either fails);
2. a fresh run on this machine reaches the record's verdict in every cell, its round-off is
   within its bounds, exact keys stay exact and D13's disagreements agree to the digits
   printed.  A record from another machine is no error: the test names the machine it came
   from (and warns `OtherMachine`), and round-off digits are never compared.

Regenerate the record and the page on this machine with one command::

    python -m comparisons.records verify
"""

from __future__ import annotations

import copy
import json

import pytest

from comparisons import records, verify

DOCS = records.ROOT / "docs"


RECORD = DOCS / "verify.json"


@pytest.fixture(scope="module")
def committed():
    """The committed record; without a readable one, the tests that read it skip and
    `test_the_committed_report_is_green_and_complete` fails with one line."""
    return records.for_test(RECORD, "verify",
                            skip_to="test_the_committed_report_is_green_and_complete")


@pytest.fixture(scope="module")
def fresh(committed):
    """One fresh run for the whole module, with the record's seed and columns."""
    report = verify.build(seed=committed["run"]["seed"], backends=tuple(committed["backends"]))
    return verify.record(report)


def _is_rendering(page: str, rec: dict) -> bool:
    return page.splitlines() == verify.render_markdown(rec).splitlines()


def test_verify_md_is_what_verify_prints(committed):
    """Every character of VERIFY.md, the machine line included, is the record rendered."""
    page = (DOCS / "VERIFY.md").read_text(encoding="utf-8")
    assert page.splitlines() == verify.render_markdown(committed).splitlines(), (
        "docs/VERIFY.md is not docs/verify.json rendered: regenerate both with "
        f"`{records.REGENERATE} verify`")


def test_verify_json_is_what_verify_prints(committed, fresh):
    """The record has the shape `backprop-ref verify --json` prints, and a fresh run on this
    machine reaches its verdicts (cells, keys, bounds; round-off within its bound)."""
    assert _shape(committed) == _shape(fresh), (
        f"docs/verify.json is not what verify records today: regenerate it with "
        f"`{records.REGENERATE} verify`")
    where = records.provenance("docs/verify.json", committed, fresh["run"]["environment"])
    problems = verify.compare(committed, fresh)
    assert not problems, where + "; a fresh run here disagrees:\n  " + "\n  ".join(problems)


def test_the_committed_report_is_green_and_complete():
    committed = records.for_test(RECORD, "verify")      # missing: one line, how to regenerate
    assert committed["ok"] is True and committed["seed"] == committed["run"]["seed"] == 0
    assert [d["id"] for d in committed["derivations"]] == [f"D{i}" for i in range(1, 21)]
    env = committed["run"]["environment"]
    for key in ("cpu", "cores", "blas", "blas kernel", "numpy", "torch", "jax", "sympy"):
        assert env.get(key), f"the record does not name its {key}"
    for d in committed["derivations"]:
        for col, o in d["backends"].items():
            for c in o["checks"]:
                fig = c["rel_error"] if c["rel_error"] is not None else c["max_abs_error"]
                beyond = fig > c["bound"]
                assert beyond == (d["expect"] == "disagree") and c["ok"], (d["id"], col, c)


# ------------------------------------------------------------------ the checks can fail
def test_a_figure_edited_by_hand_fails(committed):
    """One figure of the committed page edited (D14's torch cell), or of the record: the
    page is no longer the record rendered."""
    page = (DOCS / "VERIFY.md").read_text(encoding="utf-8")
    row = next(ln for ln in page.splitlines() if ln.startswith("| D14 |"))
    cell = row.split(" | ")[3]
    edited = page.replace(row, row.replace(f" {cell} |", " 1.0e-16 |", 1))
    assert edited != page and not _is_rendering(edited, committed)
    doctored = copy.deepcopy(committed)
    doctored["derivations"][13]["backends"]["torch"]["max_abs_error"] *= 3.0
    assert not _is_rendering(page, doctored)


def test_a_record_from_another_machine_compares_verdicts_not_round_off(committed, fresh):
    """Another CPU, kernel and thread count, every round-off figure different: still the
    same verdicts, and the provenance names that machine."""
    other = copy.deepcopy(committed)
    other["run"]["environment"].update({"cpu": "AMD EPYC", "blas kernel": "Zen",
                                        "blas threads": 64})
    for d in other["derivations"]:
        if d["expect"] == "agree":
            for o in d["backends"].values():
                for c in o["checks"]:
                    if not c["exact"]:
                        c["max_abs_error"] = c["bound"] * 0.9
    assert verify.compare(other, fresh) == []
    with pytest.warns(records.OtherMachine, match="cpu: AMD EPYC → .*blas kernel: Zen →"):
        assert "on AMD EPYC" in records.provenance("docs/verify.json", other)


@pytest.mark.parametrize("edit, words", [
    (lambda r: _check(r, "D13", "torch").update(max_abs_error=0.2), "D13 torch autograd dz: a "
     "disagreement, recorded 2.0e-01, this run 1.0e-01"),
    (lambda r: _check(r, "D2", "torch").update(exact=False), "D2 torch autograd: recorded "
     "'agree', this run 'exact'"),
    (lambda r: _check(r, "D17", "torch", 1).update(exact=True), "D17 torch autograd"),
    (lambda r: _check(r, "D14", "jax").update(bound=2e-12), "D14 JAX grad"),
    (lambda r: r["derivations"][10]["backends"]["fd"].update(status="n/a"),
     "D11 central diff (rel): recorded 'n/a', this run 'agree'"),
    (lambda r: r["derivations"][12]["sympy"].update(status="FAILED"), "D13 SymPy"),
    (lambda r: r["derivations"].pop(), "regenerate it with `python -m comparisons.records"),
])
def test_a_fresh_run_catches_a_changed_verdict_or_real_figure(committed, fresh, edit, words):
    doctored = copy.deepcopy(committed)
    edit(doctored)
    problems = verify.compare(doctored, fresh)
    assert any(words in p for p in problems), problems


def test_round_off_beyond_its_bound_fails(committed, fresh):
    broken = copy.deepcopy(fresh)
    c = _check(broken, "D17", "torch")
    c["max_abs_error"] = c["bound"] * 2
    assert any("D17 torch autograd" in p and "beyond its bound" in p
               for p in verify.compare(committed, broken))


def _check(rec, did, col, index=0):
    d = next(d for d in rec["derivations"] if d["id"] == did)
    return d["backends"][col]["checks"][index]


def _shape(rec):
    """The record's keys, level by level (not its values)."""
    d = rec["derivations"][0]
    o = d["backends"]["torch"]
    return (sorted(rec), sorted(rec["run"]), sorted(rec["run"]["environment"]), sorted(d),
            sorted(o), sorted(o["checks"][0]), json.dumps(rec["backends"]))
