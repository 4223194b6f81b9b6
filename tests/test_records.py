"""The records behind every committed figure (`comparisons.records`): the machine a run
names, and what a missing or unreadable record says (one line: how to regenerate it).
Regenerate every record on this machine with ``python -m comparisons.records``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from comparisons import records


def test_the_environment_names_the_machine_kernel_threads_and_versions():
    env = records.environment()
    assert env["cpu"] and env["cores"] == os.cpu_count() and env["machine"]
    assert env["numpy"] and env["python"]
    assert "openblas" in env["blas"].lower(), env["blas"]      # NumPy's wheels ship OpenBLAS
    assert env["blas kernel"] not in ("", "unknown") and env["blas threads"] >= 1
    json.dumps(env)                                             # a record holds it as JSON
    from comparisons import verify
    assert verify.environment is records.environment            # importable where it was


def test_the_kernel_and_thread_count_are_read_from_blas_itself():
    """OPENBLAS_CORETYPE and OMP_NUM_THREADS change what OpenBLAS reports, in a new process:
    the record names the kernel that ran, not the one the CPU would pick."""
    code = ("import json; from comparisons import records; e = records.environment(); "
            "print(json.dumps([e['blas kernel'], e['blas threads'], e['settings']]))")
    env = {**os.environ, "OPENBLAS_CORETYPE": "Haswell", "OMP_NUM_THREADS": "1"}
    env.pop("OPENBLAS_NUM_THREADS", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout
    kernel, threads, settings = json.loads(out)
    assert kernel == "Haswell" and threads == 1
    assert settings == {"OPENBLAS_CORETYPE": "Haswell", "OMP_NUM_THREADS": "1"}


def test_describe_and_differences_name_what_moves_round_off():
    a = {"cpu": "Intel Xeon", "cores": 2, "blas": "scipy-openblas 0.3", "blas kernel":
         "SkylakeX", "blas threads": 2, "numpy": "2.4", "python": "3.11", "settings": {}}
    b = {**a, "blas kernel": "Prescott", "settings": {"OPENBLAS_CORETYPE": "Prescott"}}
    assert "Intel Xeon" in records.describe(a) and "kernel SkylakeX" in records.describe(a)
    assert "OPENBLAS_CORETYPE=Prescott" in records.describe(b)
    assert records.differences(a, b) == ["blas kernel: SkylakeX → Prescott"]
    assert records.differences(a, {**a, "host": "elsewhere"}) == []


@pytest.mark.parametrize("content, words", [
    (None, "docs/verify.json is missing"),
    ("{not json", "docs/verify.json is unreadable (JSONDecodeError"),
    ('{"ok": true, "derivations": []}', "docs/verify.json is not a verify record"),
    ('{"record": "errata", "run": {"environment": {}}}', "is not a verify record"),
])
def test_a_missing_or_unreadable_record_is_one_line_that_says_how_to_regenerate(
        tmp_path, monkeypatch, content, words):
    monkeypatch.setattr(records, "ROOT", tmp_path)
    path = tmp_path / "docs" / "verify.json"
    path.parent.mkdir()
    if content is not None:
        path.write_text(content)
    with pytest.raises(records.RecordError) as info:
        records.load(path, "verify")
    message = str(info.value)
    assert words in message and len(message.splitlines()) == 1
    assert message.endswith("regenerate it with `python -m comparisons.records verify`")


def test_printed_figures_and_bounds():
    assert records.printed(0.09963376587399708) == "1.0e-01" and records.printed(None) == "—"
    assert records.same_printed(0.6860814683902446, 0.68608146839)
    assert not records.same_printed(4.4e-16, 8.9e-16)
    assert records.same_bound(3.857195944172286e-12, 3.857195944172287e-12)
    assert not records.same_bound(1e-12, 1.01e-12) and not records.same_bound(None, 1e-12)


def test_regenerate_names_an_unknown_record_in_one_line(capsys):
    assert records.main(["benchmarks"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "unknown record 'benchmarks'" in err


def test_one_command_regenerates_every_committed_record():
    """Every record under docs/ is one of `records.RECORDS`, whose regenerator the one
    command finds (the page scripts of examples/ included); the docs name that command."""
    committed = {}
    for path in sorted((records.ROOT / "docs").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "record" in data:
            committed[path.name] = data["record"]
    assert set(committed.values()) == set(records.RECORDS), committed
    assert {"check-your-backprop.json": "checker", "exercises.json": "exercises"}.items() \
        <= committed.items()
    for kind in records.RECORDS:
        assert records._regenerator(kind).__name__ == "regenerate", kind
    for page, kind in (("check-your-backprop.md", "checker"), ("exercises.md", "exercises")):
        text = (records.ROOT / "docs" / page).read_text(encoding="utf-8")
        assert f"by `{records.REGENERATE} {kind}`" in text, page
