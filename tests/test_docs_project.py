"""What a newcomer finds in the project itself: a license, typed and single-sourced
packaging metadata, a changelog, and nothing that points outside the repository."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import tomllib
from pathlib import Path

import backprop_ref

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_license_is_mit_as_an_spdx_string_with_its_file():
    assert PYPROJECT["project"]["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert not any(c.startswith("License ::") for c in PYPROJECT["project"]["classifiers"])


def test_the_package_is_typed():
    assert (Path(backprop_ref.__file__).parent / "py.typed").is_file()
    assert "Typing :: Typed" in PYPROJECT["project"]["classifiers"]
    assert "py.typed" in PYPROJECT["tool"]["setuptools"]["package-data"]["backprop_ref"]


def test_the_version_has_one_source():
    """pyproject.toml holds the version; the package reads it from the installed metadata."""
    init = (Path(backprop_ref.__file__).parent / "__init__.py").read_text(encoding="utf-8")
    assert 'importlib.metadata.version("backprop-ref")' in init
    assert PYPROJECT["project"]["version"] not in init
    assert backprop_ref.__version__ == importlib.metadata.version("backprop-ref")
    assert backprop_ref.__version__ == PYPROJECT["project"]["version"]


def test_the_changelog_names_the_current_version():
    assert f"## [{PYPROJECT['project']['version']}]" in (ROOT / "CHANGELOG.md").read_text("utf-8")


def test_the_test_extra_holds_what_the_docs_tests_need():
    test_extra = " ".join(PYPROJECT["project"]["optional-dependencies"]["test"])
    assert "backprop-ref[docs]" in test_extra and "selenium" in test_extra
    assert "filelock" in test_extra          # the workers share one build of the site


def test_nothing_points_outside_the_repository():
    """No tracked .py or .md file cites the private sources the project was built from."""
    files = subprocess.run(["git", "ls-files", "*.py", "*.md"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.split()
    # spelled in pieces, so that this file passes its own test (and the grep)
    pattern = re.compile("sha" + r"red/|\bSP" + r"EC\b|\bse" + "eds/")
    hits = []
    for name in files:
        path = ROOT / name
        if not path.is_file():
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                hits.append(f"{name}:{n}: {line.strip()[:80]}")
    assert not hits, f"{len(hits)} lines:\n" + "\n".join(hits[:40])


def test_the_benchmark_targets_page_states_the_targets_the_report_judges():
    """docs/benchmark-targets.md lists, in order, the targets of comparisons/report.py."""
    from comparisons.report import TARGETS

    text = (ROOT / "docs" / "benchmark-targets.md").read_text(encoding="utf-8")
    shown = re.findall(r"^\| [^|]+ \| ([≤≥]) ([\d.]+)× \|$", text, re.MULTILINE)
    held = [("≤" if lower else "≥", target) for _, target, lower in TARGETS.values()]
    assert [(sign, float(value)) for sign, value in shown] == held


README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_links_the_pages_its_sections_moved_to():
    for page in ("conventions.md", "agreement.md", "bad-input.md", "benchmark-targets.md",
                 "maintainers.md", "errata.md", "check-your-backprop.md", "exercises.md",
                 "VERIFY.md"):
        assert f"(docs/{page})" in README, page
        assert (ROOT / "docs" / page).is_file(), page
    assert "(benchmarks/REPORT.md)" in README


def _slugs(text: str) -> set[str]:
    """The anchors of a Markdown page: its headings as GitHub and MkDocs slug them, and
    explicit ``{ #id }`` attributes."""
    heads = re.findall(r"^#+ (.+?)\s*$", text, re.MULTILINE)
    slugs = {re.sub(r"[^\w\- ]", "", re.sub(r"\s*\{[^}]*\}$", "", h)).strip().lower()
             .replace(" ", "-") for h in heads}
    return slugs | set(re.findall(r"\{ *#([\w-]+) *\}", text))


def readme_links(text: str = README) -> list[str]:
    """The targets of the README's Markdown links (inline code spans left out)."""
    prose = re.sub(r"```.*?```|`[^`]*`", "", text, flags=re.DOTALL)
    return re.findall(r"\]\(([^)\s]+)\)", prose)


def test_every_link_in_the_readme_resolves():
    """A relative link names a file of the repository (and a heading of it, after #); the
    README links nothing outside it but the web pages of the standards it follows."""
    links = readme_links()
    assert len(links) > 20, links
    broken = []
    for link in links:
        if link.startswith(("http://", "https://")):
            broken += [link] if "127.0.0.1" in link or "localhost" in link else []
            continue
        path, _, anchor = link.partition("#")
        target = ROOT / path
        if not target.exists():
            broken.append(link)
        elif anchor and anchor not in _slugs(target.read_text(encoding="utf-8")):
            broken.append(link)
    assert not broken, broken


def test_a_broken_readme_link_is_caught():
    text = "[ok](docs/errata.md#e1) [gone](docs/nothing.md) `[code](not/a/link.md)`"
    assert readme_links(text) == ["docs/errata.md#e1", "docs/nothing.md"]
    assert "e1" in _slugs((ROOT / "docs" / "errata.md").read_text(encoding="utf-8"))
    assert "heavier-runs" in _slugs((ROOT / "docs" / "maintainers.md").read_text("utf-8"))


def test_the_readme_states_the_two_commands_and_ci_runs_the_second_as_written():
    main_job = 'pip install -e ".[all]" && backprop-ref verify'
    tests = 'pip install -e ".[test]" && pytest'
    assert main_job in README and tests in README
    assert README.index(main_job) < README.index(tests) < README.index("## Check your own")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci, "the CI script no longer runs the README's test command as written"


def test_the_readme_says_proved_only_for_sympy():
    """"Proved" is a SymPy proof; the numerical comparisons are "checked": every "proved",
    "proven" or "proof" has SymPy within a few words (the catalog's column is headed so)."""
    prose = " ".join(line for line in README.splitlines() if not line.startswith("|"))
    claims = [prose[max(0, m.start() - 25):m.end() + 25] for m in
              re.finditer(r"\bprove[dn]?\b|\bproofs?\b", prose, re.IGNORECASE)]
    assert claims and all("SymPy" in c for c in claims), [c for c in claims if "SymPy" not in c]


def test_the_readme_catalog_is_the_catalog():
    """Its rows are `comparisons.catalog` in order: the ids, the notes linked, each
    reference name a public name of backprop_ref, and a ✓ exactly where SymPy proves it."""
    from comparisons.catalog import CATALOG

    rows = [[c.strip() for c in line.strip("|").split("|")]
            for line in README.splitlines() if re.match(r"^\| D\d+ \|", line)]
    assert [r[0] for r in rows] == [e.id for e in CATALOG]
    for (id_, _, notes, reference, proved), e in zip(rows, CATALOG):
        linked = re.findall(r"\[(\d{3})\]\(docs/notes/(\d{3})\.md\)", notes)
        shown = ["000", "001", "002", "003", "004"] if notes.startswith("[all five]") else [
            a for a, b in linked if a == b]
        assert shown == list(e.notes), (id_, notes)
        names = re.findall(r"`([\w.]+)`", reference)
        assert e.reference_name.split(",")[0].split()[0] in names, (id_, reference)
        for name in names:
            obj = backprop_ref
            for part in name.split("."):
                obj = getattr(obj, part)          # AttributeError: a name that is not ours
        assert (proved == "✓") == bool(e.sympy), (id_, proved)
