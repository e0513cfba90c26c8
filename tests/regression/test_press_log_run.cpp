// SPDX-License-Identifier: MIT
// A press log drives a run (`recipe.from_log`, issue 14 point 2): tests/data/press_log_short.csv
// replays its heater power, oil pressure and cooling water on the default cell in (r, z). The
// run equals the same program written as recipe segments, step for step; the series follow the
// log; the errors name their keys.
#include <gtest/gtest.h>

#include <cmath>
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
}
