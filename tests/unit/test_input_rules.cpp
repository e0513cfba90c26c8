// SPDX-License-Identifier: MIT
// Input hardening (issue 10, point 6): physically impossible values are refused with their key,
// duplicate keys in an included materials library name the key, and a grid the machine cannot
// hold is refused before anything grid-sized is allocated.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <string>
#include <vector>

#include "hphtsim/core/config.hpp"
#include "hphtsim/core/error.hpp"
#include "hphtsim/core/memory.hpp"
#include "hphtsim/simulation/memory.hpp"
#include "hphtsim/simulation/model.hpp"

using namespace hphtsim;
namespace fs = std::filesystem;

namespace {

const std::string source_dir = HPHTSIM_SOURCE_DIR;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << "test setup: '" << from << "' not in the config";
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

struct Outcome {
  std::string key, message;
};

Outcome outcome(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return {e.key(), e.what()};
  }
  return {"<no error>", ""};
}

// The slab test config with `text` edits, through Model::from_config.
Outcome slab(const std::function<std::string(std::string)>& edit, const std::vector<std::string>& sets = {}) {
  std::string text = edit(read_text(source_dir + "/tests/data/slab.yaml"));
  return outcome([&] {
    core::Config c = core::Config::load_string(text, source_dir + "/tests/data");
    for (const auto& s : sets) c.apply_override(s);
    simulation::Model::from_config(c);
  });
}

// The default config (a coarse grid so that the test is quick) with overrides.
Outcome default_cell(std::vector<std::string> sets) {
  sets.insert(sets.begin(), "cell.cells=48");
  return outcome([&] { simulation::Model::from_file(source_dir + "/configs/tgm_lab_small.yaml", sets); });
}

#define EXPECT_REFUSED(outcome_expr, expected_key, expected_text)                            \
  do {                                                                                       \
    Outcome o_ = (outcome_expr);                                                             \
    EXPECT_EQ(o_.key, expected_key) << o_.message;                                           \
    EXPECT_NE(o_.message.find(expected_text), std::string::npos) << o_.message;              \
  } while (0)

std::string identity(std::string s) { return s; }

}  // namespace

TEST(InputRules, TheTestConfigsAreAccepted) {
  EXPECT_EQ(slab(identity).key, "<no error>");
  EXPECT_EQ(default_cell({}).key, "<no error>");
}

TEST(InputRules, TemperaturesBelowAbsoluteZeroAreRefused) {
  // Accepted before: the run then computed temperatures below 0 K.
  EXPECT_REFUSED(default_cell({"time.initial_temperature=-300 degC"}), "time.initial_temperature", "above 0 K");
  EXPECT_REFUSED(default_cell({"anvils.coolant_temperature=-300 degC"}), "anvils.coolant_temperature", "above 0 K");
  EXPECT_REFUSED(default_cell({"recipe.heater.start=-274 degC"}), "recipe.heater.start", "above 0 K");
  EXPECT_REFUSED(default_cell({"recipe.heater.segments.1.ramp_to=-300 degC"}), "recipe.heater.segments.1.ramp_to",
                 "-300 degC");
  EXPECT_REFUSED(default_cell({"growth.eutectic.temperature=-1300 degC"}), "growth.eutectic.temperature", "above 0 K");
  EXPECT_REFUSED(default_cell({"growth.solubility.reference_temperature=-1 K"}),
                 "growth.solubility.reference_temperature", "above 0 K");
  EXPECT_REFUSED(default_cell({"growth.habit.cubo_octahedral_temperature=-300 degC"}),
                 "growth.habit.cubo_octahedral_temperature", "above 0 K");
  EXPECT_REFUSED(slab(identity, {"materials.conductor.melting={solidus: \"-300 degC\", liquidus: \"-200 degC\", latent_heat: \"1 kJ/kg\"}"}),
                 "materials.conductor.melting.solidus", "above 0 K");
  EXPECT_REFUSED(slab(identity, {"materials.conductor.thermal_conductivity={table: [[\"-500 degC\", \"20 W/(m*K)\"], [\"500 K\", \"20 W/(m*K)\"]]}"}),
                 "materials.conductor.thermal_conductivity.table.0.0", "above 0 K");
}

