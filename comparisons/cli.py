"""``backprop-ref``: check your own backprop, grade a class's, hand out exercises; verify the
derivations, train the notes' network, list the errata, run the benchmarks.

    backprop-ref check FILE.py:FUNCTION --against ID [--layout columns] [--l2 sum]
                       [--reduction sum] [--json] [--seed S] [--timeout S]
    backprop-ref grade PATH... --function NAME --against ID [--file NAME] [--timeout S]
                       [--format table|jsonl|csv] [--gradescope FILE] [--jobs N]
    backprop-ref exercise ID [--layout columns] [-o FILE] [--force]
    backprop-ref verify [--only D11,D12] [--backend torch] [--json] [--markdown PATH]
    backprop-ref train  [--data iris|blobs] [--hidden 10 | 16,16] [--epochs N] [--lr η]
                        [--batch-size B] [--reg λ] [--seed S] [--plot PATH]
    backprop-ref errata [--backend torch|jax] [--json]
    backprop-ref bench  [--quick] [--compare [ID|FILE]] [--compare-fail EXPR] [-- PYTEST_ARGS]

Nothing a user types ends in a traceback.  Exit codes:

- 0: done, every check agrees; 1: a check disagrees (``check``: a slip; ``grade``: a
  submission that is not ok), or ``train`` diverged (one line naming the epoch and a
  smaller ``--lr`` to try);
- 2: a bad argument, with a one-line message (``backprop-ref train: error: …``);
- 130: interrupted (Ctrl-C), one line;
- 141: the reader of the output went away (``backprop-ref verify --json | head -1``): the
  rest of the output is dropped silently, as ``cat`` or ``yes`` do when killed by SIGPIPE
  (128 + 13).  Output that fits the pipe's buffer before the reader closes it is written
  in full and the command exits with its own code, as any command does.

Progress bars (tqdm) are drawn only when stderr is a terminal: a log gets no progress
lines.  Also ``python -m comparisons`` and ``python -m backprop_ref``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys

from .catalog import ids as catalog_ids

BACKEND_NAMES = ("torch", "jax", "fd")
DESCRIPTION = """\
A NumPy reference implementation of backpropagation, built from five pages of notes:
every derivation (D1–D20) is checked against PyTorch autograd, JAX grad and, wherever there
is a derivative to take, central differences.

Check your own backward pass against it (NumPy only):
    backprop-ref check examples/two_layer_student.py:wrong_layer --against D17
For teachers, an exercise to hand out and a grader for a folder of submissions:
    backprop-ref exercise D17 -o exercise_d17.py
    backprop-ref grade submissions/ --function loss_and_grads --against D17
Verify the reference on this machine (from a checkout: pip install -e ".[all]"):
    backprop-ref verify
"""
EPILOG = "Each command's options: backprop-ref COMMAND --help."

#: a few real command lines for each command's --help (its description is its one-line help)
EXAMPLES = {
    "verify": ["backprop-ref verify", "backprop-ref verify --only D11,D17 --backend fd",
               "backprop-ref verify --json > verify.json"],
    "train": ["backprop-ref train --data iris --plot curves.png",
              "backprop-ref train --hidden 16,16 --activation tanh"],
    "errata": ["backprop-ref errata", "backprop-ref errata --backend jax --json"],
    "check": ["backprop-ref check examples/two_layer_student.py:wrong_layer --against D17",
              "backprop-ref check mynet.py:delta --against D11 --json",
              "backprop-ref check cs231n_net.py:loss --against D17 --l2 sum"],
    "grade": ["backprop-ref grade submissions/ --function loss_and_grads --against D17",
              "backprop-ref grade students/ --file net.py --function loss --against D17 "
              "--format csv"],
    "exercise": ["backprop-ref exercise D17 -o exercise_d17.py",
                 "backprop-ref check exercise_d17.py:loss_and_grads --against D17"],
    "bench": ["backprop-ref bench --quick", "backprop-ref bench --quick -- -k delta",
              "backprop-ref bench --compare"],
}


class _HelpFormatter(argparse.HelpFormatter):
    """Show each option's default in its help, except where there is none to show."""

    def _get_help_string(self, action):
        text = action.help or ""
        none = action.default is None or action.default is False \
            or action.default is argparse.SUPPRESS
        if (not none and "%(default)" not in text
                and "default:" not in text and action.option_strings):
            text += " (default: %(default)s)"
        return text

    def _fill_text(self, text, width, indent):
        """Paragraphs are filled; an indented line (a command to type) is kept as it is."""
        import textwrap

        out, para = [], []
        for line in text.splitlines() + [""]:
            if line.strip() and not line.startswith(" "):
                para.append(line.strip())
                continue
            if para:
                out.append(textwrap.fill(" ".join(para), width, initial_indent=indent,
                                         subsequent_indent=indent))
                para = []
            out.append(indent + line if line.strip() else "")
        return "\n".join(out).rstrip("\n")


