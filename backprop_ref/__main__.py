"""``python -m backprop_ref``: the ``backprop-ref`` command line.

The reference itself needs NumPy alone; the command line lives in the sibling package
``comparisons``, imported here inside a function so that ``import backprop_ref`` never
touches it.
"""

import os
import sys
from pathlib import Path


def _reinstall_hint() -> str:
    """``pip install -e .`` from the checkout (its path when run elsewhere)."""
    root = Path(__file__).resolve().parents[1]
    if not (root / "pyproject.toml").is_file():
        return "reinstall backprop-ref from its source checkout (pip install -e CHECKOUT)"
    here = os.path.realpath(os.getcwd()) == str(root)
    return f'pip install -e "{"." if here else root}"'


def main(argv=None) -> int:
    try:
        from comparisons.cli import main as cli_main
    except ImportError as exc:
        print(f"python -m backprop_ref: error: the command line is not available ({exc}); "
              f"it comes with the package's comparisons/ folder: {_reinstall_hint()}",
              file=sys.stderr)
        return 2
    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
