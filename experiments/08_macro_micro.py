"""Lecture figure: Macro versus micro: within-state and between-state income effects on voting in 50 states, and the heterogeneity of micro effects.

    python experiments/08_macro_micro.py --out DIR [--quick] [--jobs J]

Writes 08_macro_micro.png/.pdf and the numbers behind the figure to DIR.
"""

from simsample.lecture import figure_macro_micro, run_one

if __name__ == "__main__":
    run_one(figure_macro_micro)
