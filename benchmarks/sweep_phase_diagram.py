"""Wall time of the reduced phase diagram through ``lazyrich sweep``, and an estimate at the paper's scale (issue 9).

1. Runs ``lazyrich sweep benchmarks/sweeps/phase_diagram_d50.toml --out OUT --plot PNG`` (d = 50, k = 1, a 12 x 12
   grid over the published Fig. 2 ranges, 2 seeds = 288 points) as a subprocess with the default scheduler (a Dask
   LocalCluster with one single-threaded worker per core) and records its wall time, including interpreter and
   cluster start-up. From the stored table: the sum of the per-point worker seconds, the parallel efficiency
   ``sum / (cores x wall)``, and the fixed overhead ``wall - sum / cores``.
2. Paper scale (d = 200, k = 5, 30 x 30 grid over the same ranges): the cost of a point depends strongly on where it
   lies (the early stops end lazy runs after tens of iterations, active ones after hundreds, up to 750), so it is
   measured at d = 200 on a stratified sample: the 30 x 30 grid is cut into ``--strata`` blocks and one random grid
   point (fixed seed) is drawn per block. The sample runs ``phase_diagram_point`` (the sweep function's work) in a
   pool of ``cores`` processes, each point timed inside its worker, so the cores are as busy as in a sweep. The
   estimate for one seed is ``900 x mean / (cores x efficiency_1) + overhead_1``, with the d = 50 run's efficiency
   and overhead, and ``+-`` two standard errors of the stratified mean. The seeds of Tu et al. (2024), Fig. 2 are not
   published (nor is the exact grid): the time scales linearly with the number of seeds, reported for 1 and 2.

BLAS runs single-threaded (as in Dask's workers) so that ``cores`` processes do not oversubscribe the machine.
The machine's load average is printed: other work on the machine inflates every time here.

Run: ``python benchmarks/sweep_phase_diagram.py [--strata N] [--outdir DIR] [--json]``.
"""

from __future__ import annotations

import os

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from lazyrich import phase_diagram_point  # noqa: E402
from lazyrich.sweep import load_sweep  # noqa: E402

SPEC = Path(__file__).resolve().parent / "sweeps" / "phase_diagram_d50.toml"
GS_RANGE, GW_RANGE, N_GRID = (-3.0, 0.0), (0.0, 2.8), 30
PAPER_D, PAPER_K = 200, 5


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def run_d50(outdir: Path) -> dict:
    """The issue's reduced diagram through the CLI; wall time and the stored per-point seconds."""
    out, png = outdir / "phase_diagram_d50.sweep.sqlite", outdir / "phase_diagram_d50.png"
    exe = shutil.which("lazyrich", path=str(Path(sys.executable).parent)) or "lazyrich"
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run(
        [exe, "sweep", str(SPEC), "--out", str(out), "--plot", str(png)], capture_output=True, text=True
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"lazyrich sweep failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    df = load_sweep(out)
    cores = available_cores()
    busy = float(df["seconds"].sum())
    return {
        "points": len(df),
        "failed": int((df["status"] != "ok").sum()),
        "wall_seconds": wall,
        "worker_seconds_sum": busy,
        "seconds_per_point_mean": busy / len(df),
        "cores": cores,
        "efficiency": busy / (cores * wall),
        "overhead_seconds": wall - busy / cores,
        "load_average_before": load0,
        "cli_output": proc.stdout.strip().splitlines()[-2:],
        "sqlite": str(out),
        "png": str(png),
    }


def timed_point(args: tuple) -> float:
    gs, gw, seed = args
    t0 = time.perf_counter()
    phase_diagram_point(PAPER_D, PAPER_K, gs, gw, seed)
    return time.perf_counter() - t0


def sample_paper_scale(strata: int, cores: int, seed: int = 0) -> dict:
    """Per-point seconds at d = 200 on a stratified random sample of the 30 x 30 grid."""
    gs_axis, gw_axis = np.linspace(*GS_RANGE, N_GRID), np.linspace(*GW_RANGE, N_GRID)
    nb = round(math.sqrt(strata))
    edges = np.linspace(0, N_GRID, nb + 1).astype(int)
    rng = np.random.default_rng(seed)
    points, weights = [], []
    for i in range(nb):
        for j in range(nb):
            gi = int(rng.integers(edges[i], edges[i + 1]))
            gj = int(rng.integers(edges[j], edges[j + 1]))
            points.append((float(gs_axis[gi]), float(gw_axis[gj]), 0))
            weights.append((edges[i + 1] - edges[i]) * (edges[j + 1] - edges[j]) / N_GRID**2)
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=cores) as pool:
        secs = list(pool.map(timed_point, points))
    wall = time.perf_counter() - t0
    w, s = np.asarray(weights), np.asarray(secs)
    mean = float(np.sum(w * s))
    # stratified sampling, one draw per stratum: variance estimated by the spread across strata (conservative)
    se = float(np.sqrt(np.sum(w**2) * np.var(s, ddof=1)))
    return {
        "d": PAPER_D,
        "k": PAPER_K,
        "sample_points": len(points),
        "seconds_per_point_mean": mean,
        "seconds_per_point_se": se,
        "seconds_per_point_min": float(s.min()),
        "seconds_per_point_max": float(s.max()),
        "sample_wall_seconds": wall,
        "load_average_before": load0,
        "points": [{"gamma_sigma2": p[0], "gamma_w": p[1], "seconds": x} for p, x in zip(points, secs)],
    }


