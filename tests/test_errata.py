"""The notes' slips (the errata E1–E10): the literal form disagrees with autograd, the
corrected form agrees.  The same registry drives ``backprop-ref errata``."""

from __future__ import annotations

import pytest

from comparisons.errata import ERRATA, measure

pytestmark = pytest.mark.errata


@pytest.mark.parametrize("backend", ["torch", "jax"])
@pytest.mark.parametrize("e", [pytest.param(e, id=f"{e.id}-{e.note}") for e in ERRATA])
def test_literal_disagrees_and_corrected_agrees(e, backend):
    m = measure(e, backend)
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


def test_the_readme_errata_table_holds_the_measured_figures():
    """The last column of the README's errata table is `backprop-ref errata` (torch, seed 0):
    a figure in prose that no test read would go stale."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| (E\d+) \|.*\|$", readme, re.M)}
    assert sorted(rows, key=lambda e: int(e[1:])) == [e.id for e in ERRATA]
    for e in ERRATA:
        m = measure(e, "torch")
        cells = [c.strip() for c in rows[e.id].strip("|").split("|")]
        shown = cells[-1]
        if m.literal_raised:
            assert shown == "shape error", (e.id, shown)
        else:
            assert re.match(r"\d\.\de[+-]\d\d", shown).group(0) == f"{m.literal_error:.1e}", e.id
        if e.contrast:
            assert f"off by {m.contrast_error:.1e}" in cells[-2], (e.id, cells[-2])
