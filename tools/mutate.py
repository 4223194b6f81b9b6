"""Mutation testing of the reference with mutmut: does the executable spec catch every slip?

    python tools/mutate.py                       # the whole run, writes docs/MUTATION.md
    python tools/mutate.py --time-limit 30       # stop after 30 minutes, page marked PARTIAL
    python tools/mutate.py --only 'backprop_ref.layers.*' --report none   # one module
    python tools/mutate.py --no-run --workdir DIR   # the page again, from an earlier run
    python tools/mutate.py --finish --workdir DIR   # a stopped run's unreached mutants
    python tools/mutate.py --rerun-survivors --workdir DIR   # its survivors, with new tests

What it does, in order:

1. Refuses (one line, exit 2) when mutmut is missing or when a file the run reads
   (``backprop_ref/``, ``comparisons/``, ``tests/``, ``tools/``, ``pyproject.toml``) has
   uncommitted changes: the run mutates the committed ``HEAD``, and the page names it
   (``--allow-dirty`` runs anyway, still on ``HEAD``; ``--from-tree`` takes the files as
   they are, to try out a change).
2. Exports ``HEAD`` into a work folder outside the work tree (``--workdir``, by default
   ``$TMPDIR/backprop-ref-mutate/<commit>``; an interrupted run resumes there).
3. Rewrites ``@decorator def f`` as ``def f …`` followed by ``f = decorator(f)`` in that copy
   (the same function at run time).  mutmut 3 does not mutate decorated functions, and
   the formulas behind ``@finite_result`` (``dense_backward``, ``mlp.loss_and_grads``,
   ``sgd_step``, …) are the ones that matter most.
4. Runs ``mutmut run`` there with the ``[tool.mutmut]`` table of ``pyproject.toml``, in two
   phases.  The first generates every mutant, runs the selected tests once to record which
   tests reach which function (mutmut's per-mutant test selection), and runs the mutants of
   one small module.  Then the mutants that a ``same_after`` rule of
   ``tools/mutation_equivalents.toml`` covers (only ``astype``'s copy flag or a
   ``typing.cast`` type changed) are marked equivalent and not run (``--run-equivalents``
   runs them).  The second phase runs the rest: for each mutant only the selected tests
   that reach its function, fastest first, stopping at the first failure.  One thread per
   BLAS/OpenMP pool, workers forked from a fork server that has only collected the tests
   (``process_isolation``: a worker forked from the statistics run inherited its caches,
   the original code's answers), JAX deselected (``-k "not jax"``; torch autograd and
   central differences are the oracles), hypothesis ``ci`` profile, no xdist.
5. Writes ``docs/MUTATION.md``: the command, the date, the commit, the files (and the
   ``# pragma: no mutate block`` classes) not mutated and why (the ``[left_out]`` table of
   ``tools/mutation_equivalents.toml``), the mutant
   counts, the score and every surviving mutant with the reason it is equivalent (from
   the same file) or ``UNREVIEWED``.

Exit status: 0 when the run finished and every survivor is reviewed, 1 otherwise (a
partial run, an unreviewed survivor, or mutmut failing), 2 on bad input.
"""

from __future__ import annotations

import argparse
import ast
import datetime as _dt
import fnmatch
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

try:
    import tomllib
except ImportError:                      # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ("backprop_ref", "comparisons", "tests", "tools", "pyproject.toml")
#: exported with them: files the selected tests read (the README's and the docs' tables)
EXTRAS = ("README.md", "docs/bad-input.md", "docs/errata.json", "docs/errata.md")
EQUIVALENTS = ROOT / "tools" / "mutation_equivalents.toml"
REPORT = ROOT / "docs" / "MUTATION.md"
COMMAND = "python tools/mutate.py"
COMMIT_FILE = ".mutate-commit"
ELAPSED_FILE = ".mutate-seconds"
COMMANDS_FILE = ".mutate-commands"
#: the mutants of phase 1 (any small, cheap module will do)
PHASE1 = "backprop_ref.labels.*"
#: mutmut's exit code for a mutant it does not run ("skipped"): here, equivalent by a rule
SKIPPED = 34

