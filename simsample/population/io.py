"""Populations read from data: :meth:`Population.from_csv` and :meth:`Population.from_frame`.

A mixin of :class:`~simsample.population.Population`: the constructors that
read a CSV file or the columns of a pandas DataFrame, with their checks of the
outcome, group and covariate columns.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

from .._validation import InvalidParameterError

if TYPE_CHECKING:
    import pandas as pd
    # ``Population`` (population/core.py) is not imported: core.py imports this module.


class PopulationIO:
    """The constructors of a population from a CSV file or a DataFrame; mixed into ``Population``."""

    @classmethod
    def from_csv(cls, path, y: str, group: str, *, name: str | None = None,
                 dropna: bool = False, x: str | None = None, X: str | None = None,
                 **read_csv_kwargs) -> Population:
        """Read a population from a CSV file with one row per unit.

        ``y`` and ``group`` name the outcome and group columns; ``x`` and ``X``
        optionally name a micro covariate and a macro covariate (constant
        within each group). Rows with a missing outcome are refused unless
        ``dropna=True``, which drops them (and says how many in
        ``meta["dropped"]``); missing covariates are always refused.

        Parameters
        ----------
        path : str or path-like
            The CSV file.
        y : str
            Name of the outcome column.
        group : str
            Name of the group column.
        name : str, optional
            A name for summaries and figures (default: the path).
        dropna : bool, default False
            Drop rows with a missing outcome instead of refusing them.
        x : str, optional
            Name of a micro covariate column.
        X : str, optional
            Name of a macro covariate column (constant within each group).
        **read_csv_kwargs
            Passed to :func:`pandas.read_csv`.

        Returns
        -------
        Population

        Raises
        ------
        InvalidParameterError
            If a column is missing, y has missing values (without ``dropna``), a
            covariate has missing values or X varies within a group.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> import simsample as ss
        >>> folder = tempfile.mkdtemp()
        >>> path = pathlib.Path(folder) / "pop.csv"
        >>> _ = path.write_text("school,score\\nA,1.0\\nA,2.0\\nB,4.0\\nB,6.0\\n")
        >>> pop = ss.Population.from_csv(path, y="score", group="school")
        >>> pop.n_groups, pop.mean
        (2, 3.25)
        """
        import pandas as pd

        if not isinstance(path, (str, os.PathLike)):
            frame = pd.read_csv(path, **read_csv_kwargs)  # an open file or buffer
        elif not os.path.isfile(path):
            what = "a directory" if os.path.isdir(path) else "missing"
            raise InvalidParameterError(
                f"'path' of Population.from_csv must be a CSV file; {str(path)!r} is {what}.")
        else:
            try:
                frame = pd.read_csv(path, **read_csv_kwargs)
            except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError,
                    OSError) as exc:
                reason = " ".join(str(exc).split())
                raise InvalidParameterError(
                    f"'path' of Population.from_csv: cannot read {str(path)!r} as CSV: "
                    f"{reason}.") from None
        return cls.from_frame(frame, y=y, group=group, name=name or str(path), dropna=dropna,
                              x=x, X=X)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, y: str, group: str, *, name: str | None = None,
                   dropna: bool = False, x: str | None = None,
                   X: str | None = None) -> Population:
        """A population from columns of a pandas DataFrame (see :meth:`from_csv`).

        Parameters
        ----------
        frame : pandas.DataFrame
            One row per unit.
        y : str
            Name of the outcome column.
        group : str
            Name of the group column.
        name : str, optional
            A name for summaries and figures.
        dropna : bool, default False
            Drop rows with a missing outcome instead of refusing them.
        x : str, optional
            Name of a micro covariate column.
        X : str, optional
            Name of a macro covariate column (constant within each group).

        Returns
        -------
        Population

        Raises
        ------
        InvalidParameterError
            If a column is missing, y has missing values (without ``dropna``), a
            covariate has missing values or X varies within a group.

        Examples
        --------
        >>> import pandas as pd
        >>> import simsample as ss
        >>> frame = pd.DataFrame({"school": ["A", "A", "B", "B"], "score": [1.0, 2.0, None, 6.0]})
        >>> pop = ss.Population.from_frame(frame, y="score", group="school", dropna=True)
        >>> pop.n_units, pop.meta["dropped"]
        (3, 1)
        """
        import pandas as pd

        covariates = [(key, column) for key, column in (("x", x), ("X", X)) if column is not None]
        for key, column in (("y", y), ("group", group), *covariates):
            if column not in frame.columns:
                raise InvalidParameterError(
                    f"'{key}' must name a column of the data; got {column!r}, "
                    f"columns are {list(frame.columns)}.")
            if int((frame.columns == column).sum()) > 1:
                raise InvalidParameterError(
                    f"'{key}' names column {column!r}, which the data holds more than once; "
                    "rename the duplicates.")
        values = pd.to_numeric(frame[y], errors="coerce")
        missing = values.isna().to_numpy()
        dropped = 0
        if missing.any():
            if not dropna:
                raise InvalidParameterError(
                    f"column {y!r} (y) has {int(missing.sum())} missing or non-numeric "
                    f"value(s); pass dropna=True to drop those rows.")
            dropped = int(missing.sum())
            frame = frame.loc[~missing]
            values = values.loc[~missing]
        pop = cls(values.to_numpy(dtype=np.float64), frame[group].to_numpy(), name=name)
        pop.meta.update({"y": y, "group": group, "dropped": dropped})
        if covariates:
            pop._covariates_from_frame(frame, x, X)
        return pop

    def _covariates_from_frame(self, frame: pd.DataFrame, x: str | None, X: str | None) -> None:
        import pandas as pd

        values = {}
        for key, column in (("x", x), ("X", X)):
            if column is None:
                continue
            numbers = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)
            if not np.isfinite(numbers).all():
                raise InvalidParameterError(
                    f"column {column!r} ({key}) has {int((~np.isfinite(numbers)).sum())} "
                    f"missing or non-numeric value(s).")
            values[key] = numbers
        X_groups = None
        if X is not None:
            codes = self.codes
            X_groups = np.full(self.n_groups, np.nan)
            X_groups[codes] = values["X"]
            if not np.array_equal(X_groups[codes], values["X"]):
                raise InvalidParameterError(
                    f"column {X!r} (X) must be constant within each group of column "
                    f"{self.meta['group']!r}.")
        self._set_covariates(values.get("x"), X_groups, self._order)
        self.meta.update({"x": x, "X": X})
