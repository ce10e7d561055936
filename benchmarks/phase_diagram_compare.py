"""Cost of the eq. (1) comparison (the BR panel of Tu et al. (2024), Fig. 2) at the paper's scale (issue 19).

1. Per-point CPU seconds of ``phase_diagram_point(200, 5, gamma_sigma2, gamma_w, seed=0)`` at the issue's three
   points with ``compare=False`` (gradient descent alone) and ``compare=True`` with ``eq1_scheme="rk4"`` (the
   default: the gradient flow of the width-d lambda-balanced pair by error-controlled RK4, one step per ~25
   records, Hermite interpolation at the records), ``eq1_scheme="balanced"`` (gradient descent on that pair, three
   d x d x d products per record) and, unless ``--no-euler``, ``eq1_scheme="euler"`` (the official code's update of
   B, one SVD per step: the cost before issue 19). The ratio on/off is the issue's criterion (at most 2); the
   distance panel's values of the schemes are printed too. The three configurations are timed in turn within
   each repeat (side by side), and each time is the minimum over the repeats.
2. The full 30 x 30 grid (``benchmarks/sweeps/phase_diagram_paper.toml``: gamma_sigma2 in [-3, 0], gamma_w in
   [0, 2.8]): the cost of a point depends strongly on where it lies (lazy runs stop after tens of iterations, active
   ones after hundreds), so it is estimated from a stratified sample: the grid is cut into ``--strata`` x
   ``--strata`` blocks and one grid point (fixed seed) is drawn per block. Estimate of one seed's CPU time:
   ``900 x mean``; wall time on ``--cores`` idle cores: ``CPU / cores`` (the sweep's workers are single-threaded).
   ``--scheme`` selects the eq. (1) scheme of this estimate (``rk4`` by default).

Times are CPU seconds of this process (``time.process_time``: insensitive to other work on a shared machine, which
inflates the wall time; both are printed). BLAS runs single-threaded, fixed through the environment before numpy is
imported, as in the sweep's Dask workers.

Run: ``python benchmarks/phase_diagram_compare.py [--repeat N] [--strata S] [--scheme S] [--no-euler] [--json]
[--out PATH]``; ``--out`` also writes the results as JSON (the stored run:
``benchmarks/results/phase_diagram_compare.json``, its table ``phase_diagram_compare.txt``).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from lazyrich import phase_diagram_point  # noqa: E402

D, K, SEED = 200, 5, 0
POINTS = [(-1.5, 1.5), (-0.5, 2.0), (-2.5, 0.8)]
GS = np.linspace(-3.0, 0.0, 30)
GW = np.linspace(0.0, 2.8, 30)


def timed(gs: float, gw: float, repeat: int, **kw) -> dict:
    """Minimum CPU and wall seconds of one point over ``repeat`` runs, and the point."""
    return side_by_side(gs, gw, repeat, {"x": kw})["x"]


def side_by_side(gs: float, gw: float, repeat: int, configs: dict[str, dict]) -> dict[str, dict]:
    """Each configuration run once per repeat, in turn; minimum CPU and wall seconds of each, and its point."""
    out = {name: {"cpu": float("inf"), "wall": float("inf"), "point": None} for name in configs}
    for _ in range(repeat):
        for name, kw in configs.items():
            c0, w0 = time.process_time(), time.perf_counter()
            p = phase_diagram_point(D, K, gs, gw, SEED, **kw)
            o = out[name]
            o["cpu"] = min(o["cpu"], time.process_time() - c0)
            o["wall"] = min(o["wall"], time.perf_counter() - w0)
            o["point"] = p
    return out


def sample_points(strata: int) -> list[tuple[float, float]]:
    rng = np.random.default_rng(19)
    edges = np.linspace(0, 30, strata + 1).astype(int)
    out = []
    for a, b in itertools.pairwise(edges):
        for c, e in itertools.pairwise(edges):
            out.append((float(GS[rng.integers(a, b)]), float(GW[rng.integers(c, e)])))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2, help="runs per configuration (the minimum is kept)")
    ap.add_argument("--strata", type=int, default=3, help="blocks per axis of the full-grid sample (0: skip)")
    ap.add_argument("--cores", type=int, default=2, help="cores of the wall-time estimate")
    ap.add_argument("--scheme", default="rk4", help="eq. (1) scheme of the full-grid estimate")
    ap.add_argument("--no-euler", action="store_true", help="skip the SVD-based Euler scheme (slow)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--out", type=Path, help="also write the results as JSON to this file")
    args = ap.parse_args()

    rows = []
    configs = {"off": {"compare": False}, "balanced": {"eq1_scheme": "balanced"}, "rk4": {"eq1_scheme": "rk4"}}
    for gs, gw in POINTS:
        t = side_by_side(gs, gw, args.repeat, configs)
        off = t["off"]
        row = {
            "gamma_sigma2": gs,
            "gamma_w": gw,
            "width": off["point"].width,
            "records": off["point"].n_records,
            "cpu_off": off["cpu"],
            "wall_off": off["wall"],
        }
        for name in ("balanced", "rk4"):
            row.update(
                {
                    f"cpu_{name}": t[name]["cpu"],
                    f"ratio_{name}": t[name]["cpu"] / off["cpu"],
                    f"wall_{name}": t[name]["wall"],
                    f"distance_{name}": t[name]["point"].max_distance,
                }
            )
        if not args.no_euler:
            eu = timed(gs, gw, 1, eq1_scheme="euler")
            row.update(
                cpu_euler=eu["cpu"],
                ratio_euler=eu["cpu"] / off["cpu"],
                distance_euler=eu["point"].max_distance,
            )
        rows.append(row)

    grid = None
    if args.strata > 0:
        sample = []
        for gs, gw in sample_points(args.strata):
            t = side_by_side(gs, gw, 1, {"on": {"eq1_scheme": args.scheme}, "off": {"compare": False}})
            on, off = t["on"], t["off"]
            sample.append({"gamma_sigma2": gs, "gamma_w": gw, "cpu_on": on["cpu"], "cpu_off": off["cpu"]})
        on_s = np.array([s["cpu_on"] for s in sample])
        off_s = np.array([s["cpu_off"] for s in sample])
        n = len(sample)
        grid = {
            "sample": sample,
            "cpu_per_point_on": float(on_s.mean()),
            "cpu_per_point_on_se": float(on_s.std(ddof=1) / np.sqrt(n)) if n > 1 else 0.0,
            "cpu_per_point_off": float(off_s.mean()),
            "grid_cpu_seconds_on": float(900 * on_s.mean()),
            "grid_wall_minutes_on": float(900 * on_s.mean() / args.cores / 60),
            "grid_wall_minutes_on_2se": float(2 * 900 * on_s.std(ddof=1) / np.sqrt(n) / args.cores / 60)
            if n > 1
            else 0.0,
            "cores": args.cores,
            "scheme": args.scheme,
        }

    res = {"d": D, "k": K, "seed": SEED, "repeat": args.repeat, "points": rows, "full_grid": grid}
    res["load_average"] = os.getloadavg()  # 1, 5, 15 min at the end: other work inflates wall times, not CPU
    if args.out:
        args.out.write_text(json.dumps(res, indent=2) + "\n")
    if args.json:
        print(json.dumps(res, indent=2))
        return
    print(f"eq. (1) comparison at d = {D}, k = {K} (CPU seconds per point, BLAS single-threaded; min of {args.repeat})")
    print("load average at the end (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in res["load_average"]))
    head = f"{'(gs, gw)':<14}{'w':>7}{'iters':>7}{'off':>8}{'bal':>8}{'bal/off':>8}{'rk4':>8}{'rk4/off':>8}"
    head += f"{'dist bal':>11}{'dist rk4':>11}"
    if not args.no_euler:
        head += f"{'euler':>8}{'eul/off':>8}{'dist eul':>11}"
    print(head)
    for r in rows:
        where = f"({r['gamma_sigma2']:g}, {r['gamma_w']:g})"
        line = f"{where:<14}{r['width']:>7}{r['records']:>7}{r['cpu_off']:>8.3f}"
        line += f"{r['cpu_balanced']:>8.3f}{r['ratio_balanced']:>8.2f}{r['cpu_rk4']:>8.3f}{r['ratio_rk4']:>8.2f}"
        line += f"{r['distance_balanced']:>11.4e}{r['distance_rk4']:>11.4e}"
        if not args.no_euler:
            line += f"{r['cpu_euler']:>8.3f}{r['ratio_euler']:>8.2f}{r['distance_euler']:>11.4e}"
        print(line)
    if grid:
        print(
            f"full 30 x 30 grid ({len(grid['sample'])}-point stratified sample, eq1_scheme={grid['scheme']}): "
            f"{grid['cpu_per_point_on']:.2f} "
            f"+- {grid['cpu_per_point_on_se']:.2f} CPU s per point with compare ({grid['cpu_per_point_off']:.2f} without); "
            f"one seed = {grid['grid_cpu_seconds_on']:.0f} CPU s = {grid['grid_wall_minutes_on']:.1f} "
            f"+- {grid['grid_wall_minutes_on_2se']:.1f} min on {grid['cores']} idle cores"
        )


if __name__ == "__main__":
    main()
