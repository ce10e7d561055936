r"""The spectrum of F, Dominé et al. (2025), Sec. 4, Lemma 4.2, and the rational parametrisation of a task mode.

Per task mode the 2x2 block :math:`[[-\lambda/2, \tilde s], [\tilde s, \lambda/2]]` of F has eigenvalues :math:`\pm\mu`,
:math:`\mu = \sqrt{\tilde s^2 + \lambda^2/4}`, with eigenvectors :math:`(a, b)` and :math:`(b, -a)`,
:math:`a = \sqrt{(\mu - \lambda/2)/(2\mu)}`, :math:`b = \sqrt{(\mu + \lambda/2)/(2\mu)}` (also written with the thesis
auxiliaries G, H: Anguita (2024), Thms 3.3.1(2), 3.4.2); on the completion F acts as :math:`\pm\lambda/2`, so the
extra eigenvalues are :math:`\operatorname{sgn}(N_o - N_i)\lambda/2`. Scalar relations are proven in the rational
parametrisation :math:`a = (1-u^2)/(1+u^2)`, :math:`b = 2u/(1+u^2)`, :math:`\lambda = 2\mu(b^2 - a^2)`,
:math:`\tilde s = 2\mu ab` (:func:`parametrised_definitions`, :func:`reduce_scalar`), after a quick numeric
disproof at a generic point (:func:`scalar_screen`); the completion at general shape from the task SVD.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import BlockMatrix, MatrixSymbol, ZeroMatrix

from lazyrich import (
    Measurement,
    Proof,
    Source,
    claim,
    definition,
    equation,
    hypothesis,
    linalg_tolerance,
    rewrite_rules,
    split_statement,
    substitutions,
)
from lazyrich.certified import exact_arb, require_flint

from ..certify import BITS, certified_check, certified_eigenvalues, inside, radius_measurement, symmetric_eigenvalues
from .reference import (
    f_matrix,
    random_task,
    relation_sides,
    seeded_rng,
)
from .symbols import (
    PAPER,
    F_blocks,
    F_sym,
    N_i,
    N_o,
    Sigma,
    a_u,
    b_u,
    blocks_of,
    expand_definitions,
    lam,
    lam_u,
    m_,
    mu,
    mu_def,
    s_t,
    s_u,
    u_,
)

__all__ = [
    "Um",
    "Vm",
    "a_sym",
    "b_sym",
    "mode_matrix",
    "parametrised_definitions",
    "reduce_scalar",
    "scalar_screen",
    "spectrum_of_F",
]


# ================================================================ claim 5: spectrum of F
a_sym, b_sym = sp.symbols("a_alpha b_alpha", positive=True)
G_sym, H_sym = sp.symbols("G H", real=True)
Vm = MatrixSymbol(r"\tilde{V}_m", N_i, m_)
Um = MatrixSymbol(r"\tilde{U}_m", N_o, m_)
Vp = MatrixSymbol(r"\tilde{V}_\perp", N_i, N_i - m_)
Up = MatrixSymbol(r"\tilde{U}_\perp", N_o, N_o - m_)
S_t = MatrixSymbol(r"\tilde{S}", m_, m_)
#: a mode in the rational parametrisation (u in (0, 1), so a, b, a + b > 0): no square root is left
MODE_PARAMETRISATION = {lam: lam_u, s_t: s_u}


def mode_matrix(lam_e, s_e):
    """The 2x2 block of F for one task mode: ``[[-lambda/2, s], [s, lambda/2]]`` (SymPy)."""
    return sp.Matrix([[-lam_e / 2, s_e], [s_e, lam_e / 2]])


def _drop_abs(expr):
    """``|x|`` replaced by ``+-x`` when the polynomial ``x(u)`` has no root in (0, 1) (its sign there is then constant)."""

    def sign_fixed(e):
        x = e.args[0]
        poly = sp.Poly(sp.numer(sp.together(x)), u_)
        if any(0 < r < 1 for r in sp.real_roots(poly)):
            return e
        return x if x.xreplace({u_: sp.Rational(1, 2), mu: 1}) > 0 else -x

    return expr.replace(lambda e: isinstance(e, sp.Abs), sign_fixed)


def _positive_root_free(val):
    """Fractional powers of (factored) squares of positive factors taken out, bottom up; then cancelled."""

    def root(e):
        return _drop_abs(sp.powdenest(sp.Pow(sp.factor(sp.cancel(e.base)), e.exp), force=True))

    val = val.replace(lambda e: isinstance(e, sp.Pow) and not e.exp.is_Integer, root)
    return sp.cancel(val)


def parametrised_definitions(definitions) -> dict:
    """Each scalar definition, in order, in the mode parametrisation: a square root of a square of a positive
    rational function is taken out (``u`` in (0, 1)), so every value is rational in ``(u, mu)``."""
    values = {}
    for d in definitions:
        if getattr(d.lhs, "is_Matrix", False):
            continue
        val = sp.cancel(d.rhs.xreplace(MODE_PARAMETRISATION).xreplace(values))
        values[d.lhs] = _positive_root_free(val)
    return values


#: a generic point of a mode (lambda, s~, s0, and the layer values c, d): for the quick numeric disproof below
SCREEN_POINT = {lam: sp.Rational(7, 10), s_t: sp.Rational(13, 10)}


def scalar_screen(parts, point=None) -> list:
    """The scalar relations (or entries) that are certainly false at a generic point: their definitions
    substituted and evaluated with 50 digits, a value above 1e-30 disproves the identity (never proves one)."""
    subs = {d.lhs: d.rhs for d in parts.definitions if not getattr(d.lhs, "is_Matrix", False)}
    point = point or SCREEN_POINT
    bad = []
    for rel in parts.relations:
        if not isinstance(rel.lhs, sp.MatrixBase) and (
            rel.lhs.atoms(MatrixSymbol) or rel.rhs.atoms(MatrixSymbol) or isinstance(rel.lhs, sp.Limit)
        ):
            continue  # matrix relations and limits are not scalar identities of a mode
        diff = rel.lhs - rel.rhs
        for e in diff if isinstance(diff, sp.MatrixBase) else [diff]:
            value = expand_definitions(e, subs).subs(point).evalf(50)
            if value.is_number and abs(complex(value)) > 1e-30:
                bad.append(value)
    return bad


def reduce_scalar(expr, values: dict):
    """A scalar residual in the mode parametrisation, its definitions' values substituted, cancelled."""
    expr = expr.xreplace(MODE_PARAMETRISATION).xreplace(values)
    return _positive_root_free(sp.cancel(expr))


