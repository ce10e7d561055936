"""All benchmark rows side by side in one run (issue 6): ours vs a baseline, seconds and max errors.

Rows (each: name, our seconds, baseline seconds, ratio = baseline / ours, our max error,
baseline max error; errors are max-norm, relative to the largest exact value, against an
Arb enclosure or an mpmath reference at >= 30 digits as stated per row):

1. exact float64 two-layer trajectory vs scipy solve_ivp DOP853 rtol 1e-10 (20-20-20, 200 points);
   reuses ``two_layer_vs_solve_ivp.run``.
2. The ``dps=30`` API (Arb balls, certified to 30 digits, one evaluation; issue 16) vs ``mpmath.odefun`` at 30
   digits, same problem, times and quantity: the aligned singular value and the single neuron's ``beta(t)``,
   8 times on (0, 5] and on (0, 50], and the aligned one on (0, 500] (odefun's cost grows with t, the closed
   form's does not). The note gives the mpmath stable form evaluated once at the same working digits.
3. Arb closed form (``certified_*``, 100 bits) vs the mpmath closed form at 30 digits as ``dps=30`` computed it
   before issue 16 (confirmed by re-evaluation; the baselines ``baseline_aligned``,
   ``baseline_single_neuron_beta`` of ``arb_scalar.py`` and ``mpmath_qqt_baseline`` of ``arb_two_layer.py``):
   aligned (200 times), single neuron (50 times) and the two-layer QQ^T (3-3-3, 4 times; both stable forms).
   Rows 2 and 3 time CPU (process) seconds, best of 3-5 runs: single-threaded work, robust to other load.
4. The mpmath fallback of ``TwoLayerExact.qqt(t, dps=50)`` (python-flint hidden: confirmed by re-evaluation)
   with the gmpy2 backend vs pure-Python mpmath (``MPMATH_NOGMPY=1``), each in a subprocess. With python-flint
   (a core dependency) ``dps=`` runs in Arb and the mpmath backend no longer matters there.
5. reduced vs full-width gradient descent (d = 40, width 40^2.5 = 10119, 100 steps); reuses
   ``reduced_vs_full_width.gd_errors`` and ``reduce_width``.
6. ``arb_two_layer.rows()`` and ``arb_scalar.rows()``: the ``dps=50`` API (Arb) vs the pre-issue-16 mpmath
   ``dps=50`` path for the two-layer net (3, 5, 10, 20) and the scalar modes; certified ``qqt`` at ``t = 1e6``.
7. float64 wide hidden layers (N_h > min(N_i, N_o): 10-20-20, 20-20-10; the graded form, issue 16) vs solve_ivp
   DOP853 rtol 1e-10, 200 points on [0, 50]; reuses ``wide_two_layer.run`` (more shapes and horizons there).

Run: ``python benchmarks/run.py [--json]``.
"""

from __future__ import annotations

import os

# before numpy loads (BLAS reads these once): single-threaded BLAS, as two_layer_vs_solve_ivp.py states for
# its row (small matrices: threads only add contention, for both contestants alike); loading that module
# later cannot set them any more. Assigned, not defaulted: a value already in the environment (e.g. 2) would
# otherwise survive and the 20-20-20 row would time multi-threaded BLAS (it read 1.6-7.9x that way)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import mpmath  # noqa: E402
import numpy as np  # noqa: E402

from lazyrich import (  # noqa: E402
    AlignedMode,
    SingleNeuronExact,
    TwoLayerExact,
    aligned_singular_value,
    gaussian_init,
    lambda_balanced_init,
    matrix_with_singular_values,
    phase_task,
    reduce_width,
)
from lazyrich.certified import certified_aligned_singular_value, certified_qqt, certified_single_neuron  # noqa: E402

HERE = Path(__file__).resolve().parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _timed(fn, repeat: int = 1, clock=time.perf_counter):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = clock()
        out = fn()
        best = min(best, clock() - t0)
    return best, out


def _cpu(fn, repeat: int = 1):
    """Best CPU (process) seconds: single-threaded mpmath/Arb work, robust to other load on a shared machine."""
    return _timed(fn, repeat, time.process_time)


def _row(name, ours_s, base_s, ours_err, base_err, note=""):
    return {
        "name": name,
        "our_seconds": ours_s,
        "baseline_seconds": base_s,
        "ratio": base_s / ours_s,
        "our_max_error": ours_err,
        "baseline_max_error": base_err,
        "note": note,
    }


def _err_vs_enclosure(vals, enc) -> float:
    """Certified max |x - exact| / max |exact| (``Enclosure.distance_bound``)."""
    return float(enc.distance_bound(np.asarray(vals, dtype=object)).max() / np.abs(enc.mid).max())


