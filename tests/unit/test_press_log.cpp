// SPDX-License-Identifier: MIT
// Press logs (process/press_log.hpp, issue 14 point 1): columns with units in brackets read into
// SI, and every bad log refused with a message that names the row and the column; a log's
// program lands the time stepper only where it bends (process/log_programs.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "hphtsim/core/error.hpp"
#include "hphtsim/process/log_programs.hpp"
#include "hphtsim/process/press_log.hpp"

using hphtsim::ConfigError;
using hphtsim::process::parse_press_log;

namespace {

const std::vector<std::string> probes = {"thermocouple", "seed"};

std::string refusal(const std::string& text) {
  try {
    parse_press_log(text, "run1.csv", probes);
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "run1.csv");
    return e.what();
  }
  return "<accepted>";
}

}  // namespace

TEST(PressLog, ColumnsAreReadIntoSI) {
  const auto log = parse_press_log(
      "time [h], heater_power [kW], heater_resistance [mohm], oil_pressure [MPa], coolant_temperature [degC], "
      "T_thermocouple [degC], operator [1]\n"
      "0, 0, 7.1, 0, 25, 25, 3\n"
      "0.5, 1.24, 5.6, 95, 26.5, 1300, 3\n",
      "run1.csv", probes);
  ASSERT_EQ(log.time.size(), 2u);
  EXPECT_DOUBLE_EQ(log.time[1], 1800.0);
  ASSERT_NE(log.find("heater_power"), nullptr);
  EXPECT_DOUBLE_EQ(log.find("heater_power")->values[1], 1240.0);
  EXPECT_NEAR(log.find("heater_resistance")->values[1], 5.6e-3, 1e-15);
  EXPECT_DOUBLE_EQ(log.find("oil_pressure")->values[1], 95e6);
  EXPECT_NEAR(log.find("coolant_temperature")->values[0], 298.15, 1e-9);
  EXPECT_NEAR(log.find("T_thermocouple")->values[1], 1573.15, 1e-9);
  EXPECT_EQ(log.find("operator"), nullptr);
  ASSERT_EQ(log.warnings.size(), 1u);
  EXPECT_NE(log.warnings[0].find("operator"), std::string::npos);
}

TEST(PressLog, BadLogsNameTheRowAndColumn) {
  auto has = [](const std::string& message, const std::string& part) {
    EXPECT_NE(message.find(part), std::string::npos) << message;
  };
  has(refusal(""), "the log is empty");
  has(refusal("\n\n"), "the log is empty");
  has(refusal("time [h], heater_power [W]\n"), "no rows");
  has(refusal("heater_power [W]\n1\n"), "no time column");
  has(refusal("time [h], heater_power [W]\n0, 1\n1, 2\n1, 3\n"), "row 4, column 'time': time 1 does not increase");
  has(refusal("time [h], heater_power [V]\n0, 1\n"), "'V' is not a unit of this quantity (expected, e.g., [W])");
  has(refusal("time [K], heater_power [W]\n0, 1\n"), "'K' is not a unit of time");
  has(refusal("time [h], heater_power [W]\n0, 1\n1, nan\n"), "row 3, column 'heater_power': 'nan' is not a finite number");
  has(refusal("time [h], heater_power [W]\n0, 1\n1, \n"), "row 3, column 'heater_power': the cell is empty");
  has(refusal("time [h], heater_power [W]\n0, 1\n1, 12 W\n"), "row 3, column 'heater_power': '12 W' is not a number");
  has(refusal("time [h], heater_power [W]\n0, 1, 2\n"), "row 2: 3 cells, the header has 2");
  has(refusal("time [h], heater_power\n0, 1\n"), "expected a name and its unit in brackets");
  has(refusal("time [h], heater_power [W], heater_power [kW]\n0, 1, 2\n"), "column 'heater_power' appears twice");
  has(refusal("time [h], T_anvil [degC]\n0, 1\n"), "names no probe of the config (probes: thermocouple, seed)");
  has(refusal("time [h], heater_power [parsec]\n0, 1\n"), "'parsec' is not a unit");
}

TEST(LogPrograms, TheStepperLandsOnlyWhereTheLogBends) {
  using hphtsim::process::bends;
  using hphtsim::process::schedule_through;
  // A ramp 0 -> 100 over 10 samples, then a hold of 10 samples, with +-0.3 of noise: bends at
  // the ramp's end (sample 10) and at the last sample only, within a tolerance of 0.7 (the chord
  // between two noisy samples departs from a third by up to 0.6).
  std::vector<double> t, v;
  for (int i = 0; i <= 20; ++i) {
    t.push_back(600.0 * i);
    v.push_back((i <= 10 ? 10.0 * i : 100.0) + ((i % 2) ? 0.3 : -0.3) * (i > 0 && i < 20 && i != 10));
  }
  const auto lands = bends(t, v, 0.7);
  for (int i = 0; i <= 20; ++i) EXPECT_EQ(lands[std::size_t(i)] != 0, i == 10 || i == 20) << "sample " << i;
  // Below the noise every sample is a bend; a tolerance of 0 lands on every sample.
  const auto tight = bends(t, v, 0.1);
  for (int i = 1; i <= 20; ++i) EXPECT_TRUE(tight[std::size_t(i)]) << "sample " << i;
  const auto every = schedule_through(t, v, 0.0);
  const auto loose = schedule_through(t, v, 0.7);
  EXPECT_DOUBLE_EQ(every.next_boundary(0.0), 600.0);
  EXPECT_DOUBLE_EQ(loose.next_boundary(0.0), 6000.0);
  EXPECT_DOUBLE_EQ(loose.next_boundary(6000.0), 12000.0);
  EXPECT_TRUE(std::isinf(loose.next_boundary(12000.0)));
  // The values still follow every sample.
  for (int i = 0; i <= 20; ++i) EXPECT_DOUBLE_EQ(loose.value(t[std::size_t(i)]), v[std::size_t(i)]);
  // A log that starts late holds its first value until then, and lands there.
  const auto late = schedule_through({3600.0, 7200.0, 10800.0}, {5.0, 6.0, 7.0}, 0.5);
  EXPECT_DOUBLE_EQ(late.next_boundary(0.0), 3600.0);
  EXPECT_DOUBLE_EQ(late.next_boundary(3600.0), 10800.0);
}