def blockwise_residual(rel, subs: dict) -> list:
    """A matrix relation's residual block by block, its definitions expanded on both sides."""
    lhs, rhs = (expand_definitions(x, subs) for x in (rel.lhs, rel.rhs))
    return blocks_of(sp.MatAdd(lhs, sp.MatMul(-1, rhs)))


def mode_residuals(parts, matrix_residual=None) -> list:
    """The residuals of a per-mode statement: explicit matrices entry by entry and scalars in the mode
    parametrisation (:func:`reduce_scalar`); matrix expressions by ``matrix_residual(rel)`` (a list; default
    :func:`blockwise_residual` under every definition); a ``Limit`` is measured (numeric check), not proven here."""
    values = parametrised_definitions(parts.definitions)
    if matrix_residual is None:
        subs = substitutions(parts.definitions)
        matrix_residual = lambda rel: blockwise_residual(rel, subs)  # noqa: E731
    residuals = []
    for rel in parts.relations:
        if isinstance(rel.lhs, sp.Limit):
            continue
        if isinstance(rel.lhs, sp.MatrixBase):
            residuals += [reduce_scalar(e, values) for e in (rel.lhs - rel.rhs)]
        elif getattr(rel.lhs, "is_Matrix", False):
            residuals += matrix_residual(rel)
        else:
            residuals.append(reduce_scalar(rel.lhs - rel.rhs, values))
    return residuals


