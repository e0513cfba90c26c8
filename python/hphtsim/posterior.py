"""Bayesian mode of the calibration (``hphtsim calibrate --bayes``): the posterior of the fitted
parameters sampled with emcee's affine-invariant ensemble (Foreman-Mackey et al., PASP 125, 306,
2013; Debian's python3-emcee).

Prior: uniform on each parameter's range [LO, HI]. Likelihood: the least-squares fit's, Gaussian
with the noise levels taken as known, log L = -1/2 sum(r^2) for the weighted residuals r. The
walkers start in a small Gaussian ball around the least-squares solution shaped by its
covariance (clipped into the range), so no burn-in from a far corner is paid; the first third of
the steps is discarded. Every walker position is one forward run per log; a step's walkers run
concurrently on the fit's executor (emcee's ``vectorize``) and land in runs.json. The cost is
walkers x steps runs per log: a posterior is for the (r, z) model or a short log.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = ["sample_posterior"]


def sample_posterior(prob, u_best, cov_u, out: Path, walkers=None, steps: int = 60, seed: int = 1) -> dict:
    """Samples the posterior of ``prob`` (calibration.Problem, parameters on [0, 1]); writes
    DIR/posterior.csv (the kept samples in the parameters' units) and posterior.png; returns
    fit.json's "posterior" entry."""
    import emcee
    k = len(prob.params)
    nw = int(walkers) if walkers else max(2 * k + 2, 6)
    if nw < 2 * k:
        from ._errors import config_error
        raise config_error("--walkers", f"emcee needs at least 2 x {k} walkers for {k} parameters")
    if steps < 3:
        from ._errors import config_error
        raise config_error("--steps", "give at least 3 steps")
    rng = np.random.default_rng(seed)
    scale = np.sqrt(np.clip(np.diag(cov_u), 1e-8, 0.04))  # ball: at most 0.2 of the range
    start = np.clip(u_best + 0.5 * scale * rng.standard_normal((nw, k)), 1e-3, 1.0 - 1e-3)

    def log_prob(U):
        U = np.atleast_2d(U)
        inside = np.all((U >= 0.0) & (U <= 1.0), axis=1)
        lp = np.full(U.shape[0], -np.inf)
        idx = np.flatnonzero(inside)
        if idx.size:
            sims = prob.runs([list(U[i]) for i in idx])
            for i, s in zip(idx, sims):
                r = prob.residual(U[i], s)
                lp[i] = -0.5 * float(r @ r)
        return lp

    sampler = emcee.EnsembleSampler(nw, k, log_prob, vectorize=True)
    sampler.random_state = np.random.RandomState(seed).get_state()  # reproducible proposals
    sampler.run_mcmc(start, steps, progress=False)
    burn = steps // 3
    chain = sampler.get_chain(discard=burn, flat=True)
    span = np.array([p.hi - p.lo for p in prob.params])
    lo = np.array([p.lo for p in prob.params])
    samples = lo + chain * span
    header = ",".join(f"{p.key} [{p.unit}]" for p in prob.params)
    np.savetxt(out / "posterior.csv", samples, delimiter=",", header=header, comments="")
    _plot(out / "posterior.png", samples, prob.params)
    q = np.percentile(samples, [5, 50, 95], axis=0)
    return {
        "parameters": {p.key: {"mean": float(samples[:, j].mean()), "std": float(samples[:, j].std(ddof=1)),
                               "q05": float(q[0, j]), "q50": float(q[1, j]), "q95": float(q[2, j]),
                               "unit": p.unit}
                       for j, p in enumerate(prob.params)},
        "walkers": nw, "steps": steps, "discarded": burn, "samples": int(samples.shape[0]),
        "acceptance": float(np.mean(sampler.acceptance_fraction)),
    }


def _plot(path: Path, samples, params) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    k = len(params)
    fig, axes = plt.subplots(1, k, figsize=(3.2 * k, 2.8), squeeze=False)
    for j, (ax, p) in enumerate(zip(axes[0], params)):
        ax.hist(samples[:, j], bins=20, color="C0", alpha=0.8)
        ax.set_xlabel(f"{p.key.split('.')[-1]} [{p.unit}]" if p.unit else p.key.split(".")[-1], fontsize=8)
        ax.set_title(p.key, fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
