"""A griffe extension for the API pages: the reference's docstrings are written in the
CS231n manner (`Inputs:` / `Returns:` / `Raises:` blocks of `name: text` lines). Rendered
as plain Markdown those lines would run together into one paragraph; this turns each block
into a bold heading and a list, and a `>>>` session into a code block (Markdown would read
its prompts as quotes); everything else (the `$$` math, the prose) is left as written."""

from __future__ import annotations

import re

import griffe

SECTION = re.compile(r"^(Inputs|Returns|Raises|Yields|Attributes):\s*$")
ITEM = re.compile(r"^(?P<name>[^\s:()`]+|\([^)]*\)):\s*(?P<text>.*)$")


def sections_to_markdown(text: str) -> str:
    out: list[str] = []
    in_section = in_session = False
    for line in text.splitlines():
        if in_session and not line.strip():            # a session ends at a blank line
            out += ["```", ""]
            in_session = False
            continue
        if in_session or line.startswith(">>>"):        # a doctest session: a code block
            if not in_session:
                out += ["", "```pycon"]
                in_session = True
            out.append(line)
            continue
        heading = SECTION.match(line)
        if heading:
            out += ["", f"**{heading.group(1)}:**", ""]
            in_section = True
        elif in_section and line.startswith("    ") and not line.startswith("     "):
            item = ITEM.match(line.strip())
            if item:
                out.append(f"- `{item['name']}`: {item['text']}")
            elif out and out[-1].startswith(("- ", "  ")):
                out.append("  " + line.strip())      # a wrapped line without a name
            else:
                out.append(f"- {line.strip()}")
        elif in_section and line.startswith("     "):
            out.append("  " + line.strip())          # a wrapped item continues
        else:
            in_section = False
            out.append(line)
    if in_session:
        out.append("```")
    return "\n".join(out)


class CS231nSections(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = sections_to_markdown(obj.docstring.value)
