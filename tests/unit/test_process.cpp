// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "hphtsim/core/config.hpp"
#include "hphtsim/core/error.hpp"
#include "hphtsim/process/calibration.hpp"
#include "hphtsim/process/control.hpp"
#include "hphtsim/process/growth_rate_control.hpp"
#include "hphtsim/process/recipe.hpp"

using namespace hphtsim;
using process::Schedule;

TEST(Schedule, RampsAndHoldsArePiecewiseLinear) {
  core::Config c = core::Config::load_string(R"YAML(
start: "10 W"
segments:
  - {ramp_to: "110 W", duration: "100 s"}
  - {hold: "50 s"}
  - {ramp_to: "0 W", duration: "10 s"}
)YAML");
  Schedule s = Schedule::from_config(c.root(), core::dim::power, "a power", NAN);
  EXPECT_DOUBLE_EQ(s.value(-1), 10);
  EXPECT_DOUBLE_EQ(s.value(50), 60);
  EXPECT_DOUBLE_EQ(s.value(120), 110);
  EXPECT_DOUBLE_EQ(s.value(155), 55);
  EXPECT_DOUBLE_EQ(s.value(1000), 0);
  EXPECT_DOUBLE_EQ(s.end_time(), 160);
  EXPECT_DOUBLE_EQ(s.next_boundary(0), 100);
  EXPECT_DOUBLE_EQ(s.next_boundary(100), 150);
  EXPECT_TRUE(std::isinf(s.next_boundary(160)));
}

TEST(Schedule, BadSegmentsNameTheirKey) {
  core::Config c = core::Config::load_string("segments:\n  - {ramp_to: \"1 W\", hold: \"1 s\"}\n");
  try {
    Schedule::from_config(c.root(), core::dim::power, "a power", 0.0);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "segments.0");
  }
  core::Config c2 = core::Config::load_string("segments:\n  - {ramp_to: \"1 K\", duration: \"1 s\"}\n");
  try {
    Schedule::from_config(c2.root(), core::dim::power, "a power", 0.0);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "segments.0.ramp_to");
  }
}

TEST(Pid, ImplicitLawTracksALinearPlantAndRespectsLimits) {
  process::PidSettings s;
  s.gain = 2.0;
  s.integral_time = 60.0;
  s.power_min = 0.0;
  s.power_max = 500.0;
  process::PidController pid(s);
  // Static plant T = 300 + 2 P: with integral action the error vanishes over steps.
  double T = 300.0;
  for (int i = 0; i < 200; ++i) {
    double P = pid.power_for(800.0, 300.0, 2.0, 10.0);
    T = 300.0 + 2.0 * P;
    pid.commit(800.0, T, P, 10.0);
  }
  EXPECT_NEAR(T, 800.0, 1e-6);
  // A setpoint out of reach saturates at power_max; back-calculation keeps the integral bounded
  // so the power leaves the limit at once when the setpoint comes back.
  for (int i = 0; i < 50; ++i) {
    double P = pid.power_for(5000.0, 300.0, 2.0, 10.0);
    EXPECT_DOUBLE_EQ(P, 500.0);
    pid.commit(5000.0, 300.0 + 2.0 * P, P, 10.0);
  }
  double P = pid.power_for(800.0, 300.0, 2.0, 10.0);
  EXPECT_LT(P, 500.0);
  // Steady state: exact.
  EXPECT_DOUBLE_EQ(pid.power_for(800.0, 300.0, 2.0, INFINITY), 250.0);
}

TEST(Drift, ApproachesItsRelativeChange) {
  process::Drift d;
  d.relative_change = 0.2;
  d.time_constant = 100.0;
  EXPECT_DOUBLE_EQ(d.factor(0.0), 1.0);
  EXPECT_NEAR(d.factor(1e6), 1.2, 1e-12);
  EXPECT_NEAR(d.factor(100.0), 1.0 + 0.2 * (1 - std::exp(-1.0)), 1e-12);
}

namespace {
const char* kCalibration = R"YAML(calibration:
- {oil: "0 MPa", cell: "0 GPa"}
- {oil: "38 MPa", cell: "2.52 GPa", fixed_point: "Bi I-II"}
- {oil: "54 MPa", cell: "3.7 GPa", fixed_point: "Tl II-III"}
- {oil: "84 MPa", cell: "5.33 GPa", fixed_point: "Ba I-II"}
- {oil: "120 MPa", cell: "7.38 GPa", fixed_point: "Bi III-V"}
)YAML";
}  // namespace

