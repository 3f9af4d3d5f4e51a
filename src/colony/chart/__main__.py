"""`python -m colony.chart --markdown`: print docs/chart-of-accounts.md as the chart renders it.
`python -m colony.chart --check`: exit 1, naming each, if the chart declares anything twice."""

from __future__ import annotations

import argparse
import sys

from colony.chart import ledgers, slots
from colony.chart.markdown import render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m colony.chart", description=__doc__)
    parser.add_argument("--markdown", action="store_true", help="print the chart as Markdown")
    parser.add_argument("--check", action="store_true", help="check the chart is sound")
    args = parser.parse_args(argv)
    if args.check:
        found = [*ledgers.problems(), *slots.problems()]
        for problem in found:
            print(problem, file=sys.stderr)
        return 1 if found else 0
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
