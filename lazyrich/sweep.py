"""Parameter sweeps: resumable grids of a sweep function, on threads, a local Dask cluster or a scheduler.

``lazyrich.sweep.run("phase.toml")`` runs a SPEC (TOML file or dict) and returns a pandas
``DataFrame``, one row per grid point; ``lazyrich sweep phase.toml`` is the command-line form.
Results are stored point by point (SQLite, ``out=``), so an interrupted sweep resumes where it
stopped (``resume=True``); :func:`load_sweep` reads a result file back and :func:`plot_sweep`
draws a heatmap. :func:`sweep_function` registers a new sweep function; ``SWEEP_FUNCTIONS``
lists the registered ones (the built-in cells included).

Examples
--------
The exact aligned singular value (Dominé et al. (2025), Thm 5.1) against a simulated network,
at two initial values and two times, on two threads of this process:

>>> import lazyrich.sweep
>>> spec = {"function": "aligned_agreement", "fixed": {"s_target": 1.7, "lam": -0.3},
...         "grid": {"s0": [0.05, 0.5], "t": [1.0, 4.0]}}
>>> df = lazyrich.sweep.run(spec, scheduler="threads:2")
>>> df[["s0", "t", "passed", "status"]].values.tolist()
[[0.05, 1.0, True, 'ok'], [0.05, 4.0, True, 'ok'], [0.5, 1.0, True, 'ok'], [0.5, 4.0, True, 'ok']]
>>> df.attrs["summary"]["computed"], df.attrs["out"] is None  # a dict SPEC without out=: kept in memory
(4, True)
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
