"""`docs/VERIFY.md` and `docs/verify.json` (the measured errors that the derivation pages of
the documentation site show) are what `backprop-ref verify` prints today, at seed 0.

Both come from one run: `backprop-ref verify --json --markdown docs/VERIFY.md >
docs/verify.json`, or `REGENERATE_DOCS=1 pytest tests/test_docs_verify.py`. The environment
line is left out of the comparison: it names the installed versions."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from comparisons import verify

DOCS = Path(__file__).resolve().parents[1] / "docs"
REGENERATE = "backprop-ref verify --json --markdown docs/VERIFY.md > docs/verify.json"


@pytest.fixture(scope="module")
def report():
    return verify.build(seed=0)


def _markdown(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if not ln.startswith("Environment: ")]


def _json(text: str) -> dict:
    data = json.loads(text)
    data.pop("environment")
    return data


def _regenerate(report) -> None:
    (DOCS / "VERIFY.md").write_text(verify.to_markdown(report), encoding="utf-8")
    (DOCS / "verify.json").write_text(verify.to_json(report) + "\n", encoding="utf-8")


def test_verify_md_is_what_verify_prints(report):
    if os.environ.get("REGENERATE_DOCS") == "1":
        _regenerate(report)
    committed = _markdown((DOCS / "VERIFY.md").read_text(encoding="utf-8"))
    assert committed == _markdown(verify.to_markdown(report)), \
        f"docs/VERIFY.md is stale: regenerate it with `{REGENERATE}`"


def test_verify_json_is_what_verify_prints(report):
    committed = _json((DOCS / "verify.json").read_text(encoding="utf-8"))
    assert committed == _json(verify.to_json(report)), \
        f"docs/verify.json is stale: regenerate it with `{REGENERATE}`"


def test_the_committed_report_is_green_and_complete():
    data = json.loads((DOCS / "verify.json").read_text(encoding="utf-8"))
    assert data["ok"] is True and data["seed"] == 0
    assert [d["id"] for d in data["derivations"]] == [f"D{i}" for i in range(1, 21)]
