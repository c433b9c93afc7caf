"""Lecture figure: Differences of means: ignoring groups is over-conservative in one population and under-conservative in another.

    python experiments/06_differences.py --out DIR [--quick] [--jobs J]

Writes 06_differences.png/.pdf and the numbers behind the figure to DIR.
"""

from simsample.lecture import figure_differences, run_one

if __name__ == "__main__":
    run_one(figure_differences)