// The calibration passes through its fixed points and inverts: oil -> cell -> oil.
TEST(PressureCalibration, PassesThroughFixedPointsAndInverts) {
  core::Config c = core::Config::load_string(kCalibration);
  const auto cal = process::PressureCalibration::from_config(c.root().at("calibration"));
  EXPECT_DOUBLE_EQ(cal.cell_pressure(84e6), 5.33e9);
  EXPECT_DOUBLE_EQ(cal.cell_pressure(38e6), 2.52e9);
  EXPECT_NEAR(cal.cell_pressure(95e6), 5.33e9 + (7.38e9 - 5.33e9) * 11.0 / 36.0, 1e-6);
  for (double oil = 0.0; oil <= 120e6; oil += 2.5e6) {
    const double cell = cal.cell_pressure(oil);
    EXPECT_NEAR(cal.oil_pressure(cell), oil, 1e-9 * 120e6) << oil;
  }
  EXPECT_THROW(cal.cell_pressure(121e6), std::out_of_range);
  EXPECT_THROW(cal.oil_pressure(8e9), std::out_of_range);
}

TEST(PressureCalibration, NonMonotoneOrOutOfRangeCurvesNameTheirKey) {
  auto key_of = [](const char* yaml) {
    core::Config c = core::Config::load_string(std::string("calibration:\n") + yaml);
    try {
      process::PressureCalibration::from_config(c.root().at("calibration"));
    } catch (const ConfigError& e) {
      return e.key();
    }
    return std::string("(accepted)");
  };
  // The cell pressure falls between the 2nd and 3rd points.
  EXPECT_EQ(key_of("- {oil: \"0 MPa\", cell: \"0 GPa\"}\n- {oil: \"40 MPa\", cell: \"3 GPa\"}\n"
                   "- {oil: \"60 MPa\", cell: \"2.9 GPa\"}\n"),
            "calibration.2.cell");
  EXPECT_EQ(key_of("- {oil: \"50 MPa\", cell: \"1 GPa\"}\n- {oil: \"40 MPa\", cell: \"3 GPa\"}\n"), "calibration.1.oil");
  EXPECT_EQ(key_of("- {oil: \"0 MPa\", cell: \"0 GPa\"}\n- {oil: \"40 MPa\", cell: \"30 GPa\"}\n"), "calibration.1.cell");
  EXPECT_EQ(key_of("- {oil: \"0 MPa\", cell: \"0 GPa\"}\n- {oil: \"40 MPa\", cell: \"3 K\"}\n"), "calibration.1.cell");
  EXPECT_EQ(key_of("- {oil: \"0 MPa\", cell: \"0 GPa\"}\n"), "calibration");
}

// A named scale gives each fixed point its pressure; the spread over the scales at 95 MPa is
// the difference of the two curves there (Ba I-II 5.33 vs 5.5, Bi III-V 7.38 vs 7.7 GPa).
TEST(PressureCalibration, ANamedScaleGivesTheFixedPointsAndTheSpreadBetweenScales) {
  const char* yaml = R"YAML(
calibration:
  - {oil: "0 MPa", cell: "0 GPa"}
  - {oil: "38 MPa", fixed_point: "Bi I-II"}
  - {oil: "84 MPa", fixed_point: "Ba I-II"}
  - {oil: "120 MPa", fixed_point: "Bi III-V"}
)YAML";
  core::Config c = core::Config::load_string(yaml);
  const auto nacl = process::PressureCalibration::from_config(c.root().at("calibration"), process::PressureScale::nacl_1966);
  EXPECT_DOUBLE_EQ(nacl.cell_pressure(84e6), 5.33e9);
  EXPECT_DOUBLE_EQ(nacl.cell_pressure(38e6), 2.54e9);
  const auto practical = nacl.on_scale(process::PressureScale::practical_1972);
  ASSERT_FALSE(practical.empty());
  EXPECT_DOUBLE_EQ(practical.cell_pressure(84e6), 5.5e9);
  EXPECT_DOUBLE_EQ(practical.cell_pressure(120e6), 7.7e9);
  const double at95_nacl = 5.33e9 + (7.38e9 - 5.33e9) * 11.0 / 36.0;
  const double at95_practical = 5.5e9 + (7.7e9 - 5.5e9) * 11.0 / 36.0;
  EXPECT_NEAR(nacl.scale_spread(95e6), at95_practical - at95_nacl, 1.0);
  EXPECT_NEAR(practical.scale_spread(95e6), at95_practical - at95_nacl, 1.0);
  // Without a scale, explicit cell values (here the default's mixed 2.52 with 1966 values) are
  // kept, and the spread still compares with both tables.
  core::Config given = core::Config::load_string(std::string(kCalibration));
  const auto mixed = process::PressureCalibration::from_config(given.root().at("calibration"));
  EXPECT_GT(mixed.scale_spread(95e6), 0.2e9);
  // No fixed points named: no spread.
  const auto plain = process::PressureCalibration({0.0, 1e8}, {0.0, 6e9});
  EXPECT_TRUE(std::isnan(plain.scale_spread(5e7)));
}

