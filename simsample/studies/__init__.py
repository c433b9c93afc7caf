"""Studies at scale: study files (TOML), grids of conditions, checkpoints, reports, replay.

* :mod:`.config` — reading and validating a study file (:func:`load_study`);
* :mod:`.conditions` — each condition's population, designs and seeds as a run plan;
* :mod:`.run` — :func:`run_study`: every (condition, chunk) on the engine's executor,
  checkpointed (:mod:`.checkpoint`) and resumable; :mod:`.report` writes the outputs;
* :mod:`.outcome` — :class:`StudyRun`; :mod:`.replay` — one replication from its key.
"""

from .conditions import build_condition, condition_record, population_seed, sampling_seed
from .config import StudyFileError, StudySpec, load_study
from .outcome import StudyRun
from .replay import Replay, replay
from .run import MissingDependencyError, run_study

__all__ = ["MissingDependencyError", "Replay", "StudyFileError", "StudyRun", "StudySpec",
           "build_condition", "condition_record", "load_study", "population_seed", "replay",
           "run_study", "sampling_seed"]