class _Commands(argparse._SubParsersAction):
    """Each command's --help starts with its one-line help and ends with examples."""

    def add_parser(self, name, **kwargs):
        if "help" in kwargs:
            kwargs.setdefault("description", kwargs["help"][0].upper() + kwargs["help"][1:]
                              + ".")
        if name in EXAMPLES:
            kwargs.setdefault("epilog", "Examples:\n" + "\n".join(
                f"    {line}" for line in EXAMPLES[name]))
        return super().add_parser(name, **kwargs)


class _Parser(argparse.ArgumentParser):
    """argparse, with a one-line error (``backprop-ref train: error: …``) and defaults in
    the help; sub-command parsers are of the same class."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    def _print_message(self, message, file=None):
        # argparse drops an OSError here; a closed pipe must reach main (exit 141), as it
        # does for every other output
        if message:
            (file or sys.stderr).write(message)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("backprop-ref")
    except PackageNotFoundError:
        import backprop_ref
        return backprop_ref.__version__


# ------------------------------------------------------------------ argument types
def _id_list(text: str) -> list[str]:
    wanted = [t.strip().upper() for t in text.split(",") if t.strip()]
    unknown = [t for t in wanted if t not in catalog_ids()]
    if unknown or not wanted:
        raise argparse.ArgumentTypeError(
            f"unknown derivation id {', '.join(unknown) or repr(text)}; "
            f"expected ids among {catalog_ids()[0]}…{catalog_ids()[-1]}")
    return wanted


def _backend_list(text: str) -> list[str]:
    wanted = [t.strip().lower() for t in text.split(",") if t.strip()]
    unknown = [t for t in wanted if t not in BACKEND_NAMES]
    if unknown or not wanted:
        raise argparse.ArgumentTypeError(
            f"unknown backend {', '.join(unknown) or repr(text)}; expected torch, jax or fd")
    return wanted


def _positive(kind, maximum=None):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            noun = "an integer" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None
        if not value > 0 or value != value or value == float("inf"):
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum:,}, got {text}")
        return value
    parse.__name__ = f"positive {kind.__name__}"
    return parse


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"a seed must be a non-negative integer, got {text}")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be finite and non-negative, got {text}")
    return value


#: the command line trains small demonstrations: a wider or deeper network is a typo
MAX_EPOCHS, MAX_WIDTH, MAX_HIDDEN_LAYERS = 1_000_000, 1024, 8


def _hidden_sizes(text: str) -> list[int]:
    try:
        sizes = [int(t) for t in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of ints") \
            from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"hidden sizes must be positive, got {text}")
    if max(sizes) > MAX_WIDTH or len(sizes) > MAX_HIDDEN_LAYERS:
        raise argparse.ArgumentTypeError(
            f"at most {MAX_HIDDEN_LAYERS} hidden layers of at most {MAX_WIDTH} units each, "
            f"got {text}")
    return sizes


def _compare_fail(text: str) -> str:
    """pytest-benchmark's own parser of ``--benchmark-compare-fail`` (``median:10%``)."""
    try:
        from pytest_benchmark.utils import parse_compare_fail
    except ImportError:          # bench itself says what to install
        return text
    parse_compare_fail(text)     # raises ArgumentTypeError("Could not parse value: …")
    return text


def _writable_file(text: str) -> str:
    folder = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(folder):
        raise argparse.ArgumentTypeError(f"cannot write {text}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (os.path.exists(text) and not os.access(text, os.W_OK)):
        raise argparse.ArgumentTypeError(f"cannot write {text}: permission denied")
    if os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"cannot write {text}: it is a folder")
    existed = os.path.exists(text)
    try:                      # the one reliable test (root passes os.access, /proc refuses)
        with open(text, "ab"):
            pass
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot write {text}: {exc.strerror}") from None
    if not existed:
        os.remove(text)
    return text


