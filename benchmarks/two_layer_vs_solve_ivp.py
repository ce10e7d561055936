"""Exact float64 trajectory (TwoLayerExact) vs scipy solve_ivp DOP853, side by side in one run.

Setup: N_i = N_o = N_h = N (default rows N = 5, 20, 50, 100), random task, lambda-balanced init,
200 time points on [0, t_end] (t_end = 50 and 500). The baseline integrates the weight flow (cheaper than
the Riccati ODE for QQ^T) with a vectorised RHS, DOP853, rtol = 1e-10, atol = 1e-10 max|y0|, t_eval = the
grid, and forms QQ^T from the weights in one batched product. Both are timed (CPU, best of several runs)
and compared with a reference: ``TwoLayerExact.qqt(t, dps=30)`` at a few points for N <= 20 (itself
confirmed by re-evaluation at higher precision), DOP853 at rtol 3e-14 above. BLAS runs single-threaded
(set before numpy loads). The floor is one batched product forming the (n x n) output per time point,
``(T, n, m) @ (T, m, n)``: both contestants pay it.

Run: ``python benchmarks/two_layer_vs_solve_ivp.py [--json] [--sizes 5 20 50 100] [--horizons 50 500]``.
"""

from __future__ import annotations

import os

# small (20 x 20) matrices: multi-threaded BLAS only adds contention, for both contestants alike. Assigned before
# numpy is imported (BLAS reads them once, at import; a default would keep a value already in the environment)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from weight_flow_baseline import dop853_qqt  # noqa: E402  (the shared baseline, next to this file)

from lazyrich import TwoLayerExact, lambda_balanced_init, matrix_with_singular_values  # noqa: E402


def _best_time(fn, repeat: int) -> tuple[float, float, object]:
    """Best CPU (process) time and best wall time over ``repeat`` runs.

    CPU time is the headline: on a shared machine the wall time of a 20 ms call is
    inflated by pre-emption far more than its work (BLAS is single-threaded here).
    """
    best_cpu, best_wall, out = np.inf, np.inf, None
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        out = fn()
        best_cpu = min(best_cpu, time.process_time() - c0)
        best_wall = min(best_wall, time.perf_counter() - w0)
    return best_cpu, best_wall, out


#: Largest N for which the reference is mpmath ``qqt(dps=30)`` (seconds per point at N = 20).
MPMATH_REFERENCE_MAX_N = 20


