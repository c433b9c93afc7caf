"""Lecture figure: Sampling distributions of the mean under SRS and two-stage sampling, same n.

    python experiments/03_sampling_distributions.py --out DIR [--quick] [--jobs J]

Writes 03_sampling_distributions.png/.pdf and the numbers behind the figure to DIR.
"""

from simsample.lecture import figure_sampling_distributions, run_one

if __name__ == "__main__":
    run_one(figure_sampling_distributions)
