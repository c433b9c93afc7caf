"""Lecture figure: A nested population: outcomes by group, population mean marked.

    python experiments/01_population.py --out DIR [--quick] [--jobs J]

Writes 01_population.png/.pdf and the numbers behind the figure to DIR.
"""

from simsample.lecture import figure_population, run_one

if __name__ == "__main__":
    run_one(figure_population)
