"""Lecture figure: Simpson's paradox: delta > 0 in the population, delta_j < 0 in every group.

    python experiments/07_simpson.py --out DIR [--quick] [--jobs J]

Writes 07_simpson.png/.pdf and the numbers behind the figure to DIR.
"""

from simsample.lecture import figure_simpson, run_one

if __name__ == "__main__":
    run_one(figure_simpson)
