"""load_config, overrides with units, dict configs."""
import pickle

import pytest
import yaml

import hphtsim
from hphtsim.config import yaml_value


def test_load_path_and_set(slab_path):
    cfg = hphtsim.load_config(slab_path)
    assert cfg.base_dir == str(slab_path.parent)
    cfg2 = cfg.set("heater.voltage", "0.3 V").set("cell.cells", [4, 4, 20])
    assert cfg.overrides == ()                                    # immutable: set returns a new one
    assert cfg2.overrides == ("heater.voltage=0.3 V", "cell.cells=[4, 4, 20]")
    doc = cfg2.to_dict()
    assert doc["heater"]["voltage"] == "0.3 V"
    assert doc["cell"]["cells"] == [4, 4, 20]
    assert pickle.loads(pickle.dumps(cfg2)) == cfg2
    with pytest.raises(AttributeError):
        cfg.text = "x"


def test_overrides_mapping_and_list(slab_path):
    a = hphtsim.load_config(slab_path, {"heater.voltage": "0.3 V", "time.start_from_steady_state": True})
    b = hphtsim.load_config(slab_path, ["heater.voltage=0.3 V", "time.start_from_steady_state=true"])
    assert a.overrides == b.overrides
    a.check()


def test_dict_config(slab_path):
    doc = yaml.safe_load(slab_path.read_text())
    cfg = hphtsim.load_config(doc, base_dir=slab_path.parent)
    sim = hphtsim.Simulation(cfg.set("heater.voltage", "0.1 V"))
    assert sim.diagnostics()["heater_voltage"] == pytest.approx(0.1)


def test_bad_inputs(slab_path, tmp_path):
    with pytest.raises(hphtsim.ConfigError) as e:
        hphtsim.load_config(tmp_path / "missing.yaml")
    assert e.value.key == ""
    with pytest.raises(hphtsim.ConfigError) as e:
        hphtsim.load_config(slab_path, {"cell.cells": [4, 4, -1]}).check()
    assert e.value.key.startswith("cell.cells")
    with pytest.raises(hphtsim.ConfigError):
        hphtsim.load_config(slab_path).set("", 1)


def test_yaml_value():
    assert yaml_value("0.9 kW") == "0.9 kW"
    assert yaml_value(40) == "40"
    assert yaml_value(True) == "true"
    assert yaml_value([24, 24, 40]) == "[24, 24, 40]"
    assert yaml.safe_load(yaml_value({"a": "1 mm", "b": [1, 2]})) == {"a": "1 mm", "b": [1, 2]}


def test_the_multiseed_cell_is_the_default_cell_with_five_seeds():
    """configs/tgm_multiseed.yaml claims to be the default gem cell (geometry, materials, recipe,
    growth) with five seeds: everything but its title and seeds must equal the default's, so that
    a change to the default cannot leave the multi-seed figures describing another cell."""
    import pathlib

    import yaml

    configs = pathlib.Path(__file__).resolve().parents[2] / "configs"
    default = yaml.safe_load((configs / "tgm_default.yaml").read_text())
    multi = yaml.safe_load((configs / "tgm_multiseed.yaml").read_text())
    assert set(default) == set(multi)
    for key in default:
        if key in ("title", "seeds"):
            continue
        assert multi[key] == default[key], f"section {key!r} differs from configs/tgm_default.yaml"
    assert len(multi["seeds"]) >= 5
    assert multi["seeds"][0]["center"] == default["seeds"][0]["center"]
