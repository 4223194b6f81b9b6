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
import importlib.util
import json

import numpy as np
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


# ------------------------------------------------- the record's assembly, without measuring
IDS = [f"E{i}" for i in range(1, 11)]


@pytest.fixture
def measured(monkeypatch):
    """`errata.measure` replaced by a stand-in that records each call ``(id, backend, seed)``
    and returns fixed figures (E5 fails when ``measured.failing`` names it): what the
    record does with the measurements, without computing any."""
    class Calls(list):
        failing: tuple = ()

    calls = Calls()

    def measure(e, backend="the default backend", *, seed="the default seed"):
        calls.append((e.id, backend, seed))
        return errata.Measurement(e.id, backend, 0.5, None, 1e-17, 1e-12,
                                  contrast_error=2e-3 if e.contrast else None,
                                  ok=e.id not in calls.failing)

    monkeypatch.setattr(errata, "measure", measure)
    return calls


def _installed(monkeypatch, *frameworks):
    """Only ``frameworks`` of torch and the other autograd framework can be loaded."""
    from comparisons._optional import MissingExtra

    def get_backend(name):
        if name not in ("torch", "jax"):
            raise ValueError(f"unknown backend {name!r}")
        if name not in frameworks:
            raise MissingExtra(f"{name} is not installed")
        return object()

    monkeypatch.setattr(errata, "get_backend", get_backend)


def test_a_record_holds_its_kind_run_backend_verdict_and_one_entry_per_slip(measured):
    """Every slip measured once, in the registry's order, against the backend and seed
    asked for; the run block's command is the one that repeats the run (the seed only when
    it is not the default 0)."""
    rec = errata.record("fd", seed=7)
    assert measured == [(i, "fd", 7) for i in IDS]
    assert list(rec) == ["record", "run", "backend", "ok", "errata"]
    assert (rec["record"], rec["backend"], rec["ok"]) == ("errata", "fd", True)
    assert rec["run"]["command"] == "backprop-ref errata --backend fd --seed 7"
    assert rec["run"]["seed"] == 7 and rec["run"]["environment"]["python"]
    assert [x["id"] for x in rec["errata"]] == IDS
    assert [(x["literal_error"], x["corrected_error"], x["bound"]) for x in rec["errata"]] \
        == [(0.5, 1e-17, 1e-12)] * 10
    measured.clear()
    rec = errata.record("torch")
    assert measured == [(i, "torch", 0) for i in IDS]
    assert rec["run"]["command"] == "backprop-ref errata --backend torch"
    assert rec["run"]["seed"] == 0
    assert errata.record("fd", command="make it again")["run"]["command"] == "make it again"
    measured.failing = ("E5",)
    assert errata.record("torch")["ok"] is False


def test_without_a_backend_named_the_record_takes_the_first_installed(measured, monkeypatch):
    _installed(monkeypatch, "torch")
    assert errata.record()["backend"] == "torch"
    _installed(monkeypatch, "jax")
    measured.clear()
    assert errata.record()["backend"] == "jax"
    assert measured == [(i, "jax", 0) for i in IDS]
    assert errata.record("fd")["backend"] == "fd"          # a backend named is the one used


def test_the_first_available_backend_is_torch_then_the_other_framework_then_none(monkeypatch):
    assert errata.first_available_backend() == "torch"    # the test extra installs torch
    _installed(monkeypatch, "torch", "jax")
    assert errata.first_available_backend() == "torch"
    _installed(monkeypatch, "jax")
    assert errata.first_available_backend() == "jax"
    _installed(monkeypatch)
    assert errata.first_available_backend() is None


def test_with_neither_framework_the_record_says_what_to_install(tmp_path, monkeypatch):
    """The command that works from a checkout (run in it here), as every hint does."""
    from comparisons import _optional

    monkeypatch.setattr(_optional, "checkout", lambda: tmp_path.resolve())
    monkeypatch.chdir(tmp_path)
    _installed(monkeypatch)
    with pytest.raises(_optional.MissingExtra) as info:
        errata.record()
    assert str(info.value) == ('the errata are measured against torch or JAX: '
                               'pip install -e ".[torch]"')


