// SPDX-License-Identifier: MIT
// The recipe machinery on a small cell: the PID holds the thermocouple on its setpoint after
// the ramp, and the step size grows to hours in the hold and shrinks at a segment change; a
// resistance program holds V/I on its program and switches between modes without a bump.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "hphtsim/simulation/simulation.hpp"

using namespace hphtsim;

namespace {
const std::string source_dir = HPHTSIM_SOURCE_DIR;

// The offset of a named series in a row of the simulation's series history.
template <class Layout>
std::size_t column(const Layout& layout, const std::string& name) {
  for (std::size_t i = 0, off = 0; i < layout.size(); off += layout[i].columns, ++i)
    if (layout[i].name == name) return off;
  ADD_FAILURE() << "no column " << name;
  return 0;
}
}

TEST(Recipe, PidHoldsTheThermocoupleAndStepsGrowInTheHold) {
  auto model = simulation::Model::from_file(source_dir + "/tests/data/small_cell.yaml");
  simulation::Simulation sim(std::move(model));
  simulation::RunOptions opts;
  opts.until = 20 * 60 + 86400 + 600;  // ramp, hold, 10 min into the cooling ramp
  sim.run(opts);
  const auto& rows = sim.series_history();
  const auto layout = sim.series_layout();
  auto col = [&](const std::string& name) { return column(layout, name); };
  const std::size_t t = col("time"), dt = col("time_step"), tc = col("T_control"), sp = col("T_setpoint");
  const double ramp_end = 20 * 60.0, hold_end = ramp_end + 86400.0;
  double worst = 0.0, largest_hold_step = 0.0, step_after_change = 1e30;
  int steps = 0;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    if (row[t] > ramp_end + 300.0 && row[t] <= hold_end) worst = std::max(worst, std::abs(row[tc] - row[sp]));
    if (row[t] > ramp_end && row[t] <= hold_end) largest_hold_step = std::max(largest_hold_step, row[dt]);
    if (row[t] > hold_end && step_after_change > 1e29) step_after_change = row[dt];
    ++steps;
  }
  std::cout << "[ recipe ] " << steps << " steps; |T_tc - setpoint| <= " << worst
            << " K in the hold; largest hold step " << largest_hold_step / 3600 << " h; first step after the hold "
            << step_after_change << " s\n";
  EXPECT_LT(worst, 1.0);
  EXPECT_GE(largest_hold_step, 3600.0) << "steps grow to hours in a hold";
  EXPECT_LE(step_after_change, 10.0) << "and shrink at a segment change";
}

// A production-style program (tests/data/resistance_cell.yaml): power up, a heater-resistance
// hold and ramp, power down. The resistance segments hold V/I on the program (the coupling
// inverts R(P) each step), and each switch starts from the value measured at it.
TEST(Recipe, AResistanceProgramHoldsTheHeatersResistanceAndSwitchesWithoutABump) {
  auto model = simulation::Model::from_file(source_dir + "/tests/data/resistance_cell.yaml");
  simulation::Simulation sim(std::move(model));
  sim.run(simulation::RunOptions{});
  const auto& rows = sim.series_history();
  const auto layout = sim.series_layout();
  auto col = [&](const std::string& name) { return column(layout, name); };
  const std::size_t t = col("time"), P = col("heater_power"), R = col("heater_resistance"), Rs = col("R_setpoint"),
                    Tmax = col("T_max");
  const double switch_in = (20 + 120) * 60.0, ramp_start = switch_in + 7200.0, switch_out = ramp_start + 7200.0;
  double worst = 0.0, P_before_in = 0, P_after_in = 0, R_at_switch = 0, P_before_out = 0, P_after_out = 0;
  double R_ramp_end = 0, T_before = 0, T_ramp_end = 0, first_after_out = -1;
  int resistance_rows = 0;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    const bool in_resistance = row[t] > switch_in + 1e-6 && row[t] <= switch_out + 1e-6;
    EXPECT_EQ(std::isnan(row[Rs]), !in_resistance) << "R_setpoint only in the resistance segments, t = " << row[t];
    if (in_resistance) {
      worst = std::max(worst, std::abs(row[R] - row[Rs]) / row[Rs]);
      ++resistance_rows;
    }
    if (std::abs(row[t] - switch_in) < 1e-6) {
      P_before_in = row[P];
      R_at_switch = row[R];
      T_before = row[Tmax];
      P_after_in = rows[r + 1][P];
      EXPECT_NEAR(rows[r + 1][Rs], R_at_switch, 1e-9 * R_at_switch) << "the hold starts from the measured resistance";
    }
    if (std::abs(row[t] - switch_out) < 1e-6) {
      P_before_out = row[P];
      R_ramp_end = row[R];
      T_ramp_end = row[Tmax];
      P_after_out = rows[r + 1][P];
      first_after_out = rows[r + 1][t] - row[t];
    }
  }
  std::cout << "[ resistance ] " << resistance_rows << " rows, |R - R_setpoint| / R <= " << worst << "; switch in "
            << P_before_in << " -> " << P_after_in << " W at " << R_at_switch * 1e3 << " mohm; ramp end "
            << R_ramp_end * 1e3 << " mohm, " << P_before_out << " W, T_max " << T_before << " -> " << T_ramp_end
            << " K; switch out -> " << P_after_out << " W\n";
  ASSERT_GT(resistance_rows, 10);
  EXPECT_LT(worst, 1e-5) << "the resistance follows its program";
  EXPECT_NEAR(P_after_in, P_before_in, 1e-3 * P_before_in) << "bumpless into resistance control";
  EXPECT_NEAR(R_ramp_end, 29e-3, 1e-5 * 29e-3);
  // Graphite's resistivity rises with T above ~1000 K: a higher resistance is a hotter heater,
  // held with more power.
  EXPECT_GT(T_ramp_end, T_before + 30.0);
  EXPECT_GT(P_before_out, 1.03 * P_before_in);
  // Into the power ramp to 0 W over 10 min from the measured power: its first step's value.
  ASSERT_GT(first_after_out, 0.0);
  EXPECT_NEAR(P_after_out, P_before_out * (1.0 - first_after_out / 600.0), 1e-6 * P_before_out);
}
