"""Configs: YAML text with units, its base directory, and dotted-key overrides.

A :class:`Config` is a small immutable value (plain strings, so it pickles and travels to sweep
workers on other processes or machines). Nothing is validated until a model is built from it
(:meth:`Config.check` or :class:`hphtsim.Simulation`); validation is the C++ core's, and every
problem is an :class:`hphtsim.ConfigError` whose ``.key`` is the dotted key path.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence, Union

import yaml

from . import _core
from ._errors import config_error

__all__ = ["Config", "load_config", "yaml_value"]


def yaml_value(value: Any) -> str:
    """The YAML text of an override value.

    A ``str`` is taken as YAML text as it is (like ``--set key=value`` on the command line:
    ``"0.9 kW"``, ``"[24, 24, 40]"``, ``"true"``); any other value (number, bool, list, dict)
    is written with ``yaml.safe_dump`` in flow style.
    """
    if isinstance(value, str):
        return value
    text = yaml.safe_dump(value, default_flow_style=True, width=1 << 30, sort_keys=False).strip()
    if text.endswith("..."):  # document end marker after a plain scalar
        text = text[:-3].strip()
    return text


def _override_text(key: str, value: Any) -> str:
    if not isinstance(key, str) or not key or "=" in key:
        raise config_error(str(key), "an override key must be a non-empty dotted path without '='")
    return f"{key}={yaml_value(value)}"


class Config:
    """A config document: YAML text, the directory its relative file names resolve against,
    and overrides ``"key.path=value"`` applied in order on top of it.

    Build one with :func:`load_config`. ``set`` and ``with_overrides`` return new configs.
    """

    __slots__ = ("text", "base_dir", "overrides", "source")

    def __init__(self, text: str, base_dir: Union[str, os.PathLike] = ".", overrides: Iterable[str] = (),
                 source: str | None = None):
        object.__setattr__(self, "text", str(text))
        object.__setattr__(self, "base_dir", str(Path(base_dir).resolve()))
        object.__setattr__(self, "overrides", tuple(overrides))
        object.__setattr__(self, "source", source)

    def __setattr__(self, name, value):
        raise AttributeError("Config is immutable: use .set() or .with_overrides()")

    def __getstate__(self):
        return (self.text, self.base_dir, self.overrides, self.source)

    def __setstate__(self, state):
        for name, value in zip(self.__slots__, state):
            object.__setattr__(self, name, value)

    def __eq__(self, other):
        return isinstance(other, Config) and self.__getstate__() == other.__getstate__()

    def __hash__(self):
        return hash(self.__getstate__())

    def __repr__(self):
        src = self.source or "<text>"
        return f"Config({src!r}, overrides={list(self.overrides)!r})"

    # -- overrides -------------------------------------------------------------------------
    def set(self, key: str, value: Any) -> "Config":
        """A new config with ``key`` (dotted path, list items by index: ``seeds.0.size``) set
        to ``value`` (``"0.9 kW"``; see :func:`yaml_value`)."""
        return Config(self.text, self.base_dir, self.overrides + (_override_text(key, value),), self.source)

    def with_overrides(self, overrides: Union[Mapping[str, Any], Sequence[str], None]) -> "Config":
        """A new config with several overrides: a mapping ``{key: value}`` or a list of
        ``"key=value"`` strings."""
        if not overrides:
            return self
        if isinstance(overrides, Mapping):
            extra = tuple(_override_text(k, v) for k, v in overrides.items())
        else:
            extra = tuple(str(o) for o in overrides)
        return Config(self.text, self.base_dir, self.overrides + extra, self.source)

    # -- validation ------------------------------------------------------------------------
    def model(self) -> "_core.Model":
        """Builds and validates the C++ model (ConfigError naming the key on bad input)."""
        return _core.Model.from_yaml(self.text, self.base_dir, list(self.overrides))

    def check(self) -> "Config":
        """Validates the config as ``hphtsim check`` does; returns self."""
        self.model()
        return self

    def resolved_yaml(self) -> str:
        """The document after overrides, as the core reads it (validates it too)."""
        return self.model().config_yaml

    def to_dict(self) -> dict:
        """The resolved document as Python data."""
        return yaml.safe_load(self.resolved_yaml())


def load_config(source: Union[str, os.PathLike, Mapping, Config], overrides=None,
                base_dir: Union[str, os.PathLike, None] = None) -> Config:
    """Loads a config.

    Args:
        source: a YAML file path, a dict (the document as Python data, dumped with
            ``yaml.safe_dump``), or a :class:`Config` (returned with ``overrides`` added).
        overrides: ``{"heater.power": "0.9 kW", "cell.cells": 32}`` or ``["heater.power=0.9 kW"]``.
        base_dir: directory for relative file names in the config (``materials_library``);
            default: the file's directory, or the current directory for a dict.

    Returns:
        A :class:`Config`. Nothing is validated yet: call ``.check()`` or build a
        :class:`hphtsim.Simulation`.

    Raises:
        ConfigError: the file cannot be read (``key`` is "").
    """
    if isinstance(source, Config):
        cfg = source
        if base_dir is not None:
            cfg = Config(cfg.text, base_dir, cfg.overrides, cfg.source)
    elif isinstance(source, Mapping):
        text = yaml.safe_dump(dict(source), sort_keys=False, default_flow_style=False)
        cfg = Config(text, base_dir if base_dir is not None else os.getcwd(), (), None)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            text = path.read_text()
        except OSError as e:
            raise config_error("", f"cannot read config file '{path}': {e.strerror or e}") from None
        cfg = Config(text, base_dir if base_dir is not None else path.resolve().parent, (), str(path))
    else:
        raise TypeError(f"load_config: expected a path, a dict or a Config, not {type(source).__name__}")
    return cfg.with_overrides(overrides)