def run(
    n: int = 20,
    n_times: int = 200,
    t_end: float = 50.0,
    lam: float = 0.5,
    repeat: int = 20,
    ref_points: int = 5,
    seed: int = 0,
):
    """One row: N_i = N_h = N_o = ``n``, ``n_times`` points on ``[0, t_end]``; times are best-of-``repeat``.

    Reference: mpmath ``qqt(dps=30)`` at ``ref_points`` points for ``n <= MPMATH_REFERENCE_MAX_N``; above,
    DOP853 at rtol 3e-14 on the whole grid (then ``exact_max_rel_error`` is an upper bound, limited by the
    reference's own error, and ``error_ratio`` a lower bound).
    """
    rng = np.random.default_rng(seed)
    sigma_yx = matrix_with_singular_values((n, n), rng.uniform(0.5, 2.0, n), rng)
    W1, W2 = lambda_balanced_init(n, n, n, lam, sigma=0.1, seed=rng)
    grid = np.linspace(0.0, t_end, n_times)

    def exact():
        return TwoLayerExact(W1, W2, sigma_yx).qqt(grid)

    def ode():
        return dop853_qqt(sigma_yx, W1, W2, grid, 1e-10, 1e-10)

    net = TwoLayerExact(W1, W2, sigma_yx)
    Z = np.ascontiguousarray(rng.standard_normal((n_times, 2 * n, n)))

    t_exact, w_exact, q_exact = _best_time(exact, repeat)
    t_ode, w_ode, (q_ode, nfev) = _best_time(ode, max(1, repeat // 2))
    t_floor, w_floor, _ = _best_time(lambda: Z @ np.swapaxes(Z, 1, 2), repeat)

    t0 = time.perf_counter()
    if n <= MPMATH_REFERENCE_MAX_N:
        idx = np.unique(np.linspace(0, n_times - 1, ref_points + 1)[1:].round().astype(int))  # t > 0
        ref = np.array([np.array(M.tolist(), dtype=float) for M in net.qqt(grid[idx], dps=30)])
        reference = "mpmath qqt(dps=30)"
    else:
        idx = np.arange(n_times)
        ref = dop853_qqt(sigma_yx, W1, W2, grid, 3e-14, 3e-14)[0]  # rtol just above 100 eps
        reference = "DOP853 rtol 3e-14 (exact error is an upper bound)"
    t_ref = time.perf_counter() - t0
    scale = np.abs(ref).max()
    err_exact = float(np.abs(q_exact[idx] - ref).max() / scale)
    err_ode = float(np.abs(q_ode[idx] - ref).max() / scale)
    return {
        "n_in=n_hidden=n_out": n,
        "time_points": n_times,
        "t_end": t_end,
        "lambda": lam,
        "condition_q_plus": net.condition,
        "exact_seconds": t_exact,
        "solve_ivp_seconds": t_ode,
        "speedup": t_ode / t_exact,
        "exact_wall_seconds": w_exact,
        "solve_ivp_wall_seconds": w_ode,
        "speedup_wall": w_ode / w_exact,
        "floor_wall_seconds": w_floor,
        "exact_max_rel_error": err_exact,
        "solve_ivp_max_rel_error": err_ode,
        "error_ratio": err_ode / max(err_exact, 1e-300),
        "floor_seconds": t_floor,
        "exact_over_floor": t_exact / t_floor,
        "solve_ivp_rhs_evaluations": nfev,
        "reference": reference,
        "reference_points": len(idx),
        "reference_seconds": t_ref,
    }


def table(sizes=(5, 20, 50, 100), horizons=(50.0, 500.0), n_times: int = 200, ref_points: int = 2) -> list[dict]:
    """:func:`run` for every size and horizon (repeats scaled down with the size)."""
    rows = []
    for n in sizes:
        repeat = max(3, int(20 * (20 / max(n, 20)) ** 2))
        for t_end in horizons:
            rows.append(run(n=n, n_times=n_times, t_end=t_end, repeat=repeat, ref_points=ref_points))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--sizes", type=int, nargs="+", default=[5, 20, 50, 100], help="N_i = N_h = N_o values")
    ap.add_argument("--horizons", type=float, nargs="+", default=[50.0, 500.0], help="t_end values")
    ap.add_argument("--times", type=int, default=200, help="time points on [0, t_end]")
    ap.add_argument("--ref-points", type=int, default=2, help="time points checked against dps=30 (N <= 20)")
    args = ap.parse_args()
    rows = table(args.sizes, args.horizons, args.times, args.ref_points)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(
        f"two-layer exact vs solve_ivp DOP853 (rtol 1e-10, weight flow), {args.times} points, CPU seconds (best of N)"
    )
    head = (
        "N",
        "t_end",
        "exact s",
        "DOP853 s",
        "ratio",
        "wall ratio",
        "exact err",
        "DOP853 err",
        "err ratio",
        "RHS evals",
    )
    print("".join(f"{h:>12s}" for h in head))
    for r in rows:
        vals = (
            f"{r['n_in=n_hidden=n_out']:d}",
            f"{r['t_end']:g}",
            f"{r['exact_seconds']:.4g}",
            f"{r['solve_ivp_seconds']:.4g}",
            f"{r['speedup']:.1f}x",
            f"{r['speedup_wall']:.1f}x",
            f"{r['exact_max_rel_error']:.2g}",
            f"{r['solve_ivp_max_rel_error']:.2g}",
            f"{r['error_ratio']:.2g}x",
            f"{r['solve_ivp_rhs_evaluations']:d}",
        )
        print("".join(f"{v:>12s}" for v in vals))
    print("reference: mpmath qqt(dps=30) for N <= 20; DOP853 rtol 3e-14 above (exact error then an upper bound)")


if __name__ == "__main__":
    main()
