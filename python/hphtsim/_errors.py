"""Exception classes of hphtsim (created by the C++ module so that C++ errors map onto them).

- ``ConfigError(ValueError)``: bad input; ``.key`` is the dotted config key path
  ("heater.power", "assembly.3.radius"), "" when the problem is not tied to one key.
- ``SolverError(RuntimeError)``: a solve that did not converge.
- ``ResultFileError(OSError)``: a result file that cannot be written or read.
"""
from __future__ import annotations

from . import _core

ConfigError = _core.ConfigError
SolverError = _core.SolverError
ResultFileError = _core.ResultFileError

__all__ = ["ConfigError", "SolverError", "ResultFileError", "config_error"]


def config_error(key: str, message: str) -> ConfigError:
    """A ConfigError for ``key`` with the core's message format ("key: message")."""
    err = ConfigError(f"{key}: {message}" if key else message)
    err.key = key
    return err


def parse_quantity(text, key: str, unit: str, what: str) -> float:
    """SI value of a quantity string whose SI unit (the core's dimension text, e.g. "kg") is
    ``unit``; ConfigError(key) naming ``what`` was expected otherwise."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise config_error(key, f"expected {what}")
    try:
        value, si = _core.parse_quantity(str(text))
    except ValueError as e:
        raise config_error(key, f"{e} (expected {what})") from None
    if si != unit:
        raise config_error(key, f"'{text}' is in {si or 'no unit'}; expected {what}")
    return float(value)


def parse_duration(value, key: str) -> float:
    """Seconds from a duration ("2 h", "90 min") or a number of seconds; ConfigError(key)."""
    if isinstance(value, bool):
        raise config_error(key, f"expected a duration such as \"2 h\", not {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return _core.parse_duration(str(value))
    except ValueError as e:
        raise config_error(key, str(e)) from None