TEST(InputRules, NegativeAbsolutePressuresAreRefused) {
  EXPECT_REFUSED(default_cell({"recipe.oil_pressure.start=-5 MPa"}), "recipe.oil_pressure.start", "between 0 and 1000 MPa");
  EXPECT_REFUSED(default_cell({"recipe.oil_pressure.segments.0.ramp_to=-95 MPa"}), "recipe.oil_pressure.segments.0.ramp_to",
                 "-95 MPa");
  EXPECT_REFUSED(default_cell({"pressure.calibration.0.oil=-1 MPa"}), "pressure.calibration.0.oil", "must not be negative");
  EXPECT_REFUSED(default_cell({"pressure.calibration.0.cell=-1 GPa"}), "pressure.calibration.0.cell", "must not be negative");
  EXPECT_REFUSED(default_cell({"growth.eutectic.pressure=-5.5 GPa"}), "growth.eutectic.pressure", "must not be negative");
  auto constant = [](std::string s) { return s + "pressure: {cell_pressure: \"-1 GPa\"}\n"; };
  EXPECT_REFUSED(slab(constant), "pressure.cell_pressure", "between 0 and 20 GPa");
}

TEST(InputRules, OilPressureBelowTheCalibrationIsRefused) {
  // `check` said OK and the run stopped at its first step with "oil pressure outside the
  // calibration range" (std::out_of_range, exit 1, no key).
  EXPECT_REFUSED(default_cell({"pressure.calibration.0.oil=10 MPa"}), "recipe.oil_pressure",
                 "below the lowest calibration point");
  EXPECT_REFUSED(default_cell({"recipe.oil_pressure.start=50 MPa", "pressure.calibration.0.oil=30 MPa",
                               "pressure.calibration.1.oil=40 MPa"}),
                 "recipe.oil_pressure", "below the lowest calibration point");
  EXPECT_EQ(default_cell({"recipe.oil_pressure.start=50 MPa", "recipe.oil_pressure.segments.2.ramp_to=50 MPa",
                          "pressure.calibration.0.oil=30 MPa", "pressure.calibration.1.oil=40 MPa"})
                .key,
            "<no error>");
}

TEST(InputRules, PressureScaleAndAnvilModeAreNamedChoices) {
  EXPECT_REFUSED(default_cell({"pressure.scale=decker"}), "pressure.scale", "nacl_1966 or practical_1972");
  // The lab cell gives its cell values: on a named scale the fixed points' values come from it.
  EXPECT_REFUSED(default_cell({"pressure.scale=nacl_1966"}), "pressure.calibration.1.cell", "remove `cell`");
  EXPECT_REFUSED(default_cell({"pressure.anvils=clamped"}), "pressure.anvils", "load");
  EXPECT_EQ(default_cell({"pressure.anvils=fixed_rams"}).key, "<no error>");
}

TEST(InputRules, ConvectionIsEitherAConstantOrFromTheRayleighNumber) {
  // The lab cell gives the constant: adding the Rayleigh model is a conflict, named.
  EXPECT_REFUSED(default_cell({"growth.convection={viscosity: \"5 mPa*s\"}"}), "growth.convection_enhancement",
                 "not both");
  EXPECT_REFUSED(default_cell({"growth.convection_enhancement=0.5"}), "growth.convection_enhancement", "at least 1");
  // The gem cell takes it from the Rayleigh number: its inputs are range-checked by name.
  auto gem = [](std::vector<std::string> sets) {
    sets.insert(sets.begin(), "cell.cells=32");
    return outcome([&] { simulation::Model::from_file(source_dir + "/configs/tgm_default.yaml", sets); });
  };
  EXPECT_EQ(gem({}).key, "<no error>");
  EXPECT_REFUSED(gem({"growth.convection.viscosity=5 Pa*s"}), "growth.convection.viscosity", "0.1-1000 mPa*s");
  EXPECT_REFUSED(gem({"growth.convection.viscosity=5 mPa"}), "growth.convection.viscosity", "a viscosity");
  EXPECT_REFUSED(gem({"growth.convection.thermal_expansion=-1e-4 1/K"}), "growth.convection.thermal_expansion",
                 "between 0 and 1e-3");
}

