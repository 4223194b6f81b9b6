"""The notes' pages in docs/notes/ cover the catalog: each page tags every derivation the
catalog attributes to its note, links each tag to the derivation's page (reference code,
proof, measured errors), and marks every slip the errata registry places in that note."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from comparisons.catalog import CATALOG
from comparisons.errata import ERRATA

NOTES = Path(__file__).resolve().parents[1] / "docs" / "notes"


@pytest.mark.parametrize("note", ["000", "001", "002", "003", "004"])
def test_a_notes_page_tags_its_derivations_and_marks_its_slips(note):
    text = (NOTES / f"{note}.md").read_text(encoding="utf-8")
    for d in CATALOG:
        if note in d.notes:
            assert re.search(rf"\*\*{d.id}\*\*", text), f"note {note} does not tag {d.id}"
            assert f"derivations/{d.id}.md" in text, f"note {note}: no link to {d.id}'s page"
    for e in ERRATA:
        if e.note == note:
            assert f"[{e.id}](../errata.md#{e.id.lower()})" in text, \
                f"note {note} does not mark erratum {e.id}"


def test_every_tag_links_to_a_reference_function():
    for page in sorted(NOTES.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        assert re.search(r"\]\[backprop_ref\.[a-z_]+\.[a-z_]+\]", text), page.name
        assert "#measured" in text, f"{page.name} links no verify row"
