"""The notes' slips (the errata E1–E10): the literal form disagrees with autograd, the
corrected form agrees.  The same registry drives ``backprop-ref errata``.

The figures that pages print are the record ``docs/errata.json`` (one run against torch,
seed 0, that names its machine), rendered into ``docs/errata.md``, the one page with the
errata table (the README links it).  As for every record (`comparisons.records`): the page
is exactly the record rendered, and a fresh run on this machine reaches the record's
verdicts, with the slips' errors (real: at least 1e-6·S) to the digits printed and round-off
only within its bound.  Regenerate the record and its page on this machine with one
command::

    python -m comparisons.records errata
"""

from __future__ import annotations

import copy
import functools

import pytest

from comparisons import errata, records
from comparisons.errata import ERRATA, measure

pytestmark = pytest.mark.errata


@pytest.mark.parametrize("backend", ["torch", "jax"])
@pytest.mark.parametrize("e", [pytest.param(e, id=f"{e.id}-{e.note}") for e in ERRATA])
def test_literal_disagrees_and_corrected_agrees(e, backend):
    m = _measure(e.id, backend)
    assert m.corrected_error <= m.bound, f"{e.id}: corrected form off by {m.corrected_error}"
    if e.literal_agrees:
        assert m.literal_error is not None and m.literal_error <= m.bound
        assert m.contrast_error > 1e-6, f"{e.id}: the contrasting reading should disagree"
    else:
        assert m.literal_raised or m.literal_error > 1e-6, (
            f"{e.id}: the note's literal form should disagree, got {m.literal_summary}")
    assert m.ok


def test_e3_literal_form_is_a_shape_error():
    m = measure(next(e for e in ERRATA if e.id == "E3"))
    assert m.literal_raised and "(200, 3) @ (200, 10)" in m.literal_raised


def test_e5_literal_is_off_by_the_batch_size():
    """Dropping the 1/N makes the data term of dW2 exactly N = 200 times too large."""
    import numpy as np

    for eid in ("E5",):
        e = next(x for x in ERRATA if x.id == eid)
        case = e.case(np.random.default_rng(0))
        lit, cor = e.literal_fn(case), e.corrected_fn(case)
        np.testing.assert_allclose(lit, 200 * cor, rtol=1e-12)


def test_one_registry_the_forms_live_in_backprop_ref():
    """comparisons measures the very form objects the checker reads: no second copy."""
    from backprop_ref import errata as forms

    assert [e.id for e in ERRATA] == forms.ids() == [f"E{i}" for i in range(1, 11)]
    for e in ERRATA:
        assert e.form is forms.get(e.id)


@functools.cache
def _measure(eid: str, backend: str):
    return measure(errata.get(eid), backend)


RECORD = records.ROOT / "docs" / "errata.json"


@pytest.fixture(scope="module")
def committed():
    """The committed record; without a readable one, the tests that read it skip and
    `test_the_readme_errata_table_holds_the_measured_figures` fails with one line."""
    return records.for_test(RECORD, "errata",
                            skip_to="test_the_readme_errata_table_holds_the_measured_figures")


@pytest.fixture(scope="module")
def fresh(committed):
    """This machine's run, as the record was made (its backend and seed)."""
    return errata.record(committed["backend"], seed=committed["run"]["seed"])


def test_the_readme_errata_table_holds_the_measured_figures():
    """The errata table has one home, ``docs/errata.md``: the committed record rendered, to
    the character (a figure edited by hand fails).  The README links the page and holds no
    copy of the table that could go stale."""
    committed = records.for_test(RECORD, "errata")      # missing: one line, how to regenerate
    again = f"regenerate them with `{records.REGENERATE} errata`"
    page = (records.ROOT / "docs" / "errata.md").read_text(encoding="utf-8")
    assert page.splitlines() == errata.render_page(committed).splitlines(), (
        f"docs/errata.md is not docs/errata.json rendered: {again}")
    assert errata.render_table(committed) in page
    readme = (records.ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/errata.md)" in readme, "the README no longer links the errata page"
    header = "| # | note | the slip | the note writes | correct form | literal vs autograd |"
    copies = [line for line in readme.splitlines()
              if line == header or line.startswith(("| E1 |", "| E10 |"))]
    assert not copies, f"the README holds a copy of the errata table: {copies}"
    assert committed["ok"] and committed["backend"] == "torch"
    assert [x["id"] for x in committed["errata"]] == [e.id for e in ERRATA]


def test_a_fresh_run_reaches_the_recorded_verdicts(committed, fresh):
    """Every slip: the same verdicts, the slips' errors and E5's ×200 to the digits printed,
    round-off within its bound.  A record from another machine passes (and says so)."""
    where = records.provenance("docs/errata.json", committed, fresh["run"]["environment"])
    problems = errata.compare(committed, fresh)
    assert not problems, where + "; a fresh run here disagrees:\n  " + "\n  ".join(problems)
    by_id = {x["id"]: x for x in fresh["errata"]}
    assert records.printed(by_id["E5"]["factor"]) == "2.0e+02"      # the missing 1/N, N = 200
    assert all(by_id[i]["factor"] is None for i in by_id if i != "E5")


def test_an_erratum_edited_by_hand_fails(committed, fresh):
    """One figure of the page's table edited, or one real figure of the record: caught."""
    page = (records.ROOT / "docs" / "errata.md").read_text(encoding="utf-8")
    edited = page.replace("| 6.9e-01 |", "| 6.8e-01 |")
    assert edited != page and edited.splitlines() != errata.render_page(committed).splitlines()
    for eid, key, value, words in [
            ("E1", "literal_error", 0.5, "E1 literal: disagrees by 5.0e-01 in the record"),
            ("E4", "contrast_error", 1.6e-3, "E4 other reading: disagrees by 1.6e-03"),
            ("E5", "factor", 100.0, "E5: literal = ×100 of the corrected form"),
            ("E4", "literal_error", 1e-3, "E4 literal: recorded 'disagrees', this run 'agrees'"),
            ("E3", "literal_raised", None, "E3 literal: recorded 'disagrees'")]:
        doctored = copy.deepcopy(committed)
        x = next(x for x in doctored["errata"] if x["id"] == eid)
        x[key] = value
        if key == "literal_raised":
            x["literal_error"] = 1.0
        problems = errata.compare(doctored, fresh)
        assert any(words in p for p in problems), (eid, key, problems)


def test_an_erratum_record_from_another_machine_passes(committed, fresh):
    """Other round-off in every form that agrees, another CPU: the same verdicts."""
    other = copy.deepcopy(committed)
    other["run"]["environment"]["cpu"] = "AMD EPYC"
    for x in other["errata"]:
        x["corrected_error"] = x["bound"] / 2
        if errata.literal_verdict(x) == "agrees":
            x["literal_error"] = x["bound"] / 3
    assert errata.compare(other, fresh) == []
    broken = copy.deepcopy(fresh)
    broken["errata"][0]["corrected_error"] = broken["errata"][0]["bound"] * 2
    assert any("E1 corrected: recorded 'agrees'" in p for p in errata.compare(committed, broken))
