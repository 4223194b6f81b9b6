"""``python -m backprop_ref``: the ``backprop-ref`` command line.

The reference itself needs NumPy alone; the command line lives in the sibling package
``comparisons``, imported here inside a function so that ``import backprop_ref`` never
touches it.
"""

import sys


def main(argv=None) -> int:
    try:
        from comparisons.cli import main as cli_main
    except ImportError as exc:
        print(f"python -m backprop_ref: error: the command line is not available ({exc}); "
              "install it with: pip install 'backprop-ref[cli]'", file=sys.stderr)
        return 2
    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