def row_solve_ivp():
    r = _load("two_layer_vs_solve_ivp").run(repeat=20, ref_points=5)
    return _row(
        "exact float64 vs solve_ivp DOP853 rtol 1e-10 (20-20-20, 200 t)",
        r["exact_seconds"],
        r["solve_ivp_seconds"],
        r["exact_max_rel_error"],
        r["solve_ivp_max_rel_error"],
        "CPU seconds, best of 3; errors vs mpmath qqt(dps=30) at 5 points",
    )


def rows_wide():
    """Float64 wide hidden layers (N_h > min(N_i, N_o), graded form) vs DOP853 rtol 1e-10: ``wide_two_layer.run``."""
    wide = _load("wide_two_layer")
    out = []
    for shape in wide.SHAPES[:2]:
        r = wide.run(*shape, t_end=50.0)
        out.append(
            _row(
                f"exact float64 wide {r['shape']} (lambda {r['lambda']:g}) vs solve_ivp DOP853 rtol 1e-10, 200 t in [0, 50]",
                r["ours_seconds"],
                r["dop853_seconds"],
                r["ours_max_rel_error"],
                r["dop853_max_rel_error"],
                f"errors vs DOP853 rtol 3e-14 (ours: an upper bound); kappa {r['kappa_max']:.3g}; "
                f"BLAS threads {r['blas_threads']}; CPU seconds",
            )
        )
    return out


def _sn_odefun(sn, ts):
    """``beta(t) = a w`` from ``mpmath.odefun`` on the single-neuron ODE at the current working precision."""
    ea, ew = mpmath.mpf(sn.eta_a), mpmath.mpf(sn.eta_w)
    bs = [mpmath.mpf(float(b)) for b in sn.beta_star]

    def rhs(_t, y):
        a, w = y[0], y[1:]
        wb = mpmath.fsum(x * b for x, b in zip(w, bs))
        ww = mpmath.fsum(x * x for x in w)
        return [ea * (wb - a * ww), *(ew * (a * b - a * a * x) for x, b in zip(w, bs))]

    f = mpmath.odefun(rhs, 0, [mpmath.mpf(sn.a0), *(mpmath.mpf(float(x)) for x in sn.w0)])
    out = []
    for x in ts:
        y = f(mpmath.mpf(x))
        out.append([y[0] * v for v in y[1:]])
    return out


def _unconfirmed(form, ts, dps):
    """A closed form's stable values at the working precision ``dps=`` would pick, once (no confirming re-evaluation).

    ``form`` is a :class:`lazyrich.ClosedForm`; ``dps + form.guard_digits(t_max)`` is the working precision of
    the first of the two evaluations ``dps=`` makes.
    """
    return form.stable(ts, digits=dps + form.guard_digits(max(ts)))


def _aligned_unconfirmed(ts, s0, st, lam, dps):
    """Our aligned closed form at the working precision ``dps=`` would pick, once (no confirming re-evaluation)."""
    return [v[0] for v in _unconfirmed(AlignedMode(s0, st, lam), ts, dps)]


def _sn_unconfirmed(sn, ts, dps):
    """Our single-neuron closed form (``beta``) at the working precision ``dps=`` would pick, once."""
    return _unconfirmed(sn, ts, dps)


def rows_odefun():
    """Closed form at 30 digits (the ``dps=30`` API: Arb, certified) vs ``mpmath.odefun`` at 30 digits.

    Same problem, same times, same quantity, same working digits on both sides (odefun's own
    tolerance is set by ``mp.dps = 30``); both errors certified against a 230-bit Arb enclosure.
    The ratio grows with the horizon: odefun's Taylor steps grow with t, the closed form's cost does not.
    """
    rows = [row for horizon in (5.0, 50.0) for row in _odefun_rows(horizon)]
    return rows + _odefun_rows(500.0, single_neuron=False)  # odefun on the single neuron would take ~1 min there


