// SPDX-License-Identifier: MIT
// A press log drives a run (`recipe.from_log`, issue 14 point 2): tests/data/press_log_short.csv
// replays its heater power, oil pressure and cooling water on the default cell in (r, z). The
// run equals the same program written as recipe segments, step for step; the series follow the
// log; the errors name their keys.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "hphtsim/core/error.hpp"
#include "hphtsim/simulation/simulation.hpp"

namespace {

using namespace hphtsim;
const std::string source_dir = HPHTSIM_SOURCE_DIR;
const std::string log_file = source_dir + "/tests/data/press_log_short.csv";

simulation::Model gem(std::vector<std::string> sets) {
  sets.insert(sets.begin(), {"cell.geometry=axisymmetric", "cell.cells=[24, 32]"});
  return simulation::Model::from_file(source_dir + "/configs/tgm_default.yaml", sets);
}

std::string from_log(const std::string& drive) {
  std::string r = "recipe={from_log: {file: \"";
  r += log_file;
  r += "\", drive: ";
  r += drive;
  r += "}}";
  return r;
}

}  // namespace

TEST(PressLogRun, ALogReplaysItsProgramsAsTheSameRecipeWouldRun) {
  simulation::Simulation logged(gem({from_log("heater_power")}));
  ASSERT_EQ(logged.model().warnings.size(), 1u) << "the unknown column 'shift' is skipped with a warning";
  simulation::Simulation written(gem(
      {"recipe={heater: {control: power, start: \"0 W\", segments: [{ramp_to: \"0 W\", duration: \"0.5 h\"}, "
       "{ramp_to: \"1240 W\", duration: \"1 h\"}, {ramp_to: \"1240 W\", duration: \"1.5 h\"}, {ramp_to: \"1250 W\", "
       "duration: \"1 h\"}]}, oil_pressure: {start: \"0 MPa\", segments: [{ramp_to: \"95 MPa\", duration: \"0.5 h\"}, "
       "{ramp_to: \"95 MPa\", duration: \"1 h\"}, {ramp_to: \"95 MPa\", duration: \"1.5 h\"}, {ramp_to: \"95 MPa\", "
       "duration: \"1 h\"}]}, coolant_temperature: {start: \"25 degC\", segments: [{ramp_to: \"25 degC\", duration: "
       "\"0.5 h\"}, {ramp_to: \"25.5 degC\", duration: \"1 h\"}, {ramp_to: \"26 degC\", duration: \"1.5 h\"}, "
       "{ramp_to: \"26 degC\", duration: \"1 h\"}]}}"}));
  EXPECT_DOUBLE_EQ(logged.model().time.end, 4 * 3600.0) << "the run lasts as long as the log";
  simulation::RunOptions opts;
  ASSERT_TRUE(logged.run(opts));
  ASSERT_TRUE(written.run(opts));
  const auto& a = logged.field_view("T");
  const auto& b = written.field_view("T");
  double diff = 0.0;
  for (std::size_t c = 0; c < a.size(); ++c) diff = std::max(diff, std::abs(a[c] - b[c]));
  EXPECT_LE(diff, 1e-9) << "a log and the recipe it spells out run the same";
  EXPECT_EQ(logged.series_history().size(), written.series_history().size());
  // The series follow the log: at the end 1250 W, 95 MPa, 26 degC.
  const auto& d = logged.diagnostics();
  EXPECT_NEAR(d.electric.power, 1250.0, 1e-6);
  EXPECT_NEAR(d.oil_pressure, 95e6, 1e-3);
}