TEST(PressureCalibration, AScaleRefusesAnUnknownFixedPointOrAGivenCellValue) {
  auto key_of = [](const char* yaml) {
    core::Config c = core::Config::load_string(std::string("calibration:\n") + yaml);
    try {
      process::PressureCalibration::from_config(c.root().at("calibration"), process::PressureScale::practical_1972);
    } catch (const ConfigError& e) {
      return e.key() + ": " + e.what();
    }
    return std::string("(accepted)");
  };
  const std::string unknown = key_of("- {oil: \"0 MPa\", cell: \"0 GPa\"}\n- {oil: \"40 MPa\", fixed_point: \"Xe\"}\n");
  EXPECT_NE(unknown.find("calibration.1.fixed_point"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("Ba I-II"), std::string::npos) << unknown;  // lists the known ones
  const std::string both = key_of("- {oil: \"0 MPa\", cell: \"0 GPa\"}\n- {oil: \"40 MPa\", cell: \"2.5 GPa\", fixed_point: \"Bi I-II\"}\n");
  EXPECT_NE(both.find("calibration.1.cell"), std::string::npos) << both;
  // A row without a fixed point needs its cell value.
  const std::string bare = key_of("- {oil: \"0 MPa\"}\n- {oil: \"40 MPa\", fixed_point: \"Bi I-II\"}\n");
  EXPECT_NE(bare.find("calibration.0.cell"), std::string::npos) << bare;
}

namespace {
// A plant with the growth law's shape: r = r0 (P / P0)^s, s = 30 as measured on the gem cell.
double plant_rate(double P) { return 0.05 * std::pow(P / 1240.0, 30.0); }
hphtsim::process::RateSearch::Trial trial(double P, double margin = 100.0) { return {P, plant_rate(P), margin}; }
}  // namespace

TEST(RateSearch, FindsThePowerOfTheTargetRateWithinItsTrials) {
  using hphtsim::process::GrowthRateSettings;
  using hphtsim::process::RateSearch;
  GrowthRateSettings s;
  s.max_power_rate = 1e3;  // no step limit here
  const double target = 0.06, exact = 1240.0 * std::pow(target / 0.05, 1.0 / 30.0);
  RateSearch search(s, 1240.0, target, /*sensitivity guess*/ 10.0);
  EXPECT_DOUBLE_EQ(search.next_power(), 1240.0);  // the first trial is the power now
  int trials = 0;
  for (double P = search.next_power(); !std::isnan(P); P = search.next_power(), ++trials) search.add(trial(P));
  EXPECT_LE(trials, s.max_trials);
  EXPECT_NEAR(plant_rate(search.best_power()), target, s.tolerance * target);
  EXPECT_NEAR(search.best_power(), exact, 0.5);
  EXPECT_NEAR(search.sensitivity(), 30.0, 1.0);  // learnt from the secant, for the next decision
}

TEST(RateSearch, KeepsToItsStepLimitAndOutOfTheGraphiteField) {
  using hphtsim::process::GrowthRateSettings;
  using hphtsim::process::RateSearch;
  GrowthRateSettings s;  // 10 W/h over a 2 h interval: 20 W per decision
  RateSearch far(s, 1240.0, 0.5, 30.0);  // a target ten times the rate: out of one decision's reach
  for (double P = far.next_power(); !std::isnan(P); P = far.next_power()) {
    EXPECT_LE(P, 1260.0 + 1e-9);
    far.add(trial(P));
  }
  EXPECT_DOUBLE_EQ(far.best_power(), 1260.0);
  // A trial that ends within min_line_margin of the graphite-diamond line is never chosen; when
  // every trial does, the law backs off by its step.
  RateSearch hot(s, 1240.0, 0.06, 30.0);
  for (double P = hot.next_power(); !std::isnan(P); P = hot.next_power()) hot.add(trial(P, /*margin*/ 5.0));
  EXPECT_DOUBLE_EQ(hot.best_power(), 1220.0);
  RateSearch mixed(s, 1240.0, 0.06, 30.0);
  mixed.add(trial(1240.0));
  const double up = mixed.next_power();
  EXPECT_GT(up, 1240.0);
  mixed.add(trial(up, 5.0));  // the higher power leaves the field
  const double back = mixed.next_power();
  EXPECT_LT(back, up);
  EXPECT_DOUBLE_EQ(mixed.best_power(), 1240.0);
}