#: mutmut's exit codes, grouped the way the page counts them
KILLED = {"killed", "timeout", "caught by type check", "segfault"}
THREAD_ENV = {v: "1" for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                               "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")}


def fail(message: str) -> "NoReturn":  # type: ignore[name-defined]  # noqa: F821
    print(f"mutate: {message}", file=sys.stderr)
    raise SystemExit(2)


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


# ------------------------------------------------------------------------- preconditions
def check_tool() -> str:
    if importlib.util.find_spec("mutmut") is None or shutil.which("mutmut") is None:
        fail("mutmut is not installed; install the dev extra: pip install -e '.[dev]'")
    from importlib.metadata import version
    return version("mutmut")


def check_clean(allow_dirty: bool) -> str:
    try:
        dirty = git("status", "--porcelain", "--untracked-files=all", "--", *INPUTS).splitlines()
    except (OSError, subprocess.CalledProcessError):
        fail(f"{ROOT} is not a git work tree; the run mutates the committed HEAD")
    commit = git("rev-parse", "--short=12", "HEAD").strip()
    if dirty and allow_dirty:
        return commit
    if dirty:
        paths = ", ".join(line[3:] for line in dirty[:3]) + (" …" if len(dirty) > 3 else "")
        fail(f"the work tree is dirty ({len(dirty)} uncommitted path(s): {paths}); commit "
             "first, the run mutates HEAD")
    return commit


# ------------------------------------------------------------------------- the copy
def undecorate(source: str) -> str:
    """``@d1 @d2 def f`` → ``def f`` … ``f = (d1)((d2)(f))`` for module-level functions."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    edits = []
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not node.decorator_list:
            continue
        wrapped = node.name
        for deco in reversed(node.decorator_list):
            wrapped = f"({ast.get_source_segment(source, deco)})({wrapped})"
        first = min(d.lineno for d in node.decorator_list) - 1
        edits.append((node.end_lineno, node.end_lineno, [f"{node.name} = {wrapped}\n"]))
        edits.append((first, node.lineno - 1, []))
    for start, end, new in sorted(edits, key=lambda e: -e[0]):
        lines[start:end] = new
    return "".join(lines)


def mutmut_config(pyproject: Path) -> dict:
    return tomllib.loads(pyproject.read_text())["tool"]["mutmut"]


def prepare(workdir: Path, fresh: bool, from_tree: bool, rev: str = "HEAD",
            k_expr: str | None = None) -> None:
    """Export ``rev`` (or, ``from_tree``, copy the work tree's files) into ``workdir``.

    An older ``rev`` is measured with today's ``[tool.mutmut]`` table (``k_expr`` replaces
    its ``-k`` expression), so that scores before and after a change are comparable."""
    if fresh and workdir.exists():
        shutil.rmtree(workdir)
    if (workdir / "pyproject.toml").exists():
        return                                           # resume where mutmut left off
    workdir.mkdir(parents=True, exist_ok=True)
    if from_tree:                                        # the files as they are
        for name in INPUTS + EXTRAS:
            src = ROOT / name
            if src.is_dir():
                shutil.copytree(src, workdir / name, ignore=shutil.ignore_patterns(
                    "__pycache__", "*.pyc", ".hypothesis"))
            else:
                (workdir / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, workdir / name)
    else:
        present = [n for n in (*INPUTS, *EXTRAS)
                   if git("ls-tree", "--name-only", rev, n).strip()]
        archive = subprocess.run(["git", "archive", rev, *present], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(workdir)], input=archive, check=True)
        if rev != "HEAD" or k_expr:
            table = (ROOT / "pyproject.toml").read_text().split("[tool.mutmut]", 1)[1]
            table = table.split("\n[", 1)[0]
            if k_expr:
                table = re.sub(r'"-k", "[^"]*"', f'"-k", "{k_expr}"', table)
            old = (workdir / "pyproject.toml").read_text()
            if "[tool.mutmut]" in old:
                head, rest = old.split("[tool.mutmut]", 1)
                tail = rest.split("\n[", 1)[1] if "\n[" in rest else ""
                old = head + ("[" + tail if tail else "")
            (workdir / "pyproject.toml").write_text(old.rstrip() + "\n\n[tool.mutmut]" + table)
    cfg = mutmut_config(workdir / "pyproject.toml")
    for extra in cfg.get("also_copy", []):       # mutmut copies a file but not its folder
        if not extra.endswith("/"):
            (workdir / "mutants" / extra).parent.mkdir(parents=True, exist_ok=True)
    for src in cfg["source_paths"]:
        for path in sorted((workdir / src).rglob("*.py")):
            text = path.read_text()
            new = undecorate(text)
            if new != text:
                path.write_text(new)


# ------------------------------------------------------------------------- the run
def run_mutmut(workdir: Path, children: int, only: list[str], deadline: float | None) -> bool:
    """``mutmut run``; True when it finished, False when the time limit stopped it.  Exits 1
    when mutmut itself fails (e.g. a selected test fails on the unmutated code)."""
    env = {**os.environ, **THREAD_ENV, "HYPOTHESIS_PROFILE": "ci", "JAX_PLATFORMS": "cpu",
           "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg"}
    cmd = ["mutmut", "run", "--max-children", str(children), *only]
    print(f"mutate: {' '.join(cmd)}  (in {workdir})", flush=True)
    proc = subprocess.Popen(cmd, cwd=workdir, env=env, start_new_session=True)
    while True:
        try:
            code = proc.wait(timeout=5)
            if code != 0:
                print(f"mutate: mutmut failed (exit {code}); its output above says why",
                      file=sys.stderr)
                raise SystemExit(1)
            return True
        except subprocess.TimeoutExpired:
            if deadline is not None and time.monotonic() > deadline:
                print("mutate: time limit reached, stopping mutmut (the report is partial)",
                      flush=True)
                os.killpg(proc.pid, signal.SIGINT)
                try:
                    proc.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                return False


# ------------------------------------------------------------------------- results
_DIFFS = r"""
import json, sys
from mutmut.mutation.diff_apply import get_diff_for_mutant
out = {}
for line in sys.stdin:
    name, path = line.rstrip("\n").split("\t")
    try:
        out[name] = get_diff_for_mutant(name, path=path)
    except Exception as exc:  # a mutant mutmut cannot show any more
        out[name] = f"(no diff: {exc})"