def estimate(d50: dict, paper: dict) -> dict:
    n = N_GRID * N_GRID
    per_seed = n * paper["seconds_per_point_mean"] / (d50["cores"] * d50["efficiency"])
    pm = 2 * n * paper["seconds_per_point_se"] / (d50["cores"] * d50["efficiency"])
    return {
        "grid_points": n,
        "hours_1_seed": (per_seed + d50["overhead_seconds"]) / 3600,
        "hours_1_seed_pm": pm / 3600,
        "hours_2_seeds": (2 * per_seed + d50["overhead_seconds"]) / 3600,
        "hours_2_seeds_pm": 2 * pm / 3600,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--strata", type=int, default=16, help="sample size at d = 200 (a square number of blocks)")
    ap.add_argument("--outdir", default=None, help="where the sweep's SQLite file and heatmap go (default: a temp dir)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args()
    outdir = Path(args.outdir or tempfile.mkdtemp(prefix="lazyrich-sweep-bench-"))
    outdir.mkdir(parents=True, exist_ok=True)
    d50 = run_d50(outdir)
    paper = sample_paper_scale(args.strata, d50["cores"])
    est = estimate(d50, paper)
    if args.json:
        print(json.dumps({"d50": d50, "paper_scale_sample": paper, "paper_scale_estimate": est}, indent=1))
        return
    print(f"1. lazyrich sweep {SPEC.name}: {d50['points']} points ({d50['failed']} failed) on {d50['cores']} cores")
    print(f"   wall {d50['wall_seconds']:.1f} s (load average before: {d50['load_average_before']:.1f})")
    print(f"   worker seconds: sum {d50['worker_seconds_sum']:.1f}, mean {d50['seconds_per_point_mean']:.3f} per point")
    print(f"   efficiency {d50['efficiency']:.2f}, fixed overhead {d50['overhead_seconds']:.1f} s")
    print(f"   heatmap {d50['png']}")
    print(
        f"2. d = {PAPER_D}, k = {PAPER_K}: {paper['sample_points']} stratified points in {paper['sample_wall_seconds']:.0f} s"
    )
    print(
        f"   seconds per point: mean {paper['seconds_per_point_mean']:.1f} +- {paper['seconds_per_point_se']:.1f} (se), "
        f"range {paper['seconds_per_point_min']:.1f}-{paper['seconds_per_point_max']:.1f}"
    )
    print(
        f"   estimate, 30 x 30 on this machine: {est['hours_1_seed']:.2f} +- {est['hours_1_seed_pm']:.2f} h per seed, "
        f"{est['hours_2_seeds']:.2f} +- {est['hours_2_seeds_pm']:.2f} h for 2 seeds"
    )


if __name__ == "__main__":
    main()
