"""Lecture figure: Design-based against model-based (REML) intervals for the mean as the number of groups grows: coverage with MCSE and the share of singular fits.

    python experiments/10_model_vs_design.py --out DIR [--quick] [--jobs J]

Writes 10_model_vs_design.png/.pdf and the numbers behind the figure to DIR.
"""

from simsample.lecture import figure_model_vs_design, run_one

if __name__ == "__main__":
    run_one(figure_model_vs_design)