def test_regenerate_writes_the_record_and_its_page_in_utf8(tmp_path, measured, ascii_locale):
    """``docs/errata.json`` and ``docs/errata.md`` under the root given, the page that
    record rendered, both UTF-8 whatever the locale; the record names the command that
    regenerates it, and its verdict is returned."""
    (tmp_path / "docs").mkdir()
    paths, ok = errata.regenerate(tmp_path)
    assert paths == [tmp_path / "docs" / "errata.json", tmp_path / "docs" / "errata.md"]
    assert ok is True
    rec = json.loads(paths[0].read_text(encoding="utf-8"))
    assert rec["record"] == "errata" and rec["backend"] == "torch"
    assert rec["run"]["command"] == "python -m comparisons.records errata"
    assert [x["id"] for x in rec["errata"]] == IDS
    page = paths[1].read_text(encoding="utf-8")
    assert page == errata.render_page(rec) and page.startswith("# Errata: slips in the notes")
    measured.failing = ("E5",)
    assert errata.regenerate(tmp_path)[1] is False
    assert json.loads(paths[0].read_text(encoding="utf-8"))["ok"] is False


def test_a_bar_in_a_form_is_escaped_in_the_table(committed):
    """A form may hold |x| (an absolute value): escaped, it stays in its cell."""
    rec = copy.deepcopy(committed)
    rec["errata"][0].update(slip="a | b", literal="max|z|", corrected="|z|₁")
    row = next(line for line in errata.render_table(rec).splitlines()
               if line.startswith("| E1 |"))
    assert " a \\| b | `max\\|z\\|` | `\\|z\\|₁` | " in row
    assert row.replace("\\|", "").count("|") == 7


# ------------------------------------------------------------------------------ the cases
def test_e7_runs_on_a_square_3_10_3_network_of_50_labelled_examples_without_l2():
    """Note 003's (A2 − y)·W1 only multiplies when the input and output widths agree."""
    for seed in range(8):
        c = errata._square_case(np.random.default_rng(seed))
        shapes = {k: c[k].shape for k in ("X", "y", "W1", "b1", "W2", "b2")}
        assert shapes == {"X": (50, 3), "y": (50,), "W1": (3, 10), "b1": (10,),
                          "W2": (10, 3), "b2": (3,)}, seed
        assert c["y"].dtype.kind == "i" and set(np.unique(c["y"])) <= {0, 1, 2}, seed
        assert c["reg"] == 0.0 and c["hidden"] == "relu" and c["head"] == "softmax_ce"


def test_e7s_forms_read_dz2_and_the_weights_of_the_square_network():
    c = errata._square_case(np.random.default_rng(0))
    got = errata.get("E7").args(c)
    assert sorted(got) == ["W1", "W2", "dZ2"]
    assert got["W1"] is c["W1"] and got["W2"] is c["W2"]
    Z2 = np.maximum(c["X"] @ c["W1"] + c["b1"], 0) @ c["W2"] + c["b2"]
    P = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(got["dZ2"], (P - np.eye(3)[c["y"]]) / 50, rtol=1e-12, atol=1e-15)


def _imported_afresh():
    """`comparisons.errata` executed again into a new module object (``sys.modules`` keeps
    the one every other test uses): its registry built now, not when the tests were
    collected.  The registry's array pickers are made when the module is imported, which
    for the mutation run happens before a mutant is switched on."""
    spec = importlib.util.find_spec("comparisons.errata")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("eid, names", [("E3", ["A1", "A2", "Y"]), ("E4", ["A1", "Z1", "dA1"]),
                                        ("E9", ["A1", "A2", "W2", "Y", "reg"]),
                                        ("E5", ["A1", "A2", "Y"])])
def test_the_network_slips_read_exactly_the_arrays_they_name(eid, names):
    """Checked on the registry as a fresh import builds it (`_imported_afresh`)."""
    e = _imported_afresh().get(eid)
    c = e.case(np.random.default_rng(0))
    got = e.args(c)
    assert sorted(got) == names
    A1 = np.maximum(c["X"] @ c["W1"] + c["b1"], 0)
    np.testing.assert_allclose(got["A1"], A1, rtol=1e-12, atol=1e-15)
    if "Y" in got:
        assert np.array_equal(got["Y"], np.eye(3)[c["y"]])
    if "reg" in got:
        assert got["reg"] == 0.1 and got["W2"] is c["W2"]


def test_an_unknown_erratum_is_refused_with_the_known_ones():
    with pytest.raises(ValueError) as info:
        errata.get("E11")
    assert str(info.value) == ("unknown erratum 'E11'; expected one of ['E1', 'E2', 'E3', "
                               "'E4', 'E5', 'E6', 'E7', 'E8', 'E9', 'E10']")


# ------------------------------------------------------- measure's verdict at its bounds
#: the truth of the made-up slips below: S = max(1, max|truth|) = 4, so the agreement bound
#: is 1e-12·4 = 4e-12 and a real error is beyond 1e-6·4 = 4e-6 (exact in binary: ×4)
TRUTH = np.array([[0.0, -4.0, 1.0]])


