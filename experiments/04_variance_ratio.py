"""Lecture figure: Variance ratio across intraclass correlations and group sizes, Monte Carlo against theory.

    python experiments/04_variance_ratio.py --out DIR [--quick] [--jobs J]

Writes 04_variance_ratio.png/.pdf and the numbers behind the figure to DIR.
"""

from simsample.lecture import figure_variance_ratio, run_one

if __name__ == "__main__":
    run_one(figure_variance_ratio)