TEST(InputRules, MaterialLawsMustBePhysical) {
  EXPECT_REFUSED(slab(identity, {"materials.conductor.density=-8000 kg/m^3"}), "materials.conductor.density", "must be positive");
  EXPECT_REFUSED(slab(identity, {"materials.conductor.electrical_resistivity=0 ohm*m"}),
                 "materials.conductor.electrical_resistivity", "must be positive");
  EXPECT_REFUSED(slab(identity, {"materials.conductor.heat_capacity={table: [[\"300 K\", \"500 J/(kg*K)\"], [\"1000 K\", \"-1 J/(kg*K)\"]]}"}),
                 "materials.conductor.heat_capacity", "must be positive");
  // Positive over the old check range (250-3000 K) but negative above 3333 K, where the enthalpy
  // table (to 4000 K) still evaluates it: accepted before.
  EXPECT_REFUSED(slab(identity, {"materials.conductor.electrical_resistivity={polynomial: [\"1e-6 ohm*m\", \"-3e-10 ohm*m/K\"]}"}),
                 "materials.conductor.electrical_resistivity", "200-4000 K");
  EXPECT_REFUSED(slab(identity, {"materials.conductor.youngs_modulus=0 GPa"}), "materials.conductor.youngs_modulus",
                 "must be positive");
  EXPECT_REFUSED(slab(identity, {"materials.conductor.youngs_modulus={table: [[\"300 K\", \"100 GPa\"], [\"2000 K\", \"-1 GPa\"]]}"}),
                 "materials.conductor.youngs_modulus", "must be positive");
  EXPECT_REFUSED(slab(identity, {"materials.conductor.poisson_ratio=0.5 1"}), "materials.conductor.poisson_ratio",
                 "between -1 and 0.5");
  EXPECT_REFUSED(slab(identity, {"materials.conductor.poisson_ratio=-1 1"}), "materials.conductor.poisson_ratio",
                 "between -1 and 0.5");
  EXPECT_REFUSED(slab(identity, {"materials.conductor.poisson_ratio={polynomial: [\"0.3 1\", \"1e-4 1/K\"]}"}),
                 "materials.conductor.poisson_ratio", "between -1 and 0.5");
  // Legitimate values, including a negative thermal expansion, still pass.
  EXPECT_EQ(slab(identity, {"materials.conductor.youngs_modulus=100 GPa", "materials.conductor.poisson_ratio=-0.2 1",
                            "materials.conductor.thermal_expansion=-1e-6 1/K"})
                .key,
            "<no error>");
}

TEST(InputRules, PowersDurationsAndGrowthFiguresMustBeInRange) {
  EXPECT_REFUSED(slab([](std::string s) {
                   return replace(replace(s, "control: voltage", "control: power"), "voltage: \"0.2 V\"", "power: \"-1 W\"");
                 }),
                 "heater.power", "must not be negative");
  auto power_recipe = [](std::string s) {
    s = replace(s, "  control: voltage\n  voltage: \"0.2 V\"\n", "  {}\n");
    return s + "recipe:\n  heater: {control: power, start: \"-5 W\", segments: [{hold: \"1 min\"}]}\n";
  };
  EXPECT_REFUSED(slab(power_recipe), "recipe.heater.start", "must not be negative");
  EXPECT_REFUSED(slab(identity, {"time.step=0 s"}), "time.step", "must be positive");
  EXPECT_REFUSED(slab(identity, {"output.snapshot_interval=-1 s"}), "output.snapshot_interval", "must be positive");
  EXPECT_REFUSED(default_cell({"recipe.heater.segments.0.hold=0 s"}), "recipe.heater.segments.0.hold", "must be positive");
  EXPECT_REFUSED(default_cell({"growth.eutectic.slope=0 K/GPa"}), "growth.eutectic.slope", "must be positive");
  EXPECT_REFUSED(default_cell({"growth.critical_rate.rate=-3 mg/h"}), "growth.critical_rate.rate", "must be positive");
  EXPECT_REFUSED(default_cell({"growth.critical_rate.mass=0 ct"}), "growth.critical_rate.mass", "must be positive");
  EXPECT_REFUSED(default_cell({"growth.nucleation_supersaturation=-0.1"}), "growth.nucleation_supersaturation",
                 "must not be negative");
  // A cell edge that underflows the grid spacing threw std::invalid_argument from Grid (exit 1).
  EXPECT_REFUSED(slab(identity, {"cell.size=[\"1e-320 m\", \"4 mm\", \"20 mm\"]"}), "cell.size", "between 1 um and 100 m");
}

