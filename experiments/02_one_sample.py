"""Lecture figure: One SRS and one two-stage sample drawn from the population, sample means marked.

    python experiments/02_one_sample.py --out DIR [--quick] [--jobs J]

Writes 02_one_sample.png/.pdf and the numbers behind the figure to DIR.
"""

from simsample.lecture import figure_one_sample, run_one

if __name__ == "__main__":
    run_one(figure_one_sample)