print(json.dumps(out))
"""


def collect(workdir: Path) -> tuple[dict, dict]:
    """``{mutant: status}`` and ``{mutant: source path}`` from mutmut's meta files."""
    from mutmut.stats import status_by_exit_code   # noqa: PLC0415 (checked in check_tool)
    statuses, paths = {}, {}
    for meta in sorted((workdir / "mutants").rglob("*.py.meta")):
        rel = meta.relative_to(workdir / "mutants").as_posix()[: -len(".meta")]
        data = json.loads(meta.read_text())
        for name, code in data["exit_code_by_key"].items():
            statuses[name] = status_by_exit_code[code]
            paths[name] = rel
    return statuses, paths


def diffs(workdir: Path, names: list[str], paths: dict) -> dict:
    if not names:
        return {}
    stdin = "".join(f"{n}\t{paths[n]}\n" for n in names)
    out = subprocess.run([sys.executable, "-c", _DIFFS], cwd=workdir, input=stdin, text=True,
                         capture_output=True, check=True).stdout
    return json.loads(out)


def changed_lines(diff: str) -> tuple[str, str]:
    """The removed and added source lines of a mutant's diff, whitespace-normalised."""
    minus = " ".join(l[1:].strip() for l in diff.splitlines()
                     if l.startswith("-") and not l.startswith("---"))
    plus = " ".join(l[1:].strip() for l in diff.splitlines()
                    if l.startswith("+") and not l.startswith("+++"))
    return minus, plus


def load_reasons() -> list[dict]:
    if not EQUIVALENTS.exists():
        return []
    return tomllib.loads(EQUIVALENTS.read_text()).get("mutant", [])


_PRAGMA_BLOCK = re.compile(r"^\s*(?:class|def)\s+(\w+).*#\s*pragma:\s*no mutate block")