spectrum_of_F = claim(
    "lazy_to_rich.spectrum_of_F",
    r"$F$ has eigenvalues $\pm\sqrt{\tilde s_\alpha^2 + \lambda^2/4}$ with eigenvectors $(a_\alpha \tilde v_\alpha; b_\alpha \tilde u_\alpha)$, $(b_\alpha \tilde v_\alpha; -a_\alpha \tilde u_\alpha)$, and $\operatorname{sgn}(N_o - N_i) \lambda/2$ on the completion",
    Source(
        PAPER,
        "Sec. 4, Lemma 4.2",
        "Anguita (2024), Thms 3.3.1(2), 3.4.2; $G$, $H$ are the thesis auxiliaries; per mode in a rational "
        r"parametrisation of $(\tilde s, \lambda)$, the completion at general shape from the task SVD",
    ),
    statement=lambda: [
        definition(F_sym, F_blocks),
        definition(mu, mu_def),
        definition(a_sym, sp.sqrt((mu - lam / 2) / (2 * mu))),
        definition(b_sym, sp.sqrt((mu + lam / 2) / (2 * mu))),
        definition(H_sym, (sp.sqrt(lam**2 + 4 * s_t**2) - 2 * s_t) / lam),
        definition(G_sym, (1 + H_sym**2) ** sp.Rational(-1, 2)),
        hypothesis(Sigma, Um * S_t * Vm.T),
        hypothesis(Um.T * Up, ZeroMatrix(m_, N_o - m_)),
        hypothesis(Vm.T * Vp, ZeroMatrix(m_, N_i - m_)),
        equation(mode_matrix(lam, s_t) * sp.Matrix([a_sym, b_sym]), mu * sp.Matrix([a_sym, b_sym])),
        equation(mode_matrix(lam, s_t) * sp.Matrix([b_sym, -a_sym]), -mu * sp.Matrix([b_sym, -a_sym])),
        equation(
            F_sym * BlockMatrix([[ZeroMatrix(N_i, N_o - m_)], [Up]]),
            lam / 2 * BlockMatrix([[ZeroMatrix(N_i, N_o - m_)], [Up]]),
        ),
        equation(
            F_sym * BlockMatrix([[Vp], [ZeroMatrix(N_o, N_i - m_)]]),
            -lam / 2 * BlockMatrix([[Vp], [ZeroMatrix(N_o, N_i - m_)]]),
        ),
        equation((G_sym - H_sym * G_sym) / sp.sqrt(2), a_sym),
        equation((G_sym + H_sym * G_sym) / sp.sqrt(2), b_sym),
    ],
    equivalent={
        "s6.transpose.1.1": "the task's singular values S~ form a diagonal (symmetric) matrix",
        "s11.transpose.0.0": "F is symmetric by its definition",
        "s12.transpose.0.0": "F is symmetric by its definition",
    },
)


@spectrum_of_F.symbolic_check
def spectrum_relations_vanish(statement):
    """Scalar relations per mode (exact, rational parametrisation); the completion blockwise under the task SVD."""
    parts = split_statement(statement)
    bad = scalar_screen(parts)
    if bad:
        return Proof(residuals=bad)
    residuals = mode_residuals(parts)
    steps = [
        equation(lam_u, 2 * mu * (b_u**2 - a_u**2)),
        equation(s_u, 2 * mu * a_u * b_u),
        equation(sp.cancel(a_u**2 + b_u**2), 1),
    ]
    return Proof(residuals=residuals, steps=steps, rules=rewrite_rules(parts.hypotheses), symmetric=(S_t,))


def _spectrum_cases():
    for seed, (ni, no) in enumerate([(3, 3), (4, 2), (2, 5)]):
        for lm in (-1.3, 0.7):
            yield seed, ni, no, lm, random_task(seeded_rng(50 + seed), ni, no)


