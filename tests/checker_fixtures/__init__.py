"""Code written the way people write it, for the checker's tests: a student's class
(`student_net.py`), CS231n's ``TwoLayerNet`` and layers, Nielsen's ``network.py``.

`version(name, *edits)` is the file with some lines changed, as a fresh module: each edit
is ``(line, new)``, ``line`` the exact text of a line (without its indentation), ``new``
its replacement (more lines with ``\\n``, each indented like the line; ``""`` deletes it).
`write` puts that version into a folder, for the command line.
"""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

HERE = Path(__file__).resolve().parent
_count = itertools.count()


def source(name: str, *edits: tuple[str, str]) -> str:
    """The text of ``name``.py with ``edits`` applied (each must match exactly one line)."""
    lines = (HERE / f"{name}.py").read_text(encoding="utf-8").splitlines()
    for old, new in edits:
        hits = [i for i, ln in enumerate(lines) if ln.strip() == old]
        assert len(hits) == 1, f"{old!r} is on {len(hits)} lines of {name}.py"
        i = hits[0]
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        lines[i: i + 1] = [indent + n for n in new.split("\n")] if new else []
    return "\n".join(lines) + "\n"


def version(name: str, *edits: tuple[str, str]):
    """``name``.py with ``edits``, imported as a fresh module."""
    text = source(name, *edits)
    mod_name = f"{name}_v{next(_count)}"
    spec = importlib.util.spec_from_loader(mod_name, loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__file__ = str(HERE / f"{name}.py")
    exec(compile(text, f"{name}.py", "exec"), module.__dict__)
    return module


def write(folder: Path, name: str, *edits: tuple[str, str], as_name: str | None = None) -> Path:
    """``name``.py with ``edits``, written into ``folder``; returns its path."""
    path = Path(folder) / f"{as_name or name}.py"
    path.write_text(source(name, *edits), encoding="utf-8")
    return path