TEST(PressLogRun, ADenselySampledLogRunsAsItsRecipeDoes) {
  // The short log's program sampled every 6 min (as presses record): the samples on its straight
  // pieces are no bends, so the run lands where the recipe's segments end and equals it; landing
  // on every sample (tolerance 0) costs a restart each.
  const auto dense = std::filesystem::temp_directory_path() / "hphtsim_dense_log.csv";
  {
    std::ofstream f(dense);
    f << "time [h], heater_power [W], oil_pressure [MPa]\n";
    for (int i = 0; i <= 40; ++i) {
      const double h = 0.1 * i;
      const double power = h <= 0.5 ? 0.0 : h <= 1.5 ? 1240.0 * (h - 0.5) : h <= 3.0 ? 1240.0 : 1240.0 + 60.0 * (h - 3.0);
      const double oil = h <= 0.5 ? 190.0 * h : 95.0;
      f << h << ", " << power << ", " << oil << "\n";
    }
  }
  auto dense_log = [&](const std::string& tolerance) {
    std::string r = "recipe={from_log: {file: \"";
    r += dense.string();
    r += "\", drive: heater_power";
    r += tolerance;
    r += "}}";
    return r;
  };
  simulation::Simulation logged(gem({dense_log("")}));
  simulation::Simulation every(gem({dense_log(", tolerance: {heater_power: \"0 W\", oil_pressure: \"0 MPa\"}")}));
  simulation::Simulation written(gem(
      {"recipe={heater: {control: power, start: \"0 W\", segments: [{hold: \"0.5 h\"}, {ramp_to: \"1240 W\", duration: "
       "\"1 h\"}, {hold: \"1.5 h\"}, {ramp_to: \"1300 W\", duration: \"1 h\"}]}, oil_pressure: {start: \"0 MPa\", "
       "segments: [{ramp_to: \"95 MPa\", duration: \"0.5 h\"}, {hold: \"3.5 h\"}]}}"}));
  simulation::RunOptions opts;
  ASSERT_TRUE(logged.run(opts));
  ASSERT_TRUE(every.run(opts));
  ASSERT_TRUE(written.run(opts));
  std::filesystem::remove(dense);
  const auto& a = logged.field_view("T");
  const auto& b = written.field_view("T");
  const auto& c = every.field_view("T");
  double diff = 0.0, diff_every = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    diff = std::max(diff, std::abs(a[k] - b[k]));
    diff_every = std::max(diff_every, std::abs(c[k] - b[k]));
  }
  EXPECT_EQ(logged.series_history().size(), written.series_history().size()) << "the same steps";
  EXPECT_LE(diff, 1e-3) << "and the same temperatures (to the coupling iteration's tolerance: the log's values are rounded)";
  EXPECT_GT(every.series_history().size(), logged.series_history().size() + 30) << "a restart at each sample";
  EXPECT_LE(diff_every, 0.5) << "which changes the answer only by the time discretisation";
}

TEST(PressLogRun, BadUseOfALogNamesTheKey) {
  auto key_of = [](const std::vector<std::string>& sets) {
    try {
      gem(sets);
    } catch (const ConfigError& e) {
      return e.key();
    }
    return std::string("<accepted>");
  };
  EXPECT_EQ(key_of({from_log("heater_speed")}), "recipe.from_log.drive");
  EXPECT_EQ(key_of({from_log("heater_voltage")}), "recipe.from_log.drive") << "the log has no such column";
  std::string both = "recipe.from_log={file: \"";
  both += log_file;
  both += "\", drive: heater_power}";
  EXPECT_EQ(key_of({both}), "recipe.from_log") << "recipe.heater is there too";
  EXPECT_EQ(key_of({"recipe={from_log: {file: \"/nonexistent/log.csv\", drive: heater_power}}"}), "/nonexistent/log.csv");
  std::string tol = "recipe={from_log: {file: \"";
  tol += log_file;
  tol += "\", drive: heater_power, tolerance: {";
  EXPECT_EQ(key_of({tol + "heater_speed: \"1 W\"}}}"}), "recipe.from_log.tolerance.heater_speed");
  EXPECT_EQ(key_of({tol + "coolant_temperature: \"0.2 degC\"}}}"}),
            "recipe.from_log.tolerance.coolant_temperature");
  EXPECT_EQ(key_of({tol + "heater_power: \"-1 W\"}}}"}), "recipe.from_log.tolerance.heater_power");
  EXPECT_EQ(key_of({tol + "heater_power: \"1 V\"}}}"}), "recipe.from_log.tolerance.heater_power");
}
