"""Lecture figure: Naive t intervals on two-stage samples under-cover; cluster intervals are at nominal.

    python experiments/05_coverage.py --out DIR [--quick] [--jobs J]

Writes 05_coverage.png/.pdf and the numbers behind the figure to DIR.
"""

from simsample.lecture import figure_coverage, run_one

if __name__ == "__main__":
    run_one(figure_coverage)