def pragma_blocks(root: Path, cfg: dict) -> list[str]:
    """``path::name`` of every class or function that a ``# pragma: no mutate block`` on its
    first line keeps out of the run."""
    found = []
    for src in cfg["source_paths"]:
        for path in sorted((root / src).rglob("*.py")):
            for line in path.read_text().splitlines():
                m = _PRAGMA_BLOCK.match(line)
                if m:
                    found.append(f"{path.relative_to(root).as_posix()}::{m.group(1)}")
    return found


def left_out_reasons() -> dict:
    """``{do_not_mutate pattern: why it is not mutated}`` (the ``[left_out]`` table)."""
    if not EQUIVALENTS.exists():
        return {}
    return tomllib.loads(EQUIVALENTS.read_text()).get("left_out", {})


def reason_for(name: str, diff: str, reasons: list[dict]) -> tuple[str, str]:
    """``(kind, reason)``: kind is "equivalent", "blind spot" or "UNREVIEWED".

    An entry applies to the functions its ``function`` glob names (the mutant name without
    its number), and either to one mutated line (``before`` → ``after``, exact) or to
    every mutant whose two lines become equal under its ``same_after`` rewrites (each a
    regex and its replacement, applied to both lines): a rule such as "only ``copy=`` of
    ``astype`` changed" then covers each such mutant and no other."""
    function = name.rsplit("__mutmut_", 1)[0]
    before, after = changed_lines(diff)
    for entry in reasons:
        if not fnmatch.fnmatchcase(function, entry.get("function", "*")):
            continue
        if "before" in entry or "after" in entry:
            if entry.get("before", before) != before or entry.get("after", after) != after:
                continue
        elif "same_after" in entry:
            b, a = before, after
            for pattern, repl in entry["same_after"]:
                b, a = re.sub(pattern, repl, b), re.sub(pattern, repl, a)
            if b != a:
                continue
        else:
            continue
        return entry.get("kind", "equivalent"), entry["reason"]
    return "UNREVIEWED", "not reviewed yet"


def rerun(workdir: Path, commit: str, args, *, survivors: bool) -> str:
    """Run more of the run in ``workdir`` with HEAD's tests, keeping its results: its
    survivors (``survivors``) or the mutants it never reached (a run stopped early).
    Allowed only when the mutated source paths (``backprop_ref/``, ``comparisons/``) have
    not changed since (the mutants were made from them)."""
    head = check_clean(args.allow_dirty)
    old = commit.split()[0].rstrip(":")
    sources = [src.rstrip("/") for src in mutmut_config(workdir / "pyproject.toml")["source_paths"]]
    if git("diff", "--name-only", old, head, "--", *sources).strip():
        fail(f"{', '.join(sources)} changed between {old} and {head}; run afresh (--fresh)")
    archive = subprocess.run(["git", "archive", "HEAD", "tests", *EXTRAS],
                             cwd=ROOT, check=True, capture_output=True).stdout
    for where in (workdir, workdir / "mutants"):
        subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    statuses, paths = collect(workdir)
    if survivors:
        # survivors only: the mutants a stopped run never reached stay "not checked" (the
        # page counts them as not run), rather than being run here with other tests
        left = sorted(k for k, v in statuses.items()
                      if v not in KILLED and v not in ("skipped", "not checked"))
        found, reasons = diffs(workdir, left, paths), load_reasons()
        # a survivor reviewed as equivalent survives any test: only the others are re-run
        names = [n for n in left if reason_for(n, found[n], reasons)[0] != "equivalent"]
        what = "survivors not reviewed as equivalent"
    else:
        names = sorted(k for k, v in statuses.items() if v == "not checked")
        what = "mutants it had not reached"
    if names:
        run_mutmut(workdir, args.max_children, names, None)
    commit = f"{head}: its tests ran the {len(names)} {what}; before that, {commit}"
    (workdir / COMMIT_FILE).write_text(commit + "\n")
    return commit