def _made_up(monkeypatch, literal, corrected, *, agrees=False, contrast=None, truth=TRUTH):
    """`measure` of a made-up slip whose forms return ``truth`` plus the offsets given (an
    array of another shape as it is), against a backend whose autograd says ``truth``.  The
    offsets sit on the truth's 0, so the errors are exactly the offsets."""
    from types import SimpleNamespace

    def form(offset):
        offset = np.asarray(offset, dtype=np.float64)
        return lambda: truth + offset if offset.ndim == 0 else (
            offset if offset.shape != truth.shape else truth + offset)

    class Autograd:
        def evaluate(self, twin, case):
            return {"out": truth.copy()}

    monkeypatch.setattr(errata, "get_backend", lambda name: Autograd())
    other = None if contrast is None else ("the other reading", form(contrast))
    slip = errata.Erratum(SimpleNamespace(id="EX", literal_form=form(literal),
                                          corrected_form=form(corrected),
                                          literal_agrees=agrees, contrast=other),
                          case=lambda rng: None, twin=None, key="out", args=lambda c: {})
    return measure(slip, "made-up")


def test_a_slip_is_measured_when_its_literal_form_disagrees_and_its_corrected_one_agrees(
        monkeypatch):
    """Disagrees: beyond 1e-6·S (not at it); agrees: within 1e-12·S (at it too)."""
    m = _made_up(monkeypatch, [[5e-6, 0, 0]], [[4e-12, 0, 0]])
    assert (m.erratum, m.backend, m.ok, m.scale, m.bound) == ("EX", "made-up", True, 4.0, 4e-12)
    assert (m.literal_error, m.corrected_error, m.literal_raised) == (5e-6, 4e-12, None)
    assert _made_up(monkeypatch, [[4e-6, 0, 0]], 0.0).ok is False       # at 1e-6·S: no
    assert _made_up(monkeypatch, [[5e-7, 0, 0]], 0.0).ok is False       # 1e-6 / S: no
    assert _made_up(monkeypatch, [[5e-6, 0, 0]], [[5e-12, 0, 0]]).ok is False
    small = np.array([[0.0, 0.5, 1.5]])                                 # S = 1.5 < 2
    assert _made_up(monkeypatch, [[1.8e-6, 0, 0]], 0.0, truth=small).ok is True


def test_a_literal_form_of_another_shape_is_a_shape_error(monkeypatch):
    m = _made_up(monkeypatch, np.zeros((3,)), 0.0)
    assert m.literal_raised == "shape (3,) ≠ (1, 3)" and m.literal_error is None and m.ok
    assert m.literal_summary == "raises shape (3,) ≠ (1, 3)"


def test_a_literal_form_that_is_right_agrees_and_its_other_reading_disagrees(monkeypatch):
    """E4's kind: both forms within 1e-12·S (at it too), the other reading beyond 1e-6
    (not at it)."""
    def ok(literal, corrected, contrast=None):
        return _made_up(monkeypatch, literal, corrected, agrees=True, contrast=contrast).ok

    assert ok([[4e-12, 0, 0]], [[4e-12, 0, 0]], [[2e-6, 0, 0]]) is True
    assert ok(0.0, 0.0) is True                                  # no other reading
    assert ok([[5e-12, 0, 0]], 0.0, [[2e-6, 0, 0]]) is False     # literal beyond the bound
    assert ok(0.0, [[5e-12, 0, 0]], [[2e-6, 0, 0]]) is False     # corrected beyond it
    assert ok([[5e-12, 0, 0]], [[5e-12, 0, 0]], [[2e-6, 0, 0]]) is False
    assert ok(0.0, 0.0, [[1e-6, 0, 0]]) is False                 # the other reading at 1e-6
    assert ok(0.0, 0.0, [[1e-7, 0, 0]]) is False
    m = _made_up(monkeypatch, np.zeros(3), 0.0, agrees=True)
    assert m.literal_raised == "shape (3,) ≠ (1, 3)" and m.ok is False


def test_the_factor_is_found_to_the_agreement_bound_on_more_than_one_entry():
    """literal = c·corrected within 1e-12·max(1, max|literal|); never for one entry or a
    corrected form of zeros."""
    assert errata._factor([2.0, 4.0], [1.0, 2.0]) == 2.0
    assert errata._factor([3.0, 0.0], [1.0, 0.0]) == 3.0
    assert errata._factor([2.0, 2e-12], [1.0, 0.0]) == 2.0       # off by the bound: at it
    assert errata._factor([1.5, 1.8e-12], [1.0, 0.0]) is None    # beyond 1e-12·1.5
    assert errata._factor([2.0, 3e-12], [1.0, 0.0]) is None
    assert errata._factor([0.5, 1e-12], [1.0, 0.0]) == 0.5       # at least 1e-12·1
    assert errata._factor([6.0], [3.0]) is None
    assert errata._factor([1.0, 2.0], [0.0, 0.0]) is None


