"""Exact float64 trajectory (TwoLayerExact) vs scipy solve_ivp DOP853, side by side in one run.

Setup (issue 3): N_i = N_o = N_h = 20, random task, lambda-balanced init,
200 time points on [0, 50]. Both are timed (best of ``--repeat`` runs) and
compared with a high-precision reference (``TwoLayerExact.qqt(t, dps=30)``
at a subset of the points, itself confirmed by re-evaluation at higher
precision). BLAS runs single-threaded (set before numpy loads). The floor is one batched product forming the (n x n) output per
time point, ``(T, n, m) @ (T, m, n)``.

Run: ``python benchmarks/two_layer_vs_solve_ivp.py [--json] [--repeat N] [--ref-points K]``.
"""

from __future__ import annotations

import os

# small (20 x 20) matrices: multi-threaded BLAS only adds contention, for both contestants alike
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from scipy.integrate import solve_ivp  # noqa: E402

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


def _qqt_from_state(y: np.ndarray, n_in: int, n_hidden: int, n_out: int) -> np.ndarray:
    W1 = y[: n_hidden * n_in].reshape(n_hidden, n_in)
    W2 = y[n_hidden * n_in :].reshape(n_out, n_hidden)
    Q = np.concatenate([W1.T, W2], axis=0)
    return Q @ Q.T


def run(
    n: int = 20,
    n_times: int = 200,
    t_end: float = 50.0,
    lam: float = 0.5,
    repeat: int = 20,
    ref_points: int = 5,
    seed: int = 0,
):
    rng = np.random.default_rng(seed)
    sigma_yx = matrix_with_singular_values((n, n), rng.uniform(0.5, 2.0, n), rng)
    W1, W2 = lambda_balanced_init(n, n, n, lam, sigma=0.1, seed=rng)
    grid = np.linspace(0.0, t_end, n_times)

    def exact():
        return TwoLayerExact(W1, W2, sigma_yx).qqt(grid)

    def ode():
        def rhs(_t, y):
            w1 = y[: n * n].reshape(n, n)
            w2 = y[n * n :].reshape(n, n)
            E = sigma_yx - w2 @ w1
            return np.concatenate([(w2.T @ E).ravel(), (E @ w1.T).ravel()])

        y0 = np.concatenate([W1.ravel(), W2.ravel()])
        sol = solve_ivp(rhs, (0.0, t_end), y0, method="DOP853", t_eval=grid, rtol=1e-10, atol=1e-10 * np.abs(y0).max())
        return np.array([_qqt_from_state(sol.y[:, i], n, n, n) for i in range(n_times)])

    net = TwoLayerExact(W1, W2, sigma_yx)
    Z = np.ascontiguousarray(rng.standard_normal((n_times, 2 * n, n)))
    Zt = np.ascontiguousarray(np.swapaxes(Z, 1, 2))

    t_exact, w_exact, q_exact = _best_time(exact, repeat)
    t_ode, w_ode, q_ode = _best_time(ode, max(1, repeat // 2))
    t_floor, w_floor, _ = _best_time(lambda: Z @ Zt, repeat)

    idx = np.unique(np.linspace(0, n_times - 1, ref_points).round().astype(int))
    t0 = time.perf_counter()
    ref = np.array([np.array(M.tolist(), dtype=float) for M in net.qqt(grid[idx], dps=30)])
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
        "reference_points": len(idx),
        "reference_seconds": t_ref,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--repeat", type=int, default=20, help="timing repetitions (best is reported)")
    ap.add_argument("--ref-points", type=int, default=5, help="time points checked against dps=30")
    args = ap.parse_args()
    res = run(repeat=args.repeat, ref_points=args.ref_points)
    if args.json:
        print(json.dumps(res, indent=2))
        return
    print(
        f"two-layer exact vs solve_ivp DOP853 (rtol 1e-10), N = {res['n_in=n_hidden=n_out']}, "
        f"{res['time_points']} points on [0, {res['t_end']:g}], lambda = {res['lambda']}"
    )
    print(f"{'':24s}{'CPU s':>12s}{'wall s':>12s}{'max rel error':>16s}")
    rows = [
        ("TwoLayerExact (float64)", "exact_seconds", "exact_wall_seconds", "exact_max_rel_error"),
        ("solve_ivp DOP853", "solve_ivp_seconds", "solve_ivp_wall_seconds", "solve_ivp_max_rel_error"),
        ("floor (batched Z Z^T)", "floor_seconds", "floor_wall_seconds", None),
    ]
    for label, cpu, wall, err in rows:
        tail = f"{res[err]:16.3g}" if err else ""
        print(f"{label:24s}{res[cpu]:12.4g}{res[wall]:12.4g}{tail}")
    print(
        f"speedup {res['speedup']:.1f}x CPU ({res['speedup_wall']:.1f}x wall), error ratio {res['error_ratio']:.3g}x, "
        f"exact is {res['exact_over_floor']:.1f}x the floor (CPU); reference: dps=30 at {res['reference_points']} "
        f"points ({res['reference_seconds']:.2f} s)"
    )


if __name__ == "__main__":
    main()
