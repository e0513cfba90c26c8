"""Sensor models (issue 14, point 5): what a press's instruments would read of the simulated
cell, for comparing a run with a log.

- :class:`Thermocouple`: the probe's temperature plus an offset (under 5-6 GPa a thermocouple's
  EMF is off by up to ~200 K, ../shared/physics.md), seen through a first-order lag (the
  junction's and the sheath's heat capacity, and the logger's filter). Its noise is the
  column's noise level in the fit.
- :func:`resistance_from_voltage_current`: the heater resistance a press computes as V / I from
  its own voltage and current readings, with their noise propagated.

Both act on a run's recorded time series (one row per step); they need no re-run, so their
parameters are fitted for free (calibration.py: ``--fit sensors.T_<probe>.offset=LO:HI``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Thermocouple", "first_order_lag", "resistance_from_voltage_current", "SENSOR_KEYS"]

#: The parameters of a sensor a fit or the measurements file may set, with their SI units.
SENSOR_KEYS = {"offset": "K", "lag": "s"}


def first_order_lag(t, x, tau: float):
    """y' = (x - y) / tau with y(t0) = x(t0), for x piecewise linear between the samples
    (t, x): exact on each interval, so any step length is accurate (a lag much shorter than
    the steps leaves y = x lagged by tau x' on ramps)."""
    t = np.asarray(t, dtype=float)
    x = np.asarray(x, dtype=float)
    if tau <= 0.0 or x.size < 2:
        return x.copy()
    y = np.empty_like(x)
    y[0] = x[0]
    h = np.diff(t)
    slope = np.divide(np.diff(x), h, out=np.zeros_like(h), where=h > 0.0)
    decay = np.exp(-h / tau)
    for i in range(h.size):  # y1 = x1 - s tau + (y0 - x0 + s tau) e^{-h/tau}
        y[i + 1] = x[i + 1] - slope[i] * tau + (y[i] - x[i] + slope[i] * tau) * decay[i]
    return y


@dataclass(frozen=True)
class Thermocouple:
    """A thermocouple's reading: offset (K, added to the true temperature) and lag (s, the
    time constant of a first-order response)."""
    offset: float = 0.0
    lag: float = 0.0

    def reading(self, t_run, T_run, t_log):
        """The reading at the log's times t_log (s) of the temperature T_run (K) recorded at
        t_run (s)."""
        seen = first_order_lag(t_run, np.asarray(T_run, dtype=float) + self.offset, self.lag)
        return np.interp(t_log, t_run, seen)


def resistance_from_voltage_current(V, I, sigma_V, sigma_I, min_current_fraction: float = 0.02):
    """R = V / I per row and its noise sigma_R = R sqrt((sigma_V / V)^2 + (sigma_I / I)^2)
    (first order, independent readings); rows with I below ``min_current_fraction`` of the
    largest current get NaN (V / I is undefined at zero current and meaningless near it)."""
    V = np.asarray(V, dtype=float)
    I = np.asarray(I, dtype=float)
    sV = np.broadcast_to(np.asarray(sigma_V, dtype=float), V.shape)
    sI = np.broadcast_to(np.asarray(sigma_I, dtype=float), I.shape)
    usable = np.abs(I) >= min_current_fraction * max(float(np.max(np.abs(I))), 1e-300)
    R = np.full(V.shape, np.nan)
    sR = np.full(V.shape, np.nan)
    R[usable] = V[usable] / I[usable]
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.sqrt(np.square(sV[usable] / V[usable]) + np.square(sI[usable] / I[usable]))
    sR[usable] = np.abs(R[usable]) * rel
    return R, sR
