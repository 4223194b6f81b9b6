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


#: a slip whose literal form the page itself shows (transcribed in LaTeX or code): the
#: note and a pattern of that literal form
LITERALS = {"E6": ("003", r"z_\{1i\} \\ge 0"), "E4": ("001", r"da1\[a1 == 0\]")}


def _slip_boxes(lines: list[str]) -> list[tuple[int, str]]:
    """(line index, text) of each ``!!! warning`` box: its title line and indented body."""
    boxes = []
    for i, line in enumerate(lines):
        if line.startswith("!!! warning"):
            body = [line]
            for nxt in lines[i + 1:]:
                if nxt.strip() and not nxt.startswith("    "):
                    break
                body.append(nxt)
            boxes.append((i, "\n".join(body)))
    return boxes


@pytest.mark.parametrize("note", ["000", "001", "002", "003", "004"])
def test_every_slip_is_marked_where_it_stands(note):
    """Each erratum of a note is marked in a warning box directly under the formula or the
    code it concerns (not in a list at the end of the section), and a literal form the page
    shows (note 003's `z ≥ 0`, note 001's `da1[a1 == 0]`) has its mark right under it."""
    lines = (NOTES / f"{note}.md").read_text(encoding="utf-8").splitlines()
    boxes = _slip_boxes(lines)
    for i, _ in boxes:
        before = next(line for line in reversed(lines[:i]) if line.strip())
        assert before.strip() in ("$$", "```"), \
            f"note {note}, line {i + 1}: a slip box that follows no formula or code"
    marks = re.compile(r"\[(E\d+)\]\(\.\./errata\.md#e\d+\)")
    in_boxes = sorted(m for _, text in boxes for m in marks.findall(text))
    everywhere = sorted(marks.findall("\n".join(lines)))
    assert in_boxes == everywhere, f"note {note}: a slip marked outside a box under its formula"
    mine = sorted({e.id for e in ERRATA if e.note == note})
    assert sorted(set(in_boxes)) == mine, (note, in_boxes, mine)
    for eid, (where, pattern) in LITERALS.items():
        if where != note:
            continue
        shown = [i for i, line in enumerate(lines)          # not the boxes' own words
                 if re.search(pattern, line) and not line.startswith(("    ", "!!!"))]
        assert shown, f"note {note} no longer shows {eid}'s literal form"
        for i in shown:                 # the formula's (or code's) end, then its box
            end = next(j for j in range(i, len(lines)) if lines[j].strip() in ("$$", "```")
                       and j > i or lines[j].rstrip().endswith("$$") and j > i)
            after = next(j for j in range(end + 1, len(lines)) if lines[j].strip())
            box = dict(boxes).get(after, "")
            assert f"[{eid}]" in box, \
                f"note {note}, line {i + 1}: {eid}'s literal form has no mark right under it"
