"""Parameter sweeps: resumable grids of a sweep function, on threads, a local Dask cluster or a scheduler.

``lazyrich.sweep.run("phase.toml")`` runs a SPEC (TOML file or dict) and returns a pandas
``DataFrame``; ``lazyrich sweep`` is the command-line form. Results are stored point by point
(SQLite), so an interrupted sweep resumes where it stopped.
"""

from ._tools.sweep.engine import SweepSummary as SweepSummary
from ._tools.sweep.engine import default_out as default_out
from ._tools.sweep.engine import load_sweep as load_sweep
from ._tools.sweep.engine import sweep as run
from ._tools.sweep.plot import plot_sweep as plot_sweep
from ._tools.sweep.registry import SWEEP_FUNCTIONS as SWEEP_FUNCTIONS
from ._tools.sweep.registry import SweepFunction as SweepFunction
from ._tools.sweep.registry import get_sweep_function as get_sweep_function
from ._tools.sweep.registry import sweep_function as sweep_function
from ._tools.sweep.spec import SweepSpec as SweepSpec
from ._tools.sweep.spec import load_spec as load_spec

__all__ = [
    "SWEEP_FUNCTIONS",
    "SweepFunction",
    "SweepSpec",
    "SweepSummary",
    "default_out",
    "get_sweep_function",
    "load_spec",
    "load_sweep",
    "plot_sweep",
    "run",
    "sweep_function",
]