def _png_file(text: str) -> str:
    if os.path.splitext(text)[1].lower() != ".png":
        raise argparse.ArgumentTypeError(
            f"the plot is a PNG: the path must end in .png, got {text}")
    return _writable_file(text)


# ------------------------------------------------------------------ commands
def _applies(d, backends) -> bool:
    """Whether verify checks anything of derivation ``d`` with these backends."""
    return bool({"torch", "jax"} & set(backends)) or ("fd" in backends and d.fd) or d.sympy


def _terminal_width() -> int | None:
    """The terminal's columns (``$COLUMNS`` first), or None when stdout is no terminal."""
    if "COLUMNS" not in os.environ and not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


def cmd_verify(args) -> int:
    from . import verify
    from ._optional import extra_hint
    from .catalog import CATALOG

    chosen = [d for d in CATALOG if args.only is None or d.id in args.only]
    if not any(_applies(d, args.backend) for d in chosen):
        print(f"backprop-ref verify: error: nothing to check: {', '.join(d.id for d in chosen)} "
              f"has no check with --backend {','.join(args.backend)} (central differences do "
              "not apply to exact or training-run derivations); add --backend torch or jax",
              file=sys.stderr)
        return 2
    report = verify.build(args.only, args.backend, seed=args.seed, float32=not args.no_float32)
    if not report.ran_anything:
        print("backprop-ref verify: nothing was checked: install a backend "
              f"({extra_hint('all')})", file=sys.stderr)
        return 1
    record = verify.record(report)          # the page, the JSON and the table: one record
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(verify.render_markdown(record))
    if args.json:
        print(verify.dumps(record))
    else:
        print(verify.render_text(record, width=_terminal_width()))
    return 0 if report.ok else 1