def test_a_verdict_is_agrees_within_the_bound_disagrees_beyond_1e_6_s_else_neither():
    def verdict(error, scale=4.0):
        return errata.literal_verdict({"literal_raised": None, "literal_error": error,
                                       "bound": 1e-12 * scale, "scale": scale})

    assert verdict(4e-12) == verdict(0.0) == "agrees"
    assert verdict(5e-12) == verdict(4e-6) == verdict(2e-6) == "neither agrees nor disagrees"
    assert verdict(5e-6) == "disagrees"
    assert errata.literal_verdict({"literal_raised": "ValueError: x"}) == "shape error"


# --------------------------------------------------------- compare: what each line says
def _slip(**changes) -> dict:
    x = {"id": "E1", "note": "000", "slip": "s", "literal": "l", "corrected": "c",
         "contrast": None, "literal_error": 0.5, "literal_raised": None,
         "corrected_error": 1e-17, "contrast_error": None, "ok": True, "bound": 1e-12,
         "scale": 1.0, "factor": None}
    return {**x, **changes}


def _problems(committed: dict, fresh: dict) -> list[str]:
    return errata.compare({"errata": [_slip(**committed)]}, {"errata": [_slip(**fresh)]})


def test_compare_names_the_slip_the_form_and_both_figures_or_texts():
    assert _problems({}, {"corrected_error": 1e-12, "literal_error": 0.504}) == []
    assert _problems({}, {"literal_error": 0.7}) == [
        "E1 literal: disagrees by 5.0e-01 in the record, by 7.0e-01 in this run"]
    raised = {"literal_raised": "ValueError: (2, 3) @ (2, 3)", "literal_error": None}
    assert _problems(raised, {**raised, "literal_raised": "ValueError: (2, 3) @ (4, 3)"}) == [
        "E1 literal: recorded 'ValueError: (2, 3) @ (2, 3)', this run "
        "'ValueError: (2, 3) @ (4, 3)'"]
    assert _problems({}, {"factor": 200.0}) == [
        "E1: literal = no multiple of the corrected form in the record, ×200 in this run"]
    assert _problems({"factor": 200.0}, {}) == [
        "E1: literal = ×200 of the corrected form in the record, no multiple in this run"]
    assert _problems({}, {"bound": 2e-12, "scale": 2.0}) == [
        "E1 bound: recorded 1e-12, this run 2e-12", "E1 scale: recorded 1.0, this run 2.0"]
    assert _problems({}, {"ok": False}) == ["E1: recorded ok=True, this run ok=False"]


def test_a_corrected_form_that_disagrees_is_compared_to_the_digits_printed():
    """A corrected form that disagreed in the record and disagrees now (no erratum's does
    today): its two errors are compared as printed, like a literal form's."""
    off = {"corrected_error": 0.25}
    assert _problems(off, {"corrected_error": 0.2504}) == []
    assert _problems(off, {"corrected_error": 0.3}) == [
        "E1 corrected: disagrees by 2.5e-01 in the record, by 3.0e-01 in this run"]


def test_a_measurement_defaults_to_torch_and_seed_0_as_the_record(committed):
    """`measure`'s defaults are the record's backend and seed: its E1 figure, to the digits
    printed."""
    e1 = next(x for x in committed["errata"] if x["id"] == "E1")
    assert (committed["backend"], committed["run"]["seed"]) == ("torch", 0)
    m = measure(errata.get("E1"))
    assert m.backend == "torch"
    assert records.printed(m.literal_error) == records.printed(e1["literal_error"]) == "6.9e-01"


def test_the_error_and_the_factor_are_taken_in_float64_whatever_they_are_given():
    """A float32 form is judged by float64 arithmetic: |2²⁵ − 1| is 33554431 (float32
    rounds it to 2²⁵), 0.3f is not 3 × 0.1f to 1e-12 (in float32 it is exactly), and the
    bound 1e-12·max|literal| is a float64 product."""
    f32 = np.float32
    assert errata._err(np.array([2.0**25], f32), np.array([1.0], f32)) == 33554431.0
    assert errata._factor(np.array([3.0, 0.3], f32), np.array([1.0, 0.1], f32)) is None
    # the bound of a float32 literal is 1e-12·1.5 in float64 too: its residual 1.5e-12 is at it
    assert errata._factor(np.array([1.5, 0.0], f32), np.array([1.0, 1e-12])) == 1.5
