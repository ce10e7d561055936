"""Arb ``dps=50`` path of the scalar closed forms vs the mpmath path it replaced (issue 16, item 1).

Rows: the single neuron's ``beta(t, dps=50)``, ``aligned_singular_value(t, ..., dps=50)`` and
``mixed_aligned_singular_value(t, ..., dps=50)``, 10 time points each. "ours" is the public API
(Arb balls, precision raised until the relative radius is below ``10**-50``: one evaluation);
the baseline is the implementation the API had before (mpmath at ``50 + guard`` digits,
confirmed by a re-evaluation at a higher precision), copied below verbatim in behaviour so the
comparison stays side by side after the library moved on. Errors: max relative distance to the
baseline's values (both claim 50 digits). CPU seconds per call, best of 5 batches of calls (each >= 0.05 s).

Run: ``python benchmarks/arb_scalar.py [--json]``.
"""

from __future__ import annotations

import os

# before numpy loads (BLAS reads these once): single-threaded, as every benchmark row here
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402

import mpmath  # noqa: E402

from lazyrich import SingleNeuronExact, aligned_singular_value, mixed_aligned_singular_value  # noqa: E402

DPS = 50
TIMES = [0.1 * 2.5**k for k in range(10)]  # 0.1 .. ~380


# ---------------------------------------------------------------------------------------------- baseline
# The pre-Arb ``dps=`` path (lazyrich 0.x before issue 16): confirmed_mpmath + the mpmath closed forms.
def _confirmed(prepare, items, dps, guard):
    guards = [max(int(guard(x)), 5) for x in items]
    out = [None] * len(items)
    pending = list(range(len(items)))
    while pending:
        by_guard: dict = {}
        for i in pending:
            by_guard.setdefault(guards[i], []).append(i)
        retry = []
        for g, idx in by_guard.items():
            wp = max(dps + g, 20)
            hi_wp = wp + max(10, wp // 2)
            with mpmath.workdps(wp):
                ev = prepare()
                lo = [list(ev(items[i])) for i in idx]
            with mpmath.workdps(hi_wp):
                ev = prepare()
                hi = [list(ev(items[i])) for i in idx]
                scale = [max(abs(x) for x in v) for v in hi]
                ok = [
                    max(abs(x - y) for x, y in zip(u, v)) <= s * mpmath.mpf(10) ** (-(dps + 3))
                    for u, v, s in zip(lo, hi, scale)
                ]
            for i, v, good in zip(idx, hi, ok):
                if good:
                    with mpmath.workdps(dps):
                        out[i] = [+x for x in v]
                else:
                    guards[i] *= 2
                    retry.append(i)
        pending = retry
    return out


def _expm1(x):
    return mpmath.exp(x) - 1 if abs(x) > 0.5 else mpmath.expm1(x)


def baseline_aligned(ts, s0, st, lam, tau=1.0, dps=DPS):
    def prepare():
        S, S0, L, T = (mpmath.mpf(v) for v in (st, s0, lam, tau))
        l2 = L * L / 4
        mu, mu0 = mpmath.sqrt(S * S + l2), mpmath.sqrt(S0 * S0 + l2)
        prod = l2 * (S - S0) ** 2
        if S * S0 >= 0:
            P = mu * mu0 + l2 + S * S0
            M = prod / P if P != 0 else 0 * P
        else:
            M = mu * mu0 - l2 - S * S0
            P = prod / M
        two_mu2 = 2 * (S * S + l2)

        def at(t):
            t = mpmath.mpf(t)
            if two_mu2 == 0:
                return [S0 / (1 + 2 * abs(S0) * t / T)]
            x = -2 * mu * t / T
            E = mpmath.exp(x)
            F = -_expm1(x) if x > -0.5 else 1 - E
            if P == 0:
                a = F * M
                den = two_mu2 + a
            else:
                a = F * (P + M * E)
                den = two_mu2 * E + a
            return [S0 if den == 0 else S0 + a / den * (S - S0)]

        return at

    mu = math.sqrt(st**2 + lam**2 / 4)
    guard = 10 + math.ceil(math.log10(1.0 + 2.0 * mu * max(ts) / tau))
    return [v[0] for v in _confirmed(prepare, ts, dps, lambda _: guard)]


def baseline_mixed(ts, s0, st, c, dps=DPS):
    def prepare():
        S0, S, C = (mpmath.mpf(v) for v in (s0, st, c))
        R = mpmath.hypot(S, C)
        if S >= 0:
            p_star = S + R
            m = C * C / p_star
        else:
            m = R - S
            p_star = C * C / m
        r0 = mpmath.hypot(S0, C)
        p0 = S0 + r0 if S0 >= 0 else C * C / (r0 - S0)

        def at(t):
            t = mpmath.mpf(t)
            e, f = mpmath.exp(-2 * R * t), -_expm1(-2 * R * t)
            q = (p_star * p0 + m * (p_star * f + p0 * e)) / (p0 * f + p_star * e + m)
            return [(q - C * C / q) / 2]

        return at

    guard = 10 + math.ceil(math.log10(1.0 + 2.0 * math.hypot(st, c) * max(ts)))
    return [v[0] for v in _confirmed(prepare, ts, dps, lambda _: guard)]


def _sn_constants(a0_in, w0_in, beta_in):
    """Unit-rate constants (eta_a = eta_w = 1) at the current precision, as the old ``unit_constants``."""
    a0 = mpmath.mpf(a0_in)
    w0 = [mpmath.mpf(x) for x in w0_in]
    bs = [mpmath.mpf(x) for x in beta_in]
    s = mpmath.sqrt(mpmath.fsum(b * b for b in bs))
    delta = a0**2 - mpmath.fsum(x * x for x in w0)
    bhat = [b / s for b in bs]
    q0 = mpmath.fsum(x * b for x, b in zip(w0, bhat))
    wperp = [x - q0 * b for x, b in zip(w0, bhat)]
    D = mpmath.sqrt(delta**2 + 4 * s**2)
    if delta >= 0:
        lm, lp, k1 = -(delta + D) / 2, 2 * s**2 / (delta + D), delta + D
    else:
        lp, lm, k1 = (D - delta) / 2, -2 * s**2 / (D - delta), 4 * s**2 / (D - delta)
    Kp = s * q0 - lm * a0
    cp = Kp / D
    return dict(
        a0=a0, q0=q0, delta=delta, D=D, k1=k1, Kp=Kp, Lp=a0 * s + q0 * lp, cp=cp, cm=a0 - cp, bhat=bhat, wperp=wperp
    )


def _em(k, tau):
    return tau if k == 0 else -_expm1(-k * tau) / k


def _sn_beta(c, tau):
    def hat_a(u):
        return c["Kp"] * _em(c["D"], u) + c["a0"] * mpmath.exp(-c["D"] * u)

    if tau == 0:
        J = mpmath.mpf(0)
    elif c["D"] * tau >= 0.25:
        ek = mpmath.exp(-c["k1"] * tau)
        cross = ek * _em(-c["delta"], tau) if c["delta"] <= 0 else mpmath.exp(-c["D"] * tau) * _em(c["delta"], tau)
        J = (
            c["cp"] ** 2 * _em(c["k1"], tau)
            + 2 * c["cp"] * c["cm"] * cross
            + c["cm"] ** 2 * ek * _em(c["D"] - c["delta"], tau)
        )
    else:
        J = mpmath.quad(lambda u: mpmath.exp(-c["k1"] * (tau - u)) * hat_a(u) ** 2, [0, tau])
    eD, em = mpmath.exp(-c["D"] * tau), _em(c["D"], tau)
    ek = mpmath.exp(-c["k1"] * tau)
    m_hat = mpmath.sqrt(ek + 2 * J)
    ra = (c["Kp"] * em + c["a0"] * eD) / m_hat
    rb = (c["Lp"] * em + c["q0"] * eD) / m_hat
    rp = mpmath.sqrt(ek) / m_hat
    return [ra * (rb * b + rp * p) for b, p in zip(c["bhat"], c["wperp"])]


def baseline_single_neuron_beta(ts, a0, w0, beta_star, dps=DPS):
    def prepare():
        c = _sn_constants(a0, w0, beta_star)
        return lambda t: _sn_beta(c, mpmath.mpf(t))

    with mpmath.workdps(40):
        c = _sn_constants(a0, w0, beta_star)
        rate = float(abs(c["delta"]) + c["D"])
    guard = 15 + math.ceil(math.log10(1.0 + rate * max(ts)))
    return _confirmed(prepare, ts, dps, lambda _: guard)


# ---------------------------------------------------------------------------------------------- rows
def _cpu(fn, repeat=5, sample=0.05):
    """CPU seconds of one call: the best of ``repeat`` samples, each a batch of calls lasting >= ``sample`` s.

    One call of the Arb path takes ~0.1 ms, close to the resolution and the jitter of a single timing, so
    each sample times a batch (the same batching for ours and the baseline).
    """
    out = fn()
    t0 = time.process_time()
    fn()
    calls = max(1, int(sample / max(time.process_time() - t0, 1e-6)))
    best = math.inf
    for _ in range(repeat):
        t0 = time.process_time()
        for _ in range(calls):
            fn()
        best = min(best, (time.process_time() - t0) / calls)
    return best, out


def _rel(ours, base) -> float:
    flat_o = [x for v in ours for x in (v if isinstance(v, (list, tuple)) or hasattr(v, "__len__") else [v])]
    flat_b = [x for v in base for x in (v if isinstance(v, (list, tuple)) else [v])]
    scale = max(abs(x) for x in flat_b)
    with mpmath.workdps(DPS + 20):
        return float(max(abs(mpmath.mpf(x) - y) for x, y in zip(flat_o, flat_b)) / scale)


CASES = {
    "single neuron beta (0.1, [1, 0.5], [1, -2])": (
        lambda: [list(v) for v in SingleNeuronExact(0.1, [1.0, 0.5], [1.0, -2.0]).beta(TIMES, dps=DPS)],
        lambda: baseline_single_neuron_beta(TIMES, 0.1, [1.0, 0.5], [1.0, -2.0]),
    ),
    "aligned (s0=0.1, s~=2, lambda=0.5)": (
        lambda: aligned_singular_value(TIMES, 0.1, 2.0, 0.5, dps=DPS),
        lambda: baseline_aligned(TIMES, 0.1, 2.0, 0.5),
    ),
    "mixed aligned (s0=-1, s*=2, c=0.5)": (
        lambda: mixed_aligned_singular_value(TIMES, -1.0, 2.0, 0.5, dps=DPS),
        lambda: baseline_mixed(TIMES, -1.0, 2.0, 0.5),
    ),
}


def rows(repeat: int = 3) -> list:
    out = []
    for name, (ours_fn, base_fn) in CASES.items():
        ours_s, ours = _cpu(ours_fn, repeat)
        base_s, base = _cpu(base_fn, repeat)
        out.append(
            {
                "name": f"Arb dps=50 vs pre-Arb mpmath dps=50 (confirmed): {name}, 10 t",
                "our_seconds": ours_s,
                "baseline_seconds": base_s,
                "ratio": base_s / ours_s,
                "our_max_error": _rel(ours, base),
                "baseline_max_error": 0.0,
                "note": "errors: max relative distance between the two (both claim 50 digits); CPU s per call, best of 5 batches",
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = rows()
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for r in result:
        print(
            f"{r['name']:<95} ours {r['our_seconds']:.2e} s  base {r['baseline_seconds']:.2e} s  "
            f"ratio {r['ratio']:6.1f}x  diff {r['our_max_error']:.1e}"
        )


if __name__ == "__main__":
    main()