def mark_equivalents(workdir: Path, reasons: list[dict]) -> int:
    """Mark every mutant not yet run that a ``same_after`` rule of the equivalents file
    covers as skipped (mutmut then leaves it alone); returns how many."""
    statuses, paths = collect(workdir)
    todo = sorted(k for k, v in statuses.items() if v == "not checked")
    found = diffs(workdir, todo, paths)
    marked: dict[str, list[str]] = {}
    rules = [r for r in reasons if "same_after" in r]
    for name in todo:
        if reason_for(name, found[name], rules)[0] == "equivalent":
            marked.setdefault(paths[name], []).append(name)
    for path, names in marked.items():
        meta = workdir / "mutants" / (path + ".meta")
        data = json.loads(meta.read_text())
        for name in names:
            data["exit_code_by_key"][name] = SKIPPED
        meta.write_text(json.dumps(data, indent=4))
    return sum(len(v) for v in marked.values())


def score_of(workdir: Path, reasons: list[dict]) -> tuple[float, int, int, int]:
    """``(score, killed, non-equivalent run, run)`` of the results in ``workdir``, its
    survivors judged by today's equivalence rules."""
    statuses, paths = collect(workdir)
    left = sorted(k for k, v in statuses.items() if v not in KILLED and v not in
                  ("not checked", "skipped"))
    found = diffs(workdir, left, paths)
    equivalent = sum(1 for n in left if reason_for(n, found[n], reasons)[0] == "equivalent")
    run = sum(1 for v in statuses.values() if v not in ("not checked", "skipped"))
    killed = sum(1 for v in statuses.values() if v in KILLED)
    return 100.0 * killed / max(1, run - equivalent), killed, run - equivalent, run