@spectrum_of_F.numeric_check
def spectrum_against_eigh(statement):
    """The statement's eigenpairs (its definitions lambdified) against numpy's eigh of an independently built F."""
    parts = split_statement(statement)
    subs = substitutions(parts.definitions)
    scalar = [
        (r, sp.lambdify((lam, s_t), expand_definitions(r.lhs - r.rhs, subs), "numpy"))
        for r in parts.relations
        if not getattr(r.lhs, "is_Matrix", False)
    ]
    mu_f = sp.lambdify((lam, s_t), expand_definitions(mu, subs), "numpy")
    blocks = [r for r in parts.relations if getattr(r.lhs, "is_Matrix", False) and not isinstance(r.lhs, sp.MatrixBase)]
    out = []
    for _seed, ni, no, lm, syx in _spectrum_cases():
        U, s, Vt = np.linalg.svd(syx)
        m = min(ni, no)
        F = f_matrix(syx, lm)
        tol = linalg_tolerance(1.0, 8 * (ni + no)) * np.abs(F).max()
        label = f"({ni},{no}) lambda={lm}"
        mus = np.array([float(mu_f(lm, x)) for x in s])
        pred = np.sort(np.concatenate([mus, -mus, np.full(abs(no - ni), np.sign(no - ni) * lm / 2)]))
        out.append(
            Measurement(
                float(np.abs(np.linalg.eigvalsh(F) - pred).max()),
                tol,
                f"{label}: eigvalsh(F) vs statement's spectrum",
                "n eps |F|",
            )
        )
        worst = 0.0
        for _rel, fn in scalar:
            for x in s:
                worst = max(worst, float(np.abs(np.asarray(fn(lm, x), dtype=float)).max()))
        out.append(
            Measurement(
                worst, tol, f"{label}: the statement's per-mode relations at the task's singular values", "n eps |F|"
            )
        )
        vals = {Sigma: syx, lam: lm, Up: U[:, m:], Vp: Vt.T[:, m:], Um: U[:, :m], Vm: Vt.T[:, :m], S_t: np.diag(s[:m])}
        dims = {N_i: ni, N_o: no, m_: m}
        worst = 0.0
        for rel in blocks:
            if (rel.lhs.shape[1].subs(dims)) == 0:
                continue
            lhs, rhs = relation_sides(rel, vals, dims, {}, subs)
            worst = max(worst, float(np.abs(lhs - rhs).max()))
        out.append(Measurement(worst, tol, f"{label}: F on the completion [0; U_perp], [V_perp; 0]", "n eps |F|"))
        Fdef = relation_sides(parts.definitions[0], vals, dims, {}, subs)[1]
        out.append(Measurement(float(np.abs(Fdef - F).max()), tol, f"{label}: statement's F vs f_matrix", "n eps |F|"))
    return out


# ---------------------------------------------------------------- certified checks (lazyrich verify --certified)
@certified_check(spectrum_of_F)
def spectrum_of_F_certified():
    flint = require_flint()
    out = []
    for seed, (ni, no) in enumerate([(3, 3), (4, 2), (2, 5)]):
        for lm in (-1.3, 0.0, 0.7):
            rng = np.random.default_rng(50 + seed)
            syx = random_task(rng, ni, no)
            F = f_matrix(syx, lm)
            enc = certified_eigenvalues(F)
            label = f"({ni},{no}) lambda={lm}"
            out.append(radius_measurement(enc, float(np.abs(enc.mid).max()), f"{label}: eigenvalues of F"))
            tol = linalg_tolerance(1.0, 4 * (ni + no)) * np.abs(F).max()
            out.append(
                inside(enc, np.linalg.eigvalsh(F), tol, f"{label}: eigvalsh(F) (float64)", "n eps |F| (claim's)")
            )
            s = np.linalg.svd(syx, compute_uv=False)
            mu_ = np.sqrt(s**2 + lm**2 / 4)
            pred = np.sort(np.concatenate([mu_, -mu_, np.full(abs(no - ni), np.sign(no - ni) * lm / 2)]))
            out.append(inside(enc, pred, tol, f"{label}: +-sqrt(s^2 + l^2/4), sgn(No-Ni) l/2 (float64)", "n eps |F|"))
            # the closed form itself in Arb: s_a^2 are the eigenvalues of the m x m Gram of the exact task
            S = flint.arb_mat([[exact_arb(v) for v in row] for row in syx])
            G = S * S.transpose() if no <= ni else S.transpose() * S
            half = exact_arb(lm) / 2
            mus = [(e + half * half).sqrt() for e in symmetric_eigenvalues(G)]
            closed = sorted(
                [*mus, *(-x for x in mus), *([half * int(np.sign(no - ni))] * abs(no - ni))],
                key=lambda b: float(b.mid()),
            )
            gap = max(float(abs(x - y).upper()) for x, y in zip(closed, enc.balls))
            out.append(
                Measurement(
                    gap,
                    2.0**-BITS * float(np.abs(enc.mid).max()),
                    f"{label}: certified |eig(F) - closed form|",
                    "2^-bits |F|",
                )
            )
    return out
