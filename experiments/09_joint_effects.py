"""Lecture figure: Joint estimation of effects: macro, micro and the heterogeneity of micro effects from a random-slope model on the 50-state population, beside OLS and cluster-robust estimates.

    python experiments/09_joint_effects.py --out DIR [--quick] [--jobs J]

Writes 09_joint_effects.png/.pdf and the numbers behind the figure to DIR.
"""

from simsample.lecture import figure_joint_effects, run_one

if __name__ == "__main__":
    run_one(figure_joint_effects)