def render(*, commit: str, version: str, cfg: dict, statuses: dict, survivors: list,
           not_run: list, finished: bool, elapsed: float, only: list[str],
           children: int, commands: list[str], before: str = "",
           blocks: tuple = ()) -> str:
    counts = Counter(statuses.values())
    total = len(statuses)
    checked = total - counts.get("not checked", 0) - counts.get("skipped", 0)
    killed = sum(counts.get(s, 0) for s in KILLED)
    equivalent = sum(1 for s in survivors if s["kind"] == "equivalent")
    denominator = checked - equivalent
    score = 100.0 * killed / denominator if denominator else float("nan")
    raw = 100.0 * killed / checked if checked else float("nan")
    left_out = left_out_reasons()
    date = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    state = "complete" if finished and not only else "**PARTIAL**"
    lines = [
        "# Mutation testing",
        "",
        "Generated by `python tools/mutate.py`; do not edit by hand. How the run works and",
        "how to read it: the docstring of `tools/mutate.py` and the `[tool.mutmut]` table of",
        "`pyproject.toml`.",
        "",
        "| | |",
        "|---|---|",
        *(f"| command | `{COMMAND} {c}`".rstrip() + " |" for c in commands),
        f"| date | {date} |",
        f"| commit | `{commit}` |",
        f"| tool | mutmut {version}, {children} worker(s), {elapsed / 60:.0f} min |",
        f"| mutated | {', '.join(f'`{p}`' for p in cfg['source_paths'])} except "
        f"{', '.join(f'`{p}`' for p in [*cfg.get('do_not_mutate', []), *blocks]) or 'nothing'} "
        "(why: below) |",
        f"| run | {state} |",
        f"| mutants | {total} generated, {checked} run, {len(not_run)} equivalent by a rule "
        f"(not run), {counts.get('not checked', 0)} not run (the run stopped first) |",
        f"| killed | {killed} ({', '.join(f'{counts[s]} {s}' for s in sorted(KILLED) if counts.get(s))}) |",
        f"| survived | {len(survivors)}: {equivalent} equivalent, "
        f"{sum(1 for s in survivors if s['kind'] == 'blind spot')} blind spot(s), "
        f"{sum(1 for s in survivors if s['kind'] == 'UNREVIEWED')} unreviewed |",
        f"| **score** | **{score:.2f} %** of the {denominator} non-equivalent mutants run "
        f"({raw:.2f} % of all {checked} run) |",
        *([f"| before | {before} |"] if before else []),
        "",
        "The score counts a mutant as killed when a test failed, crashed or timed out on it.",
        "Survivors are the mutants no selected test failed on, and mutants that no test of",
        "the selection reaches (`no tests`).",
        "",
        "## Not mutated",
        "",
        *(f"- `{p}`: {left_out.get(p, '**no reason given**')}"
          for p in [*cfg.get("do_not_mutate", []), *blocks]),
        "",
        "## Counts by status",
        "",
        "| status | mutants |",
        "|---|---|",
        *(f"| {s} | {n} |" for s, n in sorted(counts.items())),
        "",
        "## Every survivor",
        "",
    ]
    if not survivors:
        lines.append("None.")
    for s in survivors:
        before, after = changed_lines(s["diff"])
        lines += [f"- `{s['name']}` ({s['status']}, **{s['kind']}**): {s['reason']}",
                  f"  `{before}` → `{after}`"]
    if not_run:
        lines += ["", "## Equivalent by a rule, not run", "",
                  "Mutants that a `same_after` rule of `tools/mutation_equivalents.toml` covers",
                  "(the two lines differ only in what the rule rewrites) are marked equivalent",
                  "before the run and not run (`--run-equivalents` runs them too).", ""]
        by_reason: dict[str, list] = {}
        for s in not_run:
            by_reason.setdefault(s["reason"], []).append(s)
        for reason, group in by_reason.items():
            lines += [f"- {reason} ({len(group)}):"]
            for s in group:
                before, after = changed_lines(s["diff"])
                lines.append(f"  - `{s['name']}`: `{before}` → `{after}`")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", default=[], metavar="GLOB",
                    help="mutant names to run, e.g. 'backprop_ref.labels.*'")
    ap.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--fresh", action="store_true", help="discard earlier results first")
    ap.add_argument("--allow-dirty", action="store_true",
                    help="run although the work tree has uncommitted changes (HEAD is still "
                         "what is mutated and tested)")
    ap.add_argument("--from-tree", action="store_true",
                    help="mutate and test the work tree's files as they are, uncommitted "
                         "changes included (the page says so); for trying out a change")
    ap.add_argument("--time-limit", type=float, default=None, metavar="MINUTES")
    ap.add_argument("--run-equivalents", action="store_true",
                    help="run the mutants the equivalence rules cover too (by default they "
                         "are marked equivalent and not run: no test can kill them)")
    ap.add_argument("--rerun-survivors", action="store_true",
                    help="re-run an earlier run's survivors (--workdir) with HEAD's tests, "
                         "when the mutated source paths are unchanged since that run")
    ap.add_argument("--finish", action="store_true",
                    help="run the mutants a stopped run (--workdir) never reached, with "
                         "HEAD's tests, when the mutated source paths are unchanged since")
    ap.add_argument("--commit", default="HEAD", metavar="REV",
                    help="mutate and test an older commit, with today's [tool.mutmut] table "
                         "(a score before a change)")
    ap.add_argument("--pytest-k", default=None, metavar="EXPR",
                    help="replace the table's -k expression")
    ap.add_argument("--before", type=Path, default=None, metavar="WORKDIR",
                    help="an earlier run (e.g. of --commit REV) whose score the page quotes")
    ap.add_argument("--no-run", action="store_true",
                    help="only write the page from the results already in --workdir")
    ap.add_argument("--report", default=str(REPORT),
                    help="where to write the page ('none': print the survivors only)")
    args = ap.parse_args(argv)

    version = check_tool()
    again = args.rerun_survivors or args.finish
    if args.no_run or again:
        workdir = args.workdir
        if workdir is None or not (workdir / "mutants").is_dir():
            fail(f"no results in {workdir}; this option needs the --workdir of an earlier run")
        commit = (workdir / COMMIT_FILE).read_text().strip()
        start = time.monotonic()
    if args.no_run:                       # the page of an earlier run: its commit, not HEAD's
        finished = not any(s == "not checked" for s in collect(workdir)[0].values())
    elif again:
        commit = rerun(workdir, commit, args, survivors=args.rerun_survivors)
        finished = not any(s == "not checked" for s in collect(workdir)[0].values())
    else:
        commit = check_clean(args.allow_dirty or args.from_tree)
        if args.from_tree:
            commit += " + uncommitted changes"
        workdir = args.workdir or (Path(tempfile.gettempdir()) / "backprop-ref-mutate"
                                   / commit.split()[0])
        recorded = workdir / COMMIT_FILE
        if (not (args.fresh or args.from_tree) and recorded.exists()
                and recorded.read_text().split()[0].rstrip(":") != commit.split()[0]):
            fail(f"{workdir} holds a run of {recorded.read_text().split()[0].rstrip(':')}, not of "
                 f"{commit.split()[0]}: --finish continues it with HEAD's tests, --fresh "
                 "starts over")
        start = time.monotonic()
        deadline = None if args.time_limit is None else start + 60 * args.time_limit
        prepare(workdir, args.fresh or args.from_tree, args.from_tree, args.commit,
                args.pytest_k)
        if args.commit != "HEAD":
            commit = git("rev-parse", "--short=12", args.commit).strip() + " (tests and code)"
        (workdir / COMMIT_FILE).write_text(commit + "\n")
        # phase 1: generate every mutant, collect the per-test statistics, run a few
        finished = run_mutmut(workdir, args.max_children, [PHASE1], deadline)
        if finished and not args.run_equivalents:
            n = mark_equivalents(workdir, load_reasons())
            print(f"mutate: {n} mutant(s) equivalent by a rule of "
                  f"{EQUIVALENTS.relative_to(ROOT)} marked, not run", flush=True)
        if finished:                       # phase 2: the rest (mutmut keeps earlier results)
            finished = run_mutmut(workdir, args.max_children, args.only, deadline)
    elapsed = time.monotonic() - start
    if not args.no_run:
        previous = workdir / ELAPSED_FILE
        if again and previous.exists():
            elapsed += float(previous.read_text())
        previous.write_text(f"{elapsed:.0f}\n")
    elif (workdir / ELAPSED_FILE).exists():
        elapsed = float((workdir / ELAPSED_FILE).read_text())

    statuses, paths = collect(workdir)
    if args.only:
        statuses = {k: v for k, v in statuses.items()
                    if any(fnmatch.fnmatch(k, g) for g in args.only)}
    left = sorted(k for k, v in statuses.items() if v not in KILLED and v not in
                  ("not checked", "skipped"))
    skipped = sorted(k for k, v in statuses.items() if v == "skipped")
    found = diffs(workdir, left + skipped, paths)
    reasons = load_reasons()
    survivors, not_run = [], []
    for name in left + skipped:
        kind, reason = reason_for(name, found[name], reasons)
        (survivors if name in left else not_run).append(
            {"name": name, "status": statuses[name], "diff": found[name], "kind": kind,
             "reason": reason})
    history = workdir / COMMANDS_FILE
    if not args.no_run:
        with history.open("a") as fh:
            fh.write(" ".join(a for a in (argv if argv is not None else sys.argv[1:])) + "\n")
    commands = history.read_text().splitlines() if history.exists() else [""]
    before = ""
    if args.before:
        b_score, b_killed, b_non_eq, b_run = score_of(args.before, reasons)
        b_commit = (args.before / COMMIT_FILE).read_text().strip()
        before = (f"{b_score:.1f} % ({b_killed} of {b_run - (b_run - b_non_eq)} non-equivalent "
                  f"mutants killed) with the tests of `{b_commit}`, measured the same way "
                  f"(`{COMMAND} --commit {b_commit.split()[0]} …`)")
    cfg = mutmut_config(workdir / "pyproject.toml")
    page = render(commit=commit, version=version, cfg=cfg,
                  statuses=statuses, survivors=survivors, not_run=not_run, finished=finished,
                  elapsed=elapsed, only=args.only, children=args.max_children,
                  commands=commands, before=before, blocks=tuple(pragma_blocks(workdir, cfg)))
    if args.report == "none":
        print(page)
    else:
        Path(args.report).write_text(page)
        print(f"mutate: wrote {args.report}")
    unreviewed = [s for s in survivors if s["kind"] == "UNREVIEWED"]
    return 0 if finished and not unreviewed else 1


if __name__ == "__main__":
    sys.exit(main())
