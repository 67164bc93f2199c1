"""``python -m tools.simulate``: see :mod:`tools.simulate.cli`."""

from tools.simulate.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
