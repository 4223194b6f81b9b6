"""Exercises to hand out: the forward pass written, every backward line a TODO.

``backprop-ref exercise D17 -o d17.py`` writes a runnable file: the imports, the forward
pass written out, each backward line ``dW2 = ...`` with the shape it must have in its
comment, and the command that checks it in its docstring.  Checked untouched, it answers
``not written yet: dZ2, dW2, …`` (the grader recognises the ``...`` placeholders); with
every line written correctly, ``ok``.  The solutions stay here (`solution`), for the tests.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import textwrap
from dataclasses import dataclass

from .exercise_templates import TEMPLATES

LAYOUTS = ("rows", "columns")
_MARKED = re.compile(r"^(?P<indent> *)(?P<target>[^=]+?) = «(?P<formula>[^»]+)»"
                     r"  # (?P<shape>\([^)]*\))  (?P<meaning>.+)$")
_COMMENT_COLUMN = 61


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    function: str
    description: str


EXERCISES = {e.id: e for e in (
    Exercise("D9", "the output delta of sigmoid + MSE", "delta_mse_sigmoid",
             "The output delta of a sigmoid output with the mean squared error (note 002):\n"
             "δ = ∂L/∂Z of L = (1/N) Σ_n ½‖σ(Z_n) − Y_n‖².  Does σ' cancel here?"),
    Exercise("D11", "the output delta of softmax + cross-entropy", "delta_ce_softmax",
             "The output delta of a softmax output with cross-entropy (notes 000–004):\n"
             "δ = ∂L/∂Z of L = −(1/N) Σ_n Σ_k Y_nk log softmax(Z)_nk, for integer labels,\n"
             "one-hot rows and soft rows alike."),
    Exercise("D14", "a dense layer's backward pass", "dense_backward",
             "A dense layer's backward pass (notes 000, 001, 004): from δ = ∂L/∂Z, the\n"
             "gradients of the layer's input, weights and bias."),
    Exercise("D15", "a hidden layer's delta", "hidden_delta",
             "A hidden layer's delta (notes 002, 004): δ^l from the delta of the layer above,\n"
             "for a relu, sigmoid or tanh layer."),
    Exercise("D17", "the notes' two-layer network", "loss_and_grads",
             "The notes' network X → ReLU → softmax with cross-entropy + ½·reg·(‖W1‖² + ‖W2‖²)\n"
             "(notes 001, 003, 004): every gradient and every intermediate of its backward\n"
             "pass, dZ2 dW2 db2 dA1 dZ1 dW1 db1."),
    Exercise("D18", "an MLP of any depth", "loss_and_grads",
             "An MLP of any depth with relu, sigmoid or tanh hidden layers and a softmax\n"
             "cross-entropy head (notes 002, 004): the backward pass as a loop over the\n"
             "layers, from the output delta down to layer 1."),
)}

_LAYOUT_TEXT = {
    "rows": "rows (one example per row; a weight W is (fan_in, fan_out), a bias (fan_out,))",
    "columns": "columns, Nielsen's (one example per column; a weight W is (fan_out, fan_in), "
               "a bias (fan_out, 1))",
}


def ids() -> list[str]:
    """The derivation ids that have an exercise."""
    return list(EXERCISES)


def exercise_id(text: str) -> str:
    """``"d17"`` -> ``"D17"``; an argparse error naming the ids otherwise."""
    key = text.strip().upper()
    if key not in EXERCISES:
        raise argparse.ArgumentTypeError(
            f"no exercise for {text!r}; there are exercises for {', '.join(ids())}")
    return key


def default_filename(exercise: str) -> str:
    return f"exercise_{exercise.lower()}.py"


def check_command(exercise: str, layout: str = "rows", filename: str | None = None) -> str:
    """The command that checks the exercise file."""
    e = EXERCISES[exercise]
    name = os.path.basename(filename or default_filename(exercise))
    return (f"backprop-ref check {name}:{e.function} --against {e.id}"
            + (" --layout columns" if layout == "columns" else ""))


def _header(e: Exercise, layout: str, filename: str | None) -> str:
    text = textwrap.dedent(f'''\
        Exercise {e.id}: {e.title}; write its backward pass.

        {{description}}

        The forward pass is written for you.  Each backward line is a TODO written
        `name = ...`, with the shape it must have in its comment: replace each `...` with
        its formula, in order (a line may use the lines above it).
        Layout: {_LAYOUT_TEXT[layout]}.

        Check your lines, from this file's folder:

            {check_command(e.id, layout, filename)}

        It answers "not written yet: ..." while a line is still `...`, names the first
        wrong step and its likely cause when a line is wrong, and "ok" when every output
        matches the reference.
        ''').replace("{description}", e.description)
    return f'"""{text}"""\n\n'


def _render(exercise: str, layout: str, filename: str | None, solved: bool,
            change: dict | None = None) -> str:
    exercise = exercise_id(exercise) if exercise not in EXERCISES else exercise
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be 'rows' or 'columns', got {layout!r}")
    change = change or {}
    lines = []
    for line in TEMPLATES[(exercise, layout)].splitlines():
        m = _MARKED.match(line)
        if m is None:
            lines.append(line)
            continue
        formula = change.get(m["target"], m["formula"] if solved else "...")
        code = f"{m['indent']}{m['target']} = {formula}"
        comment = f"# {'TODO ' if formula == '...' else ''}{m['shape']}  {m['meaning']}"
        lines.append(f"{code:<{_COMMENT_COLUMN - 2}}  {comment}")
    return _header(EXERCISES[exercise], layout, filename) + "\n".join(lines) + "\n"


def skeleton(exercise: str, layout: str = "rows", filename: str | None = None) -> str:
    """The exercise file a student gets: every backward line ``name = ...``."""
    return _render(exercise, layout, filename, solved=False)


def solution(exercise: str, layout: str = "rows", filename: str | None = None,
             change: dict | None = None) -> str:
    """The same file with every backward line written (the reference's formulas), or
    with ``change`` (``{"dZ2": "A2 - Y"}``) written instead of some of them."""
    return _render(exercise, layout, filename, solved=True, change=change)


def solution_lines(exercise: str, layout: str = "rows") -> list[str]:
    """The backward lines of the solution, ``name = formula``, in order."""
    return [f"{m['target'].strip()} = {m['formula']}"
            for m in map(_MARKED.match, TEMPLATES[(exercise, layout)].splitlines()) if m]


def todo_names(exercise: str, layout: str = "rows") -> list[str]:
    """The names the skeleton leaves to write, in order (``dZ2``, ``dW2``, …)."""
    return [line.split(" = ", 1)[0] for line in solution_lines(exercise, layout)]


def exercise_command(args) -> int:
    """``backprop-ref exercise ID [--layout columns] [-o FILE] [--force]``: the skeleton
    on stdout, or written to FILE (never over an existing file without ``--force``)."""
    prog = "backprop-ref exercise"
    text = skeleton(args.id, args.layout, args.output)
    if not args.output:
        sys.stdout.write(text)
        return 0
    if os.path.exists(args.output) and not args.force:
        print(f"{prog}: error: {args.output} exists; not overwriting it (your work?): "
              "choose another -o or add --force", file=sys.stderr)
        return 2
    with open(args.output, "w", encoding="utf-8") as fh:
        fh.write(text)
    e = EXERCISES[args.id]
    n = len(todo_names(args.id, args.layout))
    print(f"wrote {args.output}: exercise {e.id}, {e.title} ({args.layout} layout), "
          f"{n} backward line{'s' * (n != 1)} to write")
    print(f"check it with: {check_command(e.id, args.layout, args.output)}")
    return 0
