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


def test_the_readme_links_the_pages_its_sections_moved_to():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in ("conventions.md", "agreement.md", "bad-input.md", "benchmark-targets.md",
                 "maintainers.md"):
        assert f"docs/{page}" in readme, page
        assert (ROOT / "docs" / page).is_file(), page