def _progress(total: int, desc: str):
    """A progress bar with the running loss, on a terminal only (stderr): tqdm when
    installed, a plain line every tenth of the run otherwise; nothing in a pipe or a log."""
    if not sys.stderr.isatty():
        return (lambda n, loss: None), (lambda: None)
    try:
        from tqdm import tqdm
    except ImportError:
        tqdm = None
    if tqdm is not None:
        bar = tqdm(total=total, desc=desc, unit="epoch", file=sys.stderr, dynamic_ncols=True)
        return (lambda n, loss: (bar.update(1), bar.set_postfix(loss=f"{loss:.4f}"))), bar.close
    step = max(1, total // 10)

    def update(n, loss):
        if n % step == 0 or n == total:
            print(f"{desc}: epoch {n}/{total}  loss {loss:.4f}", file=sys.stderr)
    return update, lambda: None


#: a loss this many times that of a uniform guess (ln K) means SGD has diverged: a
#: classifier that learns anything stays below ln K, one that oscillates stays near it
DIVERGED = 100


class _Diverged(Exception):
    """Raised from the epoch callback to stop a run whose loss has blown up."""

    def __init__(self, epoch: int, loss: float | None):
        super().__init__(epoch, loss)
        self.epoch, self.loss = epoch, loss


def _diverged_message(exc: _Diverged, args, chance: float) -> str:
    what = ("the loss overflowed the float range" if exc.loss is None else
            f"the loss reached {exc.loss:.3g}, more than {DIVERGED}× that of a uniform guess "
            f"({chance:.3g})")
    if args.lr * args.reg > 2:       # W ← (1 − lr·reg)·W − …: the L2 term alone diverges
        advice = (f"--lr {args.lr:g} × --reg {args.reg:g} is above 2, where the L2 term alone "
                  f"makes SGD diverge: try a smaller --reg (below 2/lr = {2 / args.lr:.3g}) "
                  f"or --lr (below 2/reg = {2 / args.reg:.3g})")
    else:
        advice = (f"--lr {args.lr:g} is too large for this network: try a smaller one, e.g. "
                  f"--lr {args.lr / 10:g}")
    return (f"backprop-ref train: the training diverged at epoch {exc.epoch} of {args.epochs}: "
            f"{what}; {advice}")


def cmd_train(args) -> int:
    if args.activation not in (None, "relu") and len(args.hidden) < 2:
        print("backprop-ref train: error: --activation needs an MLP: give two or more "
              "--hidden sizes, e.g. --hidden 16,16 (the notes' two-layer network is relu)",
              file=sys.stderr)
        return 2
    args.activation = args.activation or "relu"
    import numpy as np

    import backprop_ref as bp

    if args.plot:
        from ._optional import MissingExtra, require
        try:
            require("matplotlib")
        except MissingExtra as exc:
            print(f"backprop-ref train: error: --plot: {exc}", file=sys.stderr)
            return 2
    X, y = bp.datasets.load_iris() if args.data == "iris" else bp.datasets.make_blobs(
        seed=args.seed)
    Xtr, Xte, ytr, yte = bp.datasets.train_test_split(X, y, 0.3, seed=args.seed)
    Xtr, Xte = bp.datasets.standardize(Xtr, Xte)
    common = dict(lr=args.lr, epochs=args.epochs, batch_size=args.batch_size, reg=args.reg,
                  seed=args.seed)
    if len(args.hidden) == 1:
        model = bp.TwoLayerNet(args.hidden[0], **common)
        predict = bp.two_layer.predict
        name = f"two-layer {X.shape[1]}-{args.hidden[0]}-3 (the notes' network)"
    else:
        model = bp.MLP(args.hidden, hidden=args.activation, **common)
        predict = lambda p, X_: bp.mlp.predict(p, X_, hidden=args.activation)  # noqa: E731
        name = f"MLP {X.shape[1]}-{'-'.join(map(str, args.hidden))}-3 ({args.activation})"
    chance = math.log(len(np.unique(y)))           # the loss of a uniform guess, ln K
    curves = {"loss": [], "train": [], "test": []}
    update, close = _progress(args.epochs, "train")

    def on_epoch(e):
        if not e.loss <= DIVERGED * chance:         # nan included
            raise _Diverged(e.epoch, e.loss if math.isfinite(e.loss) else None)
        try:
            accuracies = [float(np.mean(predict(e.params, X_) == y_))
                          for X_, y_ in ((Xtr, ytr), (Xte, yte))]
        except ValueError:                           # the scores overflow
            raise _Diverged(e.epoch, None) from None
        curves["loss"].append(e.loss)
        curves["train"].append(accuracies[0])
        curves["test"].append(accuracies[1])
        update(e.epoch, e.loss)

    print(f"training {name} on {args.data}: {len(ytr)} train / {len(yte)} test rows, "
          f"SGD lr={args.lr:g} batch={args.batch_size or 'full'} reg={args.reg:g} "
          f"seed={args.seed}")
    try:
        try:
            model.fit(Xtr, ytr, callback=on_epoch)
        except ValueError as exc:
            if "overflow" not in str(exc):
                raise
            raise _Diverged(len(curves["loss"]) + 1, None) from None
        finally:
            close()
    except _Diverged as exc:
        print(_diverged_message(exc, args, chance), file=sys.stderr)
        return 1
    print(f"final loss      {curves['loss'][-1]:.4f}")
    print(f"train accuracy  {model.score(Xtr, ytr):.4f}")
    print(f"test accuracy   {model.score(Xte, yte):.4f}")
    if args.plot:
        try:
            _plot_training(curves, args.plot, f"{name} on {args.data}")
        except OSError as exc:
            print(f"backprop-ref train: error: cannot write {args.plot}: {exc}", file=sys.stderr)
            return 1
        print(f"wrote {args.plot}")
    return 0


def _plot_training(curves, path, title):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = range(1, len(curves["loss"]) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(epochs, curves["loss"], color="tab:blue")
    ax1.set(xlabel="epoch", ylabel="training loss (CE + L2)", title="loss", yscale="log")
    ax1.grid(alpha=0.3)
    ax2.plot(epochs, curves["train"], label="train")
    ax2.plot(epochs, curves["test"], label="test")
    ax2.set(xlabel="epoch", ylabel="accuracy", title="accuracy", ylim=(0, 1.02))
    ax2.grid(alpha=0.3)
    ax2.legend(loc="lower right")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def cmd_errata(args) -> int:
    from .errata import ERRATA, entry, first_available_backend, measure

    from ._optional import MissingExtra, install_hint

    backend = args.backend or first_available_backend()
    if backend is None:
        print(f"backprop-ref errata: error: needs torch or JAX: {install_hint('torch')}",
              file=sys.stderr)
        return 1
    try:
        results = [(e, measure(e, backend)) for e in ERRATA]
    except MissingExtra as exc:                     # --backend names one not installed
        print(f"backprop-ref errata: error: --backend {backend}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([entry(e, m) for e, m in results], indent=2))  # as in the record
    else:
        print(f"The notes' slips, measured against {backend} autograd "
              "(|form − autograd|, max abs):\n")
        for e, m in results:
            print(f"{e.id}  note {e.note}: {e.title}")
            print(f"     literal    {e.literal}")
            print(f"                → {m.literal_summary}")
            print(f"     corrected  {e.corrected}")
            print(f"                → {m.corrected_error:.1e}")
            if e.contrast:
                print(f"     contrast   {e.contrast[0]} → {m.contrast_error:.1e}")
            print()
    return 0 if all(m.ok for _, m in results) else 1


def cmd_check(args) -> int:
    from .grading import check_command   # the function runs in its own process

    return check_command(args)


def cmd_grade(args) -> int:
    from .grading import grade_command

    return grade_command(args)


def cmd_exercise(args) -> int:
    from .exercises import exercise_command

    return exercise_command(args)


def cmd_bench(args) -> int:
    from .bench import main as bench_main

    return bench_main(quick=args.quick, compare=args.compare, compare_fail=args.compare_fail,
                      pytest_args=args.pytest_args)


# ------------------------------------------------------------------ parser
def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="backprop-ref", description=DESCRIPTION, epilog=EPILOG)
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND",
                           action=_Commands)

    v = sub.add_parser("verify", help="check D1–D20 against torch, JAX and central "
                       "differences, and run SymPy's proofs; print the measured errors")
    v.add_argument("--only", type=_id_list, default=None, metavar="IDS",
                   help="comma-separated derivation ids, e.g. D11,D12")
    v.add_argument("--backend", type=_backend_list, default=list(BACKEND_NAMES),
                   metavar="NAMES", help="comma-separated: torch, jax, fd (default: all three)")
    v.add_argument("--json", action="store_true", help="machine-readable output")
    v.add_argument("--markdown", type=_writable_file, metavar="PATH",
                   help="also write the table as a Markdown page")
    v.add_argument("--seed", type=_seed, default=0, help="seed of the random cases")
    v.add_argument("--no-float32", action="store_true", help="skip the float32 column")
    v.set_defaults(func=cmd_verify)

    t = sub.add_parser("train", help="train the notes' network (or an MLP) with SGD")
    t.add_argument("--data", choices=("iris", "blobs"), default="iris", help="data set")
    t.add_argument("--hidden", type=_hidden_sizes, default=[10], metavar="SIZES",
                   help="one size: the notes' two-layer network (relu); two or more, "
                   f"e.g. 16,16: an MLP; at most {MAX_HIDDEN_LAYERS} sizes of at most "
                   f"{MAX_WIDTH} (default: 10)")
    t.add_argument("--activation", choices=("relu", "sigmoid", "tanh"), default=None,
                   help="hidden activation of an MLP; needs two or more --hidden sizes "
                   "(default: relu)")
    t.add_argument("--epochs", type=_positive(int, MAX_EPOCHS), default=300,
                   help=f"passes over the data, at most {MAX_EPOCHS:,}")
    t.add_argument("--lr", type=_positive(float), default=0.5, help="learning rate η")
    t.add_argument("--batch-size", type=_positive(int), default=None, metavar="N",
                   help="mini-batch size (default: full batch)")
    t.add_argument("--reg", type=_non_negative_float, default=1e-3,
                   help="L2 strength: penalty ½·reg·Σ‖W‖²")
    t.add_argument("--seed", type=_seed, default=0, help="seed of the split, init and batches")
    t.add_argument("--plot", type=_png_file, metavar="PATH.png",
                   help="write a PNG of the loss and accuracy curves (needs matplotlib)")
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("errata", help="the notes' slips, each measured against autograd")
    e.add_argument("--backend", choices=("torch", "jax"), default=None,
                   help="the autograd to measure against (default: the first installed)")
    e.add_argument("--json", action="store_true", help="machine-readable output")
    e.set_defaults(func=cmd_errata)

    c = sub.add_parser("check", help="check your own backprop against the reference and "
                       "name the slip")
    c.add_argument("target", metavar="MODULE_OR_FILE:FUNCTION",
                   help="e.g. examples/two_layer_student.py:correct or mypkg.net:loss")
    c.add_argument("--against", required=True, metavar="ID",
                   help="a derivation id (D11, D17, …) or a public name "
                   "(delta_ce_softmax, two_layer.loss_and_grads, …)")
    c.add_argument("--layout", choices=("rows", "columns"), default="rows",
                   help="columns: Nielsen's W (fan_out, fan_in), examples as columns")
    c.add_argument("--l2", choices=("half", "sum"), default="half",
                   help="half: penalty ½·reg·ΣW², gradient reg·W (the notes); sum: reg·ΣW², "
                   "gradient 2·reg·W (CS231n since 2017)")
    c.add_argument("--reduction", choices=("mean", "sum"), default="mean",
                   help="the data loss averaged (the notes) or summed over the batch")
    c.add_argument("--json", action="store_true", help="machine-readable report")
    c.add_argument("--seed", type=_seed, default=0, help="seed of the random cases")
    c.add_argument("--timeout", type=_positive(float), default=60.0, metavar="S",
                   help="seconds the check may take; the function runs in its own process")
    c.set_defaults(func=cmd_check)

    from .exercises import LAYOUTS, exercise_id
    g = sub.add_parser("grade", help="check a class's submissions, each in its own process "
                       "with a time limit: a table, JSON lines, CSV or Gradescope's results")
    g.add_argument("paths", nargs="+", metavar="PATH",
                   help="a .py file, a folder of them, or a folder of student folders (--file)")
    g.add_argument("--function", required=True, metavar="NAME", help="the function to check")
    g.add_argument("--against", required=True, metavar="ID", help="as for check: D17, …")
    g.add_argument("--file", metavar="NAME", help="one folder per student, each holding NAME")
    g.add_argument("--layout", choices=LAYOUTS, default="rows", help="as for check")
    g.add_argument("--l2", choices=("half", "sum"), default=None,
                   help="sum: the penalty reg·ΣW², gradient 2·reg·W (default: half)")
    g.add_argument("--reduction", choices=("mean", "sum"), default=None,
                   help="sum: loss and gradients summed over the batch (default: mean)")
    g.add_argument("--seed", type=_seed, default=0, help="seed of the random cases")
    g.add_argument("--timeout", type=_positive(float), default=60.0, metavar="S",
                   help="seconds the check of one submission may take")
    g.add_argument("--format", choices=("table", "jsonl", "csv"), default="table",
                   help="the report on stdout")
    g.add_argument("--gradescope", type=_writable_file, metavar="FILE",
                   help="also write Gradescope's results.json for the one submission")
    g.add_argument("--jobs", type=_positive(int), default=None, metavar="N",
                   help="submissions checked at once (default: the cores)")
    g.set_defaults(func=cmd_grade)

    x = sub.add_parser("exercise", help="write an exercise: the forward pass written, every "
                       "backward line a TODO")
    x.add_argument("id", type=exercise_id, metavar="ID", help="D9, D11, D14, D15, D17 or D18")
    x.add_argument("--layout", choices=LAYOUTS, default="rows",
                   help="columns: Nielsen's W (fan_out, fan_in), examples as columns")
    x.add_argument("-o", "--output", type=_writable_file, metavar="FILE",
                   help="write the file (default: print it)")
    x.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    x.set_defaults(func=cmd_exercise)

    b = sub.add_parser("bench", help="run the benchmarks (from a checkout, with the test "
                       "extra); a full run saves itself and rewrites benchmarks/REPORT.md")
    b.add_argument("--quick", action="store_true",
                   help="a smoke run with fewer rounds: the run and its report go to a "
                   "temporary folder (nothing in the checkout), and a short summary is "
                   "printed")
    b.add_argument("--compare", nargs="?", const=True, default=None, metavar="ID|FILE",
                   help="compare with the latest saved run of this machine (or the one "
                   "named), via pytest-benchmark")
    b.add_argument("--compare-fail", action="append", metavar="EXPR", type=_compare_fail,
                   help="fail on a regression against the compared run, e.g. median:10%%")
    b.add_argument("pytest_args", nargs=argparse.REMAINDER, metavar="-- PYTEST_ARGS",
                   help="after --: arguments passed to pytest as they are")
    b.set_defaults(func=cmd_bench)
    return p


#: the exit code of a command whose reader went away (128 + SIGPIPE), as ``cat`` gives
EXIT_BROKEN_PIPE = 141


def main(argv=None) -> int:
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit:           # --help, --version, a bad argument: flushed here too
            sys.stdout.flush()
            raise
        code = args.func(args)
        sys.stdout.flush()           # a closed pipe shows here, not at the interpreter's exit
        return code
    except BrokenPipeError:
        # the reader (head, less) closed the pipe: drop the rest of the output, quietly.
        # Python's own recipe: stdout goes to devnull, so the flush at exit cannot fail
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print("\nbackprop-ref: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print("backprop-ref: error: out of memory", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
