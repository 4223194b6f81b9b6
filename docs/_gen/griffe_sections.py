"""A griffe extension for the API pages: the reference's docstrings are written in the
CS231n manner (`Inputs:` / `Returns:` / `Raises:` blocks of `name: text` lines). Rendered
as plain Markdown those lines would run together into one paragraph; this turns each block
into a bold heading and a list, and a `>>>` session into a code block (Markdown would read
its prompts as quotes); everything else (the `$$` math, the prose) is left as written.

It also links every name a docstring mentions: a `name` in backticks that is an object of
`backprop_ref` (``KINDS``, ``check``, ``backprop_ref.heads``, a method of the same class)
becomes an autorefs link to the place the API pages render it (`link_names`). The
derivation pages (`gen_pages.py`) render the reference's docstrings the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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


# `name` or ``name``, a Python identifier or dotted path, not inside a longer code span
CODE_NAME = re.compile(r"(?<![`\w])(?P<ticks>``?)(?P<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)"
                       r"(?P=ticks)(?!`)")


def rendered_modules() -> set[str]:
    """The modules that have an API page (`site_pages.api_modules`) and the package."""
    from site_pages import api_modules

    return {"backprop_ref"} | {f"backprop_ref.{m}" for m, _ in api_modules()}


def resolver(scope: griffe.Object) -> Callable[[str], str | None]:
    """``name -> canonical path`` of a `backprop_ref` object seen from ``scope`` (its class,
    its module, then each package above it), or None for anything else (a parameter, ``numpy``…)."""
    owners = [o for o in (scope if scope.is_class else None,
                          scope.parent if scope.parent is not None and scope.parent.is_class
                          else None) if o is not None]
    module = scope.module                 # then the module and each package above it
    while module is not None:
        owners.append(module)
        module = module.parent

    def resolve(name: str) -> str | None:
        if name.startswith("backprop_ref."):
            name, owners_ = name.removeprefix("backprop_ref."), [scope.package]
        else:
            owners_ = owners
        for owner in owners_:
            try:
                target = owner[name]
                if target.name.startswith("_") or target.is_alias and not target.resolved:
                    continue
                path = target.canonical_path
            except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
                continue
            if target.is_module and path not in rendered_modules():
                continue        # a submodule no API page renders (the checker's parts)
            if path.startswith("backprop_ref"):
                return path
        return None
    return resolve


def link_names(text: str, resolve: Callable[[str], str | None]) -> str:
    """Each code span outside fenced blocks that names a `backprop_ref` object becomes
    ``[`name`][canonical.path]`` (autorefs)."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and not line.startswith(">>>"):
            line = CODE_NAME.sub(lambda m: _link(m, resolve), line)
        out.append(line)
    return "\n".join(out)


def _link(match: re.Match, resolve: Callable[[str], str | None]) -> str:
    path = resolve(match["name"])
    if path is None:
        return match[0]
    return f"[`{match['name']}`][{path}]"


class CS231nSections(griffe.Extension):
    def on_package(self, *, pkg: griffe.Module, **kwargs) -> None:
        """After the whole package is loaded (names resolve across modules)."""
        for obj in _walk(pkg):
            if obj.docstring is not None:
                text = sections_to_markdown(obj.docstring.value)
                obj.docstring.value = link_names(text, resolver(obj))


def _walk(obj: griffe.Object):
    yield obj
    for member in obj.members.values():
        if not member.is_alias and (member.is_module or member.is_class
                                    or member.docstring is not None):
            yield from _walk(member)
