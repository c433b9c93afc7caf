"""Real populations shipped with simsample.

California schools: the Academic Performance Index (API) of every California school with at least
100 students in 1999/2000: 6,194 schools in 757 districts, the ``apipop``
data set of R's survey package (Lumley; ``data(api)``, version 4.5). The API
data are public records of the California Department of Education; the R
survey package is GPL-2 | GPL-3. simsample ships 7 of its 37 columns
(``simsample/population/data/california_schools.csv.gz``, see the README beside it):

========  ==============================================================
snum      school number (unique)
dnum      district number: the groups (first-stage units)
stype     school type: E elementary, M middle, H high school
api00     API in 2000
api99     API in 1999
enroll    number of students enrolled (missing for 37 schools)
meals     percentage of students eligible for subsidised meals
========  ==============================================================

District sizes are very unequal: 187 districts have one school, the largest
(Los Angeles Unified) has 552; half have at most 4.

Examples
--------
>>> import simsample as ss
>>> pop = ss.datasets.california_schools("api00")
>>> pop.n_units, pop.n_groups, int(pop.group_sizes.max())
(6194, 757, 552)
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from .._validation import InvalidParameterError, check_choice, check_int
from .core import Population

#: Columns of the California schools data that can be the outcome ``y``.
CALIFORNIA_OUTCOMES = ("api00", "api99", "enroll", "meals")
_CALIFORNIA_FILE = "california_schools.csv.gz"


def california_schools_frame() -> pd.DataFrame:
    """The California schools data as a DataFrame, one row per school.

    Columns ``snum``, ``dnum``, ``stype``, ``api00``, ``api99``, ``enroll``
    (float, NaN for 37 schools) and ``meals``; see the module docstring for
    their meaning and provenance (R survey package, ``apipop``).

    Returns
    -------
    pandas.DataFrame
        6,194 rows, 7 columns.

    Examples
    --------
    >>> import simsample as ss
    >>> frame = ss.datasets.california_schools_frame()
    >>> frame.shape, list(frame.columns)
    ((6194, 7), ['snum', 'dnum', 'stype', 'api00', 'api99', 'enroll', 'meals'])
    """
    with resources.files("simsample.population").joinpath("data", _CALIFORNIA_FILE).open("rb") as f:
        return pd.read_csv(f, compression="gzip")


def california_schools(y: str = "api00", *, min_schools: int = 1) -> Population:
    """The California schools population: schools (units) in districts (groups).

    6,194 schools in 757 districts, from the ``apipop`` data of R's survey
    package (Lumley; public records of the California Department of Education;
    see :mod:`simsample.population.datasets`).

    Parameters
    ----------
    y : {"api00", "api99", "enroll", "meals"}
        The outcome. ``"enroll"`` is missing for 37 schools, which are left
        out (``meta["dropped"]`` says how many).
    min_schools : int
        Keep only districts with at least this many schools (after leaving
        out schools with a missing outcome). With the default 1 every district
        is kept, and since 187 districts have a single school, two-stage
        designs can take only ``per_group=1``; ``ClusterSample`` (whole
        districts) is feasible for any number of districts. ``min_schools=5``
        keeps 325 districts with 5,289 schools, where ``TwoStage(k, 5)`` is
        feasible.

    Returns
    -------
    Population
        Group labels are the district numbers ``dnum``; ``meta`` records the
        outcome, the districts and schools kept and the source.

    Examples
    --------
    >>> pop = california_schools()
    >>> pop.n_units, pop.n_groups
    (6194, 757)
    """
    y = check_choice(y, "y", CALIFORNIA_OUTCOMES, owner="california_schools")
    min_schools = check_int(min_schools, "min_schools", low=1, owner="california_schools")
    frame = california_schools_frame()
    observed = frame[y].notna()
    dropped = int((~observed).sum())
    frame = frame.loc[observed]
    if min_schools > 1:
        sizes = frame.groupby("dnum")["snum"].transform("size")
        if not (sizes >= min_schools).any():
            raise InvalidParameterError(
                f"'min_schools' of california_schools must be an int in [1, {int(sizes.max())}] "
                f"(the largest district); got {min_schools}.")
        frame = frame.loc[sizes >= min_schools]
    name = "California schools" + (f", districts of >= {min_schools} schools"
                                   if min_schools > 1 else "") + f" ({y})"
    pop = Population.from_frame(frame, y=y, group="dnum", name=name)
    pop.meta.update({"source": "R survey package, data(api): apipop (California Department "
                               "of Education, API 1999/2000)",
                     "dropped": dropped, "min_schools": min_schools})
    return pop


__all__ = ["CALIFORNIA_OUTCOMES", "california_schools", "california_schools_frame"]