def _odefun_rows(horizon: float, single_neuron: bool = True) -> list:
    s0, st, lam = 0.1, 2.0, 0.5
    sn_args = (0.1, [1.0, 0.5], [1.0, -2.0])
    ts = [horizon * k / 8 for k in range(1, 9)]
    enc = certified_aligned_singular_value(ts, s0, st, lam, bits=230)
    ours_s, ours = _cpu(lambda: aligned_singular_value(ts, s0, st, lam, dps=30), 5)
    once_s, once = _cpu(lambda: _aligned_unconfirmed(ts, s0, st, lam, 30), 5)

    def ode():
        with mpmath.workdps(30):
            lm, target = mpmath.mpf(lam), mpmath.mpf(st)
            f = mpmath.odefun(lambda _t, s: mpmath.sqrt(lm**2 + 4 * s**2) * (target - s), 0, mpmath.mpf(s0))
            return [f(mpmath.mpf(x)) for x in ts]

    base_s, base = _cpu(ode)
    rows = [
        _row(
            f"closed form dps=30 (Arb) vs mpmath.odefun 30 digits: aligned, 8 t in (0, {horizon:g}]",
            ours_s,
            base_s,
            _err_vs_enclosure(ours, enc),
            _err_vs_enclosure(base, enc),
            f"ours: the dps=30 API (certified); mpmath stable form once at the same working digits {once_s:.2e} s "
            f"(ratio {base_s / once_s:.0f}x, error {_err_vs_enclosure(once, enc):.1e}); errors vs Arb 230 bits; CPU seconds",
        )
    ]
    if not single_neuron:
        return rows
    sn = SingleNeuronExact(*sn_args)
    enc_b = certified_single_neuron(sn, ts, bits=230)[2]
    # a fresh object inside the timing: the constants' precomputation is part of our cost
    ours_s, ours = _cpu(lambda: SingleNeuronExact(*sn_args).beta(ts, dps=30), 3)
    once_s, once = _cpu(lambda: _sn_unconfirmed(SingleNeuronExact(*sn_args), ts, 30), 3)

    def ode_sn():
        with mpmath.workdps(30):
            return _sn_odefun(sn, ts)

    base_s, base = _cpu(ode_sn)
    rows.append(
        _row(
            f"closed form dps=30 (Arb) vs mpmath.odefun 30 digits: single neuron beta(t), 8 t in (0, {horizon:g}]",
            ours_s,
            base_s,
            _err_vs_enclosure(ours, enc_b),
            _err_vs_enclosure(base, enc_b),
            f"ours: the dps=30 API (certified); mpmath stable form once at the same working digits {once_s:.2e} s "
            f"(ratio {base_s / once_s:.0f}x, error {_err_vs_enclosure(once, enc_b):.1e}); errors vs Arb 230 bits; CPU seconds",
        )
    )
    return rows


def rows_arb_vs_mpmath():
    """Arb ``certified_*`` (100 bits) vs the mpmath ``dps=30`` path as it was before issue 16 (the benchmarks' copies)."""
    scalar, two_layer = _load("arb_scalar"), _load("arb_two_layer")
    out = []
    s0, st, lam = 0.1, 2.0, 0.5
    ts = np.logspace(-1, 3, 200)
    ref = certified_aligned_singular_value(ts, s0, st, lam, bits=230)
    arb_s, arb = _cpu(lambda: certified_aligned_singular_value(ts, s0, st, lam, bits=100), 3)
    mp_s, mp = _cpu(lambda: scalar.baseline_aligned(ts, s0, st, lam, dps=30), 3)
    out.append(
        _row(
            "Arb closed form (100 bits) vs mpmath closed form (30 digits, pre-issue-16 confirmed): aligned, 200 t",
            arb_s,
            mp_s,
            float(arb.rad.max() / np.abs(arb.mid).max()),
            _err_vs_enclosure(mp, ref),
            "our error: certified relative radius; CPU seconds",
        )
    )
    sn_args = (0.1, [1.0, 0.5], [1.0, -2.0])
    ts_sn = np.logspace(-1, 3, 50)
    ref_sn = certified_single_neuron(SingleNeuronExact(*sn_args), ts_sn, bits=230)[2]
    # fresh objects inside the timing: the constants' precomputation is part of either cost
    arb_s, arb = _cpu(lambda: certified_single_neuron(SingleNeuronExact(*sn_args), ts_sn, bits=100)[2], 3)
    mp_s, mp = _cpu(lambda: scalar.baseline_single_neuron_beta(ts_sn, *sn_args, dps=30), 3)
    out.append(
        _row(
            "Arb closed form (100 bits) vs mpmath closed form (30 digits, pre-issue-16 confirmed): single neuron "
            "beta(t), 50 t",
            arb_s,
            mp_s,
            float(arb.rad.max() / np.abs(arb.mid).max()),
            _err_vs_enclosure(mp, ref_sn),
            "our error: certified relative radius; the same stable formula on both sides; CPU seconds",
        )
    )
    W1, W2 = lambda_balanced_init(3, 3, 3, lam=1.0, sigma=0.4, seed=2)
    net = TwoLayerExact(W1, W2, matrix_with_singular_values((3, 3), [2.0, 1.0, 0.5], 2))
    ts2 = [0.5, 2.0, 5.0, 10.0]
    ref2 = certified_qqt(net, ts2, bits=230)
    arb_s, arb = _cpu(lambda: certified_qqt(net, ts2, bits=100))
    mp_s, mp = _cpu(lambda: two_layer.mpmath_qqt_baseline(net, ts2, 30), 3)
    out.append(
        _row(
            "Arb closed form (100 bits) vs mpmath closed form (30 digits, pre-issue-16 confirmed): two-layer 3-3-3, 4 t",
            arb_s,
            mp_s,
            float(arb.rad.max() / np.abs(arb.mid).max()),
            _err_vs_enclosure(mp, ref2),
            "Arb: stable form, certified radius; mpmath: stable form, confirmed at two precisions; CPU seconds",
        )
    )
    return out