TEST(InputRules, DuplicateKeyInTheMaterialsLibraryNamesTheKey) {
  fs::path dir = fs::temp_directory_path() / ("hphtsim_rules_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string lib = read_text(source_dir + "/configs/materials.yaml");
  auto at = lib.find("\n  pyrophyllite:\n");
  ASSERT_NE(at, std::string::npos);
  auto line_end = lib.find('\n', lib.find("density:", at));
  lib.insert(line_end + 1, "    density: \"3000 kg/m^3\"\n");
  std::ofstream(dir / "materials.yaml") << lib;
  std::ofstream(dir / "cell.yaml") << read_text(source_dir + "/configs/tgm_lab_small.yaml");
  Outcome o = outcome([&] { simulation::Model::from_file(dir / "cell.yaml", {"cell.cells=48"}); });
  fs::remove_all(dir);
  EXPECT_EQ(o.key, "materials.pyrophyllite.density") << o.message;
  EXPECT_NE(o.message.find("duplicate key"), std::string::npos) << o.message;
  EXPECT_NE(o.message.find("materials.yaml"), std::string::npos) << o.message;
}

// The inputs of fuzz/regressions/ (see its README): each crashed, hung, escaped as another
// exception or was accepted before; each is now a ConfigError naming its key.
TEST(InputRules, RegressionInputsAreConfigErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"nonscalar_key.yaml", "probes"},         {"recursive_alias.yaml", "title.1"},
      {"duplicate_keys.yaml", "heater.voltage"}, {"unit_overflow.yaml", "anvils.face_size"},
      {"underflowing_cell.yaml", "cell.size"},   {"dev_zero_library.yaml", "cell.materials_library"},
  };
  for (const auto& [file, key] : cases) {
    Outcome o = outcome([&] { simulation::Model::from_file(source_dir + "/fuzz/regressions/" + file); });
    EXPECT_EQ(o.key, key) << file << ": " << o.message;
  }
  // The file's second problem: the exponent that overflowed the dimension's int.
  EXPECT_THROW(core::parse_quantity("0.2 (V^65536)^65536"), std::invalid_argument);
}

// --- memory

TEST(MemoryEstimate, GrowsWithCellsAndWithTheFieldAndGrowth) {
  using simulation::estimated_run_bytes;
  const std::size_t n = 64 * 64 * 64;
  EXPECT_LT(estimated_run_bytes(n, false, false), estimated_run_bytes(n, false, true));
  EXPECT_LT(estimated_run_bytes(n, false, true), estimated_run_bytes(n, true, true));
  EXPECT_LT(estimated_run_bytes(n, true, true), estimated_run_bytes(2 * n, true, true));
  // Within 30 % above the peak RSS measured for the default cell at 64^3 (478320 KiB, see
  // src/simulation/memory.cpp), and not below it.
  const double measured = 478320.0 * 1024;
  EXPECT_GT(estimated_run_bytes(n, true, true), measured);
  EXPECT_LT(estimated_run_bytes(n, true, true), 1.3 * measured);
}

TEST(MemoryEstimate, RefusesAGridLargerThanTheLimit) {
  using simulation::check_run_memory;
  const core::MemoryBudget budget{std::uint64_t(1) << 30, "a test limit"};
  Outcome o = outcome([&] { check_run_memory(1024, 1024, 1024, true, true, budget); });
  EXPECT_EQ(o.key, "cell.cells") << o.message;
  EXPECT_NE(o.message.find("needs about 2.05 TiB, 1 GiB available (a test limit"), std::string::npos) << o.message;
  EXPECT_NO_THROW(check_run_memory(64, 64, 64, true, true, budget));
  EXPECT_NO_THROW(check_run_memory(1024, 1024, 1024, true, true, std::nullopt));  // unknown: no check
  // The same grid fits without the pressure field but not with it.
  const double with = simulation::estimated_run_bytes(100 * 100 * 100, true, true);
  const double without = simulation::estimated_run_bytes(100 * 100 * 100, false, true);
  const core::MemoryBudget between{std::uint64_t(0.5 * (with + without)), "between"};
  EXPECT_NO_THROW(check_run_memory(100, 100, 100, false, true, between));
  EXPECT_THROW(check_run_memory(100, 100, 100, true, true, between), ConfigError);
}

TEST(MemoryEstimate, ModelHonoursTheEnvironmentLimit) {
  ::setenv(core::memory_limit_variable, "1000000", 1);
  Outcome small = slab(identity);
  ::setenv(core::memory_limit_variable, "lots", 1);
  Outcome bad = slab(identity);
  ::setenv(core::memory_limit_variable, "100000000000000", 1);
  Outcome plenty = slab(identity);
  ::unsetenv(core::memory_limit_variable);
  EXPECT_EQ(small.key, "cell.cells") << small.message;
  EXPECT_NE(small.message.find(core::memory_limit_variable), std::string::npos) << small.message;
  EXPECT_EQ(bad.key, core::memory_limit_variable) << bad.message;
  EXPECT_EQ(plenty.key, "<no error>") << plenty.message;
  // Without the variable the machine's figure is used: a 1024^3 grid fits on no machine here.
  EXPECT_REFUSED(default_cell({"cell.cells=1024"}), "cell.cells", "available (");
  auto avail = core::available_memory();
  ASSERT_TRUE(avail.has_value());
  EXPECT_GT(avail->bytes, 0u);
}