_GMPY_SCRIPT = """
import json, sys, time
sys.modules["flint"] = None  # python-flint hidden: dps= takes the mpmath fallback (confirmed by re-evaluation)
import numpy as np, mpmath
from lazyrich import TwoLayerExact, lambda_balanced_init, matrix_with_singular_values
W1, W2 = lambda_balanced_init(4, 4, 4, lam=0.7, sigma=0.4, seed=3)
net = TwoLayerExact(W1, W2, matrix_with_singular_values((4, 4), [2.0, 1.5, 1.0, 0.5], 3))
best = float("inf")
for _ in range(3):
    t0 = time.process_time()
    out = net.qqt([0.5, 5.0, 50.0, 500.0], dps=50)
    best = min(best, time.process_time() - t0)
dt = best
print(json.dumps({"backend": mpmath.libmp.BACKEND, "seconds": dt, "value": str(out[-1][0, 0])}))
"""


def row_gmpy():
    def run(env):
        res = subprocess.run([sys.executable, "-c", _GMPY_SCRIPT], env=env, capture_output=True, text=True, check=True)
        return json.loads(res.stdout.strip().splitlines()[-1])

    fast = run(dict(os.environ))
    slow = run(dict(os.environ, MPMATH_NOGMPY="1"))
    with mpmath.workdps(60):
        diff = float(abs(mpmath.mpf(fast["value"]) - mpmath.mpf(slow["value"])))
    return _row(
        f"mpmath {fast['backend']} vs {slow['backend']} backend: two-layer qqt(dps=50) mpmath fallback (no flint), 4 t",
        fast["seconds"],
        slow["seconds"],
        diff,
        diff,
        "CPU seconds, best of 3; errors: |difference| of one entry at t = 500 (same algorithm, same digits)",
    )


def row_reduced():
    gd = _load("reduced_vs_full_width").gd_errors
    d, k, gs, gw, seed, steps = 40, 4, -2.0, 2.5, 0, 100
    width = int(d**gw)
    A_star, E = phase_task(d, k, seed)
    T = A_star + E
    step = 1.0 / (50 * np.linalg.norm(A_star, 2))
    W1, W2 = gaussian_init(d, d, width, d**gs, seed=np.random.default_rng([seed, 1]), reduced=False)
    full_s, (A_full, _) = _timed(lambda: gd(W1, W2, A_star, T, step, steps))
    red_s, (A_red, _) = _timed(lambda: gd(*reduce_width(W1, W2), A_star, T, step, steps))
    diff = float(np.abs(A_full - A_red).max() / np.abs(A_full).max())
    return _row(
        f"reduced (hidden 2d) vs full-width GD (d={d}, width {width}, {steps} steps)",
        red_s,
        full_s,
        diff,
        0.0,
        "our error: max |A_reduced - A_full| / max |A_full| (the full run is the reference)",
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = [row_solve_ivp(), *rows_wide(), *rows_odefun(), *rows_arb_vs_mpmath(), row_gmpy(), row_reduced()]
    rows += _load("arb_two_layer").rows()  # issue 16: Arb dps=50 vs the mpmath path it replaced; certified t = 1e6
    rows += _load("arb_scalar").rows()  # issue 16: the same for the single neuron and both aligned modes
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    w = max(len(r["name"]) for r in rows)
    print(f"{'name':<{w}}  {'ours s':>9}  {'base s':>9}  {'ratio':>8}  {'our err':>9}  {'base err':>9}")
    for r in rows:
        print(
            f"{r['name']:<{w}}  {r['our_seconds']:9.4f}  {r['baseline_seconds']:9.4f}  {r['ratio']:8.1f}  "
            f"{r['our_max_error']:9.2e}  {r['baseline_max_error']:9.2e}"
        )


if __name__ == "__main__":
    main()