TEST(InputRules, HeaterSegmentsSwitchModesOnlyWhereItMeansSomething) {
  auto program = [](const std::string& recipe) {
    return [recipe](std::string s) {
      s = replace(s, "  control: voltage\n  voltage: \"0.2 V\"\n", "  {}\n");
      return s + "recipe:\n  heater: " + recipe + "\n";
    };
  };
  const std::string ok = "{control: power, segments: [{ramp_to: \"5 W\", duration: \"1 min\"}, "
                         "{control: resistance, ramp_to: \"0.1 mohm\", duration: \"1 min\"}]}";
  EXPECT_EQ(slab(program(ok)).key, "<no error>");
  EXPECT_REFUSED(slab(program("{control: power, segments: [{control: resistance, hold: \"1 min\"}]}")),
                 "recipe.heater.segments.0.control", "the first segment runs in recipe.heater.control");
  EXPECT_REFUSED(slab(program("{control: power, segments: [{hold: \"1 min\"}, {control: power, hold: \"1 min\"}]}")),
                 "recipe.heater.segments.1.control", "already runs in power control");
  EXPECT_REFUSED(slab(program("{control: power, segments: [{hold: \"1 min\"}, {control: joules, hold: \"1 min\"}]}")),
                 "recipe.heater.segments.1.control", "expected power, voltage, current, resistance, temperature or growth_rate");
  EXPECT_REFUSED(slab(program("{control: power, segments: [{hold: \"1 min\"}, {control: resistance, ramp_to: \"2 V\", "
                              "duration: \"1 min\"}]}")),
                 "recipe.heater.segments.1.ramp_to", "a resistance such as");
  EXPECT_REFUSED(slab(program("{control: resistance, segments: [{hold: \"1 min\"}]}")), "recipe.heater.start",
                 "needs its start value");
  EXPECT_REFUSED(slab(program("{control: resistance, start: \"-1 mohm\", segments: [{hold: \"1 min\"}]}")),
                 "recipe.heater.start", "must be positive");
  EXPECT_REFUSED(slab(program("{control: power, segments: [{hold: \"1 min\"}, {control: temperature, hold: \"1 min\"}]}")),
                 "recipe.heater.control_probe", "missing");
}

// Axisymmetric cells (cell.geometry: axisymmetric): what cannot be revolved names its key.
TEST(InputRules, AxisymmetricCellsRefuseWhatIsNotABodyOfRevolution) {
  auto gem = [](std::vector<std::string> sets) {
    sets.insert(sets.begin(), {"cell.geometry=axisymmetric", "cell.cells=[32, 32]"});
    return outcome([&] { simulation::Model::from_file(source_dir + "/configs/tgm_default.yaml", sets); });
  };
  EXPECT_EQ(gem({}).key, "<no error>") << gem({}).message;
  EXPECT_REFUSED(gem({"cell.geometry=spherical"}), "cell.geometry", "expected cartesian or axisymmetric");
  EXPECT_REFUSED(gem({"seeds.0.center=[\"1 mm\", \"0 mm\", \"-8.5 mm\"]"}), "seeds.0.center", "off the z axis");
  EXPECT_REFUSED(gem({"assembly.5.center=[\"0 mm\", \"2 mm\", \"-9 mm\"]"}), "assembly.5.center", "off the z axis");
  EXPECT_REFUSED(gem({"assembly.5.axis=x"}), "assembly.5.axis", "bodies of revolution about z");
  EXPECT_REFUSED(gem({"assembly.0.size=[\"40 mm\", \"48 mm\", \"48 mm\"]"}), "assembly.0.shape", "not a body of revolution");
  EXPECT_REFUSED(gem({"cell.size=[\"48 mm\", \"50 mm\", \"48 mm\"]", "assembly.0.size=[\"48 mm\", \"50 mm\", \"48 mm\"]"}),
                 "cell.size", "square cross-section");
  EXPECT_REFUSED(gem({"cell.revolved_radius=\"20 mm\""}), "cell.revolved_radius", "between half the cell's edge");
  EXPECT_REFUSED(gem({"cell.revolved_radius=round"}), "cell.revolved_radius", "equal_volume, equal_conduction");
  EXPECT_REFUSED(gem({"cell.cells=[32, 32, 32, 32]"}), "cell.cells", "[nr, nz]");
  EXPECT_REFUSED(gem({"probes.heater=[\"20 mm\", \"20 mm\", \"0 mm\"]"}), "probes.heater", "outside the revolved cell");
  // A Cartesian cell has no revolved radius.
  EXPECT_REFUSED(outcome([] {
                   simulation::Model::from_file(source_dir + "/configs/tgm_default.yaml",
                                                {"cell.cells=16", "cell.revolved_radius=equal_volume"});
                 }),
                 "cell.revolved_radius", "only an axisymmetric cell");
}
